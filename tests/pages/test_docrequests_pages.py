"""Pedidos de documentos pages: the staff list (filters in the URL, waiting first, the detail with accept / send back /
close), the new-request dialog (messages next to the fields, nothing saved on bad input), the recurring rules page,
the client's portal page (pending first with due dates; answer with files or "nada a enviar"), the homes, the
download route, and isolation: a client never sees another client's requests, files or counts by URL or guessed id."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import func, select

from conton import clock
from conton.models import DocRequest, DocRequestRule
from conton.services import docrequests
from conton.services.base import unit
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import wait_until
from tests.services.test_filetypes import real_pdf


def setup():
    make_office()
    clock.set_now(datetime(2026, 11, 2, 13, 0, tzinfo=timezone.utc))  # 02/11/2026 10:00 in São Paulo
    admin = make_user('admin', name='Ana Admin')
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a = make_user('client', client=alfa, name='Olavo Alfa')
    login_b = make_user('client', client=beta, name='Bia Beta')
    staff = actor_of(admin)
    a_extrato = docrequests.create_now(staff, client_id=alfa.id, title='Extrato bancário 10/2026',
                                       due_date='05/11/2026', description='Todas as contas.')
    a_notas = docrequests.create_now(staff, client_id=alfa.id, title='Notas fiscais de entrada', due_date='20/11/2026')
    b_folha = docrequests.create_now(staff, client_id=beta.id, title='Folha de outubro Beta', due_date='06/11/2026')
    return dict(admin=admin, staff=staff, alfa=alfa, beta=beta, login_a=login_a, login_b=login_b,
                a_extrato=a_extrato, a_notas=a_notas, b_folha=b_folha)


def html_of(user: User, marker: str) -> str:
    return str(user.find(marker=marker).elements.pop().content)


def count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def pdf(name: str = 'extrato.pdf') -> SmallFileUpload:
    return SmallFileUpload(name, 'application/pdf', real_pdf())


# --- staff ------------------------------------------------------------------------------------------------------------

async def test_staff_list_waiting_first_with_filters_in_the_url(user: User) -> None:
    o = setup()
    docrequests.answer_nothing(actor_of(o['login_b']), o['b_folha'].id, 'Sem folha.')
    clock.set_now(datetime(2026, 11, 6, 13, 0, tzinfo=timezone.utc))
    await login(user, o['admin'])
    await user.open('/pedidos-documentos')
    await user.should_see(marker='docrequests')
    table = html_of(user, 'docrequests')
    assert table.index('Folha de outubro') < table.index('Extrato bancário 10/2026') < table.index('Notas fiscais')
    assert 'Atrasado' in table and 'Nada a enviar' in table
    head = html_of(user, 'docrequest-filters')
    assert 'Aguardando o cliente: <b>2</b>' in head and 'Atrasados: <b>1</b>' in head and 'Para revisar: <b>1</b>' in head
    assert '<option value="1">Só atrasados</option>' in html_of(user, 'docrequest-filters')
    await user.open('/pedidos-documentos?atrasados=1')
    await user.should_see(marker='docrequests')
    assert 'Extrato' in html_of(user, 'docrequests') and 'Notas' not in html_of(user, 'docrequests')
    await user.open('/pedidos-documentos?status=revisar&busca=beta')
    await user.should_see(marker='docrequests')
    assert 'Folha de outubro' in html_of(user, 'docrequests') and 'Extrato' not in html_of(user, 'docrequests')
    await user.open('/pedidos-documentos?competencia=13/2026')
    await user.should_see('Competência inválida: use mm/aaaa.')
    await user.open(f'/pedidos-documentos?cliente={o["alfa"].id}')
    await user.should_see(marker='docrequests')
    assert 'Cliente: <b>Alfa Padaria Ltda</b>' in html_of(user, 'docrequest-filters')
    assert 'Folha' not in html_of(user, 'docrequests')


async def test_new_request_dialog_shows_messages_by_the_fields_and_saves_nothing_until_right(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open('/pedidos-documentos')
    user.find(marker='new-request').click()
    await user.should_see(marker='form-client')
    user.find(marker='form-due').type('01/11/2026')
    user.find(marker='form-save').click()
    await user.should_see('Informe o título do pedido.')
    await user.should_see('O prazo não pode ser uma data passada.')
    assert count(DocRequest) == 3
    user.find(marker='form-client').elements.pop().value = str(o['beta'].id)
    user.find(marker='form-title').type('Contrato social atualizado')
    user.find(marker='form-due').clear().type('30/11/2026')
    await user.find(ui.upload).elements.pop().handle_uploads([pdf('modelo contrato.pdf')])
    await user.should_see('Anexado: modelo contrato.pdf')
    user.find(marker='form-save').click()
    await user.should_see('Pedido enviado; o cliente foi avisado.')
    await user.should_see('Contrato social atualizado')
    page = docrequests.search(actor_of(o['login_b']))
    assert [r.title for r in page.rows if r.template_name == 'modelo contrato.pdf'] == ['Contrato social atualizado']


async def test_staff_reviews_an_answer_accepts_or_sends_it_back(user: User) -> None:
    o = setup()
    await docrequests.answer_files(actor_of(o['login_a']), o['a_extrato'].id, [pdf('extrato itaú.pdf')], 'Segue.')
    await login(user, o['admin'])
    await user.open(f'/pedidos-documentos?pedido={o["a_extrato"].id}')
    await user.should_see(marker='request-detail')
    detail = html_of(user, 'request-detail')
    assert 'extrato itaú.pdf' in detail and 'Segue.' in detail and '/arquivos/' in detail
    user.find(marker='send-back').click()
    await user.should_see(marker='confirm-send-back')
    user.find(marker='confirm-send-back').click()
    await user.should_see('Informe o motivo da devolução.')
    user.find(marker='reason').type('Faltou a conta poupança.')
    user.find(marker='confirm-send-back').click()
    await user.should_see('Pedido devolvido; o cliente foi avisado.')
    assert docrequests.get(o['staff'], o['a_extrato'].id).request.status == 'devolvido'
    docrequests.answer_nothing(actor_of(o['login_a']), o['a_extrato'].id)
    await user.open(f'/pedidos-documentos?pedido={o["a_extrato"].id}')
    await user.should_see(marker='accept')
    user.find(marker='accept').click()
    await user.should_see('Resposta aceita; o cliente foi avisado.')
    assert docrequests.get(o['staff'], o['a_extrato'].id).request.status == 'aceito'


async def test_staff_closes_a_request_and_a_missing_id_says_so(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open(f'/pedidos-documentos?pedido={o["a_notas"].id}')
    await user.should_see(marker='close-request')
    user.find(marker='close-request').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Pedido encerrado.')
    assert docrequests.get(o['staff'], o['a_notas'].id).request.status == 'fechado'
    await user.open(f'/pedidos-documentos?pedido={uuid.uuid4()}')
    await user.should_see('Pedido não encontrado.')


async def test_read_only_staff_sees_no_write_buttons(user: User) -> None:
    o = setup()
    docrequests.answer_nothing(actor_of(o['login_a']), o['a_extrato'].id)
    reader = make_user('staff', permissions={'docrequests': 'read'})
    await login(user, reader)
    await user.open(f'/pedidos-documentos?pedido={o["a_extrato"].id}')
    await user.should_see(marker='request-detail')
    await user.should_not_see(marker='accept')
    await user.should_not_see(marker='new-request')


async def test_reminder_settings_dialog(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open('/pedidos-documentos')
    user.find(marker='reminder-settings').click()
    await user.should_see(marker='setting-time')
    user.find(marker='setting-time').clear().type('25:00')
    user.find(marker='setting-save').click()
    await user.should_see('Horário inválido: use de 00:00 a 23:59.')
    assert docrequests.reminder_settings(o['staff']).at == '09:00'
    user.find(marker='setting-time').clear().type('07:30')
    user.find(marker='setting-every').elements.pop().value = 2
    user.find(marker='setting-save').click()
    await user.should_see('Lembretes salvos.')
    assert docrequests.reminder_settings(o['staff']) == docrequests.ReminderSettings(2, 3, '07:30')


async def test_recurring_rules_page_new_edit_and_end(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open('/pedidos-documentos/recorrentes')
    user.find(marker='new-rule').click()
    await user.should_see(marker='form-day')
    await user.should_see('Este mês: "Extrato bancário 10/2026"')
    user.find(marker='form-client').elements.pop().value = str(o['alfa'].id)
    user.find(marker='form-day').elements.pop().value = 31
    user.find(marker='form-save').click()
    await user.should_see('Informe um dia de 1 a 28.')
    assert count(DocRequestRule) == 0
    user.find(marker='form-day').elements.pop().value = 5
    user.find(marker='form-save').click()
    await user.should_see('O pedido de 10/2026 já foi enviado ao cliente.')
    await user.should_see(marker='rules')
    assert 'Extrato bancário {mm/aaaa}' in html_of(user, 'rules') and 'Alfa Padaria' in html_of(user, 'rules')
    [rule] = docrequests.rules(o['staff']).rows
    await user.open(f'/pedidos-documentos/recorrentes?regra={rule.id}')
    await user.should_see(marker='end-rule')
    user.find(marker='end-rule').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Pedido recorrente encerrado.')
    assert docrequests.get_rule(o['staff'], rule.id).active is False
    await user.open(f'/pedidos-documentos/recorrentes?regra={uuid.uuid4()}')
    await user.should_see('Pedido recorrente não encontrado.')


# --- the client -------------------------------------------------------------------------------------------------------

async def test_client_sees_its_pending_requests_first_and_never_another_clients(user: User) -> None:
    o = setup()
    done = docrequests.create_now(o['staff'], client_id=o['alfa'].id, title='Contrato antigo', due_date='03/11/2026')
    docrequests.answer_nothing(actor_of(o['login_a']), done.id)
    await login(user, o['login_a'])
    await user.open('/portal/documentos')
    await user.should_see(marker='portal-docrequests')
    page = html_of(user, 'portal-docrequests')
    assert page.index('Extrato bancário') < page.index('Notas fiscais') < page.index('Respondidos') < \
        page.index('Contrato antigo')
    assert 'Prazo: <b>05/11/2026</b>' in page and 'Folha de outubro Beta' not in page
    await user.open(f'/portal/documentos?pedido={o["b_folha"].id}')
    await user.should_see('Pedido não encontrado.')
    await user.should_not_see('Folha de outubro Beta')
    await user.open('/pedidos-documentos')
    await user.should_see('Página não encontrada ou sem acesso')


async def test_client_answers_with_files_through_the_upload(user: User) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.open(f'/portal/documentos?pedido={o["a_extrato"].id}')
    await user.should_see(marker='answer-upload')
    user.find(marker='answer-send').click()
    await user.should_see('Escolha pelo menos um arquivo')
    upload = user.find(ui.upload).elements.pop()
    await upload.handle_uploads([pdf('extrato outubro.pdf')])
    await upload.handle_uploads([SmallFileUpload('virus.exe', 'application/octet-stream', b'MZ' + b'\0' * 99)])
    await user.should_see('Prontos para enviar')
    user.find(marker='answer-send').click()
    await user.should_see('Escolha os arquivos de novo.')
    assert docrequests.get(o['staff'], o['a_extrato'].id).request.status == 'pendente'
    await upload.handle_uploads([pdf('extrato outubro.pdf')])
    user.find(marker='answer-comment').type('Conta corrente e aplicação.')
    user.find(marker='answer-send').click()
    await user.should_see('Arquivos enviados ao escritório. Obrigado!')
    detail = docrequests.get(o['staff'], o['a_extrato'].id)
    assert detail.request.status == 'respondido' and [f.name for f in detail.files] == ['extrato outubro.pdf']
    assert detail.request.answer_comment == 'Conta corrente e aplicação.'


async def test_client_answers_nada_a_enviar(user: User) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.open(f'/portal/documentos?pedido={o["a_notas"].id}')
    await user.should_see(marker='answer-nothing')
    user.find(marker='answer-comment').type('Sem compras no mês.')
    user.find(marker='answer-nothing').click()
    await user.should_see('Resposta registrada: nada a enviar este mês.')
    row = docrequests.get(o['staff'], o['a_notas'].id).request
    assert (row.status, row.answer_comment) == ('nada', 'Sem compras no mês.')
    await wait_until(lambda: 'Nada a enviar' in html_of(user, 'portal-docrequests'), 'the list shows the answer')


async def test_staff_answer_arrives_live_in_the_clients_open_page(user: User) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.open('/portal/documentos')
    await user.should_see(marker='portal-docrequests')
    docrequests.create_now(o['staff'], client_id=o['alfa'].id, title='Balancete assinado', due_date='25/11/2026')
    docrequests.create_now(o['staff'], client_id=o['beta'].id, title='Segredo da Beta', due_date='25/11/2026')
    await wait_until(lambda: 'Balancete assinado' in html_of(user, 'portal-docrequests'), 'the new request, live')
    assert 'Segredo da Beta' not in html_of(user, 'portal-docrequests')


async def test_download_route_serves_own_files_and_404s_anyone_elses(user: User) -> None:
    o = setup()
    mine = await docrequests.answer_files(actor_of(o['login_a']), o['a_extrato'].id, [pdf('meu.pdf')])
    theirs = await docrequests.answer_files(actor_of(o['login_b']), o['b_folha'].id, [pdf('deles.pdf')])
    my_file = docrequests.get(o['staff'], mine.id).files[0].id
    their_file = docrequests.get(o['staff'], theirs.id).files[0].id
    await login(user, o['login_a'])
    ok = await user.http_client.get(docrequests.file_url(mine.id, my_file))
    assert ok.status_code == 200 and ok.content.startswith(b'%PDF') and 'attachment' in ok.headers['content-disposition']
    for request_id, file_id in ((theirs.id, their_file), (mine.id, their_file), (uuid.uuid4(), my_file),
                                ('x', 'y')):
        response = await user.http_client.get(docrequests.file_url(request_id, file_id))
        assert response.status_code == 404 and b'%PDF' not in response.content


# --- homes ------------------------------------------------------------------------------------------------------------

async def test_client_home_shows_pending_documents_first_and_only_its_own(user: User) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.should_see(marker='home-documents')
    box = html_of(user, 'home-documents')
    assert box.index('Extrato bancário 10/2026') < box.index('Notas fiscais') and '05/11/2026' in box
    assert 'Folha de outubro Beta' not in box
    quick = html_of(user, 'quick-access')
    assert 'href="/portal/documentos"' in quick and '2' in quick


async def test_staff_home_shows_per_client_what_is_missing_this_month(user: User) -> None:
    o = setup()
    docrequests.answer_nothing(actor_of(o['login_b']), o['b_folha'].id)
    await login(user, o['admin'])
    await user.should_see(marker='home-missing-documents')
    box = html_of(user, 'home-missing-documents')
    assert 'Alfa Padaria Ltda' in box and 'Extrato bancário 10/2026' in box and 'Beta Oficina' not in box
    assert 'href="/pedidos-documentos?cliente=' in box
