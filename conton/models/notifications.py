"""In-app notifications and the e-mail outbox."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from .base import created_at, uuid_pk

CATEGORIES = ('agenda', 'pagamentos', 'recebimentos', 'protocolos', 'atendimentos', 'arquivos', 'solicitacoes',
              'comunicados', 'documentos')


class Notification(SQLModel, table=True):
    __table_args__ = (Index('ix_notification_user_read', 'user_id', 'read_at'),)
    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key='user.id')
    category: str = Field(max_length=20)
    title: str = Field(max_length=200)
    body: str = Field(default='', max_length=1000)
    link: str = Field(default='', max_length=300)
    created_at: datetime = created_at()
    read_at: datetime | None = None


class OutboxEmail(SQLModel, table=True):
    __table_args__ = (Index('ix_outboxemail_status_next', 'status', 'next_attempt_at'),)
    id: uuid.UUID = uuid_pk()
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    html: str
    text: str
    attachments: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [{name, mime, b64}]
    status: str = Field(default='queued', max_length=10)  # queued | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = created_at()
    last_error: str = ''
    created_at: datetime = created_at()
    sent_at: datetime | None = None
