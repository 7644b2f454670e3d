"""Solicitações: requests a client opens to the office (or staff open for a client), each a thread of messages with
attachments on both sides, internal notes the client never sees, an assignee and watchers, and per-login read marks.

`number` is the display number ("#123"), sequential over the office and never reused (services/requests.py assigns
max + 1 while holding the office row's lock). Attachments are DocFile rows of the request's client (storage folder
`documents`) with `origin` 'request' (a visible message: the client may download it) or 'internal' (an internal
note: a client login gets NotFound for it by every route); neither is listed in Arquivos.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from ..clock import now
from .base import created_at, uuid_pk

REQUEST_STATUSES = ('aberta', 'andamento', 'aguardando', 'concluida')
SIDES = ('client', 'office')
DEFAULT_CATEGORIES = ('Certidão', 'Alteração contratual', 'Dúvida fiscal', 'Folha', 'Outro')  # seeded by 0007


class RequestCategory(SQLModel, table=True):
    """The office-edited list of categories (a retired one stays for the requests that use it: `active` False)."""
    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=60, unique=True)
    position: int = 0
    active: bool = True


class ClientRequest(SQLModel, table=True):
    __table_args__ = (Index('ix_clientrequest_status_activity', 'status', 'last_activity_at'),
                      Index('ix_clientrequest_client_activity', 'client_id', 'last_activity_at'),
                      Index('ix_clientrequest_assignee_status', 'assignee_id', 'status'),
                      Index('ix_clientrequest_activity', 'last_activity_at', 'id'))  # the list's order (0008)
    id: uuid.UUID = uuid_pk()
    number: int = Field(unique=True)
    client_id: uuid.UUID = Field(foreign_key='client.id')
    subject: str = Field(max_length=200)
    category_id: uuid.UUID = Field(foreign_key='requestcategory.id')
    status: str = Field(default='aberta', max_length=12)  # REQUEST_STATUSES
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    opened_by: uuid.UUID = Field(foreign_key='user.id')
    opened_side: str = Field(max_length=10)  # SIDES
    created_at: datetime = created_at()
    # the last visible message or status change (the list's order)
    last_activity_at: datetime = Field(default_factory=now, nullable=False)
    last_client_activity_at: datetime | None = None
    last_office_activity_at: datetime | None = None
    closed_at: datetime | None = None  # set when concluída; the client may reopen within the office's window
    reopened_count: int = 0


class RequestWatcher(SQLModel, table=True):
    """Staff members told of every message and status change besides the assignee."""
    request_id: uuid.UUID = Field(foreign_key='clientrequest.id', primary_key=True)
    user_id: uuid.UUID = Field(foreign_key='user.id', primary_key=True, index=True)


class RequestMessage(SQLModel, table=True):
    __table_args__ = (Index('ix_requestmessage_request_created', 'request_id', 'created_at'),)
    id: uuid.UUID = uuid_pk()
    request_id: uuid.UUID = Field(foreign_key='clientrequest.id')
    author_id: uuid.UUID = Field(foreign_key='user.id')
    author_side: str = Field(max_length=10)  # SIDES
    body: str = Field(default='', sa_column=Column(Text, nullable=False))
    internal: bool = False  # an internal note: office only, never reaches a client login
    created_at: datetime = created_at()


class RequestRead(SQLModel, table=True):
    """Until when one login has read one thread: unread = a message visible to it created after `read_at`."""
    request_id: uuid.UUID = Field(foreign_key='clientrequest.id', primary_key=True)
    user_id: uuid.UUID = Field(foreign_key='user.id', primary_key=True)
    read_at: datetime = Field(default_factory=now, nullable=False)


class RequestAttachment(SQLModel, table=True):
    message_id: uuid.UUID = Field(foreign_key='requestmessage.id', primary_key=True)
    file_id: uuid.UUID = Field(foreign_key='docfile.id', primary_key=True, index=True)
