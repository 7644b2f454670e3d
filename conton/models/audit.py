"""Who did what, when and from where."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from ..clock import now


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, index=True)
    user_id: uuid.UUID | None = Field(default=None, index=True)
    user_email: str = Field(default='', max_length=254)
    action: str = Field(max_length=40, index=True)  # login, login_failed, create, update, delete, permissions ...
    entity: str = Field(default='', max_length=40)
    entity_id: str = Field(default='', max_length=64)
    detail: str = Field(default='', max_length=2000)
    ip: str = Field(default='', max_length=64)
