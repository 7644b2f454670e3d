"""Agenda: events (with recurrence rules, exceptions and reminders), the tax-obligation catalogue, its assignments to
clients, done marks, per-competência overrides, the office's extra holidays and per-user iCal feed tokens.

Datetimes are UTC (shown in the office time zone). A recurring event stores its rule as data (`recurrence`, see
services/agenda.py) and is expanded only for the range shown; `series_end` is the end of its last occurrence (None:
no end), so a range query reads only the events that can have an occurrence in the range. Competências are stored as
'AAAA-MM' (they sort); the rules in conton.br.deadlines take 'MM/AAAA'.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at, uuid_pk


class Event(SQLModel, table=True):
    """One event or one series. An all-day event starts at local midnight of its first day and ends at local midnight
    after its last day."""
    __table_args__ = (Index('ix_event_range', 'starts_at', 'series_end'),
                      Index('ix_event_client_range', 'client_id', 'starts_at', 'series_end'))
    id: uuid.UUID = uuid_pk()
    title: str = Field(max_length=200)
    description: str = Field(default='', max_length=4000)
    kind: str = Field(default='evento', max_length=10)  # evento | prazo | reuniao | lembrete
    all_day: bool = False
    starts_at: datetime  # first occurrence (UTC)
    ends_at: datetime
    location: str = Field(default='', max_length=200)
    owner_id: uuid.UUID = Field(foreign_key='user.id', index=True)
    client_id: uuid.UUID | None = Field(default=None, foreign_key='client.id')
    shared: bool = False  # visible to the client's logins (needs client_id)
    recurrence: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    series_end: datetime | None = None  # end of the last occurrence; None = a series without end
    series_id: uuid.UUID | None = Field(default=None, index=True)  # the series this one was split from
    created_at: datetime = created_at()
    updated_at: datetime | None = None


class EventException(SQLModel, table=True):
    """One occurrence of a series cancelled, moved or edited; `occurrence` is its start as the rule gives it."""
    __table_args__ = (UniqueConstraint('event_id', 'occurrence', name='uq_eventexception_occurrence'),)
    id: uuid.UUID = uuid_pk()
    event_id: uuid.UUID = Field(foreign_key='event.id', index=True)
    occurrence: datetime
    cancelled: bool = False
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    location: str | None = Field(default=None, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class EventReminder(SQLModel, table=True):
    """A reminder of every occurrence of an event, `lead_minutes` before it starts (0 = at the time)."""
    __table_args__ = (UniqueConstraint('event_id', 'lead_minutes', name='uq_eventreminder_lead'),)
    id: uuid.UUID = uuid_pk()
    event_id: uuid.UUID = Field(foreign_key='event.id', index=True)
    lead_minutes: int = 15
    drawer: bool = True
    email: bool = False
    to_owner: bool = True
    to_client: bool = False  # the client's logins (only for a shared event)
    staff_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # chosen staff (ids)


class Obligation(SQLModel, table=True):
    """An obligation the office tracks; the rule fields are those of conton.br.deadlines.Rule."""
    id: uuid.UUID = uuid_pk()
    code: str = Field(max_length=30, unique=True)
    name: str = Field(max_length=120)
    sphere: str = Field(default='federal', max_length=10)  # federal | estadual | municipal
    periodicity: str = Field(default='mensal', max_length=10)  # mensal | trimestral | anual
    kind: str = Field(default='pagamento', max_length=10)  # pagamento | entrega
    due_rule: str = Field(default='dia', max_length=20)  # dia | dia_util | ultimo_dia_util | data_anual
    shift: str = Field(default='prorroga', max_length=10)  # antecipa | prorroga | mantem
    day: int = 0
    months_after: int = 1
    month: int = 0
    basis: str = Field(default='', max_length=200)
    active: bool = True
    custom: bool = False  # added by the office
    created_at: datetime = created_at()


class ObligationAssignment(SQLModel, table=True):
    """An obligation a client has, with the staff member responsible for it."""
    __table_args__ = (UniqueConstraint('client_id', 'obligation_id', name='uq_obligationassignment'),
                      Index('ix_obligationassignment_responsible', 'responsible_id'))
    id: uuid.UUID = uuid_pk()
    client_id: uuid.UUID = Field(foreign_key='client.id')
    obligation_id: uuid.UUID = Field(foreign_key='obligation.id', index=True)
    responsible_id: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    visible_to_client: bool = False
    remind_days: int = 3  # days before the due date the responsible is reminded
    remind_client: bool = False  # the client's logins are reminded too (needs visible_to_client)
    since: str = Field(max_length=7)  # first competência tracked ('AAAA-MM')
    created_at: datetime = created_at()


class ObligationDone(SQLModel, table=True):
    """An obligation of one client done for one competência."""
    __table_args__ = (UniqueConstraint('client_id', 'obligation_id', 'competence', name='uq_obligationdone'),
                      Index('ix_obligationdone_competence', 'competence'))
    id: uuid.UUID = uuid_pk()
    client_id: uuid.UUID = Field(foreign_key='client.id')
    obligation_id: uuid.UUID = Field(foreign_key='obligation.id')
    competence: str = Field(max_length=7)  # 'AAAA-MM'
    done_at: datetime = created_at()
    done_by: uuid.UUID | None = Field(default=None, foreign_key='user.id')
    no_movement: bool = False  # "sem movimento"
    note: str = Field(default='', max_length=500)
    file: str = Field(default='', max_length=100)  # guide/receipt in storage folder services.obligations.FILE_FOLDER
    file_name: str = Field(default='', max_length=200)
    file_mime: str = Field(default='', max_length=60)


class ObligationOverride(SQLModel, table=True):
    """A due date moved by decree for one obligation and competência, for every client (client_id None) or one."""
    __table_args__ = (Index('ix_obligationoverride_key', 'obligation_id', 'competence', 'client_id'),)
    id: uuid.UUID = uuid_pk()
    obligation_id: uuid.UUID = Field(foreign_key='obligation.id')
    competence: str = Field(max_length=7)
    client_id: uuid.UUID | None = Field(default=None, foreign_key='client.id')
    due_date: date
    note: str = Field(default='', max_length=500)
    created_at: datetime = created_at()


class ExtraHoliday(SQLModel, table=True):
    """A municipal or state holiday the office adds. Empty uf/city: it applies to every client (the office's own
    city); otherwise to the clients of that UF (estadual) or that city and UF (municipal)."""
    __table_args__ = (Index('ix_extraholiday_day', 'day'),)
    id: uuid.UUID = uuid_pk()
    day: date
    name: str = Field(max_length=120)
    scope: str = Field(default='municipal', max_length=10)  # municipal | estadual
    uf: str = Field(default='', max_length=2)
    city: str = Field(default='', max_length=100)


class CalendarToken(SQLModel, table=True):
    """A secret iCal feed address of one login; only the SHA-256 of the token is stored."""
    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key='user.id', index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at()
    revoked_at: datetime | None = None
