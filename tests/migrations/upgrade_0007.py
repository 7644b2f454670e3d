"""Upgrade-with-data check of revision 0007 (issue 11: Solicitações, Pedidos de documentos, Comunicados,
Atendimentos, office settings, DocFile.origin), registered in test_upgrades.py: at 0006 an office with a client, its
login and a file in Arquivos (SQL: today's DocFile has a column 0006 lacks); at head the old file is still an Arquivos
file (origin '') its login lists and downloads, the five request categories are there in order, the office settings
read their defaults and take a change, the new categories notify, every new table takes its rows (a request thread
with an internal note's attachment the client cannot open, a document request exactly once per rule and
competência, a comunicado with an attachment the backup finds, an atendimento linked to the request)."""
from __future__ import annotations

import hashlib
import uuid
from datetime import date

import pytest
from sqlalchemy import BigInteger, DateTime, Uuid, column, exc, insert, table
from sqlmodel import select

from conton import clock, db
from conton.models import (Announcement, AnnouncementAttachment, AnnouncementRecipient, ClientRequest, DocFile,
                           DocRequest, DocRequestRule, Notification, RequestAttachment, RequestCategory,
                           RequestMessage, ServiceRecord, User)
from conton.models.announcements import ATTACHMENT_FOLDER
from conton.services import auth, backup, clients, files, notifications, office_settings, storage, users
from conton.services.base import unit
from conton.services.errors import NotFound
from tests.factories import cnpj

PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'


def fill(ctx) -> dict:
    clock.set_now(None)
    admin = ctx.admin
    client = clients.create(admin, kind='PJ', document=cnpj(7301), name='Padaria Pão Quente Ltda',
                            tax_regime='Simples Nacional', fee='500,00', due_day='10')
    login = users.create_client_login(admin, client.id, name='Dono da Padaria', email='dono@paoquente.test')
    stored = f'{uuid.uuid4().hex}.pdf'
    (storage.folder_path(files.FOLDER) / stored).write_bytes(PDF)
    file_id = uuid.uuid4()
    cols = dict(id=Uuid(), client_id=Uuid(), original_name=None, search_name=None, size=BigInteger(), mime=None,
                type_label=None, sha256=None, stored_name=None, sender_id=Uuid(), sender_side=None, note=None,
                competence=None, created_at=DateTime(timezone=True))
    docfile = table('docfile', *[column(name, kind) if kind is not None else column(name)
                                 for name, kind in cols.items()])
    with db.get_engine().begin() as conn:
        conn.execute(insert(docfile).values(
            id=file_id, client_id=client.id, original_name='guia.pdf', search_name='guia.pdf', size=len(PDF),
            mime='application/pdf', type_label='PDF', sha256=hashlib.sha256(PDF).hexdigest(), stored_name=stored,
            sender_id=admin.user_id, sender_side='office', note='', competence='', created_at=clock.now()))
    return dict(client=client.id, login=login.id, file=file_id)


def check(ctx, state: dict) -> None:
    admin = ctx.admin
    with unit() as session:
        client_actor = auth.to_actor(session.get(User, state['login']))
        assert session.get(DocFile, state['file']).origin == ''
        names = session.exec(select(RequestCategory.name).order_by(RequestCategory.position)).all()
        assert names == ['Certidão', 'Alteração contratual', 'Dúvida fiscal', 'Folha', 'Outro']
        category = session.exec(select(RequestCategory.id).where(RequestCategory.position == 5)).one()
    assert [r.id for r in files.search(client_actor).rows] == [state['file']]
    assert files.download(client_actor, state['file']).name == 'guia.pdf'

    assert office_settings.get_int('requests.reopen_days') == 7
    office_settings.set(admin, 'requests.reopen_days', '10')
    assert office_settings.get_int('requests.reopen_days') == 10

    with unit() as session:
        notifications.notify(session, [state['login']], 'comunicados', 'Horário de fim de ano')
        notifications.notify(session, [state['login']], 'documentos', 'Extrato bancário 10/2026')
    counts = notifications.unread_counts(client_actor)
    assert counts['comunicados'] == counts['documentos'] == 1

    note_file = uuid.uuid4()
    with unit() as session:
        request = ClientRequest(number=1, client_id=state['client'], subject='Certidão negativa', category_id=category,
                                opened_by=state['login'], opened_side='client')
        session.add(request)
        session.flush()
        note = RequestMessage(request_id=request.id, author_id=admin.user_id, author_side='office',
                              body='Conferir a procuração.' * 500, internal=True)
        session.add(note)
        stored = f'{uuid.uuid4().hex}.pdf'
        (storage.folder_path(files.FOLDER) / stored).write_bytes(PDF)
        session.add(DocFile(id=note_file, client_id=state['client'], original_name='procuracao.pdf', size=len(PDF),
                            mime='application/pdf', sha256=hashlib.sha256(PDF).hexdigest(), stored_name=stored,
                            sender_id=admin.user_id, sender_side='office', origin='internal'))
        session.flush()
        session.add(RequestAttachment(message_id=note.id, file_id=note_file))
        session.add(ServiceRecord(client_id=state['client'], channel='telefone', subject='Certidão',
                                  staff_id=admin.user_id, happened_on=clock.today(), request_id=request.id))
        announcement = Announcement(subject='Bem-vindo ao portal', body='Texto longo ' * 1000, created_by=admin.user_id)
        session.add(announcement)
        session.flush()
        session.add(AnnouncementAttachment(announcement_id=announcement.id, original_name='manual.pdf',
                                           stored_name='manual-0007.pdf', size=len(PDF), sha256='0' * 64,
                                           mime='application/pdf'))
        session.add(AnnouncementRecipient(announcement_id=announcement.id, client_id=state['client'],
                                          user_id=state['login'], email='dono@paoquente.test'))
        rule = DocRequestRule(client_id=state['client'], title='Extrato bancário {mm/aaaa}', due_day=5)
        session.add(rule)
        session.flush()
        session.add(DocRequest(client_id=state['client'], rule_id=rule.id, competence='2026-10',
                               title='Extrato bancário 10/2026', due_date=date(2026, 11, 5)))
        rule_id = rule.id
    assert [r.id for r in files.search(admin, client_id=state['client']).rows] == [state['file']]
    with pytest.raises(NotFound):
        files.download(client_actor, note_file)
    with pytest.raises(exc.IntegrityError):
        with unit() as session:
            session.add(DocRequest(client_id=state['client'], rule_id=rule_id, competence='2026-10',
                                   title='Extrato bancário 10/2026', due_date=date(2026, 11, 5)))
    with db.get_engine().connect() as conn:
        refs = backup.references(conn)
    assert (ATTACHMENT_FOLDER, 'manual-0007.pdf') in refs and {f for f, _ in refs} == {files.FOLDER, ATTACHMENT_FOLDER}
    with unit() as session:
        assert len(session.exec(select(RequestMessage.body)).one()) == len('Conferir a procuração.') * 500
        assert session.exec(select(Notification.id).where(Notification.category == 'comunicados')).first()
