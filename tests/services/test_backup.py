"""Backups hold exactly the files their database snapshot refers to, with a manifest that restore verifies; deleted
files wait in the trash. Each restore goes into an empty install (new data folder and, on PostgreSQL, a new empty
database) and must give the same row counts and file hashes."""
from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import shutil
import tarfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from PIL import Image
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from conton import clock, config, jobs
from conton import db as dbmod
from conton.config import get_settings
from conton.services import backup, office, payables, storage
from conton.services.base import unit
from tests.factories import actor_of, make_client, make_office, make_user

# --- round trip ----------------------------------------------------------------------------------------------------

def test_restore_into_an_empty_install_gives_equal_rows_and_files(db, admin, install):
    make_client('Antes do Backup Ltda')
    set_logo(admin, 1)
    bill_id = add_bill(admin, 1)
    counts, files = table_counts(), stored_files()
    assert len(files) == 2 and counts['client'] == 1 and counts['bill'] == 1
    storage.folder_path('logo').joinpath('orphan.png').write_bytes(png(99))  # referenced by nothing: left out
    archive = backup.create(install.path('b.tar.gz'))

    install.switch('restored')
    assert stored_files() == {}
    backup.restore(archive)
    assert table_counts() == counts
    assert stored_files() == files
    assert payables.attachment(admin_of_restored(), bill_id)[2].startswith(b'%PDF')


def test_backup_takes_a_file_deleted_after_the_snapshot_from_the_trash(db, admin, install, monkeypatch):
    """The race of issue 7 made deterministic: right after the snapshot the logo is replaced and the bill deleted
    (their files go away); the archive still has the files the snapshot refers to."""
    set_logo(admin, 1)
    bill_id = add_bill(admin, 1)
    counts, files = table_counts(), stored_files()
    real_stage = backup._stage_files

    def stage_after_changes(refs, staging):
        set_logo(admin, 2)
        payables.delete(admin, [bill_id])
        assert not any((storage.folder_path(folder) / name).exists() for folder, name in refs)
        return real_stage(refs, staging)

    monkeypatch.setattr(backup, '_stage_files', stage_after_changes)
    archive = backup.create(install.path('b.tar.gz'))
    install.switch('restored')
    backup.restore(archive)
    assert table_counts() == counts
    assert stored_files() == files


@pytest.mark.parametrize('run', range(3))
def test_backups_under_concurrent_writes_and_deletes(db, admin, install, monkeypatch, run):
    """Threads keep replacing the logo and adding, re-attaching and deleting bill attachments through the services
    while backups run; each archive restores to the rows and files of its own snapshot."""
    snapshot_counts: list[dict[str, int]] = []
    real_references = backup.references

    def references_and_counts(conn):
        snapshot_counts.append(counts_on(conn))  # same connection, same snapshot as the dump
        return real_references(conn)

    monkeypatch.setattr(backup, 'references', references_and_counts)
    writers = Writers(admin)
    archives = []
    with writers:
        for i in range(2):
            writers.wait_for_progress()
            archives.append(backup.create(install.path(f'b{i}.tar.gz')))
    assert writers.errors == []
    assert writers.deleted > 0 and writers.replaced > 0

    for i, archive in enumerate(archives):
        install.switch(f'restored{i}')
        backup.restore(archive)
        assert table_counts() == snapshot_counts[i]
        files = stored_files()
        assert set(files) == referenced()  # every referenced file, and nothing else
        assert all(files[path] == writers.hashes[path.split('/')[-1]] for path in files)


# --- verification --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('tamper', ['changed_file', 'changed_database', 'extra_file', 'removed_file', 'no_manifest',
                                    'not_gzip', 'link'])
def test_a_tampered_archive_is_refused_and_nothing_changes(db, admin, install, tamper):
    make_client('Original Ltda')
    set_logo(admin, 1)
    add_bill(admin, 1)
    archive = backup.create(install.path('b.tar.gz'))
    bad = install.path('bad.tar.gz')
    TAMPER[tamper](archive, bad)
    make_client('Depois do Backup Ltda')
    set_logo(admin, 2)
    counts, files, listing = table_counts(), stored_files(), data_listing()

    with pytest.raises(backup.InvalidBackup, match='Backup recusado'):
        backup.restore(bad)
    assert (table_counts(), stored_files(), data_listing()) == (counts, files, listing)
    backup.restore(archive)  # the untouched archive still restores
    assert table_counts()['client'] == 1


def test_an_archive_of_the_other_database_kind_is_refused(db, admin, install, monkeypatch):
    archive = backup.create(install.path('b.tar.gz'))
    other = 'conton.pgdump' if db == 'sqlite' else 'conton.db'
    monkeypatch.setattr(backup, 'DB_SQLITE' if db == 'sqlite' else 'DB_PG', other)
    with pytest.raises(backup.InvalidBackup, match='configurado para'):
        backup.restore(archive)


def test_manifest_lists_the_hash_of_database_secret_and_every_file(db, admin, install, monkeypatch):
    monkeypatch.delenv('CONTON_SECRET')
    config.reset_settings()
    get_settings().storage_secret()
    set_logo(admin, 1)
    archive = backup.create(install.path('b.tar.gz'))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile('MANIFEST.json'))
        names = {m.name for m in tar.getmembers()}
        for name, digest in manifest['sha256'].items():
            assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == digest
    assert set(manifest['sha256']) == names - {'MANIFEST.json', 'BACKUP-INFO.txt'}
    assert {'secret.key', manifest['database']} < set(manifest['sha256'])
    assert [n for n in manifest['sha256'] if n.startswith('files/')] == [f'files/logo/{stored_office_logo()}']


def test_every_file_column_is_known_to_the_backup() -> None:
    """A new model column that stores a file name must be added to backup.file_columns()."""
    import conton.models  # noqa: F401
    known = {(col.property.columns[0].table.name, col.property.columns[0].name) for col, _ in backup.file_columns()}
    suspects = {(t.name, c.name) for t in SQLModel.metadata.sorted_tables for c in t.columns
                if c.name.endswith(('_file', '_path', '_filename')) or c.name in {'file', 'stored_name'}}
    assert suspects == known


# --- trash ---------------------------------------------------------------------------------------------------------

async def test_deleted_files_wait_in_the_trash_and_the_job_purges_them_after_the_grace_period(db, admin) -> None:
    first = await upload_logo(1)
    office.set_logo(admin, first)
    office.set_logo(admin, await upload_logo(2))
    trashed = storage.trash_path('logo') / first.name
    assert not first.path.exists() and trashed.read_bytes() == png(1)
    assert 'purge_trash' in {job_id for job_id, _, _ in jobs.JOBS}

    clock.set_now(clock.now() + timedelta(days=storage.TRASH_DAYS - 1))
    await jobs.purge_trash()
    assert trashed.exists()
    clock.set_now(clock.now() + timedelta(days=2))
    await jobs.purge_trash()
    assert not trashed.exists()
    assert stored_files() == {f'logo/{stored_office_logo()}': hashlib.sha256(png(2)).hexdigest()}


# --- helpers -------------------------------------------------------------------------------------------------------

@pytest.fixture
def admin(db):
    make_office()
    return actor_of(make_user('admin'))


class Install:
    """Switch the app to another, empty install: a new data folder and, on PostgreSQL, a new empty database."""

    def __init__(self, kind: str, tmp_path: Path, monkeypatch) -> None:
        self.kind, self.tmp_path, self.monkeypatch = kind, tmp_path, monkeypatch
        self.base_url = os.environ['CONTON_DATABASE_URL']
        self.databases: list[str] = []

    def path(self, name: str) -> Path:
        return self.tmp_path / name

    def switch(self, name: str) -> None:
        data = self.tmp_path / name
        data.mkdir()
        if self.kind == 'sqlite':
            url = f'sqlite:///{data / "conton.db"}'
        else:
            url = make_url(self.base_url)
            url = url.set(database=f'{url.database}_{name}').render_as_string(hide_password=False)
            self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)',
                        f'CREATE DATABASE "{make_url(url).database}"')
            self.databases.append(url)
        self.monkeypatch.setenv('CONTON_DATA_DIR', str(data))
        self.monkeypatch.setenv('CONTON_DATABASE_URL', url)
        reset()

    def close(self) -> None:
        reset()
        for url in self.databases:
            self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def _admin(self, *statements: str) -> None:
        """Runs each statement, retrying a DROP DATABASE while a superuser's backend (an autovacuum worker busy with
        the freshly restored database) is still connected: WITH (FORCE) may not end another role's process, so the
        CI role waits for it to finish instead (up to the suite's deadline, never a fixed number of tries)."""
        import time

        from sqlalchemy.exc import OperationalError, ProgrammingError

        from tests.helpers import DEADLINE
        engine = create_engine(self.base_url, isolation_level='AUTOCOMMIT')
        try:
            for statement in statements:
                give_up = time.monotonic() + DEADLINE
                while True:
                    try:
                        with engine.connect() as conn:
                            conn.execute(text(statement))
                        break
                    except (OperationalError, ProgrammingError):
                        if not statement.startswith('DROP DATABASE') or time.monotonic() > give_up:
                            raise
                        time.sleep(0.2)
        finally:
            engine.dispose()


@pytest.fixture
def install(db, tmp_path, monkeypatch):
    if db == 'postgresql' and not (shutil.which('pg_dump') and shutil.which('pg_restore')):
        pytest.skip('pg_dump/pg_restore not installed')
    place = Install(db, tmp_path, monkeypatch)
    yield place
    place.close()


def reset() -> None:
    config.reset_settings()
    dbmod.reset_engine()
    office.reset_cache()


class Writers:
    """Two threads writing through the services until the block ends: one replaces the office logo, the other adds
    bills with attachments, replaces some attachments and deletes older bills."""

    def __init__(self, admin) -> None:
        self.admin = admin
        self.hashes: dict[str, str] = {}  # stored file name -> sha256 of what was uploaded
        self.errors: list[BaseException] = []
        self.replaced = self.deleted = 0
        self.rounds = {'logo': 0, 'bills': 0}
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._threads = [threading.Thread(target=self._loop, args=(name, step), daemon=True)
                         for name, step in (('logo', self._logo_step), ('bills', self._bill_step))]
        self._bills: list = []

    def __enter__(self) -> Writers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def wait_for_progress(self) -> None:
        """Wait until both writers finished another two rounds (or one failed)."""
        with self._progress:
            seen = dict(self.rounds)
            ok = self._progress.wait_for(lambda: self.errors or all(self.rounds[k] >= seen[k] + 2 for k in seen),
                                         timeout=600)  # a guard against a hang, not a timing assertion
        assert ok and not self.errors, self.errors

    def _loop(self, name: str, step) -> None:
        n = 0
        try:
            while not self._stop.is_set():
                n += 1
                step(n)
                with self._progress:
                    self.rounds[name] += 1
                    self._progress.notify_all()
        except BaseException as e:  # noqa: BLE001
            with self._progress:
                self.errors.append(e)
                self._progress.notify_all()

    def _logo_step(self, n: int) -> None:
        stored = asyncio.run(upload_logo(n))
        self.hashes[stored.name] = stored.sha256
        office.set_logo(self.admin, stored)
        self.replaced += 1

    def _bill_step(self, n: int) -> None:
        self._bills.append(add_bill(self.admin, n, hashes=self.hashes))
        if n % 3 == 0:
            stored = asyncio.run(upload_pdf(self.admin, 10_000 + n))
            self.hashes[stored.name] = stored.sha256
            payables.set_attachment(self.admin, self._bills[-1], stored)
        if len(self._bills) > 2:
            payables.delete(self.admin, [self._bills.pop(0)])
            self.deleted += 1


def png(n: int) -> bytes:
    out = io.BytesIO()
    Image.new('RGB', (8, 8), (n % 256, n // 256 % 256, 7)).save(out, format='PNG')
    return out.getvalue()


def pdf(n: int) -> bytes:
    return b'%PDF-1.4\n%' + str(n).encode() + b'\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'


async def upload_logo(n: int) -> storage.Stored:
    return await storage.save_bytes(png(n), original_name='logo.png', folder=office.LOGO_FOLDER,
                                    max_bytes=office.LOGO_MAX_BYTES, allowed=storage.IMAGES)


async def upload_pdf(admin, n: int) -> storage.Stored:
    return await payables.save_attachment(admin, SmallFileUpload(f'boleto-{n}.pdf', 'application/pdf', pdf(n)))


def set_logo(admin, n: int) -> None:
    office.set_logo(admin, asyncio.run(upload_logo(n)))


def add_bill(admin, n: int, hashes: dict | None = None):
    stored = asyncio.run(upload_pdf(admin, n))
    if hashes is not None:
        hashes[stored.name] = stored.sha256
    [bill_id] = payables.create(admin, description=f'Conta {n}', amount='10,00', due_date='20/11/2026',
                                attachment=stored)
    return bill_id


def admin_of_restored():
    from sqlmodel import select as sm_select

    from conton.models import User
    with unit() as session:
        return actor_of(session.exec(sm_select(User).where(User.role == 'admin')).first())


def stored_office_logo() -> str:
    from conton.models import Office
    with unit() as session:
        return session.get(Office, 1).logo_file


def counts_on(conn) -> dict[str, int]:
    import conton.models  # noqa: F401
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables}


def table_counts() -> dict[str, int]:
    with dbmod.get_engine().connect() as conn:
        return counts_on(conn)


def referenced() -> set[str]:
    with dbmod.get_engine().connect() as conn:
        return {f'{folder}/{name}' for folder, name in backup.references(conn)}


def stored_files() -> dict[str, str]:
    """'folder/name' -> sha256 of every file in the data folder's files/."""
    root = get_settings().data_dir / 'files'
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob('*') if p.is_file()} if root.exists() else {}


def data_listing() -> dict[str, str]:
    root = get_settings().data_dir
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob('*') if p.is_file() and not p.name.startswith('conton.db')}  # the db: by its rows


def _rewrite(source: Path, target: Path, change) -> None:
    """Copy an archive member by member; change(name, data) returns new bytes, None to drop, or a list of extra
    (name, data) members when called with name None at the end."""
    with tarfile.open(source) as src, tarfile.open(target, 'w:gz') as out:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            if data is not None:
                info = tarfile.TarInfo(member.name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))
        for name, data in change(None, b'') or []:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def _flip(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _with_link(source: Path, target: Path) -> None:
    """Stored files replaced by links to the secret (the manifest still lists them)."""
    with tarfile.open(source) as src:
        members = [(m, src.extractfile(m).read()) for m in src.getmembers()]
    with tarfile.open(target, 'w:gz') as out:
        for member, data in members:
            if member.name.startswith('files/'):
                link = tarfile.TarInfo(member.name)
                link.type, link.linkname = tarfile.SYMTYPE, 'secret.key'
                out.addfile(link)
            else:
                out.addfile(member, io.BytesIO(data))


TAMPER = {
    'changed_file': lambda a, b: _rewrite(a, b, lambda n, d: _flip(d) if n and n.startswith('files/logo/') else
                                          (d if n else None)),
    'changed_database': lambda a, b: _rewrite(a, b, lambda n, d: _flip(d) if n in ('conton.db', 'conton.pgdump') else
                                              (d if n else None)),
    'extra_file': lambda a, b: _rewrite(a, b, lambda n, d: d if n else [('files/logo/extra.png', png(5))]),
    'removed_file': lambda a, b: _rewrite(a, b, lambda n, d: None if (n or '').startswith('files/bills/') else
                                          (d if n else None)),
    'no_manifest': lambda a, b: _rewrite(a, b, lambda n, d: None if n in ('MANIFEST.json', None) else d),
    'not_gzip': lambda a, b: b.write_bytes(a.read_bytes()[:200]),
    'link': _with_link,
}
