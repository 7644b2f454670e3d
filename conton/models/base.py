from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from ..clock import now


def uuid_pk() -> uuid.UUID:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def created_at() -> datetime:
    return Field(default_factory=now, nullable=False)
