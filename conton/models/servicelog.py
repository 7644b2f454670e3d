"""Atendimentos: each service the office gives a client (channel, subject, who, when, how long, outcome), with an
optional follow-up date (an Agenda event) and link to a request. Internal by default; the office may make one
visible to the client. Deleting sets `deleted_at`.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from .base import created_at, uuid_pk

SERVICE_CHANNELS = ('telefone', 'presencial', 'email', 'whatsapp', 'portal')


class ServiceRecord(SQLModel, table=True):
    __table_args__ = (Index('ix_servicerecord_client_day', 'client_id', 'happened_on'),
                      Index('ix_servicerecord_staff_day', 'staff_id', 'happened_on'),
                      # the Atendimentos list: its count and its page, newest first, from the index alone
                      Index('ix_servicerecord_list', 'deleted_at', 'happened_on', 'created_at', 'id'))
    id: uuid.UUID = uuid_pk()
    client_id: uuid.UUID = Field(foreign_key='client.id')
    channel: str = Field(max_length=12)  # SERVICE_CHANNELS
    subject: str = Field(max_length=200)
    description: str = Field(default='', sa_column=Column(Text, nullable=False))
    staff_id: uuid.UUID = Field(foreign_key='user.id')
    happened_on: date
    duration_minutes: int = 0
    outcome: str = Field(default='', max_length=500)
    follow_up_on: date | None = None
    agenda_event_id: uuid.UUID | None = Field(default=None, foreign_key='event.id')
    request_id: uuid.UUID | None = Field(default=None, foreign_key='clientrequest.id')
    visible_to_client: bool = False
    created_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    created_at: datetime = created_at()
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
