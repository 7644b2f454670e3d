"""Upgrade-with-data check of revision 0006 (Arquivos and Protocolos), registered in test_upgrades.py: an office with
a client, its login and a bill with an attached file at 0005; at head the old client gets folders from a template,
files both ways and a protocol its login opens, the backup finds the new documents beside the old attachment, and
the integrity check finds every document whole."""
from __future__ import annotations

import asyncio

from nicegui.elements.upload_files import SmallFileUpload
from sqlalchemy import select

from conton import clock, db
from conton.models import User
from conton.services import auth, backup, clients, files, payables, protocols, users
from conton.services.base import unit
from tests.factories import cnpj

PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'


def fill(ctx) -> dict:
    clock.set_now(None)
    admin = ctx.admin
    client = clients.create(admin, kind='PJ', document=cnpj(7201), name='Padaria Pão Quente Ltda',
                            tax_regime='Simples Nacional', fee='500,00', due_day='10')
    login = users.create_client_login(admin, client.id, name='Dono da Padaria', email='dono@paoquente.test')
    stored = asyncio.run(payables.save_attachment(admin, SmallFileUpload('boleto.pdf', 'application/pdf', PDF)))
    [bill] = payables.create(admin, description='Aluguel', amount='3.200,00', due_date=clock.today(),
                             attachment=stored)
    return dict(client=client.id, login=login.id, bill=bill)


def check(ctx, state: dict) -> None:
    admin = ctx.admin
    with unit() as session:
        client_actor = auth.to_actor(session.get(User, state['login']))
    files.create_template(admin, 'Fiscal/{aaaa-mm}', open_for_uploads=True)
    [folder] = files.folders(client_actor)
    assert folder.path == files.expand_template('Fiscal/{aaaa-mm}', clock.today()) and folder.open_for_uploads
    [sent] = asyncio.run(files.publish(admin, [SmallFileUpload('guia.pdf', 'application/pdf', PDF)],
                                       client_ids=[state['client']], folder_id=folder.id))
    [received] = asyncio.run(files.upload(client_actor, [SmallFileUpload('extrato.pdf', 'application/pdf', PDF)]))
    row = asyncio.run(protocols.create(admin, client_id=state['client'], kind='guia', competence='10/2026',
                                       file_ids=[sent.id]))
    assert protocols.view(client_actor, row.id, '203.0.113.7').protocol.status == 'visualizado'
    assert files.search(admin, client_id=state['client']).total == 2 and received.in_inbox
    with db.get_engine().connect() as conn:
        refs = backup.references(conn)
    assert {folder for folder, _ in refs} == {payables.ATTACHMENT_FOLDER, files.FOLDER} and len(refs) == 3
    assert payables.attachment(admin, state['bill']) == ('boleto.pdf', 'application/pdf', PDF)
    report = files.integrity_check()
    assert report.ok and report.files_checked == 2
    with unit() as session:
        assert session.exec(select(User.id).where(User.id == state['login'])).first() is not None
