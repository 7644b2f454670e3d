"""Backups: one archive with a database snapshot, the secret and exactly the stored files that snapshot refers to,
plus a manifest of SHA-256 hashes; restore verifies the whole archive before it changes anything.

SQLite is copied with its online backup API; PostgreSQL is dumped by pg_dump inside the snapshot of a REPEATABLE
READ transaction (`pg_export_snapshot`), so the file references are read from the very state that is dumped. The
referenced files are hard-linked (or copied) into a staging folder before archiving: a file the app replaces or
deletes meanwhile went to the trash (storage.remove) and is taken from there. PostgreSQL needs the client tools
of the server's major version.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, make_url

from ..clock import local, now
from ..config import get_settings, secure_data_dir
from . import storage

DB_SQLITE = 'conton.db'
DB_PG = 'conton.pgdump'
SECRET = 'secret.key'
FILES = 'files'
MANIFEST = 'MANIFEST.json'
INFO = 'BACKUP-INFO.txt'
FORMAT = 1


class InvalidBackup(ValueError):
    """The archive is not a complete, unaltered Conton backup for this database (message in Portuguese)."""


@dataclass
class Result:
    path: Path
    files: int
    missing: list[str] = field(default_factory=list)  # referenced by the database but absent from the data folder


def create(output: Path | None = None) -> Path:
    return create_backup(output).path


def create_backup(output: Path | None = None) -> Result:
    settings = get_settings()
    stamp = local(now()).strftime('%Y%m%d-%H%M%S')
    if output is None:
        folder = settings.data_dir / 'backups'
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        output = folder / f'conton-{stamp}.tar.gz'
    staging = Path(tempfile.mkdtemp(prefix='.backup-', dir=settings.data_dir))  # same disk as files/: hard links
    try:
        dump, references = _snapshot(settings.db_url, staging)
        entries = [dump.name]
        secret = settings.data_dir / SECRET
        if secret.exists():
            shutil.copyfile(secret, staging / SECRET)
            entries.append(SECRET)
        staged, missing = _stage_files(references, staging)
        entries += staged
        manifest = {'format': FORMAT, 'created': now().isoformat(), 'database': dump.name,
                    'sha256': {name: _sha256(staging / name) for name in entries}, 'missing': missing}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        (staging / INFO).write_text(f'Conton backup {stamp}\nVerificado por `conton restore` (MANIFEST.json).\n')
        _write_archive(output, staging, [MANIFEST, INFO, *entries])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Result(output, len(staged), missing)


def restore(archive: Path) -> None:
    """Replace the database, the stored files and (without CONTON_SECRET) the secret with the archive's. The archive
    is verified first: an incomplete or altered one raises InvalidBackup and nothing is changed. Stop the app
    before, start it after."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    sqlite = settings.db_url.startswith('sqlite')
    staging = Path(tempfile.mkdtemp(prefix='.restore-', dir=settings.data_dir))
    try:
        manifest = _unpack_verified(archive, staging)
        expected = DB_SQLITE if sqlite else DB_PG
        if manifest['database'] != expected:
            raise InvalidBackup('Este backup é de um banco ' + ('PostgreSQL' if sqlite else 'SQLite') +
                                ', mas o Conton está configurado para ' + ('SQLite.' if sqlite else 'PostgreSQL.'))
        if sqlite:
            _restore_sqlite(staging / DB_SQLITE, Path(make_url(settings.db_url).database))
        else:
            dsn, env = _libpq(settings.db_url)
            _run(['pg_restore', '--clean', '--if-exists', '--no-owner', '--single-transaction', f'--dbname={dsn}',
                  str(staging / DB_PG)], env)
        _swap_files(staging / FILES, settings.data_dir / FILES)
        if (staging / SECRET).exists() and not settings.secret:
            os.replace(staging / SECRET, settings.data_dir / SECRET)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    secure_data_dir(settings)


# --- the snapshot and its files ------------------------------------------------------------------------------------

def file_columns() -> list[tuple[object, str]]:
    """Every model column that names a stored file, with the storage folder it lives in."""
    from ..models import AnnouncementAttachment, Bill, ObligationDone, Office
    from ..models.announcements import ATTACHMENT_FOLDER as ANNOUNCEMENT_FOLDER
    from . import files, obligations, office, payables
    return [(Office.logo_file, office.LOGO_FOLDER), (Bill.attachment_file, payables.ATTACHMENT_FOLDER),
            (ObligationDone.file, obligations.FILE_FOLDER), *files.file_columns(),
            (AnnouncementAttachment.stored_name, ANNOUNCEMENT_FOLDER)]


def references(conn: Connection) -> set[tuple[str, str]]:
    """(folder, name) of every stored file the database refers to."""
    found = set()
    for column, folder in file_columns():
        found.update((folder, name) for name in conn.execute(select(column).where(column != '').distinct()).scalars())
    return found


def _snapshot(url: str, staging: Path) -> tuple[Path, set[tuple[str, str]]]:
    if url.startswith('sqlite'):
        dump = staging / DB_SQLITE
        source, target = sqlite3.connect(make_url(url).database), sqlite3.connect(dump)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        with _connect(create_engine('sqlite://', creator=lambda: sqlite3.connect(
                f'file:{dump}?mode=ro&immutable=1', uri=True, check_same_thread=False))) as conn:
            return dump, references(conn)
    dump = staging / DB_PG
    with _connect(create_engine(url, isolation_level='REPEATABLE READ')) as conn, conn.begin():
        snapshot = conn.execute(text('SELECT pg_export_snapshot()')).scalar_one()
        found = references(conn)  # same transaction, same snapshot as the dump
        dsn, env = _libpq(url)
        _run(['pg_dump', '--format=custom', '--no-owner', f'--snapshot={snapshot}', f'--file={dump}', dsn], env)
    return dump, found


def _stage_files(refs: Iterable[tuple[str, str]], staging: Path) -> tuple[list[str], list[str]]:
    staged, missing = [], []
    for folder, name in sorted(refs):
        entry = f'{FILES}/{folder}/{name}'
        if not name or '/' in name or name.startswith('.'):
            missing.append(entry)
            continue
        target = staging / entry
        target.parent.mkdir(parents=True, exist_ok=True)
        # live first, then the trash: storage.remove moves a file there in one rename, so a file missed in its
        # folder is already in the trash
        for source in (storage.folder_path(folder) / name, storage.trash_path(folder) / name):
            if _link_or_copy(source, target):
                staged.append(entry)
                break
        else:
            missing.append(entry)
    return staged, missing


def _link_or_copy(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except FileNotFoundError:
        return False
    except OSError:  # another file system, or links not allowed
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:
            return False
    return True


def _write_archive(output: Path, staging: Path, entries: list[str]) -> None:
    """The archive is written 0600 under a temporary name and renamed when complete."""
    output.parent.mkdir(parents=True, exist_ok=True)
    part = output.with_name(f'.{output.name}.part')
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, 'wb') as raw:
            with tarfile.open(fileobj=raw, mode='w:gz') as tar:
                for name in entries:
                    tar.add(staging / name, arcname=name, recursive=False, filter=_private)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, output)
    finally:
        part.unlink(missing_ok=True)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    return info.replace(mode=0o700 if info.isdir() else 0o600, uid=0, gid=0, uname='', gname='', deep=False)


# --- restore -------------------------------------------------------------------------------------------------------

def _unpack_verified(archive: Path, staging: Path) -> dict:
    """Extract the archive into staging and check it against its manifest: the same set of files, each with its
    SHA-256. Raises InvalidBackup otherwise."""
    try:
        with tarfile.open(archive, 'r:gz') as tar:
            members = tar.getmembers()
            for member in members:
                if not (member.isfile() or member.isdir()):
                    raise InvalidBackup(f'Backup recusado: o arquivo contém um item que não é arquivo comum '
                                        f'({member.name}).')
            tar.extractall(staging, filter='data')
    except InvalidBackup:
        raise
    except FileNotFoundError as e:
        raise InvalidBackup(f'Arquivo de backup não encontrado: {archive}') from e
    except (tarfile.TarError, EOFError, OSError, ValueError) as e:
        raise InvalidBackup('Backup recusado: o arquivo está corrompido ou não é um backup do Conton.') from e
    try:
        manifest = json.loads((staging / MANIFEST).read_text())
        hashes = manifest['sha256']
        if manifest.get('format') != FORMAT or not isinstance(hashes, dict) or manifest['database'] not in hashes:
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InvalidBackup('Backup recusado: o arquivo não tem um manifesto válido (MANIFEST.json).') from e
    present = {p.relative_to(staging).as_posix() for p in staging.rglob('*') if p.is_file()}
    present -= {MANIFEST, INFO}
    extra, absent = sorted(present - set(hashes)), sorted(set(hashes) - present)
    changed = sorted(name for name in present & set(hashes) if _sha256(staging / name) != hashes[name])
    problems = [f'{label}: {", ".join(names[:3])}{" …" if len(names) > 3 else ""}'
                for label, names in (('alterados', changed), ('faltando', absent), ('não listados', extra)) if names]
    if problems:
        raise InvalidBackup('Backup recusado: o conteúdo não confere com o manifesto (' + '; '.join(problems) +
                            '). Nada foi alterado.')
    return manifest


def _restore_sqlite(dump: Path, db_path: Path) -> None:
    from ..db import reset_engine
    reset_engine()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    incoming = db_path.with_name(f'.{db_path.name}.restoring')
    shutil.copyfile(dump, incoming)
    for suffix in ('-wal', '-shm'):  # an old log must never be replayed onto the restored file
        Path(f'{db_path}{suffix}').unlink(missing_ok=True)
    os.replace(incoming, db_path)


def _swap_files(incoming: Path, live: Path) -> None:
    incoming.mkdir(exist_ok=True)
    old = live.with_name(f'.{live.name}-old')
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        os.replace(live, old)
    os.replace(incoming, live)
    shutil.rmtree(old, ignore_errors=True)


# --- helpers -------------------------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password (a command line is visible to every account on the machine)
    and the environment that carries it."""
    parsed = make_url(url).set(drivername='postgresql')
    env = dict(os.environ)
    if parsed.password is not None:
        env['PGPASSWORD'] = str(parsed.password)
    return parsed.set(password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        raise RuntimeError(f'{command[0]} falhou: {result.stderr.strip() or result.returncode}')


@contextmanager
def _connect(engine):
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()
