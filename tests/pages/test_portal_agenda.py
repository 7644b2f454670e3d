"""Portal do cliente > Agenda: a client login sees only its own client's shared events and visible obligations — on
the page (list and month), in the home's count and list, and in its iCal feed; another client's event id (or an
unshared one) answers "Evento não encontrado."; a staff change shows up live, and so does an event's reminder in the
drawer; staff are kept out of the portal page."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

from nicegui.testing import User

from conton import clock
from conton.services import agenda, ical, obligations, reminders
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import wait_until

UTC = timezone.utc
NO_ACCESS = 'não encontrada ou sem acesso'


def setup():
    make_office()
    obligations.seed_catalogue()  # PostgreSQL tests start from TRUNCATEd tables
    clock.set_now(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))  # 10:00 in São Paulo
    admin = actor_of(make_user('admin', name='Ana Admin'))
    alfa, beta = make_client('Alfa Padaria Ltda', tax_regime='Simples Nacional'), make_client('Beta Oficina Ltda')
    ids = {
        'a_shared': agenda.create(admin, title='Reunião com a Alfa', start_day=date(2026, 3, 5), start_time='14:00',
                                  client_id=alfa.id, location='Sala 2'),
        'a_internal': agenda.create(admin, title='Conferir folha da Alfa', start_day=date(2026, 3, 6),
                                    start_time='09:00', client_id=alfa.id, shared=False),
        'b_shared': agenda.create(admin, title='Reunião com a Beta', start_day=date(2026, 3, 5), start_time='15:00',
                                  client_id=beta.id),
        'office': agenda.create(admin, title='Confraternização', start_day=date(2026, 3, 7), all_day=True),
    }
    das = next(o for o in obligations.catalogue(admin) if o.code == 'DAS')
    defis = next(o for o in obligations.catalogue(admin) if o.code == 'DEFIS')
    obligations.assign(admin, alfa.id, das.id, since='01/2026', visible_to_client=True)
    obligations.assign(admin, alfa.id, defis.id, since='12/2025')  # not visible to the client
    obligations.assign(admin, beta.id, das.id, since='01/2026', visible_to_client=True)
    login_a = make_user('client', client=alfa, name='Olavo Alfa')
    return admin, alfa, beta, login_a, ids


def content(user: User, marker: str) -> str:
    return user.find(marker=marker).elements.pop().content


async def test_the_client_sees_only_its_own_shared_events_and_visible_obligations(user: User) -> None:
    _, _, _, login_a, _ = setup()
    await login(user, login_a)
    await user.open('/portal/agenda')
    await user.should_see(marker='portal-calendar')
    listed = content(user, 'portal-calendar')
    assert 'Reunião com a Alfa' in listed and 'Sala 2' in listed
    assert 'DAS' in listed and '02/2026' in listed  # 02/2026 due 20/03
    for other in ('Beta', 'Conferir folha', 'Confraternização', 'DEFIS'):
        assert other not in listed
    await user.open('/portal/agenda?vista=mes&data=2026-03-01')
    await user.should_see(marker='portal-calendar')
    month = content(user, 'portal-calendar')
    cell = month.split('data-day="2026-03-05"')[1].split('</td>')[0]
    assert 'Reunião com a Alfa' in cell and 'Beta' not in month and 'Confraternização' not in month


async def test_another_clients_or_an_unshared_event_is_not_found(user: User) -> None:
    _, _, _, login_a, ids = setup()
    await login(user, login_a)
    await user.open(f'/portal/agenda?evento={ids["a_shared"]}')
    await user.should_see(marker='event-title')
    await user.should_see('Reunião com a Alfa')
    for target in (ids['b_shared'], ids['a_internal'], ids['office'], '00000000-0000-0000-0000-000000000000', 'x'):
        await user.open(f'/portal/agenda?evento={target}')
        await user.should_see('Evento não encontrado.')
        await user.should_not_see(marker='event-title')
        assert 'Beta' not in content(user, 'portal-calendar')


async def test_the_home_count_and_list_hold_only_its_own(user: User) -> None:
    admin, _, _, login_a, _ = setup()
    obligations.set_override(admin, next(o.id for o in obligations.catalogue(admin) if o.code == 'DAS'), '02/2026',
                             date(2026, 3, 9), note='Portaria')  # due within the week, for Alfa and Beta
    await login(user, login_a)
    await user.open('/')
    await user.should_see(marker='home-agenda')
    tiles = content(user, 'quick-access')
    agenda_tile = tiles.split('href="/portal/agenda"')[1].split('</a>')[0]
    assert 'conton-count' in agenda_tile and '>2</span>' in agenda_tile  # its shared event and its DAS
    upcoming = content(user, 'home-agenda')
    assert 'Reunião com a Alfa' in upcoming and 'DAS' in upcoming
    assert 'Beta' not in upcoming and 'Confraternização' not in upcoming and 'Conferir' not in upcoming


async def test_its_feed_holds_only_its_own_and_another_users_token_is_404(user: User) -> None:
    admin, _, beta, login_a, _ = setup()
    token = ical.create_token(actor_of(login_a))
    response = await user.http_client.get(ical.feed_path(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'Reunião com a Alfa' in body and 'DAS' in body
    for other in ('Beta', 'Conferir folha', 'Confraternização', 'DEFIS'):
        assert other not in body
    login_b = make_user('client', client=beta)
    other_token = ical.create_token(actor_of(login_b))
    ical.revoke(actor_of(login_b))
    assert (await user.http_client.get(ical.feed_path(other_token))).status_code == 404
    ical.revoke(actor_of(login_a))
    assert (await user.http_client.get(ical.feed_path(token))).status_code == 404


async def test_a_shared_event_and_its_reminder_arrive_live(create_user: Callable[[], User]) -> None:
    admin, alfa, beta, login_a, _ = setup()
    login_b = make_user('client', client=beta)
    a, b = create_user(), create_user()
    await login(a, login_a)
    await login(b, login_b)
    await a.open('/portal/agenda')
    await b.open('/portal/agenda')
    await a.should_see(marker='portal-calendar')
    await b.should_see(marker='portal-calendar')
    agenda.create(admin, title='Assinatura do contrato', start_day=date(2026, 3, 4), start_time='10:30',
                  client_id=alfa.id, reminders=[{'lead': 'custom', 'minutes': 1, 'to_client': True}])
    await wait_until(lambda: 'Assinatura do contrato' in content(a, 'portal-calendar'), 'the event, live')
    clock.set_now(datetime(2026, 3, 4, 13, 29, 30, tzinfo=UTC))  # 10:29:30, the reminder is due
    assert reminders.sweep(['event']) == {'event': 1}
    await wait_until(lambda: 'Lembrete: Assinatura do contrato' in content(a, 'notifications'), 'the reminder, live')
    assert 'Assinatura do contrato' not in content(b, 'portal-calendar')
    assert 'Assinatura' not in content(b, 'notifications')


async def test_staff_are_kept_out_of_the_portal_page(user: User) -> None:
    setup()
    await login(user, make_user('admin'))
    await user.open('/portal/agenda')
    await user.should_see(NO_ACCESS)


