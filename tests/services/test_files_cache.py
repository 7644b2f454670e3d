"""services/readcache.py for Arquivos' counts (a client's overview, a list's total) are counted once and then read from
the cache until the docfile table is written — by the Arquivos services, by any other service or by a plain Core
statement — so that a page of a 50,000-file folder does not count every row on each render. Never stale, never
another client's."""
from __future__ import annotations

import asyncio

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlalchemy import event, update
from sqlmodel import select

from conton import db
from conton.models import DocFile
from conton.services import files, readcache
from conton.services.base import unit
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf


def up(name: str) -> SmallFileUpload:
    return SmallFileUpload(name, 'application/pdf', real_pdf())


@pytest.fixture
def office():
    make_office()
    readcache.clear()
    admin = actor_of(make_user('admin'))
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    return dict(admin=admin, alfa=alfa, beta=beta, login_a=actor_of(make_user('client', client=alfa)),
                login_b=actor_of(make_user('client', client=beta)))


class Statements:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __enter__(self) -> Statements:
        event.listen(db.get_engine(), 'before_cursor_execute', self._add)
        return self

    def __exit__(self, *_) -> None:
        event.remove(db.get_engine(), 'before_cursor_execute', self._add)

    def _add(self, *args) -> None:
        self.seen.append(args[2])

    def counting(self) -> int:
        return sum(1 for s in self.seen if 'count(' in s.lower())


def counts(info: files.ClientFiles) -> tuple:
    return info.top_level, info.inbox, info.inbox_new, info.usage.used, \
        {f.folder.path: (f.office_files, f.client_files, f.new_uploads) for f in info.folders}


def test_the_overview_counts_once_then_follows_every_write(office) -> None:
    admin, alfa, login_a = office['admin'], office['alfa'], office['login_a']
    files.create_folder(admin, alfa.id, 'Fiscal')
    asyncio.run(files.publish(admin, [up('a.pdf'), up('b.pdf')], client_ids=[alfa.id], folder_path='Fiscal'))
    files.overview(admin, alfa.id)  # the first read after the engine is watched
    files.overview(admin, alfa.id)
    with Statements() as seen:
        info = files.overview(admin, alfa.id)
    assert seen.counting() == 0, seen.seen  # read from the cache
    size = len(real_pdf())
    assert counts(info) == (0, 0, 0, 2 * size, {'Fiscal': (2, 0, 0)})

    [sent] = asyncio.run(files.upload(login_a, [up('x.pdf')]))  # through the service
    assert counts(files.overview(admin, alfa.id)) == (0, 1, 1, 3 * size, {'Fiscal': (2, 0, 0)})
    files.download(admin, sent.id)  # the office's first download: an UPDATE
    assert counts(files.overview(admin, alfa.id))[:3] == (0, 1, 0)
    files.delete(admin, [sent.id])
    assert counts(files.overview(admin, alfa.id)) == (0, 0, 0, 2 * size, {'Fiscal': (2, 0, 0)})

    with unit() as session:  # a plain Core statement by some other code: the cache hears it too
        session.exec(update(DocFile).where(DocFile.client_id == alfa.id).values(folder_id=None))
    assert counts(files.overview(admin, alfa.id)) == (2, 0, 0, 2 * size, {'Fiscal': (0, 0, 0)})
    with unit() as session:  # and a write rolled back changes nothing, but is not served stale either
        session.exec(update(DocFile).where(DocFile.client_id == alfa.id).values(sender_side='client'))
        session.rollback()
    assert counts(files.overview(admin, alfa.id)) == (2, 0, 0, 2 * size, {'Fiscal': (0, 0, 0)})


def test_cached_counts_are_never_another_clients(office) -> None:
    admin, alfa, beta = office['admin'], office['alfa'], office['beta']
    asyncio.run(files.publish(admin, [up('a.pdf'), up('b.pdf'), up('c.pdf')], client_ids=[alfa.id]))
    for _ in range(2):
        assert files.overview(office['login_a']).top_level == 3
        assert files.overview(office['login_b']).top_level == 0
        assert files.overview(office['login_b'], alfa.id).top_level == 0  # a client login: its own, whatever it asks
        assert files.overview(admin, beta.id).top_level == 0
    for _ in range(2):
        assert files.search(office['login_a'], per_page=2).total == 3
        assert files.search(office['login_b'], per_page=2).total == 0
        assert files.search(office['login_b'], client_id=alfa.id, per_page=2).total == 0


def test_a_lists_total_is_counted_once_then_follows_every_write(office) -> None:
    admin, alfa = office['admin'], office['alfa']
    asyncio.run(files.publish(admin, [up(f'{n}.pdf') for n in range(5)], client_ids=[alfa.id]))
    files.search(admin, client_id=alfa.id, per_page=2)
    files.search(admin, client_id=alfa.id, per_page=2)
    with Statements() as seen:
        page = files.search(admin, client_id=alfa.id, per_page=2)
    assert (page.total, page.pages, len(page.rows)) == (5, 3, 2) and seen.counting() == 0
    assert files.search(admin, client_id=alfa.id, per_page=2, text='1').total == 1  # other filters, other totals
    assert files.search(admin, client_id=alfa.id, per_page=2, sender='client').total == 0
    asyncio.run(files.publish(admin, [up('novo.pdf')], client_ids=[alfa.id]))
    assert files.search(admin, client_id=alfa.id, per_page=2).total == 6
    with unit() as session:
        first = session.exec(select(DocFile).where(DocFile.original_name == '0.pdf')).one()
    files.delete(admin, [first.id])
    assert files.search(admin, client_id=alfa.id, per_page=2).total == 5
