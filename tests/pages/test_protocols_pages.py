"""Protocolos pages (pages/protocols.py, pages/portal_protocols.py): sending with bad input (messages next to the
fields, nothing saved) and with files from Arquivos and uploaded; "Visualizado" recorded once and only by the client's
logins (staff opening records nothing), live on the staff page; confirmation, manual delivery and cancellation; and
isolation: client A gets "not found" for B's protocol by URL, receipt PDF URL and document URL, and A's list and
counts never show B."""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import func, select

from conton import clock
from conton.models import Protocol, ProtocolEvent
from conton.services import files, protocols
from conton.services.base import unit
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import wait_until
from tests.pages.test_security import sign_in
from tests.services.test_filetypes import real_pdf

NOON = datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc)  # 12:00 in São Paulo


def setup():
    clock.set_now(NOON)
    make_office()
    admin = make_user('admin', name='Ana Admin')
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a = make_user('client', client=alfa, name='Olavo Alfa')
    login_a2 = make_user('client', client=alfa, name='Sócia Alfa')
    login_b = make_user('client', client=beta, name='Bruno Beta')
    return dict(admin=admin, alfa=alfa, beta=beta, login_a=login_a, login_a2=login_a2, login_b=login_b)


async def send(o, client, title: str, **extra) -> protocols.ProtocolRow:
    return await protocols.create(actor_of(o['admin']), client_id=client.id, kind='guia', title=title,
                                  competence='10/2026', due_date=date(2026, 11, 20), amount='1.234,56',
                                  uploads=[SmallFileUpload(f'{title}.pdf', 'application/pdf', real_pdf())], **extra)


def content(user: User, marker: str) -> str:
    return ' '.join(str(getattr(el, 'content', '')) for el in user.find(marker=marker).elements)


def element(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


def protocol_count() -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(Protocol)).one()


def viewed_events(protocol_id) -> list[str]:
    with unit() as session:
        return list(session.exec(select(ProtocolEvent.user_name).where(ProtocolEvent.protocol_id == protocol_id,
                                                                       ProtocolEvent.kind == 'viewed')).all())


# --- sending -------------------------------------------------------------------------------------------------------

async def test_bad_input_shows_each_message_by_its_field_and_saves_nothing(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open('/protocolos/novo')
    await user.should_see(marker='form-send')
    element(user, 'form-competence').value = '13/2026'
    element(user, 'form-amount').value = 'doze reais'
    element(user, 'form-due').value = '31/02/2026'
    user.find(marker='form-send').click()
    await wait_until(lambda: element(user, 'form-client').error, 'the client field message')
    assert element(user, 'form-client').error == 'Escolha o cliente.'
    assert element(user, 'form-competence').error == 'Competência inválida. Use mm/aaaa.'
    assert element(user, 'form-amount').error and element(user, 'form-due').error
    assert element(user, 'form-files').error is None
    files_error = next(e for e in user.find(ui.label).elements if 'conton-field-error' in e.classes)
    assert files_error.text == 'Anexe pelo menos um documento.' and files_error.visible
    assert protocol_count() == 0

    # a hostile upload (HTML named .pdf) is refused by name, next to the documents; nothing is stored
    user.find(marker='form-client').trigger('inputValue', 'alfa')  # the list holds what the server found
    await wait_until(lambda: str(o['alfa'].id) in element(user, 'form-client').options, 'the search result')
    element(user, 'form-client').value = str(o['alfa'].id)
    element(user, 'form-competence').value = '10/2026'
    element(user, 'form-amount').value = '10,00'
    element(user, 'form-due').value = '20/11/2026'
    await element(user, 'form-upload').handle_uploads(
        [SmallFileUpload('guia.pdf', 'application/pdf', b'<html><script>alert(1)</script></html>')])
    await user.should_see('guia.pdf')
    user.find(marker='form-send').click()
    await wait_until(lambda: files_error.text.startswith('guia.pdf:'), 'the refused upload message')
    assert 'Escolha os arquivos de novo.' in files_error.text
    assert element(user, 'form-client').error is None
    assert protocol_count() == 0
    assert files.search(actor_of(o['admin']), client_id=o['alfa'].id).total == 0


async def test_staff_sends_with_a_file_from_arquivos_and_one_uploaded(user: User) -> None:
    o = setup()
    [existing] = await files.publish(actor_of(o['admin']), [SmallFileUpload('Contrato social.pdf', 'x', real_pdf())],
                                     client_ids=[o['alfa'].id], folder_path='Societário')
    await files.publish(actor_of(o['admin']), [SmallFileUpload('Da Beta.pdf', 'x', real_pdf())],
                        client_ids=[o['beta'].id])
    await login(user, o['admin'])
    await user.open(f'/protocolos/novo?cliente={o["alfa"].id}')
    await user.should_see(marker='form-send')
    picker = element(user, 'form-files')
    assert list(picker.options) == [str(existing.id)]  # only the chosen client's files, never Beta's
    assert 'Contrato social.pdf — Societário' in picker.options[str(existing.id)]
    picker.value = [str(existing.id)]
    element(user, 'form-kind').value = 'contrato'
    element(user, 'form-note').value = 'Assinar e devolver.'
    await element(user, 'form-upload').handle_uploads([SmallFileUpload('Aditivo.pdf', 'application/pdf', real_pdf())])
    user.find(marker='form-send').click()
    await user.should_see('Protocolo enviado; o cliente foi avisado.')
    [row] = protocols.search(actor_of(o['admin'])).rows
    await user.should_see(marker='protocol-detail')
    detail = content(user, 'protocol-detail')
    assert 'Contrato social.pdf' in detail and 'Aditivo.pdf' in detail and 'Assinar e devolver.' in detail
    assert protocols.download_url(row.id, existing.id) in detail
    assert (row.kind, row.client_id, row.file_count, row.status) == ('contrato', o['alfa'].id, 2, 'enviado')


async def test_the_client_picker_searches_on_the_server(user: User) -> None:
    o = setup()
    for n in range(40):
        make_client(f'Comércio {n:02d} Ltda')
    await login(user, o['admin'])
    await user.open('/protocolos/novo')
    await user.should_see(marker='form-client')
    assert element(user, 'form-client').options == {}  # nothing loaded before the list opens
    user.find(marker='form-client').trigger('popupShow')
    await wait_until(lambda: len(element(user, 'form-client').options) == 30, 'a first page, not the whole directory')
    user.find(marker='form-client').trigger('inputValue', 'beta')
    await wait_until(lambda: list(element(user, 'form-client').options) == [str(o['beta'].id)],
                     lambda: f'the search result, not {element(user, "form-client").options}')


async def test_read_only_staff_see_no_send_deliver_or_cancel(user: User) -> None:
    o = setup()
    row = await send(o, o['alfa'], 'Guia DAS')
    reader = make_user('staff', permissions={'protocols': 'read'})
    await login(user, reader)
    await user.open('/protocolos')
    await user.should_see('Guia DAS')
    await user.should_not_see(marker='new-protocol')
    await user.open(f'/protocolos/{row.id}')
    await user.should_see(marker='protocol-detail')
    await user.should_not_see(marker='deliver')
    await user.should_not_see(marker='cancel')
    await user.open('/protocolos/novo')
    await user.should_see('Página não encontrada ou sem acesso')


# --- viewing, confirming ---------------------------------------------------------------------------------------------

async def test_visualizado_once_and_only_by_the_clients_logins(create_user: Callable[[], User]) -> None:
    o = setup()
    row = await send(o, o['alfa'], 'Guia DAS')
    staff, client, second = create_user(), create_user(), create_user()
    await sign_in(staff, o['admin'])
    await staff.open(f'/protocolos/{row.id}')  # staff opening records nothing
    await staff.should_see(marker='protocol-detail')
    await staff.open('/protocolos')
    await staff.should_see('Guia DAS')
    assert protocols.get(actor_of(o['admin']), row.id).protocol.status == 'enviado' and viewed_events(row.id) == []

    await staff.open(f'/protocolos/{row.id}')
    await staff.should_see(marker='protocol-head')
    assert 'Enviado' in content(staff, 'protocol-head')
    await sign_in(client, o['login_a'])
    await client.open(f'/portal/protocolos/{row.id}')
    await client.should_see(marker='protocol-detail')
    # the staff page shows it without a reload, with who and from where
    await wait_until(lambda: 'Visualizado' in content(staff, 'protocol-head'), 'the live Visualizado')
    assert 'por Olavo Alfa' in content(staff, 'protocol-detail')

    await client.open(f'/portal/protocolos/{row.id}')
    await client.should_see(marker='protocol-detail')
    await sign_in(second, o['login_a2'])
    await second.open(f'/portal/protocolos/{row.id}')
    await second.should_see(marker='protocol-detail')
    assert viewed_events(row.id) == ['Olavo Alfa']
    p = protocols.get(actor_of(o['admin']), row.id).protocol
    assert p.status == 'visualizado' and p.viewed_by_name == 'Olavo Alfa' and p.viewed_ip


async def test_the_client_confirms_and_the_staff_page_follows_live(create_user: Callable[[], User]) -> None:
    o = setup()
    row = await send(o, o['alfa'], 'Guia DAS')
    staff, client = create_user(), create_user()
    await sign_in(staff, o['admin'])
    await sign_in(client, o['login_a'])
    await staff.open('/protocolos')
    await staff.should_see('Guia DAS')
    await client.open(f'/portal/protocolos/{row.id}')
    await client.should_see(marker='confirm-receipt')
    client.find(marker='confirm-receipt').click()
    await client.should_see(marker='confirm-yes')
    client.find(marker='confirm-yes').click()
    await client.should_see('Recebimento confirmado; o escritório foi avisado.')
    await client.should_not_see(marker='confirm-receipt')
    assert protocols.get(actor_of(o['admin']), row.id).protocol.status == 'confirmado'
    await wait_until(lambda: 'Confirmado' in content(staff, 'protocols'), 'the list following live')


async def test_manual_delivery_needs_a_name_then_confirms(user: User) -> None:
    o = setup()
    row = await send(o, o['alfa'], 'Folha de outubro')
    await login(user, o['admin'])
    await user.open(f'/protocolos/{row.id}')
    await user.should_see(marker='deliver')
    user.find(marker='deliver').click()
    await user.should_see(marker='confirm-deliver')
    user.find(marker='confirm-deliver').click()
    await wait_until(lambda: element(user, 'receiver-name').error == 'Informe quem recebeu.', 'the name message')
    assert protocols.get(actor_of(o['admin']), row.id).protocol.status == 'enviado'
    element(user, 'delivered-on').value = '11/11/2026'
    await wait_until(lambda: element(user, 'receiver-name').error, 'still there')
    user.find(marker='delivered-on').clear()
    element(user, 'delivered-on').value = '09/11/2026'
    user.find(marker='receiver-name').type('Maria da Silva')
    user.find(marker='confirm-deliver').click()
    await user.should_see('Entrega registrada.')
    p = protocols.get(actor_of(o['admin']), row.id).protocol
    assert (p.status, p.receiver_name, p.delivered_on) == ('confirmado', 'Maria da Silva', date(2026, 11, 9))
    await wait_until(lambda: 'Entregue em mãos a Maria da Silva em 09/11/2026' in content(user, 'protocol-detail'),
                     'the detail shows the delivery')
    await user.should_not_see(marker='deliver')


async def test_cancel_asks_a_reason_and_a_confirmation(user: User) -> None:
    o = setup()
    row = await send(o, o['alfa'], 'Guia DAS')
    await login(user, o['admin'])
    await user.open(f'/protocolos/{row.id}')
    await user.should_see(marker='cancel')
    user.find(marker='cancel').click()
    await user.should_see(marker='confirm-cancel')
    user.find(marker='confirm-cancel').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await wait_until(lambda: element(user, 'cancel-reason').error == 'Informe o motivo do cancelamento.',
                     'the reason message')
    assert protocols.get(actor_of(o['admin']), row.id).protocol.status == 'enviado'
    user.find(marker='cancel-reason').type('Guia emitida com o valor errado')
    user.find(marker='confirm-cancel').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Protocolo cancelado; o cliente foi avisado.')
    p = protocols.get(actor_of(o['admin']), row.id).protocol
    assert (p.status, p.cancel_reason) == ('cancelado', 'Guia emitida com o valor errado')
    await wait_until(lambda: 'Guia emitida com o valor errado' in content(user, 'protocol-detail'), 'the reason')


# --- isolation -------------------------------------------------------------------------------------------------------

async def test_client_a_gets_nothing_of_bs_protocols(user: User) -> None:
    o = setup()
    mine = await send(o, o['alfa'], 'Guia da Alfa')
    theirs = await send(o, o['beta'], 'Guia da Beta')
    [my_file] = protocols.get(actor_of(o['admin']), mine.id).files
    [their_file] = protocols.get(actor_of(o['admin']), theirs.id).files
    await login(user, o['login_a'])

    await user.open('/portal/protocolos')
    await user.should_see('Guia da Alfa')
    assert 'Beta' not in content(user, 'portal-protocols') and '1</b> protocolo' in content(user,
                                                                                            'portal-protocol-filters')
    await user.open('/')
    assert 'title="1 a confirmar"' in content(user, 'quick-access')

    for target in (theirs.id, uuid.uuid4(), 'nao-e-um-id'):
        await user.open(f'/portal/protocolos/{target}')
        await user.should_see('Protocolo não encontrado.')
        await user.should_not_see(marker='protocol-detail')
        await user.should_not_see('Guia da Beta')
    for url in (protocols.receipt_url(theirs.id), protocols.download_url(theirs.id, their_file.id),
                protocols.download_url(mine.id, their_file.id), files.download_url(their_file.id)):
        response = await user.http_client.get(url)
        assert response.status_code == 404 and b'%PDF' not in response.content, url
    assert protocols.get(actor_of(o['admin']), theirs.id).protocol.viewed_at is None

    # its own: the receipt and the document download (which records "Visualizado")
    response = await user.http_client.get(protocols.receipt_url(mine.id))
    assert response.status_code == 200 and response.content.startswith(b'%PDF')
    assert 'attachment' in response.headers['content-disposition']
    assert protocols.get(actor_of(o['admin']), mine.id).protocol.viewed_at is None  # the receipt records nothing
    response = await user.http_client.get(protocols.download_url(mine.id, my_file.id))
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == my_file.sha256
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert protocols.get(actor_of(o['admin']), mine.id).protocol.status == 'visualizado'
    # staff pages are not for a client login
    await user.open(f'/protocolos/{mine.id}')
    await user.should_see('Página não encontrada ou sem acesso')


async def test_staff_routes_record_nothing_and_staff_without_protocolos_get_nothing(
        create_user: Callable[[], User]) -> None:
    o = setup()
    row = await send(o, o['alfa'], 'Guia DAS')
    [doc] = protocols.get(actor_of(o['admin']), row.id).files
    other, reader = create_user(), create_user()
    await sign_in(other, make_user('staff', permissions={'clients': 'write'}))
    for url in (protocols.receipt_url(row.id), protocols.download_url(row.id, doc.id)):
        assert (await other.http_client.get(url)).status_code == 404
    await other.open(f'/protocolos/{row.id}')
    await other.should_see('Página não encontrada ou sem acesso')
    await sign_in(reader, make_user('staff', permissions={'protocols': 'read'}))  # no Arquivos: this route suffices
    response = await reader.http_client.get(protocols.download_url(row.id, doc.id))
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == doc.sha256
    assert protocols.get(actor_of(o['admin']), row.id).protocol.status == 'enviado' and viewed_events(row.id) == []


async def test_staff_list_views_and_filters(user: User) -> None:
    o = setup()
    await send(o, o['alfa'], 'Guia da Alfa')
    late = await send(o, o['beta'], 'Guia atrasada da Beta')
    clock.set_now(datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc))  # both past their due date, unopened
    protocols.view(actor_of(o['login_a']), protocols.search(actor_of(o['admin']), text='Alfa').rows[0].id)
    await login(user, o['admin'])
    await user.open('/protocolos?vista=vencidos')
    await user.should_see(marker='protocols')
    listed = content(user, 'protocols')
    assert 'Guia atrasada da Beta' in listed and 'Guia da Alfa' not in listed and 'Vencido sem visualização' in listed
    assert 'Vencidos (1)' in content(user, 'protocol-views')
    await user.open(f'/protocolos?cliente={o["alfa"].id}')
    await user.should_see(marker='protocols')
    assert 'Guia da Alfa' in content(user, 'protocols') and 'Beta' not in content(user, 'protocols')
    assert 'Cliente: <b>Alfa Padaria Ltda</b>' in content(user, 'protocol-filters')
    await user.open('/protocolos?busca=atrasada&status=vencido')
    await user.should_see(marker='protocols')
    assert 'Guia atrasada da Beta' in content(user, 'protocols') and 'Guia da Alfa' not in content(user, 'protocols')
    await user.open(f'/protocolos?protocolo={late.id}')  # the older link form goes to the detail
    await user.should_see(marker='protocol-detail')
    await user.open('/')
    assert 'title="1 vencidos sem visualização"' in content(user, 'quick-access')
