"""Solicitações (services/requests.py): opening and replying with attachments on both sides, statuses and reopening
within the office's window, assignee and watchers, internal notes that never reach a client login (by any entry,
the download included), unread markers, the staff list's filters and counts, isolation between clients, and bad
input refused with nothing half-saved."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlmodel import func, select

from conton import clock, config, db
from conton.models import (ClientRequest, DocFile, Notification, OutboxEmail, RequestAttachment, RequestMessage,
                           RequestRead)
from conton.services import files, office_settings
from conton.services import requests as req
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf


def up(name: str = 'extrato.pdf', data: bytes | None = None) -> SmallFileUpload:
    return SmallFileUpload(name, 'application/pdf', data if data is not None else real_pdf())


def run(coro):
    return asyncio.run(coro)


def count(model, *where) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def notes_of(user) -> list[Notification]:
    with unit() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id)
                                 .order_by(Notification.created_at)).all())


@pytest.fixture
def office():
    make_office()
    admin = make_user('admin', name='Ana Admin')
    helper = make_user('staff', name='Bruno Fiscal', permissions={'requests': 'write'})
    client = make_client('Padaria Pão Quente Ltda')
    other = make_client('Oficina do Zé Ltda')
    login = make_user('client', client=client, email='dono@paoquente.test', name='Dono')
    partner = make_user('client', client=client, email='socia@paoquente.test', name='Sócia')
    other_login = make_user('client', client=other, email='ze@oficina.test')
    category = req.categories(actor_of(admin))[0].id
    return dict(admin=actor_of(admin), admin_user=admin, helper=actor_of(helper), helper_user=helper, client=client,
                other=other, login=actor_of(login), login_user=login, partner=actor_of(partner),
                partner_user=partner, other_login=actor_of(other_login), other_user=other_login, category=category)


def open_one(o, actor=None, **kw) -> req.RequestRow:
    fields = dict(subject='Certidão negativa de débitos', category_id=o['category'],
                  body='Preciso da CND federal para uma licitação.')
    fields.update(kw)
    return run(req.open_request(actor or o['login'], **fields))


# --- opening and the thread ------------------------------------------------------------------------------------------

def test_categories_are_the_five_defaults_and_the_office_edits_the_list(office) -> None:
    admin = office['admin']
    assert [c.name for c in req.categories(admin)] == ['Certidão', 'Alteração contratual', 'Dúvida fiscal', 'Folha',
                                                       'Outro']
    new = req.create_category(admin, ' Abertura de empresa ')
    assert new.name == 'Abertura de empresa' and new.position == 6
    with pytest.raises(ValidationError, match='Já existe'):
        req.create_category(admin, 'certidao')
    req.update_category(admin, new.id, move=-1)
    req.update_category(admin, req.categories(admin)[0].id, active=False)
    names = [c.name for c in req.categories(office['login'])]
    assert names[0] == 'Alteração contratual' and 'Certidão' not in names and names[-2:] == ['Abertura de empresa',
                                                                                            'Outro']
    with pytest.raises(PermissionDenied):
        req.create_category(office['login'], 'Minha categoria')


def test_a_client_opens_a_request_with_an_attachment_and_the_office_is_told(office) -> None:
    row = open_one(office, uploads=[up('certidao-anterior.pdf')])
    assert row.number == 1 and row.status == 'aberta' and row.opened_side == 'client' and row.category == 'Certidão'
    detail = req.view(office['partner'], row.id)  # every login of the client alike
    [message] = detail.messages
    assert message.author_name == 'Dono' and [a.name for a in message.attachments] == ['certidao-anterior.pdf']
    with unit() as session:
        doc = session.get(DocFile, message.attachments[0].file_id)
    assert doc.origin == 'request' and doc.client_id == office['client'].id and doc.sender_side == 'client'
    assert files.search(office['admin'], client_id=office['client'].id).total == 0  # not an Arquivos file
    overview = files.overview(office['admin'], office['client'].id)  # nor in Arquivos' counts, but in the space used
    assert (overview.inbox, overview.inbox_new, overview.top_level) == (0, 0, 0) and overview.usage.used == doc.size
    assert files.download(office['partner'], doc.id).name == 'certidao-anterior.pdf'
    # no assignee, no responsible: every staff member who handles requests is told
    for staff in (office['admin_user'], office['helper_user']):
        [note] = notes_of(staff)
        assert note.category == 'solicitacoes' and '#1' in note.title and note.link == f'/solicitacoes/{row.id}'
    assert notes_of(office['login_user']) == [] and notes_of(office['other_user']) == []
    assert count(OutboxEmail) == 2
    assert open_one(office).number == 2


def test_staff_open_one_for_a_client_and_every_login_of_that_client_is_told(office) -> None:
    row = open_one(office, office['helper'], client_id=office['client'].id, subject='Alteração do endereço',
                   assignee_id=office['helper_user'].id)
    assert row.opened_side == 'office' and row.assignee_name == 'Bruno Fiscal'
    assert [n.link for n in notes_of(office['login_user'])] == [f'/portal/solicitacoes/{row.id}']
    assert len(notes_of(office['partner_user'])) == 1 and notes_of(office['other_user']) == []
    with pytest.raises(ValidationError) as e:
        open_one(office, office['admin'], client_id=None)
    assert e.value.errors == {'client_id': 'Escolha o cliente.'}


def test_replies_move_the_status_and_a_concluded_request_is_reopened_only_within_the_window(office) -> None:
    row = open_one(office)
    office_settings.set(office['admin'], 'requests.reopen_days', '5')
    run(req.reply(office['helper'], row.id, 'Pode enviar o contrato social?', status='aguardando'))
    assert req.get(office['login'], row.id).request.status == 'aguardando'
    run(req.reply(office['login'], row.id, 'Segue o contrato.', [up('contrato.pdf')]))
    assert req.get(office['admin'], row.id).request.status == 'andamento'
    req.set_status(office['admin'], row.id, 'concluida')
    detail = req.get(office['login'], row.id)
    assert detail.request.status == 'concluida' and not detail.can_reply
    assert detail.reopen_until == detail.request.closed_at + timedelta(days=5)
    with pytest.raises(ValidationError, match='concluída'):
        run(req.reply(office['login'], row.id, 'Mais uma coisa'))
    clock.set_now(clock.now() + timedelta(days=4))
    assert req.reopen(office['partner'], row.id).status == 'aberta'
    req.set_status(office['admin'], row.id, 'concluida')
    clock.set_now(clock.now() + timedelta(days=6))
    with pytest.raises(ValidationError, match='prazo para reabrir'):
        req.reopen(office['login'], row.id)
    assert req.reopen(office['admin'], row.id).status == 'andamento'  # the office may always
    with pytest.raises(PermissionDenied):
        req.set_status(office['login'], row.id, 'concluida')


def test_assignee_and_watchers_are_told_of_the_clients_messages_not_the_whole_office(office) -> None:
    row = open_one(office)
    watcher = make_user('staff', name='Carla Folha', permissions={'requests': 'read'})
    req.assign(office['admin'], row.id, office['helper_user'].id)
    assert [w for _, w in req.set_watchers(office['admin'], row.id, [watcher.id])] == ['Carla Folha']
    before_admin = len(notes_of(office['admin_user']))
    run(req.reply(office['login'], row.id, 'Alguma novidade?'))
    assert len(notes_of(office['admin_user'])) == before_admin
    assert notes_of(office['helper_user'])[-1].title == f'Solicitação #{row.number}: nova mensagem'
    assert notes_of(watcher)[-1].title == f'Solicitação #{row.number}: nova mensagem'
    with pytest.raises(ValidationError, match='funcionário'):
        req.assign(office['admin'], row.id, office['login_user'].id)
    nobody = make_user('staff', permissions={'clients': 'read'})
    with pytest.raises(ValidationError):
        req.set_watchers(office['admin'], row.id, [nobody.id])


# --- internal notes ---------------------------------------------------------------------------------------------------

def test_internal_notes_and_their_attachments_never_reach_a_client_login(office) -> None:
    row = open_one(office)
    clients_notes = len(notes_of(office['login_user']))
    note = run(req.reply(office['helper'], row.id, 'Cliente com débito em aberto: cobrar antes.',
                         [up('relatorio-interno.pdf')], internal=True))
    assert note.internal and note.attachments
    file_id = note.attachments[0].file_id
    with unit() as session:
        assert session.get(DocFile, file_id).origin == 'internal'
    for login in (office['login'], office['partner']):
        detail = req.view(login, row.id)
        assert [m.body for m in detail.messages] == ['Preciso da CND federal para uma licitação.']
        assert not any(m.internal for m in detail.messages) and detail.watchers == []
        for call in (lambda: files.download(login, file_id), lambda: files.get(login, file_id)):
            with pytest.raises(NotFound):
                call()
        assert not req.search(login).rows[0].unread
    assert len(notes_of(office['login_user'])) == clients_notes
    assert 'débito' not in ' '.join(n.title + n.body for n in notes_of(office['login_user']))
    assert req.get(office['admin'], row.id).messages[-1].internal
    with pytest.raises(PermissionDenied):
        run(req.reply(office['login'], row.id, 'Nota', internal=True))
    with unit() as session:  # nothing of the note is in any e-mail to the client
        to_client = session.exec(select(OutboxEmail).where(OutboxEmail.to_addr.like('%paoquente%'))).all()
    assert not any('débito' in m.text for m in to_client)


# --- unread markers ---------------------------------------------------------------------------------------------------

def test_unread_markers_per_login_and_thread(office) -> None:
    row = open_one(office)
    assert req.search(office['admin']).rows[0].unread and not req.search(office['login']).rows[0].unread
    req.view(office['admin'], row.id)
    assert not req.search(office['admin']).rows[0].unread
    assert req.search(office['helper']).rows[0].unread  # each login its own
    clock.set_now(clock.now() + timedelta(seconds=5))
    run(req.reply(office['admin'], row.id, 'Estamos providenciando.'))
    assert req.search(office['login']).rows[0].unread and req.search(office['partner']).rows[0].unread
    req.mark_read(office['login'], row.id)
    assert not req.search(office['login']).rows[0].unread and req.search(office['partner']).rows[0].unread


# --- the staff list ---------------------------------------------------------------------------------------------------

def test_staff_list_filters_and_counts_in_few_statements(office) -> None:
    admin = office['admin']
    first = open_one(office, subject='CND federal')
    clock.set_now(clock.now() + timedelta(days=10))
    second = open_one(office, office['other_login'], subject='Folha de outubro',
                      category_id=req.categories(admin)[3].id)
    third = open_one(office, subject='Dúvida sobre o DAS')
    req.assign(admin, second.id, office['helper_user'].id)
    req.set_status(admin, third.id, 'concluida')
    page = req.search(admin)
    assert [r.subject for r in page.rows] == ['Folha de outubro', 'CND federal']
    assert page.counts == {'aberta': 2, 'andamento': 0, 'aguardando': 0, 'concluida': 1}
    assert req.search(admin, status='todas').total == 3
    assert [r.id for r in req.search(admin, status='concluida').rows] == [third.id]
    assert [r.id for r in req.search(admin, assignee='nenhum').rows] == [first.id]
    assert [r.id for r in req.search(office['helper'], assignee='eu').rows] == [second.id]
    assert [r.id for r in req.search(admin, client='oficina ze').rows] == [second.id]
    assert [r.id for r in req.search(admin, client_id=office['client'].id).rows] == [first.id]
    assert [r.id for r in req.search(admin, category=str(req.categories(admin)[3].id)).rows] == [second.id]
    assert [r.id for r in req.search(admin, age='7').rows] == [first.id]
    assert [r.id for r in req.search(admin, text=f'#{first.number}').rows] == [first.id]
    assert req.search(admin, text='50%_').total == 0
    before = db.query_counter['n']
    req.search(admin, status='todas', client='padaria')
    assert db.query_counter['n'] - before <= 4  # the login's re-check, the counts (the total), the page of ids, its rows


# --- isolation --------------------------------------------------------------------------------------------------------

def test_a_client_login_gets_not_found_for_everything_of_another_client(office) -> None:
    theirs = open_one(office, office['other_login'], uploads=[up('segredo.pdf')])
    file_id = req.get(office['admin'], theirs.id).messages[0].attachments[0].file_id
    a = office['login']
    for call in (lambda: req.view(a, theirs.id), lambda: req.get(a, theirs.id), lambda: req.mark_read(a, theirs.id),
                 lambda: req.reopen(a, theirs.id), lambda: run(req.reply(a, theirs.id, 'Oi')),
                 lambda: files.download(a, file_id), lambda: req.view(a, 'not-a-uuid')):
        with pytest.raises(NotFound):
            call()
    assert req.search(a, client_id=office['other'].id, status='todas').total == 0
    assert req.search(a).counts == {s: 0 for s in req.REQUEST_STATUSES}
    assert notes_of(office['login_user']) == []
    for staff_only in (lambda: req.set_status(a, theirs.id, 'concluida'), lambda: req.assign(a, theirs.id, None),
                       lambda: req.set_watchers(a, theirs.id, []), lambda: req.staff_options(a)):
        with pytest.raises(PermissionDenied):
            staff_only()
    assert count(RequestMessage) == 1


def test_staff_without_the_tool_are_refused(office) -> None:
    row = open_one(office)
    nobody = actor_of(make_user('staff', permissions={'clients': 'write'}))
    reader = actor_of(make_user('staff', permissions={'requests': 'read'}))
    for call in (lambda: req.search(nobody), lambda: req.view(nobody, row.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert req.search(reader).total == 1
    with pytest.raises(PermissionDenied):
        run(req.reply(reader, row.id, 'Oi'))


# --- bad input, nothing half-saved --------------------------------------------------------------------------------------

def stored_documents() -> list[str]:
    folder = storage_folder()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def storage_folder():
    from conton.services import storage
    return storage.folder_path(files.FOLDER)


@pytest.mark.parametrize('fields, errors', [
    (dict(subject='', body=''), {'subject': 'Informe o assunto.', 'body': 'Escreva a mensagem.'}),
    (dict(category_id=''), {'category_id': 'Escolha a categoria.'}),
    (dict(category_id='x'), {'category_id': 'Escolha uma categoria da lista.'}),
    (dict(body='   \n  '), {'body': 'Escreva a mensagem.'}),
    (dict(subject='a' * 201), {'subject': 'Máximo de 200 caracteres.'}),
])
def test_bad_input_when_opening_is_refused_on_its_fields_and_nothing_is_saved(office, fields, errors) -> None:
    with pytest.raises(ValidationError) as e:
        open_one(office, uploads=[up()], **fields)
    assert e.value.errors == errors
    assert count(ClientRequest) == count(DocFile) == 0 and stored_documents() == []


def test_an_attachment_over_the_limit_stores_nothing(office, monkeypatch) -> None:
    monkeypatch.setenv('CONTON_FILE_MAX_MB', '1')
    config.reset_settings()
    big = real_pdf() + b'%' + b'x' * (1024 * 1024) + b'\n'
    with pytest.raises(ValidationError, match='grande demais') as e:
        open_one(office, uploads=[up('ok.pdf'), up('enorme.pdf', big)])
    assert set(e.value.errors) == {'file'} and 'enorme.pdf' in e.value.errors['file']
    row = open_one(office)
    with pytest.raises(ValidationError, match='grande demais'):
        run(req.reply(office['admin'], row.id, 'Segue', [up('enorme.pdf', big)]))
    assert count(ClientRequest) == 1 and count(RequestMessage) == 1 and count(DocFile) == 0
    assert count(RequestAttachment) == 0
    assert [n for n in stored_documents() if not n.startswith('.')] == []


def test_a_reply_to_a_concluded_request_or_an_empty_one_saves_nothing(office) -> None:
    row = open_one(office)
    req.set_status(office['admin'], row.id, 'concluida')
    with pytest.raises(ValidationError) as e:
        run(req.reply(office['admin'], row.id, 'Ainda mais', [up()]))
    assert set(e.value.errors) == {'body'}
    req.reopen(office['admin'], row.id)
    with pytest.raises(ValidationError, match='Escreva a mensagem'):
        run(req.reply(office['login'], row.id, ''))
    with pytest.raises(ValidationError):
        run(req.reply(office['login'], row.id, 'x', [up(f'{n}.pdf') for n in range(req.MAX_FILES + 1)]))
    assert count(RequestMessage) == 1 and count(DocFile) == 0
    assert count(RequestRead, RequestRead.user_id == office['login_user'].id) == 1
