"""Issue 8 benchmark: 10,000 reminders due in the same minute (an appointment per item at 09:00, reminded 15 minutes
before, each to one of 50 staff members, by drawer and e-mail), delivered by two sweeps started at once (as two
processes would), then a third sweep that must find nothing. Checks each reminder exactly once (records,
notifications, e-mails) and times it; target: all within 30 s. SQLite always; PostgreSQL too when
CONTON_BENCH_PG_URL names an empty database (its schema is dropped and rebuilt)."""
from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from . import seed

ITEMS, STAFF, KIND = 10_000, 50, 'bench_event'


def run() -> str:
    lines = [_run_on('SQLite', '')]
    pg = os.environ.get('CONTON_BENCH_PG_URL', '')
    if pg:
        lines.append(_run_on('PostgreSQL', pg))
    return f'Reminder benchmark: {ITEMS} reminders due in the same minute, two concurrent sweeps\n' + '\n'.join(lines)


def _run_on(label: str, url: str) -> str:
    data = Path(tempfile.mkdtemp(prefix='conton-bench-'))
    os.environ['CONTON_DATA_DIR'] = str(data)
    if url:
        os.environ['CONTON_DATABASE_URL'] = url
    else:
        os.environ.pop('CONTON_DATABASE_URL', None)
    from sqlalchemy import text

    from conton import clock, config, db
    from conton.services import office, reminders
    config.reset_settings()
    db.reset_engine()
    office.reset_cache()
    reminders.reset()
    if url:
        with db.get_engine().begin() as conn:
            conn.execute(text('DROP SCHEMA public CASCADE'))
            conn.execute(text('CREATE SCHEMA public'))
    db.migrate()
    seed.office_and_admin()
    staff = _staff()
    tomorrow = date(2026, 11, 12)
    _items(tomorrow)
    moment = datetime(2026, 11, 12, 12, 0, tzinfo=timezone.utc)  # 09:00 in São Paulo
    reminders.register(_source(staff, moment))
    clock.set_now(moment - timedelta(minutes=15) + timedelta(seconds=20))
    try:
        results: list[int] = []
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def sweep() -> None:
            start.wait()
            try:
                results.append(reminders.sweep([KIND])[KIND])
            except BaseException as e:  # noqa: BLE001
                errors.append(e)
        before = db.query_counter['n']
        t0 = time.perf_counter()
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        statements = db.query_counter['n'] - before
        if errors:
            raise errors[0]
        t1 = time.perf_counter()
        again = reminders.sweep([KIND])[KIND]
        idle = time.perf_counter() - t1
        check = _check()
    finally:
        reminders.unregister(KIND)
        clock.set_now(None)
        db.reset_engine()
    ok = check == (ITEMS, ITEMS, ITEMS, ITEMS) and sum(results) == ITEMS and again == 0
    return (f'{label}: {sum(results)} delivered in {elapsed:.2f} s (target < 30 s; the two sweeps: '
            f'{" + ".join(map(str, sorted(results, reverse=True)))}), {statements} SQL statements; '
            f'a third sweep found {again} in {idle:.2f} s; records / notifications / distinct items notified / e-mails '
            f'= {" / ".join(map(str, check))}: {"each exactly once" if ok else "NOT EXACTLY ONCE"}')


def _staff() -> list[uuid.UUID]:
    from conton.models import User
    users = [User(email=f'equipe{n}@bench.conton', name=f'Equipe {n}', role='staff', password_hash='x',
                  permissions={'payables': 'read'}) for n in range(STAFF)]
    seed.bulk(User, users)
    return [u.id for u in users]


def _items(due: date) -> None:
    from conton.models import Bill
    seed.bulk(Bill, [Bill(description=f'Reunião {n + 1}', amount_cents=10000, issue_date=due - timedelta(days=10),
                          due_date=due) for n in range(ITEMS)])


def _source(staff: list[uuid.UUID], moment: datetime):
    """A set-based source, as the Agenda's will be: one query for what is due; the engine drops what is recorded
    (an Agenda expands recurrences in Python, so it cannot anti-join the records in SQL either)."""
    from sqlmodel import select

    from conton import clock
    from conton.models import Bill
    from conton.services import reminders
    period, day = moment.isoformat(), clock.local(moment).date()

    def due(session, window):
        when = moment - timedelta(minutes=15)
        if not window.start <= when <= window.end:
            return []
        rows = session.exec(select(Bill.id, Bill.description).where(Bill.status == 'aberto', Bill.due_date == day)
                            .order_by(Bill.id)).all()
        return [reminders.Reminder(KIND, bill_id, '15min', period, when, recipients=[staff[n % len(staff)]],
                                   category='agenda', title=f'Em 15 minutos: {description}',
                                   body=f'{description} às 09:00.', link=f'/agenda?item={bill_id}')
                for n, (bill_id, description) in enumerate(rows)]
    return reminders.Source(KIND, due=due, lookback=timedelta(hours=1))


def _check() -> tuple[int, int, int, int]:
    from sqlmodel import func, select

    from conton.models import Notification, OutboxEmail, ReminderSent
    from conton.services.base import unit
    with unit() as session:
        records = session.exec(select(func.count()).select_from(ReminderSent)
                               .where(ReminderSent.item_kind == KIND)).one()
        notes = session.exec(select(func.count()).select_from(Notification)
                             .where(Notification.category == 'agenda')).one()
        distinct = session.exec(select(func.count(func.distinct(Notification.link)))
                                .where(Notification.category == 'agenda')).one()
        mails = session.exec(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.subject.like('Em 15 minutos:%'))).one()
    return records, notes, distinct, mails
