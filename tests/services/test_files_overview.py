"""Arquivos service pieces the pages stand on: a client's overview (folders with counts, inbox, usage) in a few
queries and scoped to the login's client, the staff client picker's server-side search, the 'top' (no folder)
filter, and deleting a folder whose only files are in the trash."""
from __future__ import annotations

import asyncio

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlalchemy import event

from conton import db
from conton.services import files
from conton.services.errors import NotFound, PermissionDenied
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf


def up(name: str) -> SmallFileUpload:
    return SmallFileUpload(name, 'application/pdf', real_pdf())


@pytest.fixture
def office():
    make_office()
    admin = actor_of(make_user('admin'))
    alfa = make_client('Alfa Padaria Ltda', document='11222333000181')
    beta = make_client('Beta Oficina Ltda')
    make_client('Gama Inativa Ltda', active=False)
    return dict(admin=admin, alfa=alfa, beta=beta, login_a=actor_of(make_user('client', client=alfa)),
                login_b=actor_of(make_user('client', client=beta)))


def test_overview_counts_folders_inbox_and_usage_in_three_queries(office) -> None:
    admin, alfa = office['admin'], office['alfa']
    opened = files.create_folder(admin, alfa.id, 'Documentos', open_for_uploads=True)
    files.create_folder(admin, alfa.id, 'Fiscal/2026-10')
    asyncio.run(files.publish(admin, [up('a.pdf'), up('b.pdf')], client_ids=[alfa.id], folder_path='Fiscal/2026-10'))
    asyncio.run(files.publish(admin, [up('solto.pdf')], client_ids=[alfa.id]))
    [first, _] = asyncio.run(files.upload(office['login_a'], [up('x.pdf'), up('y.pdf')]))
    asyncio.run(files.upload(office['login_a'], [up('z.pdf')], folder_id=opened.id))
    asyncio.run(files.publish(admin, [up('beta.pdf')], client_ids=[office['beta'].id]))
    files.download(admin, first.id)
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.get_engine(), 'before_cursor_execute', listen)
    try:
        info = files.overview(admin, alfa.id)
    finally:
        event.remove(db.get_engine(), 'before_cursor_execute', listen)
    assert len([s for s in statements if s.lstrip().upper().startswith('SELECT')]) <= 4  # + the login re-check
    assert info.name == 'Alfa Padaria Ltda' and info.top_level == 1 and (info.inbox, info.inbox_new) == (2, 1)
    counts = {f.folder.path: (f.office_files, f.client_files, f.new_uploads) for f in info.folders}
    assert counts == {'Documentos': (0, 1, 1), 'Fiscal/2026-10': (2, 0, 0)}
    assert [f.path for f in info.open_folders] == ['Documentos']
    assert info.usage.used == 6 * len(real_pdf()) and info.folder(str(opened.id)).path == 'Documentos'
    assert info.folder('not-an-id') is None
    # a client login: its own, whatever it asks for
    assert files.overview(office['login_b'], alfa.id).name == 'Beta Oficina Ltda'
    assert files.overview(office['login_b']).folders == []
    top = files.search(admin, client_id=alfa.id, folder=files.TOP)
    assert [r.name for r in top.rows] == ['solto.pdf']


def test_overview_of_a_missing_client_is_not_found(office) -> None:
    import uuid
    with pytest.raises(NotFound):
        files.overview(office['admin'], uuid.uuid4())
    with pytest.raises(NotFound):
        files.overview(office['admin'], 'x')


def test_client_options_search_on_the_server_and_only_for_staff_with_arquivos(office) -> None:
    admin = office['admin']
    listed = list(files.client_options(admin).values())
    assert listed[0] == 'Alfa Padaria Ltda — 11.222.333/0001-81' and listed[1].startswith('Beta Oficina Ltda — ')
    assert len(listed) == 2
    assert list(files.client_options(admin, 'padaria')) == [str(office['alfa'].id)]
    assert list(files.client_options(admin, '11.222.333')) == [str(office['alfa'].id)]
    assert files.client_options(admin, 'gama') == {}  # inactive ones are not offered
    assert files.client_options(admin, '%') == {} and files.client_options(admin, '_') == {}
    assert list(files.client_options(admin, 'beta', include=[office['alfa'].id])) == [str(office['beta'].id),
                                                                                      str(office['alfa'].id)]
    assert len(files.client_options(admin, limit=1)) == 1
    with pytest.raises(PermissionDenied):
        files.client_options(office['login_a'])
    with pytest.raises(PermissionDenied):
        files.client_options(actor_of(make_user('staff', permissions={'receivables': 'write'})))


def test_a_folder_whose_files_are_all_in_the_trash_can_be_deleted(office) -> None:
    admin, alfa = office['admin'], office['alfa']
    folder = files.create_folder(admin, alfa.id, 'Folha')
    [row] = asyncio.run(files.publish(admin, [up('folha.pdf')], client_ids=[alfa.id], folder_id=folder.id))
    files.delete(admin, [row.id])
    files.delete_folder(admin, folder.id)
    assert files.folders(admin, alfa.id) == []
