"""iCal feed: parsed back with icalendar; one dated VEVENT per occurrence and due date with a stable UID and DTSTAMP in
the office time zone; a client's feed holds only its client's items; revoked, unknown and disabled → NotFound."""
from __future__ import annotations

from datetime import date, datetime, timezone

import icalendar
import pytest
from sqlalchemy import update

from conton import clock
from conton.models import Client, User
from conton.services import agenda, ical, obligations
from conton.services.base import unit
from conton.services.errors import NotFound
from tests.factories import actor_of, make_client, make_office, make_user


@pytest.fixture
def office():
    make_office()
    obligations.seed_catalogue()  # PostgreSQL tests start from TRUNCATEd tables
    clock.set_now(datetime(2026, 2, 2, 12, tzinfo=timezone.utc))
    admin = make_user('admin')
    return actor_of(admin), admin


def _events(data: bytes) -> list:
    return [c for c in icalendar.Calendar.from_ical(data).walk('VEVENT')]


def _setup(actor, admin):
    a, b = make_client('Cliente A'), make_client('Cliente B')
    agenda.create(actor, title='Reunião semanal com A', start_day=date(2026, 2, 3), start_time='09:30',
                  end_time='10:30', client_id=a.id, recurrence={'freq': 'weekly', 'count': 4}, location='Sala 1')
    agenda.create(actor, title='Visita a B', start_day=date(2026, 2, 4), all_day=True, client_id=b.id)
    agenda.create(actor, title='Balanço interno', start_day=date(2026, 2, 5), all_day=True, client_id=a.id,
                  shared=False)
    das = next(o.id for o in obligations.catalogue(actor) if o.code == 'DAS')
    for c in (a, b):
        obligations.assign(actor, c.id, das, responsible_id=admin.id, visible_to_client=True, since='01/2026')
    return a, b


def test_the_feed_parses_back_with_one_dated_event_per_occurrence_and_due_date(office) -> None:
    actor, admin = office
    _setup(actor, admin)
    token = ical.create_token(actor)
    data = ical.feed(token)
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal['version']) == '2.0' and str(cal['x-wr-timezone']) == 'America/Sao_Paulo'
    assert [tz['tzid'] for tz in cal.walk('VTIMEZONE')] == ['America/Sao_Paulo']
    events = _events(data)
    weekly = [e for e in events if str(e['summary']) == 'Reunião semanal com A']
    assert [e.decoded('dtstart') for e in weekly] == [
        datetime(2026, 2, d, 9, 30, tzinfo=clock.tz()) for d in (3, 10, 17, 24)]
    assert all(e['dtstart'].params['TZID'] == 'America/Sao_Paulo' and 'RRULE' not in e for e in weekly)
    assert weekly[0].decoded('dtend').hour == 10 and str(weekly[0]['location']) == 'Sala 1'
    visit = next(e for e in events if str(e['summary']) == 'Visita a B')
    assert visit.decoded('dtstart') == date(2026, 2, 4) and visit.decoded('dtend') == date(2026, 2, 5)
    dues = [e for e in events if str(e['summary']).startswith('DAS')]
    assert len(dues) == 2 * 13  # 01/2026 .. 01/2027 fall due within the feed's 400 days (to 09/03/2027), per client
    assert {e.decoded('dtstart') for e in dues if '(01/2026)' in str(e['summary'])} == {date(2026, 2, 20)}
    assert all('DTSTAMP' in e and 'UID' in e for e in events)
    assert len({str(e['uid']) for e in events}) == len(events)
    clock.set_now(datetime(2026, 2, 2, 13, tzinfo=timezone.utc))
    again = {str(e['uid']) for e in _events(ical.feed(token))}
    assert again == {str(e['uid']) for e in events}  # stable UIDs


def test_a_clients_feed_holds_only_its_clients_shared_items(office) -> None:
    actor, admin = office
    a, b = _setup(actor, admin)
    login_a = actor_of(make_user('client', client=a))
    summaries = [str(e['summary']) for e in _events(ical.feed(ical.create_token(login_a)))]
    assert summaries.count('Reunião semanal com A') == 4
    assert 'Visita a B' not in summaries and 'Balanço interno' not in summaries
    assert summaries and all('Cliente B' not in s for s in summaries)
    assert any('Cliente A' in s for s in summaries if s.startswith('DAS'))


def test_a_staff_feed_holds_their_own_events_and_obligations(office) -> None:
    actor, admin = office
    _setup(actor, admin)
    colleague = make_user('staff', permissions={'agenda': 'write'})
    other = actor_of(colleague)
    agenda.create(other, title='Curso', start_day=date(2026, 2, 6), all_day=True)
    summaries = [str(e['summary']) for e in _events(ical.feed(ical.create_token(other)))]
    assert summaries == ['Curso']


def test_revoked_regenerated_unknown_and_disabled_tokens_are_not_found(office) -> None:
    actor, admin = office
    client = make_client()
    login = make_user('client', client=client)
    first = ical.create_token(actor)
    second = ical.create_token(actor)
    assert ical.status(actor) is not None
    with pytest.raises(NotFound):
        ical.feed(first)  # regenerating revokes the old address
    assert ical.feed(second)
    ical.revoke(actor)
    assert ical.status(actor) is None
    for bad in (second, 'x' * 43, '', '../../etc/passwd', None):
        with pytest.raises(NotFound):
            ical.feed(bad)
    client_token = ical.create_token(actor_of(login))
    assert ical.feed(client_token)
    with unit() as session:
        session.exec(update(Client).where(Client.id == client.id).values(active=False))
    with pytest.raises(NotFound):
        ical.feed(client_token)
    staff = make_user('staff', permissions={'agenda': 'read'})
    staff_token = ical.create_token(actor_of(staff))
    with unit() as session:
        session.exec(update(User).where(User.id == staff.id).values(active=False))
    with pytest.raises(NotFound):
        ical.feed(staff_token)


def test_text_is_escaped_and_long_lines_folded_so_the_feed_parses_back_exactly(office) -> None:
    """The VEVENT lines are written by hand (speed): commas, semicolons, backslashes, line breaks and long accented
    text come back unchanged from icalendar's parser, and no line passes 75 octets."""
    actor, _ = office
    title = 'Reunião; pauta: IRPJ, CSLL \\ e "outros"'
    description = 'Primeira linha,\nsegunda; com acentuação — ' + ' '.join(['çãõéíú'] * 30)
    agenda.create(actor, title=title, start_day=date(2026, 2, 3), start_time='09:30', description=description,
                  location='Sala 1, 2º andar; fundos')
    data = ical.feed(ical.create_token(actor))
    assert all(len(line) <= 75 for line in data.split(b'\r\n'))
    [event] = _events(data)
    assert str(event['summary']) == title and str(event['description']) == description
    assert str(event['location']) == 'Sala 1, 2º andar; fundos'
    assert event.decoded('dtstart') == datetime(2026, 2, 3, 9, 30, tzinfo=clock.tz())
