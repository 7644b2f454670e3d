"""The reminder engine: one sweep delivers the reminders of every tool, each exactly once.

A tool that must remind registers a `Source` (`reminders.register(Source(kind='charge', due=..., ...))` at the
bottom of its service module, and its module in SOURCE_MODULES). The source's `due(session, window)` says, with a
set-based query on the tool's own tables, which `Reminder`s are due by the end of the window: the item (kind and
id), the level or lead time ('due_soon', '15min', '1d' …), the period (a string key that tells repetitions apart:
the day of a daily digest, the start of an event occurrence, a competência, or '' for "once ever"), the due moment,
the recipients (user ids) and the texts. It leaves out what is done, paid, cancelled or deleted: the query runs
inside the delivery transaction, so such an item is never reminded.

The sweep then, for each source, in one transaction per batch:
1. asks the source what is due and drops what `ReminderSent` already records;
2. records the rest with insert-or-skip on the unique key (item_kind, item_id, level, period) — INSERT … ON
   CONFLICT DO NOTHING RETURNING on SQLite and PostgreSQL — and keeps only the rows it inserted: what a concurrent
   sweep (another thread or process) recorded first is skipped, without a lock;
3. writes their notifications (one per recipient, announced live after commit) and outbox e-mails, or hands them
   to the source's own `deliver` (digests, attachments).
The record and the messages commit together or not at all: exactly once per item, level and period, also across a
restart. A reminder found more than the source's `late_after` after its due moment (the server was down, or the
sweep stopped) is still delivered once, marked late: the record says so and the body ends in "(lembrete atrasado)";
one older than `lookback` is dropped. Slow work that must not run inside a transaction (drawing a boleto) goes in
the source's `prepare`: then step 1 runs alone, `prepare` after it, and steps 1-3 again in the delivery transaction,
delivering only what is still due.

jobs.py runs `sweep()` at start-up and every minute, just after the minute turns; each source is swept at the first
sweep of each new `every`-long slot of the clock. Sources
without their own `deliver` are delivered in batches: a few statements per batch whatever the number of reminders.
"""
from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import delete as sql_delete, exists, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .. import clock
from ..config import get_settings
from ..models import ReminderSent, User
from ..models.notifications import CATEGORIES
from . import channels, mail, notifications
from .base import unit

log = logging.getLogger(__name__)

# Modules that register a source when imported: a tool that reminds adds its line here.
SOURCE_MODULES = ('conton.services.receivables', 'conton.services.payables', 'conton.services.agenda',
                  'conton.services.obligations', 'conton.services.protocols', 'conton.services.docrequests')
LATE_NOTE = '(lembrete atrasado)'
KEY_CHUNK = 500  # item ids per IN (...) and rows per INSERT (SQLite's and PostgreSQL's parameter limits)


@dataclass
class Reminder:
    """One reminder of one item, due at `due_at`; `data` carries what the source's own deliver/prepare need."""
    item_kind: str
    item_id: uuid.UUID
    level: str
    period: str
    due_at: datetime
    recipients: Sequence[uuid.UUID] = ()
    category: str = ''
    title: str = ''
    body: str = ''
    link: str = ''
    email: bool = True  # also by e-mail to each recipient (subject = title, the body, a button to the link)
    data: Any = None
    late: bool = False  # set by the engine

    @property
    def key(self) -> tuple[str, uuid.UUID, str, str]:
        return self.item_kind, self.item_id, self.level, self.period


@dataclass(frozen=True)
class Window:
    """What a source is asked for: reminders due in [start, end]; `today` is the office-local day of `end` (the
    period of daily digests)."""
    start: datetime
    end: datetime
    today: date

    def day_start(self, day: date | None = None) -> datetime:
        """Midnight of `day` (default today) in the office time zone, as UTC: the due moment of a daily reminder."""
        return day_start(day or self.today)


@dataclass(frozen=True)
class Source:
    kind: str
    due: Callable[[Session, Window], Iterable[Reminder]]
    # None: one notification per recipient and, when `email`, one e-mail each (batched); else a digest of its own
    deliver: Callable[[Session, list[Reminder], Window], None] | None = None
    # slow work outside any transaction (PDFs); returns the reminders ready now (the rest wait for the next sweep)
    prepare: Callable[[list[Reminder], Window], list[Reminder]] | None = None
    every: timedelta = timedelta(minutes=1)  # how often the periodic sweep asks this source
    lookback: timedelta = timedelta(days=3)  # a reminder missed for longer than this is not sent any more
    late_after: timedelta | None = timedelta(minutes=10)  # None: never late (texts that describe the present)
    keep_days: int = 60  # records older than this are pruned (keep them longer than any period repeats)
    batch: int = 2000  # reminders per delivery transaction
    max_per_sweep: int | None = None  # stop after this many in one sweep (the next one goes on)


_sources: dict[str, Source] = {}
_last_swept: dict[str, datetime] = {}
_loaded = {'done': False}


def register(source: Source) -> Source:
    _sources[source.kind] = source
    return source


def unregister(kind: str) -> None:
    _sources.pop(kind, None)
    _last_swept.pop(kind, None)


def reset() -> None:
    """Forget when each source was last swept (what a restart does)."""
    _last_swept.clear()


def sources() -> dict[str, Source]:
    _load_sources()
    return dict(_sources)


def sweep(kinds: Iterable[str] | None = None, *, today: date | None = None) -> dict[str, int]:
    """Deliver what is due. With `kinds`, those sources now (their errors raise); without, every source whose
    `every` has passed since its last sweep in this process (all of them after a start or `reset()`), a failing
    source logged and skipped. `today` overrides the office-local day (old callers of the finance sweeps).
    Blocking: run it off the event loop. Returns how many reminders were delivered per kind."""
    _load_sources()
    now = clock.now()
    if kinds is not None:
        chosen = [_sources[k] for k in kinds]
    else:
        chosen = [s for s in _sources.values() if _time_to_ask(s, now)]
    delivered = {}
    for source in chosen:
        try:
            delivered[source.kind] = _sweep_source(source, now, today)
        except Exception:
            if kinds is not None:
                raise
            log.exception('reminder sweep of %s failed', source.kind)
            continue
        _last_swept[source.kind] = now
    return delivered


def _time_to_ask(source: Source, now: datetime) -> bool:
    """Whether the periodic sweep asks `source` now: at its first sweep in this process, then at the first sweep of
    each new `every`-long slot of the clock (each minute, each 5 minutes from the hour...). Slots, not "`every` since
    the last ask": a source asked each minute is asked just after the minute turns, so what is due at 09:00 goes out
    at the next sweep after 09:00, not up to a minute later."""
    last = _last_swept.get(source.kind)
    if last is None or source.every <= timedelta(0):
        return True
    step = source.every.total_seconds()
    return int(now.timestamp() // step) > int(last.timestamp() // step)


def startup_sweep() -> dict[str, int]:
    """At start-up: every source, so that what came due while the server was down goes out once now, late."""
    reset()
    delivered = sweep()
    if any(delivered.values()):
        log.info('reminders delivered at start-up: %s', delivered)
    return delivered


# --------------------------------------------------------------------------------------------------------------------
# Helpers for sources
# --------------------------------------------------------------------------------------------------------------------

def sent(kind: str, item_id, *, level=None, period=None, since_day: date | None = None):
    """SQL: a reminder of this item is recorded (optionally of this level/period, delivered on or after since_day).
    `item_id`, `level` and `period` may be columns or values; `~sent(...)` in a source's query skips what is done."""
    conds = [ReminderSent.item_kind == kind, ReminderSent.item_id == item_id]
    if level is not None:
        conds.append(ReminderSent.level == level)
    if period is not None:
        conds.append(ReminderSent.period == period)
    if since_day is not None:
        conds.append(ReminderSent.day >= since_day)
    return exists().where(*conds)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.tz()).astimezone(timezone.utc)


def late_text(text: str, limit: int = 1000) -> str:
    """`text` marked as a late reminder, within `limit` characters."""
    room = limit - len(LATE_NOTE) - 1
    return f'{text[:room]} {LATE_NOTE}'.strip()


def forget(session: Session, kind: str, item_ids: Iterable[uuid.UUID]) -> None:
    """Drop the records of deleted items (their reminders can never come again)."""
    ids = list(item_ids)
    for chunk in _chunks(ids, KEY_CHUNK):
        session.exec(sql_delete(ReminderSent).where(ReminderSent.item_kind == kind, ReminderSent.item_id.in_(chunk)))


def deliver_each(session: Session, due: list[Reminder], _window: Window | None = None) -> None:
    """The default delivery: one notification per active recipient and, when `email`, one e-mail to each whose
    channel for the category includes e-mail (services/channels.py); a late reminder says so in its body. Set-based:
    one query for the recipients, one insert for the notifications, one for the e-mails."""
    wanted = {uid for r in due for uid in r.recipients}
    users: dict[uuid.UUID, str] = {}
    for chunk in _chunks(list(wanted), KEY_CHUNK):
        users.update(session.exec(select(User.id, User.email).where(User.id.in_(chunk),
                                                                    User.active == True)).all())  # noqa: E712
    base = get_settings().public_url
    stamp = clock.now()
    rows: list[dict] = []
    messages: list[dict] = []
    by_email: dict[str, set[uuid.UUID]] = {}  # category -> recipients of its e-mailed reminders
    for r in due:
        if r.email:
            by_email.setdefault(r.category, set()).update(uid for uid in r.recipients if uid in users)
    by_channel = {category: channels.wants_email(session, ids, category) for category, ids in by_email.items()}
    for r in due:
        if r.category not in CATEGORIES:
            raise ValueError(f'unknown category {r.category}')
        body = late_text(r.body) if r.late else r.body[:1000]
        recipients = [uid for uid in dict.fromkeys(r.recipients) if uid in users]
        rows += [{'id': uuid.uuid4(), 'user_id': uid, 'category': r.category, 'title': r.title[:200], 'body': body,
                  'link': r.link[:300], 'created_at': stamp, 'read_at': None} for uid in recipients]
        if r.email:  # and only to those whose channel for the category includes e-mail
            link = ('Abrir no Conton', f'{base}{r.link}') if r.link else None
            for uid in (u for u in recipients if u in by_channel[r.category]):
                messages.append(mail.render(users[uid], r.title, [p for p in body.split('\n') if p], link=link))
    mail.queue_many(session, messages)  # one INSERT for the e-mails too (10,000 ORM objects cost seconds)
    notifications.notify_rows(session, rows)


# --------------------------------------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------------------------------------

def _load_sources() -> None:
    if not _loaded['done']:
        for name in SOURCE_MODULES:
            importlib.import_module(name)
        _loaded['done'] = True


def _sweep_source(source: Source, now: datetime, today: date | None) -> int:
    window = Window(now - source.lookback, now, today or clock.local(now).date())
    with unit() as session:
        _prune(session, source, window)
    delivered = 0
    while True:
        if source.prepare is None:
            with unit() as session:
                batch = _fresh(session, source, window)[:source.batch]
                won = _record_and_deliver(session, source, window, batch)
        else:
            with unit() as session:
                batch = _fresh(session, source, window)[:source.batch]
            if not batch:
                break
            ready = source.prepare(batch, window)
            with unit() as session:
                still = {r.key for r in _fresh(session, source, window)}
                won = _record_and_deliver(session, source, window, [r for r in ready if r.key in still])
        delivered += len(won)
        # go on while batches come full and something was delivered (a concurrent sweep may have taken the rest)
        if len(batch) < source.batch or not won:
            break
        if source.max_per_sweep is not None and delivered >= source.max_per_sweep:
            break
    return delivered


def _prune(session: Session, source: Source, window: Window) -> None:
    session.exec(sql_delete(ReminderSent).where(ReminderSent.item_kind == source.kind,
                                                ReminderSent.day < window.today - timedelta(days=source.keep_days)))


def _fresh(session: Session, source: Source, window: Window) -> list[Reminder]:
    """What the source says is due, less what is recorded, oldest first."""
    due: dict[tuple, Reminder] = {}
    for r in source.due(session, window):
        if r.due_at <= window.end and r.key not in due:
            due[r.key] = r
    by_kind: dict[str, list[uuid.UUID]] = {}
    for kind, item_id, _, _ in due:
        by_kind.setdefault(kind, []).append(item_id)
    recorded = set()
    for kind, ids in by_kind.items():
        for chunk in _chunks(list(dict.fromkeys(ids)), KEY_CHUNK):
            recorded.update((kind, *row) for row in session.exec(
                select(ReminderSent.item_id, ReminderSent.level, ReminderSent.period)
                .where(ReminderSent.item_kind == kind, ReminderSent.item_id.in_(chunk))).all())
    fresh = [r for key, r in due.items() if key not in recorded]
    fresh.sort(key=lambda r: r.due_at)  # stable: the source's order within a moment (the order of a digest)
    return fresh


def _record_and_deliver(session: Session, source: Source, window: Window, batch: list[Reminder]) -> list[Reminder]:
    if not batch:
        return []
    for r in batch:
        r.late = source.late_after is not None and r.due_at < window.end - source.late_after
    won = _record(session, window, batch)
    if won:
        (source.deliver or deliver_each)(session, won, window)
    return won


def _record(session: Session, window: Window, batch: list[Reminder]) -> list[Reminder]:
    """Insert the records; return the reminders whose record this transaction inserted (insert-or-skip)."""
    stamp = clock.now()
    # in key order: two concurrent sweeps then insert the same keys in the same order, and the second waits for the
    # first (then skips) instead of each holding a key the other needs (a deadlock on PostgreSQL)
    ordered = sorted(batch, key=lambda r: (r.item_kind, str(r.item_id), r.level, r.period))
    rows = [{'item_kind': r.item_kind, 'item_id': r.item_id, 'level': r.level, 'period': r.period,
             'day': window.today, 'due_at': r.due_at, 'delivered_at': stamp, 'late': r.late} for r in ordered]
    inserted: set[tuple] = set()
    dialect = session.get_bind().dialect.name
    if dialect in ('sqlite', 'postgresql'):
        if dialect == 'sqlite':
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        t = ReminderSent.__table__
        # one cached statement, executed many times in batches (SQLAlchemy's "insertmanyvalues")
        statement = (dialect_insert(t).on_conflict_do_nothing(index_elements=['item_kind', 'item_id', 'level', 'period'])
                     .returning(t.c.item_kind, t.c.item_id, t.c.level, t.c.period))
        connection = session.connection()
        for chunk in _chunks(rows, KEY_CHUNK):
            inserted.update(tuple(row) for row in connection.execute(statement, chunk).all())
    else:  # any other database: one savepoint per row
        for row in rows:
            try:
                with session.begin_nested():
                    session.execute(insert(ReminderSent).values(row))
                inserted.add((row['item_kind'], row['item_id'], row['level'], row['period']))
            except IntegrityError:
                pass
    return [r for r in batch if r.key in inserted]


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


__all__ = ['LATE_NOTE', 'Reminder', 'Source', 'Window', 'day_start', 'deliver_each', 'forget', 'late_text',
           'register', 'reset', 'sent', 'sources', 'startup_sweep', 'sweep', 'unregister']
