"""Published test vectors, copied into the repository (see README.md here for where each file comes from)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

VECTORS_DIR = Path(__file__).resolve().parent


@cache
def load(name: str) -> Any:
    """Parsed content of `tests/vectors/<name>.json`."""
    return json.loads((VECTORS_DIR / f'{name}.json').read_text(encoding='utf-8'))
