"""Solicitações pages (pages/requests.py, pages/portal_requests.py): a client opens a request with an attachment and
the staff list and thread follow live, the reply reaches the client's open thread live; bad input shows its message
by the field and saves nothing; internal notes and their attachments never reach a client login (thread page, list,
home, download URL); and isolation: client A gets "not found" for B's request by URL and B's attachment URL, and A's
list, counts and home never show B."""
from __future__ import annotations

from collections.abc import Callable

from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import func, select

from conton.models import ClientRequest, DocFile, RequestMessage
from conton.services import requests as service
from conton.services.base import unit
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import wait_until
from tests.pages.test_security import sign_in
from tests.services.test_filetypes import real_pdf


def setup() -> dict:
    make_office()
    admin = make_user('admin', name='Ana Admin')
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a = make_user('client', client=alfa, name='Olavo Alfa')
    login_a2 = make_user('client', client=alfa, name='Sócia Alfa')
    login_b = make_user('client', client=beta, name='Bruno Beta')
    category = service.categories(actor_of(admin))[0].id
    return dict(admin=admin, alfa=alfa, beta=beta, login_a=login_a, login_a2=login_a2, login_b=login_b,
                category=category)


async def open_for(o, account, subject: str, *, with_file: str = '') -> service.RequestRow:
    uploads = [SmallFileUpload(with_file, 'application/pdf', real_pdf())] if with_file else []
    return await service.open_request(actor_of(account), subject=subject, category_id=o['category'],
                                      body=f'Texto de {subject}', uploads=uploads)


def content(user: User, marker: str) -> str:
    return ' '.join(str(getattr(el, 'content', '')) for el in user.find(marker=marker).elements)


def element(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


def hidden_too(user: User, marker: str):
    """An element by marker even while hidden (user.find sees only visible ones)."""
    return next(e for e in user.client.elements.values() if marker in e._markers)


def count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


# --- the journey (simulated: the real browser one is tests/browser/test_journey_requests.py) -------------------------

async def test_client_opens_with_an_attachment_staff_follow_live_and_reply_reaches_the_client_live(
        create_user: Callable[[], User]) -> None:
    o = setup()
    staff, client = create_user(), create_user()
    await sign_in(staff, o['admin'])
    await sign_in(client, o['login_a'])
    await staff.open('/solicitacoes')
    await staff.should_see(marker='requests')
    await client.open('/portal/solicitacoes/nova')
    await client.should_see(marker='request-send')
    element(client, 'request-subject').value = 'Certidão negativa'
    element(client, 'request-category').value = str(o['category'])
    element(client, 'request-body').value = 'Preciso da CND para uma licitação.'
    await element(client, 'attach').handle_uploads([SmallFileUpload('balanco.pdf', 'application/pdf', real_pdf())])
    await client.should_see('Anexos: balanco.pdf')
    client.find(marker='request-send').click()
    await client.should_see(marker='request-thread')
    await wait_until(lambda: 'balanco.pdf' in content(client, 'request-thread'), "the client's thread")
    # the staff list shows it without a reload, marked new
    await wait_until(lambda: 'Certidão negativa' in content(staff, 'requests'), 'the live staff list')
    assert 'nova' in content(staff, 'requests') and 'Alfa Padaria Ltda' in content(staff, 'requests')
    [row] = service.search(actor_of(o['admin'])).rows
    await staff.open(f'/solicitacoes/{row.id}')
    await staff.should_see(marker='reply-send')
    assert 'balanco.pdf' in content(staff, 'request-thread')
    await client.open(f'/portal/solicitacoes/{row.id}')
    await client.should_see(marker='request-thread')
    # (NiceGUI's simulated users share one session store: the staff reply goes through the service here, the
    # staff's form in test_staff_reply_form_sends_notes_and_messages and the real browser journey)
    await service.reply(actor_of(o['admin']), row.id, 'Pode enviar o contrato social?', status='aguardando')
    await wait_until(lambda: 'Pode enviar o contrato social?' in content(client, 'request-thread'),
                     "the reply in the client's open thread")
    await wait_until(lambda: 'Aguardando você' in content(client, 'request-head'), 'the status, live')
    # the client answers from its form; the staff's open thread follows
    element(client, 'reply-body').value = 'Segue em anexo.'
    client.find(marker='reply-send').click()
    await wait_until(lambda: 'Segue em anexo.' in content(staff, 'request-thread'), "the staff's open thread")
    assert service.get(actor_of(o['admin']), row.id).request.status == 'andamento'


async def test_staff_reply_form_sends_notes_and_messages(user: User) -> None:
    o = setup()
    row = await open_for(o, o['login_a'], 'Certidão negativa')
    await login(user, o['admin'])
    await user.open(f'/solicitacoes/{row.id}')
    await user.should_see(marker='reply-send')
    user.find(marker='reply-send').click()
    await wait_until(lambda: element(user, 'reply-body').error, 'the empty message')
    assert element(user, 'reply-body').error == 'Escreva a mensagem.' and count(RequestMessage) == 1
    element(user, 'reply-body').value = 'Conferir débitos antes.'
    element(user, 'reply-internal').value = True
    await element(user, 'attach').handle_uploads([SmallFileUpload('parecer.pdf', 'application/pdf', real_pdf())])
    user.find(marker='reply-send').click()
    await wait_until(lambda: 'Conferir débitos antes.' in content(user, 'request-thread'), 'the note')
    assert 'Nota interna' in content(user, 'request-thread') and 'parecer.pdf' in content(user, 'request-thread')
    element(user, 'reply-body').value = 'Certidão anexada.'
    element(user, 'reply-status').value = 'concluida'
    user.find(marker='reply-send').click()
    await wait_until(lambda: 'Concluída' in content(user, 'request-head'), 'the concluded status')
    await user.should_not_see(marker='reply-body')
    detail = service.get(actor_of(o['login_a']), row.id)
    assert [m.body for m in detail.messages] == ['Texto de Certidão negativa', 'Certidão anexada.']


# --- bad input ----------------------------------------------------------------------------------------------------------

async def test_bad_input_shows_its_message_by_the_field_and_saves_nothing(user: User) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.open('/portal/solicitacoes/nova')
    await user.should_see(marker='request-send')
    user.find(marker='request-send').click()
    await wait_until(lambda: element(user, 'request-subject').error, 'the subject message')
    assert element(user, 'request-subject').error == 'Informe o assunto.'
    assert element(user, 'request-category').error == 'Escolha a categoria.'
    assert element(user, 'request-body').error == 'Escreva a mensagem.'
    # a hostile file (HTML named .pdf) is refused by name next to the attachments
    element(user, 'request-subject').value = 'Dúvida'
    element(user, 'request-category').value = str(o['category'])
    element(user, 'request-body').value = 'Uma dúvida sobre o DAS.'
    await element(user, 'attach').handle_uploads(
        [SmallFileUpload('guia.pdf', 'application/pdf', b'<html><script>alert(1)</script></html>')])
    user.find(marker='request-send').click()
    await wait_until(lambda: (hidden_too(user, 'attach-error').text or '').startswith('guia.pdf:'), 'the file message')
    assert count(ClientRequest) == 0 and count(DocFile) == 0

    row = await open_for(o, o['login_a'], 'Folha de outubro')
    service.set_status(actor_of(o['admin']), row.id, 'concluida')
    await user.open(f'/portal/solicitacoes/{row.id}')
    await user.should_see(marker='request-thread')
    await user.should_not_see(marker='reply-body')  # no reply box on a concluded request
    await user.should_see('reabra até')


# --- internal notes -------------------------------------------------------------------------------------------------------

async def test_internal_notes_never_reach_a_client_login_by_any_route(user: User) -> None:
    o = setup()
    row = await open_for(o, o['login_a'], 'Alteração contratual')
    note = await service.reply(actor_of(o['admin']), row.id, 'Cliente devedor: cobrar antes de protocolar.',
                               [SmallFileUpload('parecer-interno.pdf', 'application/pdf', real_pdf())], internal=True)
    await login(user, o['login_a'])
    await user.open(f'/portal/solicitacoes/{row.id}')
    await user.should_see(marker='request-thread')
    assert 'Texto de Alteração contratual' in content(user, 'request-thread')
    await user.should_not_see('Cliente devedor')
    await user.should_not_see('parecer-interno.pdf')
    await user.should_not_see('Nota interna')
    response = await user.http_client.get(note.attachments[0].url)
    assert response.status_code == 404 and b'%PDF' not in response.content
    await user.open('/portal/solicitacoes')
    await user.should_see('Alteração contratual')
    assert 'nova' not in content(user, 'portal-requests')  # a note is no news for the client
    await user.open('/')
    await user.should_not_see('Cliente devedor')


async def test_staff_see_the_note_marked_and_download_its_attachment(user: User) -> None:
    o = setup()
    row = await open_for(o, o['login_a'], 'Alteração contratual')
    note = await service.reply(actor_of(o['admin']), row.id, 'Só para nós.',
                               [SmallFileUpload('parecer-interno.pdf', 'application/pdf', real_pdf())], internal=True)
    await login(user, o['admin'])
    await user.open(f'/solicitacoes/{row.id}')
    await user.should_see(marker='request-thread')
    assert 'Nota interna' in content(user, 'request-thread') and 'parecer-interno.pdf' in content(user, 'request-thread')
    response = await user.http_client.get(note.attachments[0].url)
    assert response.status_code == 200 and response.content.startswith(b'%PDF')


# --- isolation ---------------------------------------------------------------------------------------------------------------

async def test_client_a_gets_not_found_for_bs_request_and_never_sees_it_listed_counted_or_at_home(user: User) -> None:
    o = setup()
    theirs = await open_for(o, o['login_b'], 'Segredo da Beta', with_file='beta.pdf')
    mine = await open_for(o, o['login_a2'], 'Pedido da Alfa')  # another login of the same client
    await service.reply(actor_of(o['admin']), theirs.id, 'Resposta para a Beta', status='aguardando')
    file_url = service.get(actor_of(o['admin']), theirs.id).messages[0].attachments[0].url
    await login(user, o['login_a'])
    await user.open(f'/portal/solicitacoes/{theirs.id}')
    await user.should_see(marker='missing-request')
    await user.should_see('Solicitação não encontrada.')
    await user.should_not_see('Segredo da Beta')
    response = await user.http_client.get(file_url)
    assert response.status_code == 404 and b'%PDF' not in response.content
    await user.open('/portal/solicitacoes?status=todas')
    await user.should_see('Pedido da Alfa')  # every login of the client alike
    await user.should_not_see('Segredo da Beta')
    assert 'aguardando a sua resposta' not in content(user, 'portal-request-filters')
    await user.open('/')
    await user.should_see(marker='home-requests')
    assert 'Pedido da Alfa' in content(user, 'home-requests') and 'Beta' not in content(user, 'home-requests')
    assert 'aguardando você' not in content(user, 'quick-access')
    await user.open(f'/solicitacoes/{mine.id}')  # the staff page is not for a client login
    await user.should_see('Página não encontrada ou sem acesso')
    assert count(RequestMessage) == 3


async def test_staff_without_the_tool_get_no_access(user: User) -> None:
    o = setup()
    row = await open_for(o, o['login_a'], 'Xyzzy do cliente')
    nobody = make_user('staff', permissions={'clients': 'write'})
    await login(user, nobody)
    for url in ('/solicitacoes', f'/solicitacoes/{row.id}', '/solicitacoes/nova', '/portal/solicitacoes'):
        await user.open(url)
        await user.should_see('Página não encontrada ou sem acesso')
    await user.should_not_see('Xyzzy')


async def test_staff_list_filters_by_status_in_the_url(user: User) -> None:
    o = setup()
    first = await open_for(o, o['login_a'], 'Primeiro pedido')
    await open_for(o, o['login_b'], 'Segundo pedido')
    service.set_status(actor_of(o['admin']), first.id, 'concluida')
    await login(user, o['admin'])
    for url, shown, hidden in (('/solicitacoes', 'Segundo', 'Primeiro'), ('/solicitacoes?status=concluida', 'Primeiro',
                                                                          'Segundo'),
                               ('/solicitacoes?cliente=beta&status=todas', 'Segundo', 'Primeiro')):
        await user.open(url)
        await user.should_see(marker='requests')
        listed = content(user, 'requests')
        assert f'{shown} pedido' in listed and f'{hidden} pedido' not in listed, url
    await user.open('/solicitacoes')
    await user.should_see(marker='request-views')
    assert 'Concluídas (1)' in content(user, 'request-views') and 'Em aberto (1)' in content(user, 'request-views')
