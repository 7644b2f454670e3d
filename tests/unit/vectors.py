"""Shared test vectors live in /work/shared/vectors, next to the project root."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

VECTORS_DIR = Path(__file__).resolve().parents[2].parent / 'shared' / 'vectors'


@cache
def load(name: str) -> Any:
    """Parsed content of `<name>.json` from the shared vectors folder."""
    return json.loads((VECTORS_DIR / f'{name}.json').read_text(encoding='utf-8'))
