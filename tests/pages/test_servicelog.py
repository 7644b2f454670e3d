"""Atendimentos pages: the list with its filters in the URL and pager, the form (messages next to the fields, nothing
saved on bad input, the follow-up in the staff member's Agenda), a live refresh; the client's history page (kinds,
period, the PDF through its GET route) linked from the client's page; the portal's Atendimentos. Isolation: a client
login reaches no internal atendimento by any route — list, URL, guessed id, history, PDF, counts, notifications —
and client A never sees B's visible ones."""
from __future__ import annotations

from datetime import date, datetime, timezone

from nicegui.testing import User
from sqlmodel import func, select

from conton import clock
from conton.models import ServiceRecord
from conton.services import agenda, servicelog
from conton.services.base import unit
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import wait_until

UTC = timezone.utc
NO_ACCESS = 'Página não encontrada ou sem acesso'


def setup():
    make_office()
    clock.set_now(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))  # 10:00 in São Paulo
    admin = make_user('admin', name='Ana Admin')
    staff = make_user('staff', name='Bia Staff', permissions={'servicelog': 'write', 'agenda': 'read'})
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a, login_b = make_user('client', client=alfa), make_user('client', client=beta)
    a = actor_of(admin)
    ids = {
        'a_internal': servicelog.create(a, client_id=str(alfa.id), channel='telefone', subject='Cobrança atrasada',
                                        duration_minutes=5).id,
        'a_visible': servicelog.create(a, client_id=str(alfa.id), channel='presencial', subject='Entrega do balanço',
                                       duration_minutes=45, outcome='Assinado', visible_to_client=True).id,
        'b_visible': servicelog.create(a, client_id=str(beta.id), channel='whatsapp', subject='Beta pediu guia',
                                       duration_minutes=3, visible_to_client=True).id,
    }
    return admin, staff, alfa, beta, login_a, login_b, ids


def content(user: User, marker: str) -> str:
    return user.find(marker=marker).elements.pop().content


def records() -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(ServiceRecord)).one()


async def test_the_list_filters_by_url_and_opens_one(user: User) -> None:
    admin, _, alfa, _, _, _, ids = setup()
    await login(user, admin)
    await user.open('/atendimentos')
    await user.should_see(marker='services')
    listed = content(user, 'services')
    for subject in ('Cobrança atrasada', 'Entrega do balanço', 'Beta pediu guia'):
        assert subject in listed
    assert 'Visível ao cliente' in listed and 'Interno' in listed and '45 min' in listed
    await user.open('/atendimentos?cliente=beta')
    await user.should_see(marker='services')
    assert 'Beta pediu guia' in content(user, 'services') and 'Alfa' not in content(user, 'services')
    await user.open(f'/atendimentos?cliente_id={alfa.id}&canal=presencial')
    await user.should_see(marker='services')
    assert 'Entrega do balanço' in content(user, 'services') and 'Cobrança' not in content(user, 'services')
    assert 'Cliente: Alfa Padaria Ltda' in content(user, 'filters')
    await user.open('/atendimentos?de=31/02/2026')
    await user.should_see('Data inválida em “De”')
    await user.open(f'/atendimentos?atendimento={ids["a_visible"]}')
    await user.should_see(marker='form-subject')
    assert user.find(marker='form-subject').elements.pop().value == 'Entrega do balanço'
    await user.open('/atendimentos?atendimento=00000000-0000-0000-0000-000000000000')
    await user.should_see('Atendimento não encontrado.')


async def test_recording_from_the_form_with_a_follow_up_in_the_staff_agenda(user: User) -> None:
    _, staff, alfa, _, _, _, _ = setup()
    await login(user, staff)
    await user.open(f'/atendimentos?novo=1&cliente_id={alfa.id}')
    await user.should_see(marker='form-subject')
    user.find(marker='form-subject').type('Dúvida sobre férias')
    user.find(marker='form-duration').clear().type('-3')
    user.find(marker='form-follow-up').type('02/03/2026')
    user.find(marker='form-follow-up-time').type('29:00')
    user.find(marker='form-save').click()
    await user.should_see('A duração não pode ser negativa.')
    await user.should_see('A data de retorno não pode estar no passado.')
    await user.should_see('Hora inválida. Use hh:mm.')
    assert records() == 3  # nothing saved
    user.find(marker='form-duration').clear().type('20')
    user.find(marker='form-follow-up').clear().type('10/03/2026')
    user.find(marker='form-follow-up-time').clear().type('14:30')
    user.find(marker='form-save').click()
    await user.should_see('Atendimento salvo.')
    await wait_until(lambda: 'Dúvida sobre férias' in content(user, 'services'), 'the new atendimento listed')
    assert 'Retorno: 10/03/2026 às 14:30' in content(user, 'services')
    occs = agenda.occurrences(actor_of(staff), date(2026, 3, 1), date(2026, 4, 1), owner_id=staff.id)
    assert [(o.title, o.start_day) for o in occs] == [('Retorno: Dúvida sobre férias', date(2026, 3, 10))]
    assert clock.local(occs[0].starts_at).strftime('%H:%M') == '14:30'
    await user.open('/agenda?vista=lista&data=2026-03-10')
    await user.should_see('Retorno: Dúvida sobre férias')


async def test_empty_subject_is_refused_next_to_the_field(user: User) -> None:
    admin, _, alfa, _, _, _, _ = setup()
    await login(user, admin)
    await user.open(f'/atendimentos?novo=1&cliente_id={alfa.id}')
    await user.should_see(marker='form-subject')
    user.find(marker='form-save').click()
    await user.should_see('Informe o assunto.')
    assert records() == 3


async def test_a_change_shows_up_live_in_an_open_list(user: User) -> None:
    admin, _, alfa, _, _, _, _ = setup()
    await login(user, admin)
    await user.open('/atendimentos')
    await user.should_see(marker='services')
    servicelog.create(actor_of(admin), client_id=str(alfa.id), channel='email', subject='Enviado por outro colega',
                      duration_minutes=2)
    await wait_until(lambda: 'Enviado por outro colega' in content(user, 'services'), 'the live refresh')


async def test_the_client_history_page_and_its_pdf(user: User) -> None:
    admin, _, alfa, _, _, _, _ = setup()
    await login(user, admin)
    await user.open(f'/clientes/{alfa.id}')
    await user.should_see(marker='related-servicelog')
    await user.open(f'/clientes/{alfa.id}/historico')
    await user.should_see('Histórico de Alfa Padaria Ltda')
    shown = content(user, 'history')
    assert 'Cobrança atrasada' in shown and 'Entrega do balanço' in shown and 'Beta' not in shown
    assert 'Atendimentos (2)' in content(user, 'history-filters')
    await user.open(f'/clientes/{alfa.id}/historico?tipo=protocolo')
    await user.should_see(marker='history')
    assert 'Nada registrado' in content(user, 'history')
    await user.open(f'/clientes/{alfa.id}/historico?de=05/03/2026')
    await user.should_see(marker='history')
    assert 'Cobrança atrasada' not in content(user, 'history')
    response = await user.http_client.get(f'/clientes/{alfa.id}/historico.pdf?de=2026-03-01&ate=2026-03-31')
    assert response.status_code == 200 and response.content.startswith(b'%PDF')
    assert response.headers['content-type'] == 'application/pdf'
    assert response.headers['content-disposition'].startswith('attachment; filename="historico-alfa-padaria-ltda')
    assert response.headers['x-content-type-options'] == 'nosniff'
    for bad in ('00000000-0000-0000-0000-000000000000', 'x'):
        assert (await user.http_client.get(f'/clientes/{bad}/historico.pdf')).status_code == 404
        await user.open(f'/clientes/{bad}/historico')
        await user.should_see(NO_ACCESS)


async def test_a_client_login_reaches_no_atendimento_of_the_office(user: User) -> None:
    _, _, alfa, beta, login_a, _, ids = setup()
    await login(user, login_a)
    for path in ('/atendimentos', f'/atendimentos?atendimento={ids["a_internal"]}', f'/clientes/{alfa.id}/historico',
                 f'/clientes/{beta.id}/historico'):
        await user.open(path)
        await user.should_see(NO_ACCESS)
    for client in (alfa, beta):
        response = await user.http_client.get(f'/clientes/{client.id}/historico.pdf')
        assert response.status_code == 404 and not response.content.startswith(b'%PDF')
    await user.open('/portal/atendimentos')
    await user.should_see(marker='portal-services')
    shown = content(user, 'portal-services')
    assert 'Entrega do balanço' in shown and 'Assinado' in shown and '1</b> atendimento' in shown
    assert 'Cobrança atrasada' not in shown and 'Beta' not in shown
    await user.open(f'/portal/atendimentos?atendimento={ids["a_visible"]}')
    await user.should_see(marker='service-detail')
    for target in (ids['a_internal'], ids['b_visible'], '00000000-0000-0000-0000-000000000000', 'x'):
        await user.open(f'/portal/atendimentos?atendimento={target}')
        await user.should_see('Atendimento não encontrado.')
        await user.should_not_see(marker='service-detail')
    # the drawer: the visible one only
    await user.open('/')
    drawer = content(user, 'notifications')
    assert 'Entrega do balanço' in drawer and 'Cobrança atrasada' not in drawer and 'Beta' not in drawer


async def test_the_portal_list_follows_visibility_live_and_b_sees_only_its_own(user: User) -> None:
    admin, _, _, _, _, login_b, ids = setup()
    await login(user, login_b)
    await user.open('/portal/atendimentos')
    await user.should_see(marker='portal-services')
    assert 'Beta pediu guia' in content(user, 'portal-services')
    assert 'Entrega do balanço' not in content(user, 'portal-services')
    servicelog.update(actor_of(admin), ids['b_visible'], visible_to_client=False)
    await wait_until(lambda: 'Beta pediu guia' not in content(user, 'portal-services'), 'made internal, live')
    assert 'Nenhum atendimento compartilhado' in content(user, 'portal-services')


async def test_staff_without_the_tool_get_no_access(user: User) -> None:
    _, _, alfa, _, _, _, _ = setup()
    await login(user, make_user('staff', permissions={'clients': 'write'}))
    for path in ('/atendimentos', f'/clientes/{alfa.id}/historico'):
        await user.open(path)
        await user.should_see(NO_ACCESS)
    assert (await user.http_client.get(f'/clientes/{alfa.id}/historico.pdf')).status_code == 404
    await user.open(f'/clientes/{alfa.id}')
    await user.should_see('Alfa Padaria Ltda')
    await user.should_not_see(marker='related-servicelog')
