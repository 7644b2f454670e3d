"""Arquivos and Protocolos: per-client folders (and the templates that give every client the same ones), the files
both sides send, formal deliveries (protocols) with their files and an append-only event log, and each login's choice
of how to be told per notification category (with the office's default), and the client's responsible staff member.

A file row points to one stored file (storage folder `documents`, `stored_name` chosen by the server); a file is
never shared between clients (publishing one upload to several clients stores one hard link per client). Deleting a
file sets `deleted_at` and moves the stored file to the trash (kept 30 days). Competências are 'AAAA-MM'.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from .base import created_at, uuid_pk

PROTOCOL_KINDS = ('guia', 'folha', 'contrato', 'declaracao', 'outro')
PROTOCOL_STATUSES = ('enviado', 'visualizado', 'confirmado', 'cancelado')  # + 'vencido' derived: see protocols.py
CHANNELS = ('drawer', 'email', 'both', 'none')
# Where a file belongs: '' an Arquivos file (listed there); 'request' an attachment of a visible request message (the
# client may download it; not listed in Arquivos); 'internal' an attachment of an internal note (never a client's).
FILE_ORIGINS = ('', 'request', 'internal')


class FolderTemplate(SQLModel, table=True):
    """A folder every client gets: `path` may hold '{aaaa-mm}' (the month's competência) or '{aaaa}'."""
    id: uuid.UUID = uuid_pk()
    path: str = Field(max_length=200, unique=True)
    open_for_uploads: bool = False
    created_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = created_at()


class DocFolder(SQLModel, table=True):
    """One folder of one client ('Folha de pagamento/2026-10'): a path, not a tree of rows."""
    __table_args__ = (UniqueConstraint('client_id', 'path', name='uq_docfolder_client_path'),)
    id: uuid.UUID = uuid_pk()
    client_id: uuid.UUID = Field(foreign_key='client.id')
    path: str = Field(max_length=200)
    open_for_uploads: bool = False  # the client may upload into it
    template_id: uuid.UUID | None = Field(default=None, foreign_key='foldertemplate.id')
    created_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = created_at()


class DocFile(SQLModel, table=True):
    """A file of one client. `folder_id` None: the client's uploads there are the office's inbox for that client;
    office files without a folder sit at the client's top level."""
    __table_args__ = (Index('ix_docfile_client_list', 'client_id', 'deleted_at', 'created_at', 'id'),
                      Index('ix_docfile_folder_list', 'folder_id', 'deleted_at', 'created_at', 'id'),
                      Index('ix_docfile_stored', 'stored_name'))
    id: uuid.UUID = uuid_pk()
    client_id: uuid.UUID = Field(foreign_key='client.id')
    folder_id: uuid.UUID | None = Field(default=None, foreign_key='docfolder.id')
    original_name: str = Field(max_length=120)  # cleaned (filetypes.clean_name)
    search_name: str = Field(default='', max_length=120)  # folded (accents and case) for the name search
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    mime: str = Field(max_length=100)
    type_label: str = Field(default='', max_length=60)
    sha256: str = Field(max_length=64)
    stored_name: str = Field(max_length=100)
    sender_id: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    sender_side: str = Field(max_length=10)  # office | client
    note: str = Field(default='', max_length=500)
    competence: str = Field(default='', max_length=7)
    created_at: datetime = created_at()
    office_downloaded_at: datetime | None = None  # first download by the office (a client upload "baixado")
    office_downloaded_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    deleted_at: datetime | None = None  # in the trash
    deleted_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    origin: str = Field(default='', max_length=10)  # FILE_ORIGINS: '' Arquivos, 'request', 'internal'


class Protocol(SQLModel, table=True):
    """A formal delivery of documents to a client, with proof: viewed (first opening by a login of the client),
    confirmed (the client said so, or a manual delivery on paper), or cancelled by the office."""
    __table_args__ = (Index('ix_protocol_client_status', 'client_id', 'status', 'due_date'),
                      Index('ix_protocol_status_due', 'status', 'due_date'))
    id: uuid.UUID = uuid_pk()
    client_id: uuid.UUID = Field(foreign_key='client.id')
    kind: str = Field(max_length=12)  # PROTOCOL_KINDS
    title: str = Field(max_length=200)
    search_text: str = Field(default='', max_length=200)  # the title folded (people.fold): accent-free search
    competence: str = Field(default='', max_length=7)
    due_date: date | None = None
    amount_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    note: str = Field(default='', max_length=1000)
    status: str = Field(default='enviado', max_length=12)  # PROTOCOL_STATUSES
    created_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = created_at()
    viewed_at: datetime | None = None
    viewed_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    viewed_ip: str = Field(default='', max_length=64)
    confirmed_at: datetime | None = None
    confirmed_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    receiver_name: str = Field(default='', max_length=120)  # manual delivery (paper)
    delivered_on: date | None = None
    cancelled_at: datetime | None = None
    cancelled_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    cancel_reason: str = Field(default='', max_length=500)


class ProtocolFile(SQLModel, table=True):
    protocol_id: uuid.UUID = Field(foreign_key='protocol.id', primary_key=True)
    file_id: uuid.UUID = Field(foreign_key='docfile.id', primary_key=True, index=True)
    position: int = 0


class ProtocolEvent(SQLModel, table=True):
    """Append-only: rows are inserted, never changed or deleted (the ORM refuses to)."""
    id: int | None = Field(default=None, primary_key=True)
    protocol_id: uuid.UUID = Field(foreign_key='protocol.id', index=True)
    kind: str = Field(max_length=12)  # created | emailed | viewed | downloaded | confirmed | delivered | cancelled
    at: datetime = created_at()
    user_id: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    user_name: str = Field(default='', max_length=120)
    ip: str = Field(default='', max_length=64)
    detail: str = Field(default='', max_length=300)


class AppendOnly(Exception):
    pass


@event.listens_for(ProtocolEvent, 'before_update')
@event.listens_for(ProtocolEvent, 'before_delete')
def _append_only(_mapper, _connection, _target) -> None:
    raise AppendOnly('protocol events are append-only')


class ClientResponsible(SQLModel, table=True):
    """The staff member responsible for a client: told of its uploads and of its protocols still unopened on the due
    date (without one: every staff member with the tool). A table of its own rather than a client column, so that
    the client table keeps its shape."""
    client_id: uuid.UUID = Field(foreign_key='client.id', primary_key=True)
    user_id: uuid.UUID = Field(foreign_key='user.id', index=True)


class NotificationPreference(SQLModel, table=True):
    """How one login wants to be told of one category: drawer, email, both or none (the drawer row is always
    written; 'drawer'/'none' send no e-mail). Without a row, the office default applies."""
    user_id: uuid.UUID = Field(foreign_key='user.id', primary_key=True)
    category: str = Field(max_length=20, primary_key=True)
    channel: str = Field(max_length=6)


class NotificationDefault(SQLModel, table=True):
    """The office's default channel per category (without a row: both)."""
    category: str = Field(max_length=20, primary_key=True)
    channel: str = Field(max_length=6)
