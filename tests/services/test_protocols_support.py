"""What the Protocolos pages ask of services/protocols.py beyond sending and receipt: the new protocol's client picker
(a page of active clients, searched on the server) and documents picker (that client's Arquivos files only), every
bad field of a new protocol reported at once, the protocol's own document download (staff with Protocolos, or the
client's logins, who record "Visualizado"), and the numbers of the list's views and the home badges."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import pytest
from nicegui.elements.upload_files import SmallFileUpload

from conton import clock
from conton.models import DocFile
from conton.services import files, home, protocols
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf

NOON = datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc)


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def office():
    clock.set_now(NOON)
    make_office()
    admin = actor_of(make_user('admin'))
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    make_client('Gama Inativa Ltda', active=False)
    return dict(admin=admin, alfa=alfa, beta=beta, login_a=actor_of(make_user('client', client=alfa), '203.0.113.9'),
                login_b=actor_of(make_user('client', client=beta)))


def pdf(name: str) -> SmallFileUpload:
    return SmallFileUpload(name, 'application/pdf', real_pdf())


def send(o, client, due: date | None = date(2026, 11, 20), **extra) -> protocols.ProtocolRow:
    return run(protocols.create(o['admin'], client_id=client.id, kind='guia', due_date=due,
                                uploads=[pdf('guia.pdf')], **extra))


def test_client_options_page_search_and_permissions(office) -> None:
    for n in range(5):
        make_client(f'Comércio {n} Ltda')
    assert len(protocols.client_options(office['admin'], limit=3)) == 3
    found = protocols.client_options(office['admin'], 'oficina')
    assert list(found) == [str(office['beta'].id)] and found[str(office['beta'].id)].startswith('Beta Oficina Ltda — ')
    assert 'Gama' not in ' '.join(protocols.client_options(office['admin'], limit=50).values())  # inactive
    assert list(protocols.client_options(office['admin'], 'oficina', include=office['alfa'].id)) == \
        [str(office['beta'].id), str(office['alfa'].id)]
    reader = actor_of(make_user('staff', permissions={'protocols': 'read'}))
    for actor in (reader, office['login_a']):
        with pytest.raises(PermissionDenied):
            protocols.client_options(actor)


def test_client_files_are_that_clients_arquivos_only(office) -> None:
    admin = office['admin']
    [contract, statement, attachment] = run(files.publish(admin, [pdf('Contrato.pdf'), pdf('Extrato.pdf'),
                                                                  pdf('Anexo.pdf')], client_ids=[office['alfa'].id]))
    run(files.publish(admin, [pdf('Da Beta.pdf')], client_ids=[office['beta'].id]))
    files.delete(admin, [statement.id])
    with unit() as session:  # a request's attachment is not an Arquivos file
        session.get(DocFile, attachment.id).origin = 'request'
    assert [f.name for f in protocols.client_files(admin, office['alfa'].id)] == ['Contrato.pdf']
    assert protocols.client_files(admin, office['alfa'].id, 'extrato') == []
    assert [f.name for f in protocols.client_files(admin, office['alfa'].id, 'zzz', include=[contract.id])] == \
        ['Contrato.pdf']
    assert protocols.client_files(admin, office['alfa'].id, 'zzz', include=[attachment.id, statement.id]) == []
    for file_id in (attachment.id, statement.id):  # nor may a protocol take them by id
        with pytest.raises(NotFound):
            run(protocols.create(admin, client_id=office['alfa'].id, kind='guia', file_ids=[file_id]))
    with pytest.raises(PermissionDenied):
        protocols.client_files(office['login_a'], office['alfa'].id)


def test_every_bad_field_of_a_new_protocol_at_once(office) -> None:
    with pytest.raises(ValidationError) as e:
        run(protocols.create(office['admin'], client_id='', kind='', competence='13/2026', amount='abc',
                             due_date='31/02/2026'))
    assert set(e.value.errors) == {'client_id', 'kind', 'competence', 'amount', 'due_date', 'files'}
    assert e.value.errors['client_id'] == 'Escolha o cliente.'
    assert e.value.errors['files'] == 'Anexe pelo menos um documento.'
    assert protocols.search(office['admin']).total == 0


def test_document_download_of_a_protocol(office) -> None:
    row = send(office, office['alfa'])
    [doc] = protocols.get(office['admin'], row.id).files
    [elsewhere] = run(files.publish(office['admin'], [pdf('Outro.pdf')], client_ids=[office['alfa'].id]))
    reader = actor_of(make_user('staff', permissions={'protocols': 'read'}))  # no Arquivos
    found = protocols.download(reader, row.id, doc.id)
    assert found.name == 'guia.pdf' and found.size == doc.size
    assert protocols.get(office['admin'], row.id).protocol.viewed_at is None  # staff record nothing
    for actor, pid, fid in ((reader, row.id, elsewhere.id), (office['login_b'], row.id, doc.id),
                            (actor_of(make_user('staff', permissions={'files': 'write'})), row.id, doc.id)):
        with pytest.raises((NotFound, PermissionDenied)):
            protocols.download(actor, pid, fid)
    protocols.download(office['login_a'], row.id, doc.id, '198.51.100.4')
    p = protocols.get(office['admin'], row.id).protocol
    assert (p.status, p.viewed_ip) == ('visualizado', '198.51.100.4')
    assert [e.kind for e in protocols.get(office['admin'], row.id).events][-2:] == ['viewed', 'downloaded']


def test_counts_and_home_badges(office) -> None:
    late = send(office, office['alfa'], due=date(2026, 11, 5))  # unopened past its due date
    send(office, office['alfa'])
    send(office, office['beta'], due=date(2026, 11, 1))
    protocols.confirm(office['login_b'], protocols.search(office['login_b']).rows[0].id)
    assert protocols.counts(office['admin']) == protocols.Counts(pending=2, overdue=1)
    assert protocols.counts(office['login_a']) == protocols.Counts(pending=2, overdue=1)
    assert protocols.counts(office['login_b']) == protocols.Counts(pending=0, overdue=0)
    tiles = {t.tool.key: t for t in home.quick_access(office['admin'])}
    assert (tiles['protocols'].badge, tiles['protocols'].hint) == (1, 'vencidos sem visualização')
    assert {t.tool.key: t.badge for t in home.quick_access(office['login_a'])}['portal_protocols'] == 2
    assert {t.tool.key: t.badge for t in home.quick_access(office['login_b'])}['portal_protocols'] == 0
    protocols.view(office['login_a'], late.id)
    assert protocols.counts(office['admin']).overdue == 0
