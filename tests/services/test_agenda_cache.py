"""The Agenda's calendars and due lists kept in memory (services/readcache): a repeated load runs no statement; any
write to a table they read — through the Agenda's services or not, committed or dropped — gives the new data; a
write still in flight is never kept past its commit; the scope of the login is part of the key (a client's login
gets its own obligations only, whoever loaded first)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import update
from sqlmodel import Session

from conton import clock, db
from conton.models import Client, Event
from conton.services import agenda, obligations
from conton.services.base import unit
from tests.factories import actor_of, make_client, make_office, make_user

MARCH = {'mes': (date(2026, 2, 23), date(2026, 4, 6))}


def setup():
    make_office()
    obligations.seed_catalogue()  # PostgreSQL tests start from TRUNCATEd tables
    clock.set_now(datetime(2026, 3, 4, 13, 0, tzinfo=timezone.utc))
    return actor_of(make_user('admin', name='Ana Admin'))


def titles(actor) -> list[str]:
    return [o.title for o in agenda.calendar(actor, MARCH).parts['mes'].occurrences]


def statements(fn) -> int:
    before = db.query_counter['n']
    fn()
    return db.query_counter['n'] - before


def test_a_repeated_load_runs_no_statement_and_a_write_loads_again() -> None:
    actor = setup()
    client = make_client('Alfa Padaria Ltda')
    event_id = agenda.create(actor, title='Reunião', start_day=date(2026, 3, 10), start_time='10:00',
                             client_id=client.id)
    assert titles(actor) == ['Reunião']
    assert statements(lambda: agenda.calendar(actor, MARCH)) == 0
    agenda.update(actor, event_id, title='Reunião de fechamento', start_day=date(2026, 3, 10), start_time='10:00',
                  client_id=client.id)  # through the service
    assert titles(actor) == ['Reunião de fechamento']
    with unit() as session:  # not through the Agenda: a bulk UPDATE of the events, then of a client's name
        session.exec(update(Event).values(title='Reunião mensal'))
    assert titles(actor) == ['Reunião mensal']
    with unit() as session:
        session.exec(update(Client).where(Client.id == client.id).values(name='Alfa Pães Ltda'))
    part = agenda.calendar(actor, MARCH).parts['mes']
    assert [o.client_name for o in part.occurrences] == ['Alfa Pães Ltda']
    assert [o.title for o in part.days[date(2026, 3, 10)]] == ['Reunião mensal']
    agenda.delete(actor, event_id)
    assert titles(actor) == []


def test_a_write_in_flight_is_not_kept_after_its_commit() -> None:
    actor = setup()
    agenda.create(actor, title='Reunião', start_day=date(2026, 3, 10), start_time='10:00')
    titles(actor)
    with Session(db.get_engine()) as writer:
        writer.exec(update(Event).values(title='Reunião movida'))
        writer.flush()
        assert titles(actor) == ['Reunião']  # another connection: the write is not visible yet (nor kept after it)
        writer.commit()
    assert titles(actor) == ['Reunião movida']
    with Session(db.get_engine()) as writer:
        writer.exec(update(Event).values(title='Desfeito'))
        writer.rollback()
    assert titles(actor) == ['Reunião movida']


def test_the_clock_day_and_the_filters_are_part_of_the_key() -> None:
    actor = setup()
    other = make_user('staff', name='Bruno Equipe', permissions={'agenda': 'write'})
    agenda.create(actor, title='Da Ana', start_day=date(2026, 3, 10), start_time='10:00')
    agenda.create(actor, title='Do Bruno', start_day=date(2026, 3, 11), start_time='10:00', owner_id=other.id)
    assert titles(actor) == ['Da Ana', 'Do Bruno']
    mine = agenda.calendar(actor, MARCH, owner_id=other.id).parts['mes'].occurrences
    assert [o.title for o in mine] == ['Do Bruno']
    client = make_client('Alfa Padaria Ltda')
    das = next(o for o in obligations.catalogue(actor) if o.code == 'DAS')
    obligations.assign(actor, client.id, das.id, since='01/2026')
    before = agenda.calendar(actor, MARCH).parts['mes'].due_days[date(2026, 3, 20)]
    assert [g.status_label for g in before] == [obligations.STATUS_LABELS['pendente']]
    clock.set_now(datetime(2026, 3, 25, 13, 0, tzinfo=timezone.utc))
    after = agenda.calendar(actor, MARCH).parts['mes'].due_days[date(2026, 3, 20)]
    assert [g.status_label for g in after] == [obligations.STATUS_LABELS['vencido']]


def test_a_client_login_gets_its_own_obligations_whoever_loaded_first() -> None:
    actor = setup()
    a, b = make_client('A'), make_client('B')
    login_a, login_b = actor_of(make_user('client', client=a)), actor_of(make_user('client', client=b))
    das = next(o for o in obligations.catalogue(actor) if o.code == 'DAS')
    for client in (a, b):
        obligations.assign(actor, client.id, das.id, since='01/2026', visible_to_client=True)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert {i.client_id for i in obligations.search(actor, *year)} == {a.id, b.id}
    assert {i.client_id for i in obligations.search(login_a, *year)} == {a.id}
    assert {i.client_id for i in obligations.search(login_b, *year)} == {b.id}
    assert obligations.search(login_a, *year, client_id=b.id) == []
    mine = obligations.search(login_a, *year)
    count = len(mine)
    mine.clear()  # each caller gets its own list
    assert count == 11 and len(obligations.search(login_a, *year)) == count  # competências 01/2026 to 11/2026
    obligations.mark_done(actor, a.id, das.id, '01/2026')
    assert [i.done for i in obligations.search(login_a, *year)][:1] == [True]
