"""Delivered reminders of every tool (services/reminders.py): one row per item, level and period."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at


class ReminderSent(SQLModel, table=True):
    """Written in the transaction that writes the reminder's notifications and e-mails; the unique key makes each
    reminder exactly-once (a second sweep, a concurrent one or one after a restart skips the row it cannot insert).

    `period` is the source's own key within (item, level): the day of a daily digest ('2026-11-10'), the start of an
    event occurrence, a competência, or '' for "once ever". `day` is the office-local day it was delivered (pruning,
    and the day of the old AlertSent rows)."""
    __table_args__ = (UniqueConstraint('item_kind', 'item_id', 'level', 'period', name='uq_remindersent'),
                      Index('ix_remindersent_kind_day', 'item_kind', 'day'))
    id: int | None = Field(default=None, primary_key=True)
    item_kind: str = Field(max_length=20)  # the source: charge | bill | event | protocol …
    item_id: uuid.UUID
    level: str = Field(max_length=20)  # due_soon | overdue | 15min | 1d …
    period: str = Field(default='', max_length=40)
    day: date
    due_at: datetime  # when it was due (UTC)
    delivered_at: datetime = created_at()
    late: bool = False  # delivered more than the source's `late_after` after due_at (e.g. the server was down)
