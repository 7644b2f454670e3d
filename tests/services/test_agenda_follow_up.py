"""Follow-ups other tools write into the Agenda inside their own transaction (services/agenda.place_follow_up and
drop_follow_up): an internal 'lembrete' at 09:00 with a reminder at its time, moved keeping the time it was given,
removed with its reminders; never visible to the client's logins."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlmodel import select

from conton import clock
from conton.models import Event, EventReminder
from conton.services import agenda, reminders
from conton.services.base import unit
from tests.factories import actor_of, make_client, make_office, make_user

UTC = timezone.utc


def test_a_follow_up_is_placed_moved_and_dropped() -> None:
    make_office()
    clock.set_now(datetime(2026, 3, 2, 12, tzinfo=UTC))
    staff = make_user('staff', name='Bia Staff', permissions={'agenda': 'write'})
    client = make_client('Alfa Ltda')
    client_login = actor_of(make_user('client', client=client))
    with unit() as session:
        event_id = agenda.place_follow_up(session, event_id=None, owner_id=staff.id, client_id=client.id,
                                          day=date(2026, 3, 10), title='Retorno: balanço', description='Ligar')
    occ = agenda.occurrence(actor_of(staff), event_id)
    assert (occ.title, occ.kind, occ.shared, occ.owner_id) == ('Retorno: balanço', 'lembrete', False, staff.id)
    assert occ.starts_at.time() == time(9, 0) and occ.start_day == date(2026, 3, 10)
    assert agenda.occurrences(client_login, date(2026, 3, 1), date(2026, 4, 1)) == []
    clock.set_now(datetime(2026, 3, 10, 12, 1, tzinfo=UTC))  # 09:01 in São Paulo
    reminders.sweep(['event'])
    from conton.services import notifications
    assert [i.title for i in notifications.drawer(actor_of(staff)).items] == ['Lembrete: Retorno: balanço']
    # moved in the Agenda to 14:00, then the follow-up's day changes: the time of day stays
    agenda.update(actor_of(make_user('admin')), event_id, title='Retorno: balanço', start_day=date(2026, 3, 10),
                  start_time='14:00', end_time='15:00', owner_id=str(staff.id), client_id=str(client.id),
                  shared=False, kind='lembrete')
    with unit() as session:
        same = agenda.place_follow_up(session, event_id=event_id, owner_id=staff.id, client_id=client.id,
                                      day=date(2026, 3, 12), title='Retorno: balanço 2')
    assert same == event_id
    occ = agenda.occurrence(actor_of(staff), event_id)
    assert (occ.start_day, occ.starts_at.time(), occ.title) == (date(2026, 3, 12), time(14, 0), 'Retorno: balanço 2')
    with unit() as session:
        agenda.drop_follow_up(session, event_id)
        agenda.drop_follow_up(session, event_id)  # already gone: nothing
    with unit() as session:
        assert session.exec(select(Event).where(Event.id == event_id)).first() is None
        assert session.exec(select(EventReminder).where(EventReminder.event_id == event_id)).all() == []
