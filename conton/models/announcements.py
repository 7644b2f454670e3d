"""Comunicados: one message to many clients (all active, by regime, by responsible staff member or a hand-picked
list), now or at a chosen time; one recipient row per login with its e-mail status (through the outbox) and its
reading in the portal. Attachments are stored files of their own (storage folder `announcements`), not per-client
DocFile rows.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at, uuid_pk

AUDIENCES = ('all', 'regime', 'responsible', 'list')
ANNOUNCEMENT_STATUSES = ('rascunho', 'agendado', 'enviando', 'enviado', 'cancelado')
RECIPIENT_STATUSES = ('fila', 'enviado', 'falhou', 'portal')  # portal: no e-mail, by the login's channel choice
ATTACHMENT_FOLDER = 'announcements'  # the storage folder of the attachments (backup.file_columns)


class Announcement(SQLModel, table=True):
    __table_args__ = (Index('ix_announcement_status_send', 'status', 'send_at'),)
    id: uuid.UUID = uuid_pk()
    subject: str = Field(max_length=200)
    body: str = Field(default='', sa_column=Column(Text, nullable=False))
    audience: str = Field(default='all', max_length=12)  # AUDIENCES
    audience_value: str = Field(default='', max_length=100)  # the regime, or the staff user id
    template: str = Field(default='', max_length=20)  # '' | 'first_use'
    status: str = Field(default='rascunho', max_length=12)  # ANNOUNCEMENT_STATUSES
    send_at: datetime | None = None
    created_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = created_at()
    started_at: datetime | None = None
    sent_at: datetime | None = None
    recipients: int = 0


class AnnouncementClient(SQLModel, table=True):
    """The hand-picked list (audience 'list')."""
    announcement_id: uuid.UUID = Field(foreign_key='announcement.id', primary_key=True)
    client_id: uuid.UUID = Field(foreign_key='client.id', primary_key=True)


class AnnouncementAttachment(SQLModel, table=True):
    id: uuid.UUID = uuid_pk()
    announcement_id: uuid.UUID = Field(foreign_key='announcement.id', index=True)
    original_name: str = Field(max_length=120)
    stored_name: str = Field(max_length=100)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64)
    mime: str = Field(max_length=100)


class AnnouncementRecipient(SQLModel, table=True):
    __table_args__ = (UniqueConstraint('announcement_id', 'user_id', name='uq_announcementrecipient_user'),
                      Index('ix_announcementrecipient_user_read', 'user_id', 'read_at'),
                      Index('ix_announcementrecipient_status', 'announcement_id', 'status'))
    id: uuid.UUID = uuid_pk()
    announcement_id: uuid.UUID = Field(foreign_key='announcement.id')
    client_id: uuid.UUID = Field(foreign_key='client.id')
    user_id: uuid.UUID = Field(foreign_key='user.id')
    email: str = Field(max_length=254)
    status: str = Field(default='fila', max_length=10)  # RECIPIENT_STATUSES
    email_id: uuid.UUID | None = Field(default=None, foreign_key='outboxemail.id')
    error: str = Field(default='', max_length=300)
    read_at: datetime | None = None
    created_at: datetime = created_at()
