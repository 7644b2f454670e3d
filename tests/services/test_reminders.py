"""The reminder engine (services/reminders.py) with a controllable clock: each reminder exactly once with the sweep
run twice, by two threads at once, by a sweep that loses the race between its check and its insert, and across a
restart; a reminder missed while the server was down goes out once at start-up, marked late; none for paid,
cancelled or deleted items; many at once in batches; the scheduler runs the sweep at start-up.

The source under test is an "appointment" per open bill at 09:00 (office time) on its due date, reminded one day
and 15 minutes before, to one staff member, by drawer and e-mail — what the Agenda will register."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import Session, func, select

from conton import clock, db, formatting
from conton.models import Bill, Notification, OutboxEmail, ReminderSent, User
from conton.services import notifications, office as office_service, payables, reminders
from conton.services.base import unit
from tests.factories import actor_of, make_office, make_user

LEADS = {'1d': timedelta(days=1), '15min': timedelta(minutes=15)}


def utc(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=timezone.utc)


def appointment(day: date) -> datetime:
    """09:00 in São Paulo (UTC-3) on `day`, as UTC."""
    return datetime.combine(day, time(9), tzinfo=clock.tz()).astimezone(timezone.utc)


def appointment_source(owner_ids: list, *, batch: int = 2000) -> reminders.Source:
    def due(session: Session, window: reminders.Window) -> list[reminders.Reminder]:
        first, last = clock.local(window.start).date(), clock.local(window.end).date() + timedelta(days=1)
        rows = session.exec(select(Bill.id, Bill.description, Bill.due_date)
                            .where(Bill.status == 'aberto', Bill.due_date >= first, Bill.due_date <= last)).all()
        out = []
        for bill_id, description, day in rows:
            for level, lead in LEADS.items():
                when = appointment(day) - lead
                if window.start <= when <= window.end:
                    out.append(reminders.Reminder(
                        'task', bill_id, level, day.isoformat(), when, recipients=owner_ids, category='agenda',
                        title=f'Lembrete: {description}', body=f'{description} às 09:00 de {formatting.day(day)}',
                        link=f'/agenda?item={bill_id}'))
        return out
    return reminders.Source('task', due=due, lookback=timedelta(days=2), late_after=timedelta(minutes=10),
                            batch=batch)


@pytest.fixture
def office():
    make_office()
    clock.set_now(utc(1, 12))
    admin = make_user('admin', email='dona@escritorio.test')
    reminders.register(appointment_source([admin.id]))
    yield {'admin': admin, 'actor': actor_of(admin)}
    reminders.unregister('task')


def new_bill(office, description: str, due: str = '12/11/2026') -> object:
    return payables.create(office['actor'], description=description, amount='100,00', due_date=due,
                           issue_date='01/11/2026')[0]


def agenda_notes() -> list[Notification]:
    with unit() as session:
        return list(session.exec(select(Notification).where(Notification.category == 'agenda')
                                 .order_by(Notification.title)).all())


def agenda_mails() -> list[OutboxEmail]:
    with unit() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.subject.like('Lembrete:%'))
                                 .order_by(OutboxEmail.subject)).all())


def records() -> list[ReminderSent]:
    with unit() as session:
        return list(session.exec(select(ReminderSent).where(ReminderSent.item_kind == 'task')).all())


def restart() -> None:
    """What a restart resets: engine and connections, live channel, caches, the engine's memory of its sweeps."""
    db.reset_engine()
    notifications.reset()
    office_service.reset_cache()
    reminders.reset()


def test_exactly_once_when_swept_twice_and_across_a_restart(office) -> None:
    ids = [new_bill(office, f'Reunião {c}') for c in 'ABC']
    clock.set_now(utc(11, 12, 0, 30))  # one day before 09:00 of 12/11, plus 30 s
    assert reminders.sweep(['task']) == {'task': 3}
    notes = agenda_notes()
    assert [n.title for n in notes] == ['Lembrete: Reunião A', 'Lembrete: Reunião B', 'Lembrete: Reunião C']
    assert notes[0].body == 'Reunião A às 09:00 de 12/11/2026' and notes[0].user_id == office['admin'].id
    assert {n.link for n in notes} == {f'/agenda?item={i}' for i in ids}
    mails = agenda_mails()
    assert [m.to_addr for m in mails] == ['dona@escritorio.test'] * 3
    assert 'Reunião A às 09:00 de 12/11/2026' in mails[0].text and 'http://conton.test/agenda?item=' in mails[0].text
    assert reminders.sweep(['task']) == {'task': 0}
    restart()
    assert reminders.startup_sweep().get('task') == 0
    clock.set_now(utc(11, 23))
    swept = reminders.sweep()  # every registered source (charges, bills, agenda … and this test's)
    assert {'task', 'charge', 'bill'} <= set(swept) and not any(swept.values())
    assert len(agenda_notes()) == 3 and len(agenda_mails()) == 3

    clock.set_now(utc(12, 11, 45, 5))  # 15 minutes before
    assert reminders.sweep(['task']) == {'task': 3}
    restart()
    assert reminders.startup_sweep()['task'] == 0
    rows = records()
    assert sorted((r.level, r.late) for r in rows) == [('15min', False)] * 3 + [('1d', False)] * 3
    assert len({(r.item_id, r.level, r.period) for r in rows}) == 6
    assert len(agenda_notes()) == 6 and len(agenda_mails()) == 6


def test_two_sweeps_at_once_deliver_each_reminder_once(office) -> None:
    for n in range(40):
        new_bill(office, f'Reunião {n:02d}')
    clock.set_now(utc(11, 12, 1))
    start = threading.Barrier(2)

    def sweep() -> int:
        start.wait()
        return reminders.sweep(['task'])['task']
    with ThreadPoolExecutor(2) as pool:
        results = [f.result() for f in [pool.submit(sweep), pool.submit(sweep)]]
    assert sum(results) == 40
    notes = agenda_notes()
    assert len(notes) == 40 and len({n.link for n in notes}) == 40
    assert len(agenda_mails()) == 40 and len(records()) == 40


def test_a_sweep_that_loses_the_race_after_its_check_sends_nothing(office, monkeypatch) -> None:
    """Another sweep (thread or process) records the same reminders between this sweep's check of what is recorded
    and its insert: the unique key skips them, so nothing goes out twice."""
    for n in range(5):
        new_bill(office, f'Reunião {n}')
    clock.set_now(utc(11, 12, 1))
    record, raced, inner = reminders._record, [], []

    def racing(session, window, batch):
        if not raced:
            raced.append(True)
            other = threading.Thread(target=lambda: inner.append(reminders.sweep(['task'])['task']))
            other.start()
            other.join()
        return record(session, window, batch)
    monkeypatch.setattr(reminders, '_record', racing)
    assert reminders.sweep(['task']) == {'task': 0}
    assert inner == [5]
    assert len(agenda_notes()) == 5 and len(agenda_mails()) == 5 and len(records()) == 5


def test_missed_while_down_delivered_once_at_startup_marked_late(office) -> None:
    new_bill(office, 'Reunião', '12/11/2026')
    new_bill(office, 'Antiga', '08/11/2026')  # its reminders are older than the source's lookback (2 days)
    clock.set_now(utc(11, 11))  # an hour before the first reminder: nothing yet
    assert reminders.sweep(['task']) == {'task': 0}
    clock.set_now(utc(12, 12, 30))  # the server was down from 11/11 11:00 until 30 minutes after the appointment
    restart()
    assert reminders.startup_sweep()['task'] == 2
    notes = agenda_notes()
    assert [n.body for n in notes] == ['Reunião às 09:00 de 12/11/2026 (lembrete atrasado)'] * 2
    assert all('(lembrete atrasado)' in m.text for m in agenda_mails()) and len(agenda_mails()) == 2
    assert sorted((r.level, r.late, r.due_at) for r in records()) == [('15min', True, utc(12, 11, 45)),
                                                                      ('1d', True, utc(11, 12))]
    restart()
    assert reminders.startup_sweep()['task'] == 0
    assert len(agenda_notes()) == 2


def test_on_time_is_not_late(office) -> None:
    new_bill(office, 'Reunião')
    clock.set_now(utc(11, 12, 9, 59))  # within the 10 minutes the source allows
    assert reminders.sweep(['task'])['task'] == 1
    assert agenda_notes()[0].body == 'Reunião às 09:00 de 12/11/2026'
    assert [r.late for r in records()] == [False]


def test_none_for_paid_cancelled_or_deleted_items(office) -> None:
    actor = office['actor']
    kept = new_bill(office, 'Em aberto')
    payables.pay(actor, new_bill(office, 'Paga'), paid_date='01/11/2026')
    payables.cancel(actor, new_bill(office, 'Cancelada'))
    payables.delete(actor, [new_bill(office, 'Excluída')])
    clock.set_now(utc(11, 12, 1))
    assert reminders.sweep(['task'])['task'] == 1
    assert [n.title for n in agenda_notes()] == ['Lembrete: Em aberto']
    payables.pay(actor, kept, paid_date='11/11/2026')  # done after its first reminder: no second one
    clock.set_now(utc(12, 11, 46))
    assert reminders.sweep(['task'])['task'] == 0
    assert len(agenda_notes()) == 1 and len(agenda_mails()) == 1


def test_inactive_recipients_get_nothing(office) -> None:
    gone = make_user('staff', email='saiu@escritorio.test', permissions={'payables': 'read'})
    with unit() as session:
        session.get(User, gone.id).active = False
    reminders.register(appointment_source([office['admin'].id, gone.id]))
    new_bill(office, 'Reunião')
    clock.set_now(utc(11, 12, 1))
    assert reminders.sweep(['task'])['task'] == 1
    assert [n.user_id for n in agenda_notes()] == [office['admin'].id]
    assert [m.to_addr for m in agenda_mails()] == ['dona@escritorio.test']


def test_many_reminders_in_batches_each_once_without_a_query_per_row(office) -> None:
    reminders.register(appointment_source([office['admin'].id], batch=1000))
    with unit() as session:
        session.add_all([Bill(description=f'Reunião {n:04d}', amount_cents=100, issue_date=date(2026, 11, 1),
                              due_date=date(2026, 11, 12)) for n in range(2500)])
    clock.set_now(utc(11, 12, 1))
    before = db.query_counter['n']
    assert reminders.sweep(['task'])['task'] == 2500
    statements = db.query_counter['n'] - before
    assert statements * 50 < 2500, statements  # a few statements per batch of 1,000, not one per reminder
    assert reminders.sweep(['task'])['task'] == 0
    with unit() as session:
        assert session.exec(select(func.count(func.distinct(Notification.link)))
                            .where(Notification.category == 'agenda')).one() == 2500
        assert session.exec(select(func.count()).select_from(Notification)
                            .where(Notification.category == 'agenda')).one() == 2500
        assert session.exec(select(func.count()).select_from(OutboxEmail)
                            .where(OutboxEmail.subject.like('Lembrete:%'))).one() == 2500
    assert len(records()) == 2500


@pytest.fixture
def missed(office):
    new_bill(office, 'Reunião')  # outside the event loop (services are called from threads there)
    clock.set_now(utc(12, 12))  # after the appointment: both reminders were missed
    return office


async def test_the_scheduler_sweeps_at_startup(missed) -> None:
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from conton import jobs
    done = asyncio.Event()
    jobs.start()
    try:
        jobs.scheduler.add_listener(lambda e: e.job_id == 'reminders_startup' and done.set(),
                                    EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        await asyncio.wait_for(done.wait(), 120)
        assert {j.id for j in jobs.scheduler.get_jobs()} >= {'reminders'}
    finally:
        jobs.stop()
    assert [n.body for n in agenda_notes()] == ['Reunião às 09:00 de 12/11/2026 (lembrete atrasado)'] * 2



def test_a_periodic_source_is_asked_just_after_each_slot_of_the_clock_turns(monkeypatch) -> None:
    """A source asked each minute is asked at the first sweep of each new minute (not a minute after its last ask),
    so what is due at 09:00 goes out at the next sweep after 09:00."""
    asked: list[datetime] = []
    source = reminders.Source('slots', due=lambda session, window: asked.append(window.end) or [],
                              every=timedelta(minutes=1))
    monkeypatch.setattr(reminders, '_sources', {'slots': source})
    monkeypatch.setattr(reminders, '_load_sources', lambda: None)
    monkeypatch.setattr(reminders, '_last_swept', {})
    monkeypatch.setattr(reminders, '_sweep_source', lambda s, now, today: asked.append(now) or 0)
    for second in (40, 55):  # 11:59:40 (first sweep of the process: asked), 11:59:55 (same minute: not asked)
        clock.set_now(datetime(2026, 11, 12, 11, 59, second, tzinfo=timezone.utc))
        reminders.sweep()
    clock.set_now(datetime(2026, 11, 12, 12, 0, 5, tzinfo=timezone.utc))  # 25 s after the last ask: a new minute
    reminders.sweep()
    clock.set_now(datetime(2026, 11, 12, 12, 0, 50, tzinfo=timezone.utc))
    reminders.sweep()
    assert [f'{a:%H:%M:%S}' for a in asked] == ['11:59:40', '12:00:05']
    clock.set_now(None)


def test_the_sweep_job_starts_just_after_the_minute_turns() -> None:
    from conton import jobs
    now = datetime(2026, 11, 12, 11, 59, 37, 400000, tzinfo=timezone.utc)
    assert jobs.aligned_start(60, now) == datetime(2026, 11, 12, 12, 0, 1, tzinfo=timezone.utc)
    assert jobs.aligned_start(5, now) == datetime(2026, 11, 12, 11, 59, 41, tzinfo=timezone.utc)
