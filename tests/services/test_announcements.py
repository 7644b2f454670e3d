"""Comunicados (services/announcements.py): a comunicado reaches exactly the logins of the clients it names (portal,
drawer and e-mail at a real SMTP server) and nobody else by any entry; bad input saves nothing; scheduled ones start
at their moment and can be cancelled before; the e-mails go to the outbox in batches with a pause between them; the
first-use template carries a set-password link only to logins without a password; statuses follow the outbox."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlmodel import func, select

from conton import clock, config
from conton.models import (Announcement, AnnouncementAttachment, AuditLog, AnnouncementRecipient, ClientResponsible,
                           Notification, OutboxEmail, User)
from conton.services import announcements, auth, mail, notifications, office_settings, storage
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf

UTC = timezone.utc
NOW = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 10:00 in São Paulo


def run(coro):
    return asyncio.run(coro)


def count(model, *where) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def stored_names() -> list[str]:
    return sorted(p.name for p in storage.folder_path(announcements.FOLDER).iterdir())


def pdf_upload(name: str = 'aviso.pdf', data: bytes | None = None) -> SmallFileUpload:
    return SmallFileUpload(name, 'application/pdf', data if data is not None else real_pdf())


@pytest.fixture
def office():
    make_office('Contábil Aurora')
    clock.set_now(NOW)
    admin = actor_of(make_user('admin', name='Ana Admin'))
    carla = make_user('staff', name='Carla Souza', permissions={'announcements': 'write'})
    clients = [make_client(f'Cliente {c} Ltda', tax_regime=regime)
               for c, regime in (('A', 'Simples Nacional'), ('B', 'Simples Nacional'), ('C', 'Lucro Presumido'),
                                 ('D', 'MEI'))]
    logins = {c.name[8]: [make_user('client', client=c, name=f'Contato {c.name[8]}{n}',
                                    email=f'{c.name[8].lower()}{n}@cliente.test') for n in (1, 2)]
              for c in clients}
    with unit() as session:
        session.add(ClientResponsible(client_id=clients[0].id, user_id=carla.id))
        session.add(ClientResponsible(client_id=clients[2].id, user_id=carla.id))
    return {'admin': admin, 'carla': actor_of(carla), 'carla_user': carla, 'clients': clients, 'logins': logins}


def to_list(o, letters: str, **fields):
    ids = [c.id for c in o['clients'] if c.name[8] in letters]
    return announcements.create(o['admin'], subject=fields.pop('subject', 'Recesso de fim de ano'),
                                body=fields.pop('body', 'O escritório fecha de 24/12 a 01/01.\nBoas festas!'),
                                audience='list', client_ids=ids, **fields)


def test_a_comunicado_to_three_of_four_clients_reaches_exactly_their_logins(office, smtp) -> None:
    o = office
    attachment = run(announcements.receive_attachment(o['admin'], pdf_upload('horarios.pdf')))
    row = to_list(o, 'ABC', attachments=[attachment])
    assert row.status == 'enviando' and row.recipients == 6 and row.clients == 3 and row.attachments == 1
    assert row.counts.fila == 6
    inside = [u for k in 'ABC' for u in o['logins'][k]]
    outside = o['logins']['D']
    # the portal and the drawer, at once
    for login in inside:
        actor = actor_of(login)
        assert [i.subject for i in announcements.portal_list(actor)] == ['Recesso de fim de ano']
        assert announcements.unread(actor)[0] == 1
        assert notifications.unread_counts(actor)['comunicados'] == 1
    for login in outside:
        actor = actor_of(login)
        assert announcements.portal_list(actor) == [] and announcements.unread(actor) == (0, [])
        assert notifications.unread_counts(actor)['comunicados'] == 0
        with pytest.raises(NotFound):
            announcements.read(actor, row.id)
    # the e-mails: released to the outbox, sent to the SMTP server
    assert announcements.release() == 6
    assert mail.send_due() == 6
    assert sorted(m['To'] for m in smtp.messages) == sorted(u.email for u in inside)
    message = smtp.messages[0]
    assert message['Subject'] == 'Recesso de fim de ano'
    text = message.get_body(('plain',)).get_content()
    assert 'O escritório fecha de 24/12 a 01/01.' in text and 'horarios.pdf' in text
    assert f'/portal/comunicados/{row.id}' in text and '/definir-senha/' not in text
    assert announcements.finish() == 1
    detail = announcements.get(o['admin'], row.id).row
    assert detail.status == 'enviado' and detail.counts.enviado == 6 and detail.counts.fila == 0
    assert {r.status for r in announcements.recipients(o['admin'], row.id).rows} == {'enviado'}


def test_reading_marks_that_login_only_and_its_notification(office) -> None:
    o = office
    row = to_list(o, 'A')
    first, second = (actor_of(u) for u in o['logins']['A'])
    item = announcements.read(first, row.id)
    assert item.read_at is not None and item.paragraphs == ['O escritório fecha de 24/12 a 01/01.', 'Boas festas!']
    assert announcements.unread(first)[0] == 0 and announcements.unread(second)[0] == 1
    assert notifications.unread_counts(first)['comunicados'] == 0
    assert notifications.unread_counts(second)['comunicados'] == 1
    assert announcements.get(o['admin'], row.id).row.counts.lido == 1
    assert announcements.read(first, row.id).read_at == item.read_at  # the first opening counts
    lidos = announcements.recipients(o['admin'], row.id, status='lido')
    assert [r.user_name for r in lidos.rows] == ['Contato A1']


def test_another_clients_login_gets_not_found_by_every_entry(office) -> None:
    o = office
    attachment = run(announcements.receive_attachment(o['admin'], pdf_upload()))
    row = to_list(o, 'A', attachments=[attachment])
    att_id = announcements.get(o['admin'], row.id).attachments[0].id
    owner, stranger = actor_of(o['logins']['A'][0]), actor_of(o['logins']['B'][0])
    assert announcements.download(owner, att_id).name == 'aviso.pdf'
    assert announcements.download(o['admin'], att_id).size > 0
    for guess in (row.id, uuid.uuid4(), 'x', att_id):
        with pytest.raises(NotFound):
            announcements.read(stranger, guess)
    for guess in (att_id, row.id, uuid.uuid4(), '../x'):
        with pytest.raises(NotFound):
            announcements.download(stranger, guess)
    # staff functions are closed to client logins and to staff without the tool
    nobody = actor_of(make_user('staff', permissions={'clients': 'read'}))
    for actor in (stranger, owner, nobody):
        for call in (lambda a: announcements.search(a), lambda a: announcements.get(a, row.id),
                     lambda a: announcements.recipients(a, row.id), lambda a: announcements.preview(a, 'all'),
                     lambda a: announcements.cancel(a, row.id)):
            with pytest.raises(PermissionDenied):
                call(actor)
        with pytest.raises(PermissionDenied):
            to_list({**o, 'admin': actor}, 'A')
    with pytest.raises(PermissionDenied):
        announcements.portal_list(o['admin'])
    reader = actor_of(make_user('staff', permissions={'announcements': 'read'}))
    assert announcements.search(reader).total == 1
    with pytest.raises(PermissionDenied):
        to_list({**o, 'admin': reader}, 'A')


def test_bad_input_is_refused_by_field_with_nothing_saved(office, monkeypatch) -> None:
    o = office
    attachment = run(announcements.receive_attachment(o['admin'], pdf_upload()))
    cases = [
        (dict(subject='  ', body='x', audience='all'), 'subject', 'Informe o assunto.'),
        (dict(subject='x', body='\n ', audience='all'), 'body', 'Informe o texto do comunicado.'),
        (dict(subject='x' * 201, body='x', audience='all'), 'subject', 'Máximo de 200 caracteres.'),
        (dict(subject='x', body='x', audience='list'), 'client_ids', 'Escolha pelo menos um cliente.'),
        (dict(subject='x', body='x', audience='list', client_ids=[uuid.uuid4()]), 'client_ids', 'não existe'),
        (dict(subject='x', body='x', audience='regime', audience_value='Lucro Real'), 'audience',
         'Nenhum destinatário'),
        (dict(subject='x', body='x', audience='regime', audience_value='Outro'), 'audience_value', 'regime'),
        (dict(subject='x', body='x', audience='responsible', audience_value=str(o['logins']['A'][0].id)),
         'audience_value', 'responsável'),
        (dict(subject='x', body='x', audience='nobody'), 'audience', 'Escolha os destinatários.'),
        (dict(subject='x', body='x', audience='all', send_on='04/03/2026', send_time='09:00'), 'send_on', 'futuro'),
        (dict(subject='x', body='x', audience='all', send_on='31/02/2026', send_time='09:00'), 'send_on',
         'Data inválida'),
        (dict(subject='x', body='x', audience='all', send_on='05/03/2026', send_time='25:00'), 'send_time', 'hora'),
    ]
    for fields, field, message in cases:
        with pytest.raises(ValidationError) as e:
            announcements.create(o['admin'], attachments=[attachment], **fields)
        assert message in e.value.errors.get(field, ''), (fields, e.value.errors)
    # every field at once
    with pytest.raises(ValidationError) as e:
        announcements.create(o['admin'], subject='', body='', audience='list', send_on='01/01/2020',
                             send_time='10:00')
    assert set(e.value.errors) == {'subject', 'body', 'client_ids', 'send_on'}
    assert count(Announcement) == count(AnnouncementRecipient) == count(Notification) == count(OutboxEmail) == 0
    assert count(AnnouncementAttachment) == 0
    assert [n for n in stored_names() if not n.startswith('.')] == []  # only the pending upload's temporary file
    assert attachment.tmp.exists()  # still attached: the form can be fixed and sent
    row = announcements.create(o['admin'], subject='Agora sim', body='Texto', audience='all',
                               attachments=[attachment])
    assert row.attachments == 1 and row.recipients == 8


def test_an_attachment_over_the_limit_or_of_a_refused_type_is_refused(office, monkeypatch) -> None:
    monkeypatch.setenv('CONTON_FILE_MAX_MB', '1')
    config.reset_settings()
    with pytest.raises(ValidationError) as e:
        run(announcements.receive_attachment(office['admin'], pdf_upload('grande.pdf',
                                                                         b'%PDF-1.4\n' + b'0' * (1024 * 1024))))
    assert e.value.errors['attachments'] == 'grande.pdf: Arquivo grande demais: o limite é 1 MB por arquivo.'
    with pytest.raises(ValidationError) as e:
        run(announcements.receive_attachment(office['admin'],
                                             SmallFileUpload('pagina.pdf', 'application/pdf',
                                                             b'<html><script>alert(1)</script></html>')))
    assert e.value.errors['attachments'].startswith('pagina.pdf: ')
    with pytest.raises(PermissionDenied):
        run(announcements.receive_attachment(actor_of(office['logins']['A'][0]), pdf_upload()))
    assert stored_names() == [] and count(AnnouncementAttachment) == 0


def test_audiences_and_the_preview(office) -> None:
    o = office
    make_client('Cliente Sem Login Ltda', tax_regime='Simples Nacional')
    make_client('Cliente Inativo Ltda', tax_regime='Simples Nacional', active=False)
    with unit() as session:  # a login that never set a password
        session.add(User(email='novo@cliente.test', name='Novo B', role='client', client_id=o['clients'][1].id))
    p = announcements.preview(o['admin'], 'all')
    assert (p.clients, p.logins, p.without_login, p.without_password) == (4, 9, 1, 1)
    assert p.label == '4 clientes, 9 logins · 1 cliente sem login ativo no portal (não recebe)'
    p = announcements.preview(o['admin'], 'regime', 'Simples Nacional')
    assert (p.clients, p.logins, p.without_login) == (2, 5, 1)
    p = announcements.preview(o['admin'], 'responsible', str(o['carla_user'].id))
    assert (p.clients, p.logins) == (2, 4)
    p = announcements.preview(o['admin'], 'list', '', [c.id for c in o['clients'][2:]])
    assert (p.clients, p.logins) == (2, 4)
    row = announcements.create(o['carla'], subject='Novo prazo', body='x', audience='responsible',
                               audience_value=str(o['carla_user'].id))
    assert row.audience_label == 'Responsável: Carla Souza'
    assert {r.client_name for r in announcements.recipients(o['admin'], row.id).rows} == {'Cliente A Ltda',
                                                                                          'Cliente C Ltda'}


def test_a_scheduled_comunicado_starts_at_its_moment_with_the_audience_of_then(office) -> None:
    o = office
    row = to_list(o, 'AB', send_on='05/03/2026', send_time='08:30')
    assert row.status == 'agendado' and row.send_at == datetime(2026, 3, 5, 11, 30, tzinfo=UTC)
    assert count(AnnouncementRecipient) == 0 and announcements.portal_list(actor_of(o['logins']['A'][0])) == []
    assert announcements.start_due() == 0
    with unit() as session:  # B's second login goes away before the moment
        session.get(User, o['logins']['B'][1].id).active = False
    clock.set_now(datetime(2026, 3, 5, 11, 30, tzinfo=UTC))
    assert announcements.run_due()['started'] == 1
    started = announcements.get(o['admin'], row.id).row
    assert started.status == 'enviando' and started.recipients == 3
    assert announcements.start_due() == 0  # once
    assert [i.subject for i in announcements.portal_list(actor_of(o['logins']['B'][0]))] == ['Recesso de fim de ano']


def test_a_draft_keeps_what_is_written_reaches_nobody_and_is_sent_later(office) -> None:
    o = office
    first = run(announcements.receive_attachment(o['admin'], pdf_upload('tabela.pdf')))
    draft = announcements.create(o['admin'], subject='Novos prazos do IR', body='', audience='list', client_ids=[],
                                 send_on='31/02/2026', send_time='', attachments=[first], draft=True)
    assert draft.status == 'rascunho' and draft.recipients == 0 and draft.send_at is None and draft.attachments == 1
    assert count(AnnouncementRecipient) == 0 and count(Notification) == 0
    client = actor_of(o['logins']['A'][0])
    assert announcements.portal_list(client) == [] and announcements.unread(client) == (0, [])
    with pytest.raises(NotFound):  # no client login reaches a draft, by any entry
        announcements.read(client, draft.id)
    for entry in (announcements.get, announcements.delete_draft):
        with pytest.raises(PermissionDenied):
            entry(client, draft.id)
    with pytest.raises(ValidationError) as e:  # a draft needs its subject
        announcements.create(o['admin'], subject=' ', body='', audience='all', draft=True)
    assert set(e.value.errors) == {'subject'}
    # reopened: written further, one attachment swapped for another, still a draft
    detail = announcements.get(o['admin'], draft.id)
    assert detail.editable and detail.audience_value == '' and detail.client_ids == []
    second = run(announcements.receive_attachment(o['admin'], pdf_upload('calendario.pdf')))
    ids = [str(c.id) for c in o['clients'][:2]]
    again = announcements.save(o['admin'], draft.id, subject='Novos prazos do IR 2026', body='Veja as datas.',
                               audience='list', client_ids=ids, attachments=[second],
                               remove_attachments=[detail.attachments[0].id], draft=True)
    detail = announcements.get(o['admin'], draft.id)
    assert again.id == draft.id and again.subject == 'Novos prazos do IR 2026' and sorted(detail.client_ids) == \
        sorted(ids)
    assert [a.name for a in detail.attachments] == ['calendario.pdf']
    assert len(stored_names()) == 1 and count(AnnouncementAttachment) == 1
    # sending it checks everything, as a new one
    with pytest.raises(ValidationError) as e:
        announcements.save(o['admin'], draft.id, subject='Novos prazos do IR 2026', body=' ', audience='list',
                           client_ids=ids)
    assert set(e.value.errors) == {'body'} and announcements.get(o['admin'], draft.id).row.status == 'rascunho'
    sent = announcements.save(o['admin'], draft.id, subject='Novos prazos do IR 2026', body='Veja as datas.',
                              audience='list', client_ids=ids)
    assert sent.status == 'enviando' and sent.recipients == 4 and sent.attachments == 1
    assert [i.subject for i in announcements.portal_list(actor_of(o['logins']['B'][1]))] == ['Novos prazos do IR 2026']
    assert announcements.portal_list(actor_of(o['logins']['C'][0])) == []
    # gone out: no more edits, no deletion
    with pytest.raises(ValidationError, match='já saiu'):
        announcements.save(o['admin'], draft.id, subject='Outro', body='x', audience='all', draft=True)
    with pytest.raises(ValidationError, match='já saiu'):
        announcements.delete_draft(o['admin'], draft.id)
    with unit() as session:
        actions = [(a.action, a.detail.split(':')[0]) for a in session.exec(
            select(AuditLog).where(AuditLog.entity == 'announcement').order_by(AuditLog.at, AuditLog.id)).all()]
    assert actions == [('create', 'rascunho'), ('update', 'rascunho'), ('update', 'rascunho → enviado')]


def test_a_scheduled_one_is_edited_or_made_a_draft_before_it_starts_and_a_draft_deleted(office) -> None:
    o = office
    row = to_list(o, 'A', send_on='05/03/2026', send_time='08:30')
    moved = announcements.save(o['carla'], row.id, subject='Recesso', body='Fechados.', audience='regime',
                               audience_value='Simples Nacional', send_on='06/03/2026', send_time='09:00')
    assert moved.status == 'agendado' and moved.send_at == datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    assert moved.audience_label == 'Simples Nacional' and announcements.get(o['admin'], row.id).client_ids == []
    clock.set_now(datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    assert announcements.start_due() == 0  # the old moment is gone
    paused = announcements.save(o['carla'], row.id, subject='Recesso', body='Fechados.', audience='regime',
                                audience_value='Simples Nacional', send_on='06/03/2026', send_time='09:00',
                                draft=True)
    assert paused.status == 'rascunho' and paused.send_at == datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    clock.set_now(datetime(2026, 3, 7, tzinfo=UTC))
    assert announcements.start_due() == 0  # a draft never starts
    assert count(AnnouncementRecipient) == 0
    with pytest.raises(ValidationError) as e:  # its moment has passed: sending it asks for another
        announcements.save(o['carla'], row.id, subject='Recesso', body='Fechados.', audience='regime',
                           audience_value='Simples Nacional', send_on='06/03/2026', send_time='09:00')
    assert 'send_on' in e.value.errors or 'send_time' in e.value.errors
    attachment = run(announcements.receive_attachment(o['admin'], pdf_upload('horarios.pdf')))
    announcements.save(o['carla'], row.id, subject='Recesso', body='Fechados.', audience='all',
                       attachments=[attachment], draft=True)
    assert len(stored_names()) == 1
    for not_allowed in (actor_of(o['logins']['A'][0]),):
        with pytest.raises(PermissionDenied):
            announcements.delete_draft(not_allowed, row.id)
    announcements.delete_draft(o['carla'], row.id)
    with pytest.raises(NotFound):
        announcements.get(o['admin'], row.id)
    assert count(Announcement) == 0 and count(AnnouncementAttachment) == 0 and stored_names() == []
    assert len(list(storage.trash_path(announcements.FOLDER).iterdir())) == 1  # the attachment, in the trash
    scheduled = to_list(o, 'A', send_on='08/03/2026', send_time='08:30')
    with pytest.raises(ValidationError, match='cancelado'):
        announcements.delete_draft(o['admin'], scheduled.id)
    with pytest.raises(NotFound):
        announcements.save(o['admin'], uuid.uuid4(), subject='x', body='y', audience='all')


def test_an_edit_never_lands_on_a_comunicado_the_job_started_meanwhile(office, monkeypatch) -> None:
    o = office
    row = to_list(o, 'A', send_on='05/03/2026', send_time='08:30')
    clock.set_now(datetime(2026, 3, 5, 11, 30, tzinfo=UTC))
    assert announcements.start_due() == 1
    # as if the edit had read the row while it was still scheduled, just before the job started it
    monkeypatch.setattr(announcements, '_editable', lambda session, key: session.get(Announcement, key))
    with pytest.raises(ValidationError, match='já saiu'):
        announcements.save(o['admin'], row.id, subject='Mudado', body='x', audience='all', draft=True)
    started = announcements.get(o['admin'], row.id).row
    assert (started.status, started.subject, started.recipients) == ('enviando', 'Recesso de fim de ano', 2)


def test_cancel_only_a_scheduled_one(office) -> None:
    o = office
    row = to_list(o, 'A', send_on='05/03/2026', send_time='08:30')
    announcements.cancel(o['carla'], row.id)
    clock.set_now(datetime(2026, 3, 6, tzinfo=UTC))
    assert announcements.start_due() == 0
    assert announcements.get(o['admin'], row.id).row.status == 'cancelado' and count(AnnouncementRecipient) == 0
    with pytest.raises(ValidationError, match='agendado'):
        announcements.cancel(o['admin'], row.id)
    sent = to_list(o, 'A')
    with pytest.raises(ValidationError):
        announcements.cancel(o['admin'], sent.id)
    with pytest.raises(NotFound):
        announcements.cancel(o['admin'], uuid.uuid4())


def test_the_emails_go_out_in_batches_with_a_pause(office, smtp) -> None:
    o = office
    office_settings.set(o['admin'], announcements.BATCH_KEY, 3)
    office_settings.set(o['admin'], announcements.PAUSE_KEY, 120)
    first = to_list(o, 'AB')  # 4 logins
    clock.set_now(NOW + timedelta(seconds=1))
    second = to_list(o, 'CD', subject='Outro')  # 4 logins, after the first
    assert announcements.release() == 3
    assert announcements.release() == 0  # the pause is not over
    clock.set_now(NOW + timedelta(seconds=119))
    assert announcements.release() == 0
    clock.set_now(NOW + timedelta(seconds=121))
    assert announcements.release() == 3  # the first's last one, then two of the second
    assert count(OutboxEmail) == 6
    assert announcements.get(o['admin'], first.id).row.counts.fila == 4  # queued in the outbox, not yet sent
    assert mail.send_due() == 6 and len(smtp.messages) == 6
    assert announcements.finish() == 1  # the first is done, the second has two left
    assert announcements.get(o['admin'], first.id).row.status == 'enviado'
    assert announcements.get(o['admin'], second.id).row.counts == announcements.Counts(2, 2, 0, 0)
    clock.set_now(NOW + timedelta(seconds=250))
    assert announcements.run_due() == {'started': 0, 'released': 2, 'finished': 0}
    assert mail.send_due() == 2
    assert announcements.finish() == 1 and len(smtp.messages) == 8
    with pytest.raises(ValidationError) as e:
        announcements.set_throttle(o['admin'], 0, 'x')
    assert set(e.value.errors) == {'batch', 'pause_seconds'}
    assert announcements.set_throttle(o['admin'], '200', '30') == announcements.Throttle(200, 30)


def test_first_use_template_sends_a_set_password_link_only_to_logins_without_one(office, smtp) -> None:
    o = office
    with unit() as session:
        new_login = User(email='novo@cliente.test', name='Novo A', role='client', client_id=o['clients'][0].id)
        session.add(new_login)
        session.flush()
        old_token = auth.issue_token(session, new_login, 'welcome')  # the welcome e-mail's link, never used
    subject, body = announcements.template_text('first_use')
    assert 'Contábil Aurora' in subject and 'portal' in body
    row = announcements.create(o['admin'], subject=subject, body=body, audience='list',
                               client_ids=[o['clients'][0].id], template='first_use')
    assert announcements.release() == 3 and mail.send_due() == 3
    by_to = {m['To']: m.get_body(('plain',)).get_content() for m in smtp.messages}
    new = by_to.pop('novo@cliente.test')
    assert 'Seu login no portal Contábil Aurora é o e-mail novo@cliente.test.' in new
    token = new.split('/definir-senha/')[1].split()[0]
    assert auth.token_user(token).email == 'novo@cliente.test'
    assert auth.token_user(old_token) is None  # the newest link is the one that works
    for text in by_to.values():
        assert '/definir-senha/' not in text and 'Você já tem senha' in text and '/login' in text
    assert 'senha:' not in new.lower().split('definir minha senha')[0]  # never a password, only the link
    assert announcements.get(o['admin'], row.id).row.template == 'first_use'


def test_a_failed_email_shows_as_failed_and_a_login_disabled_before_its_email(office) -> None:
    o = office
    row = to_list(o, 'A')
    with unit() as session:
        session.get(User, o['logins']['A'][1].id).active = False
    assert announcements.release() == 2
    assert count(OutboxEmail) == 1
    with unit() as session:
        email = session.exec(select(OutboxEmail)).one()
        email.status, email.last_error = 'failed', 'SMTPRecipientsRefused: 550'
    found = {r.user_name: r for r in announcements.recipients(o['admin'], row.id).rows}
    assert found['Contato A1'].status == 'falhou' and '550' in found['Contato A1'].error
    assert found['Contato A2'].status == 'falhou' and 'desativado' in found['Contato A2'].error
    assert announcements.finish() == 1
    with unit() as session:
        session.exec(select(OutboxEmail)).one().last_error = 'later text'
    assert announcements.recipients(o['admin'], row.id, status='falhou').total == 2
    assert announcements.get(o['admin'], row.id).row.counts == announcements.Counts(0, 0, 2, 0)


def test_the_list_pages_and_counts_statuses(office) -> None:
    o = office
    to_list(o, 'A')
    to_list(o, 'B', send_on='05/03/2026', send_time='08:30')
    page = announcements.search(o['admin'])
    assert page.total == 2 and page.counts == {'enviando': 1, 'agendado': 1}
    assert [r.status for r in announcements.search(o['admin'], status='agendado').rows] == ['agendado']
    with unit() as session:
        assert announcements.badge_count(session, o['admin']) == 2


def test_a_login_that_chose_no_email_for_comunicados_gets_it_only_in_the_portal(office, smtp) -> None:
    from conton.services import channels
    o = office
    a1, a2 = o['logins']['A']
    channels.set_preference(actor_of(a1), 'comunicados', 'drawer')  # Painel (sino) only
    row = to_list(o, 'AB')
    assert announcements.release() == 4 and mail.send_due() == 3
    assert sorted(m['To'] for m in smtp.messages) == sorted([a2.email, *(u.email for u in o['logins']['B'])])
    found = {r.user_name: r.status for r in announcements.recipients(o['admin'], row.id).rows}
    assert found == {'Contato A1': 'portal', 'Contato A2': 'enviado', 'Contato B1': 'enviado',
                     'Contato B2': 'enviado'}
    assert [i.subject for i in announcements.portal_list(actor_of(a1))] == ['Recesso de fim de ano']
    assert notifications.unread_counts(actor_of(a1))['comunicados'] == 1  # the drawer row is always written
    assert announcements.finish() == 1
    detail = announcements.get(o['admin'], row.id).row
    assert detail.status == 'enviado' and detail.counts == announcements.Counts(0, 3, 0, 0, 1)
    assert announcements.recipients(o['admin'], row.id, status='portal').total == 1

    # the office default 'Nenhum' for comunicados: no e-mail but to who chose e-mail; first use ignores the choice
    channels.set_default(o['admin'], 'comunicados', 'none')
    channels.set_preference(actor_of(o['logins']['C'][0]), 'comunicados', 'email')
    smtp.messages.clear()
    clock.set_now(NOW + timedelta(hours=1))  # past the pause between batches of comunicado e-mails
    to_list(o, 'C', subject='Horário de verão')
    assert announcements.release() == 2 and mail.send_due() == 1
    assert [m['To'] for m in smtp.messages] == [o['logins']['C'][0].email]
    smtp.messages.clear()
    clock.set_now(NOW + timedelta(hours=2))
    subject, body = announcements.template_text('first_use')
    announcements.create(o['admin'], subject=subject, body=body, audience='list', client_ids=[o['clients'][2].id],
                         template='first_use')
    assert announcements.release() == 2 and mail.send_due() == 2
