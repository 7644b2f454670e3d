"""Agenda pages (staff): month, week and list views with the obligations' due dates; the event dialog (a bad end
gets its field message, a recurring event, editing one occurrence or the whole series, deleting); Obrigações
(mark done with who/when, undo); the iCal feed route (404 for a revoked or unknown token)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from nicegui.testing import User

from conton import clock
from conton.services import agenda, ical, obligations
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import wait_until

UTC = timezone.utc


def setup():
    make_office()
    obligations.seed_catalogue()  # PostgreSQL tests start from TRUNCATEd tables
    clock.set_now(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))  # 10:00 in São Paulo, Wednesday 04/03/2026
    admin = make_user('admin', name='Ana Admin')
    alfa = make_client('Alfa Padaria Ltda', tax_regime='Simples Nacional')
    return admin, alfa


def region(user: User) -> str:
    return user.find(marker='calendar').elements.pop().content


def field(user: User, marker: str):
    return user.find(marker=marker).elements.pop()


async def test_a_bad_end_gets_its_message_next_to_the_field(user: User) -> None:
    admin, _ = setup()
    await login(user, admin)
    await user.open('/agenda')
    user.find(marker='new-event').click()
    await user.should_see(marker='ev-title')
    field(user, 'ev-title').value = 'Reunião de fechamento'
    field(user, 'ev-start-time').value = '15:00'
    field(user, 'ev-end-time').value = '14:00'
    user.find(marker='ev-save').click()
    await wait_until(lambda: field(user, 'ev-end-time').error == 'O fim deve ser depois do início.',
                     'the end time message')
    assert agenda.occurrences(actor_of(admin), date(2026, 3, 1), date(2026, 4, 1)) == []


async def test_until_a_date_without_the_date_gets_its_message_and_saves_nothing(user: User) -> None:
    admin, _ = setup()
    await login(user, admin)
    await user.open('/agenda')
    user.find(marker='new-event').click()
    await user.should_see(marker='ev-title')
    field(user, 'ev-title').value = 'Reunião semanal'
    field(user, 'ev-freq').value = 'weekly'
    field(user, 'ev-end-mode').value = 'until'
    user.find(marker='ev-save').click()
    await wait_until(lambda: field(user, 'ev-until').error == 'Informe a data final da repetição.',
                     'the message next to the end date')
    assert field(user, 'ev-until').visible
    assert agenda.occurrences(actor_of(admin), date(2026, 1, 1), date(2030, 1, 1)) == []


async def test_a_recurring_event_shows_in_month_and_list_views(user: User) -> None:
    admin, _ = setup()
    await login(user, admin)
    await user.open('/agenda?vista=mes&data=2026-03-04')
    user.find(marker='new-event').click()
    await user.should_see(marker='ev-title')
    field(user, 'ev-title').value = 'Fechamento semanal'
    field(user, 'ev-start-day').value = '05/03/2026'
    field(user, 'ev-freq').value = 'weekly'
    field(user, 'ev-weekdays').value = [3]  # thursdays
    field(user, 'ev-end-mode').value = 'count'
    field(user, 'ev-count').value = 3
    user.find(marker='ev-save').click()
    await user.should_see('Evento salvo.')
    await wait_until(lambda: region(user).count('>09:00 Fechamento semanal</a>') == 3, 'three occurrences in the month')
    html = region(user)
    for day in ('2026-03-05', '2026-03-12', '2026-03-19'):
        cell = html.split(f'data-day="{day}"')[1].split('</td>')[0]
        assert 'Fechamento semanal' in cell and '09:00' in cell
    await user.open('/agenda?vista=lista&data=2026-03-04')
    await user.should_see(marker='calendar')
    listed = region(user)
    assert listed.count('<b>Fechamento semanal</b>') == 3 and 'quinta-feira, 12 de março de 2026' in listed


async def test_edit_one_occurrence_or_the_whole_series(user: User) -> None:
    admin, _ = setup()
    actor = actor_of(admin)
    event_id = agenda.create(actor, title='Plantão', start_day=date(2026, 3, 2), start_time='09:00',
                             end_time='10:00', recurrence={'freq': 'daily', 'count': 5})
    second = agenda.occurrences(actor, date(2026, 3, 3), date(2026, 3, 4))[0]
    await login(user, admin)
    await user.open(f'/agenda?vista=semana&data=2026-03-02&evento={event_id}'
                    f'&ocorrencia={second.occurrence:%Y%m%dT%H%M%SZ}')
    await user.should_see(marker='ev-scope')
    assert field(user, 'ev-start-day').value == '03/03/2026'
    field(user, 'ev-title').value = 'Plantão da terça'
    user.find(marker='ev-save').click()  # scope: only this one (the default)
    await user.should_see('Evento salvo.')
    titles = [o.title for o in agenda.occurrences(actor, date(2026, 3, 2), date(2026, 3, 7))]
    assert titles == ['Plantão', 'Plantão da terça', 'Plantão', 'Plantão', 'Plantão']
    await wait_until(lambda: 'Plantão da terça' in region(user), 'the week shows the edited occurrence')

    fourth = agenda.occurrences(actor, date(2026, 3, 5), date(2026, 3, 6))[0]
    await user.open(f'/agenda?vista=semana&data=2026-03-02&evento={event_id}'
                    f'&ocorrencia={fourth.occurrence:%Y%m%dT%H%M%SZ}')
    await user.should_see(marker='ev-scope')
    field(user, 'ev-scope').value = 'all'
    field(user, 'ev-title').value = 'Plantão geral'
    field(user, 'ev-start-time').value = '08:00'
    field(user, 'ev-end-time').value = '09:00'
    user.find(marker='ev-save').click()
    await wait_until(lambda: agenda.occurrences(actor, date(2026, 3, 2), date(2026, 3, 3))[0].title == 'Plantão geral',
                     'the whole series saved')
    occs = agenda.occurrences(actor, date(2026, 3, 1), date(2026, 3, 8))
    assert [(o.start_day.day, o.starts_at.hour, o.title) for o in occs] == [
        (2, 8, 'Plantão geral'), (3, 8, 'Plantão geral'), (4, 8, 'Plantão geral'), (5, 8, 'Plantão geral'),
        (6, 8, 'Plantão geral')]  # the series keeps its first day; the one-off edit lapsed with the new times


async def test_delete_one_occurrence(user: User) -> None:
    admin, _ = setup()
    actor = actor_of(admin)
    event_id = agenda.create(actor, title='Plantão', start_day=date(2026, 3, 2), start_time='09:00',
                             recurrence={'freq': 'daily', 'count': 3})
    second = agenda.occurrences(actor, date(2026, 3, 3), date(2026, 3, 4))[0]
    await login(user, admin)
    await user.open(f'/agenda?evento={event_id}&ocorrencia={second.occurrence:%Y%m%dT%H%M%SZ}')
    await user.should_see(marker='ev-delete')
    user.find(marker='ev-delete').click()
    await user.should_see(marker='del-confirm')
    user.find(marker='del-confirm').click()
    await user.should_see('Evento excluído.')
    assert [o.start_day.day for o in agenda.occurrences(actor, date(2026, 3, 1), date(2026, 3, 8))] == [2, 4]


async def test_an_unknown_event_id_is_not_found(user: User) -> None:
    admin, _ = setup()
    await login(user, admin)
    for target in ('00000000-0000-0000-0000-000000000000', 'lixo'):
        await user.open(f'/agenda?evento={target}')
        await user.should_see('Evento não encontrado.')


async def test_the_month_shows_obligations_due_per_client(user: User) -> None:
    admin, alfa = setup()
    actor = actor_of(admin)
    das = next(o for o in obligations.catalogue(actor) if o.code == 'DAS')
    obligations.assign(actor, alfa.id, das.id, since='01/2026')
    await login(user, admin)
    await user.open('/agenda?vista=mes&data=2026-03-04')
    await user.should_see(marker='calendar')
    cell = region(user).split('data-day="2026-03-20"')[1].split('</td>')[0]
    assert 'DAS' in cell and 'Alfa Padaria Ltda' in cell


async def test_the_feed_route_answers_its_token_and_404_once_revoked_or_unknown(user: User) -> None:
    """Public path (no login): text/calendar with a short private cache; a revoked, another's regenerated-away or
    unknown token answers 404."""
    admin, _ = setup()
    actor = actor_of(admin)
    agenda.create(actor, title='Reunião com o banco', start_day=date(2026, 3, 10), start_time='14:00')
    token = ical.create_token(actor)
    response = await user.http_client.get(ical.feed_path(token))
    assert response.status_code == 200
    assert response.headers['content-type'] == 'text/calendar; charset=utf-8'
    assert response.headers['cache-control'] == 'private, max-age=300'
    assert b'SUMMARY:Reuni' in response.content and b'BEGIN:VCALENDAR' in response.content
    newer = ical.create_token(actor)  # regenerated: the old address stops working
    assert (await user.http_client.get(ical.feed_path(token))).status_code == 404
    assert (await user.http_client.get(ical.feed_path(newer))).status_code == 200
    ical.revoke(actor)
    for gone in (newer, 'x' * 43, 'curto'):
        response = await user.http_client.get(ical.feed_path(gone))
        assert response.status_code == 404 and b'VCALENDAR' not in response.content


async def test_obligations_mark_done_with_who_and_when_then_undo(user: User) -> None:
    admin, alfa = setup()
    actor = actor_of(admin)
    das = next(o for o in obligations.catalogue(actor) if o.code == 'DAS')
    obligations.assign(actor, alfa.id, das.id, since='01/2026', responsible_id=admin.id)
    await login(user, admin)
    await user.open('/agenda/obrigacoes?mes=2026-03')
    await user.should_see(marker='dues')
    table = user.find(marker='dues').elements.pop().content
    assert 'Alfa Padaria Ltda' in table and '20/03/2026' in table and '02/2026' in table and 'Ana Admin' in table
    await user.open(f'/agenda/obrigacoes?mes=2026-03&item={alfa.id}/{das.id}/2026-02')
    await user.should_see(marker='due-mark')
    user.find(marker='due-no-movement').click()
    user.find(marker='due-mark').click()
    await user.should_see('marcado como feito')
    item = obligations.due_for(actor, alfa.id, das.id, '02/2026')
    assert item.done and item.no_movement and item.done_by_name == 'Ana Admin'
    assert item.done_at == clock.local(clock.now())
    await wait_until(lambda: 'Feito' in user.find(marker='dues').elements.pop().content, 'the list shows it done')

    await user.open(f'/agenda/obrigacoes?mes=2026-03&item={alfa.id}/{das.id}/2026-02')
    await user.should_see('Feito em 04/03/2026 10:00 por Ana Admin · sem movimento.')
    user.find(marker='due-undo').click()
    await user.should_see('Marcação desfeita.')
    assert not obligations.due_for(actor, alfa.id, das.id, '02/2026').done


async def test_the_overdue_list_and_an_override_shown_as_such(user: User) -> None:
    admin, alfa = setup()
    actor = actor_of(admin)
    das = next(o for o in obligations.catalogue(actor) if o.code == 'DAS')
    obligations.assign(actor, alfa.id, das.id, since='01/2026')  # 01/2026 was due 20/02: overdue now
    obligations.set_override(actor, das.id, '02/2026', date(2026, 3, 27), note='Portaria 123')
    await login(user, admin)
    await user.open('/agenda/obrigacoes?lista=vencidas')
    await user.should_see(marker='dues')
    table = user.find(marker='dues').elements.pop().content
    assert '>01/2026<' in table and '>20/02/2026<' in table and '>02/2026<' not in table and '27/03' not in table
    await user.open(f'/agenda/obrigacoes?item={alfa.id}/{das.id}/2026-02')
    await user.should_see('Data prorrogada por ato oficial (a regra dava 20/03/2026): Portaria 123')


async def test_a_clients_obligations_from_its_page(user: User) -> None:
    admin, alfa = setup()
    await login(user, admin)
    await user.open(f'/clientes/{alfa.id}')
    await user.should_see(marker='related-agenda')
    await user.open(f'/agenda/obrigacoes/cliente/{alfa.id}')
    await user.should_see('Este cliente ainda não tem obrigações.', )
    user.find(marker='assign-defaults').click()
    await user.should_see(marker='defaults-apply')
    user.find(marker='defaults-apply').click()
    await user.should_see('2 obrigação(ões) acrescentada(s).')
    assert {a.code for a in obligations.assignments(actor_of(admin), alfa.id)} == {'DAS', 'DEFIS'}
    await user.should_see('DAS')
    await user.open('/agenda/obrigacoes/cliente/00000000-0000-0000-0000-000000000000')
    await user.should_see('Cliente não encontrado.')


async def test_the_catalogue_removes_a_holiday_after_asking(user: User) -> None:
    admin, _ = setup()
    actor = actor_of(admin)
    holiday = obligations.add_holiday(actor, date(2026, 1, 25), 'Aniversário de São Paulo')
    await login(user, admin)
    await user.open('/agenda/obrigacoes/catalogo')
    await user.should_see(marker='holidays')
    assert 'Aniversário de São Paulo' in field(user, 'holidays').content
    await user.open(f'/agenda/obrigacoes/catalogo?remover_feriado={holiday}')
    await user.should_see('Remover este feriado?')
    user.find(marker='confirm-yes').click()
    await user.should_see('Feriado removido.')
    assert obligations.holidays(actor) == []
    await wait_until(lambda: 'Nenhum feriado acrescentado.' in field(user, 'holidays').content, 'the table refreshed')


async def test_the_client_filter_searches_on_the_server_and_keeps_the_choice_in_the_url(user: User) -> None:
    """The page renders no client list (a button builds the picker, which holds only the chosen one); opening it
    loads the first page of clients, typing searches by name or CNPJ on the server, and a choice opens the filtered
    URL, where the picker shows the choice."""
    admin, alfa = setup()
    for n in range(60):
        make_client(f'Cliente Extra {n:02d}')
    beta = make_client('Beta Oficina ME', document='11222333000181')
    agenda.create(actor_of(admin), title='Visita à Beta', start_day=date(2026, 3, 10), start_time='10:00',
                  client_id=beta.id)
    agenda.create(actor_of(admin), title='Visita à Alfa', start_day=date(2026, 3, 11), start_time='10:00',
                  client_id=alfa.id)
    await login(user, admin)
    await user.open('/agenda?vista=mes&data=2026-03-04')
    await user.should_see(marker='client-filter-open')
    user.find(marker='client-filter-open').click()
    await user.should_see(marker='client-filter')
    picker = field(user, 'client-filter')
    assert picker.options == {} and 'Alfa Padaria' not in user.find(marker='agenda-head').elements.pop().content
    user.find(marker='client-filter').trigger('popupShow')
    await wait_until(lambda: len(picker.options) == agenda.CLIENT_OPTIONS, 'the first page of clients')
    user.find(marker='client-filter').trigger('inputValue', 'oficina')
    await wait_until(lambda: list(picker.options.values()) == ['Beta Oficina ME'], 'the search by name')
    user.find(marker='client-filter').trigger('inputValue', '11.222.333')
    await wait_until(lambda: list(picker.options.values()) == ['Beta Oficina ME'], 'the search by CNPJ')
    picker.value = str(beta.id)
    await wait_until(lambda: 'Visita à Alfa' not in region(user), 'the month filtered by the client')
    assert 'Visita à Beta' in region(user)
    assert field(user, 'client-filter').value == str(beta.id)  # the new page, from ?cliente=
    assert f'name="cliente" value="{beta.id}"' in user.find(marker='agenda-head').elements.pop().content


async def guide_setup():
    from nicegui.elements.upload_files import SmallFileUpload

    from tests.services.test_filetypes import real_pdf
    admin, alfa = setup()
    actor = actor_of(admin)
    beta = make_client('Beta Oficina ME')
    das = next(o for o in obligations.catalogue(actor) if o.code == 'DAS')
    obligations.assign(actor, alfa.id, das.id, since='01/2026', visible_to_client=True)
    pdf = real_pdf()
    stored = await obligations.save_file(actor, SmallFileUpload('Guia DAS fevereiro.pdf', 'application/pdf', pdf))
    obligations.mark_done(actor, alfa.id, das.id, '02/2026', file=stored)
    return admin, alfa, beta, das, pdf, f'/agenda/obrigacoes/guia/{alfa.id}/{das.id}/2026-02'


async def test_the_guide_of_a_done_mark_downloads_by_a_checked_get_route(user: User) -> None:
    """Served over HTTP after the actor check (never pushed through the websocket): staff with Agenda get it as an
    attachment; a guessed id or a bad competência get 404; a browser without a login goes to the login."""
    admin, alfa, beta, das, pdf, path = await guide_setup()
    await login(user, admin)
    await user.open(f'/agenda/obrigacoes?mes=2026-03&item={alfa.id}/{das.id}/2026-02')
    await user.should_see(marker='due-file')
    assert user.find(marker='due-file').elements.pop().props['href'] == path
    response = await user.http_client.get(path)
    assert response.status_code == 200 and response.content == pdf
    assert response.headers['content-type'] == 'application/pdf'
    assert response.headers['content-disposition'].startswith('attachment; filename="Guia DAS fevereiro.pdf"')
    assert response.headers['x-content-type-options'] == 'nosniff'
    base = '/agenda/obrigacoes/guia'
    for wrong in (f'{base}/{beta.id}/{das.id}/2026-02', f'{base}/{alfa.id}/{das.id}/2026-01',
                  f'{base}/{alfa.id}/{das.id}/13-2026', f'{base}/{alfa.id}/lixo/2026-02'):
        assert (await user.http_client.get(wrong)).status_code == 404, wrong
    user.http_client.cookies.clear()
    anonymous = await user.http_client.get(path)
    assert anonymous.status_code in (303, 307) and anonymous.headers['location'].startswith('/login')


async def test_the_guide_route_gives_a_client_only_its_own(user: User) -> None:
    _, alfa, beta, das, pdf, path = await guide_setup()
    await login(user, make_user('client', client=beta))
    assert (await user.http_client.get(path)).status_code == 404
    response = await user.http_client.get(f'/agenda/obrigacoes/guia/{beta.id}/{das.id}/2026-02')
    assert response.status_code == 404 and response.content != pdf


async def test_the_guide_route_gives_the_clients_own_login_its_visible_guide(user: User) -> None:
    _, alfa, _, _, pdf, path = await guide_setup()
    await login(user, make_user('client', client=alfa))
    assert (await user.http_client.get(path)).content == pdf


async def test_the_guide_route_refuses_staff_without_agenda(user: User) -> None:
    *_, path = await guide_setup()
    await login(user, make_user('staff', permissions={'clients': 'write'}))
    assert (await user.http_client.get(path)).status_code == 404


async def test_a_busy_day_is_summed_up_and_the_list_pages_on_the_server(user: User) -> None:
    """A month day with more events than it can list says 'N eventos' (its list), many obligations due on a day
    make one 'N obrigações' chip (that day's due list), and the list view shows LIST_PAGE lines a page; a repeated
    render of the month runs at most the issue's 10 statements."""
    from conton import db
    from conton.pages import agenda as page
    admin, alfa = setup()
    actor = actor_of(admin)
    for n in range(35):
        agenda.create(actor, title=f'Ligação {n:02d}', start_day=date(2026, 3, 10),
                      start_time=f'{8 + n // 6:02d}:{n % 6 * 10:02d}')
    for code in ('DAS', 'FGTS', 'DARF_INSS_IRRF'):  # all due on Friday 20/03/2026 for competência 02/2026
        ob = next(o for o in obligations.catalogue(actor) if o.code == code)
        obligations.assign(actor, alfa.id, ob.id, since='01/2026')
    await login(user, admin)
    await user.open('/agenda?vista=mes&data=2026-03-04')
    await user.should_see(marker='calendar')
    html = region(user)
    busy = html.split('data-day="2026-03-10"')[1].split('</td>')[0]
    assert '>35 eventos</a>' in busy and 'Ligação' not in busy
    assert 'href="/agenda?vista=lista&amp;data=2026-03-10"' in busy
    due = html.split('data-day="2026-03-20"')[1].split('</td>')[0]
    assert '>3 obrigações</a>' in due and 'href="/agenda/obrigacoes?de=2026-03-20&amp;ate=2026-03-20"' in due
    before = db.query_counter['n']
    await user.open('/agenda?vista=mes&data=2026-03-04')
    await user.should_see(marker='calendar')
    assert db.query_counter['n'] - before <= 10

    await user.open('/agenda?vista=lista&data=2026-03-10')
    await user.should_see(marker='calendar')
    first = region(user)
    assert first.count('<b>Ligação') == page.LIST_PAGE and '<b>Ligação 00</b>' in first
    assert '38 itens · página 1 de 2' in first and 'pagina=2' in first and 'DAS' not in first
    await user.open('/agenda?vista=lista&data=2026-03-10&pagina=2')
    await user.should_see(marker='calendar')
    second = region(user)
    assert second.count('<b>Ligação') == 5 and '<b>Ligação 34</b>' in second and '<b>Ligação 00</b>' not in second
    assert 'DAS' in second and 'FGTS' in second and 'página 2 de 2' in second
