"""Backups: one archive with the database and the data folder's files; restore puts both back.

SQLite is copied with its online backup API (safe while the app runs); PostgreSQL with pg_dump / pg_restore
(the client tools of the server's major version must be installed).
"""
from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from ..clock import local, now
from ..config import get_settings

DB_SQLITE = 'conton.db'
DB_PG = 'conton.pgdump'


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername='postgresql').render_as_string(hide_password=False)


def create(output: Path | None = None) -> Path:
    settings = get_settings()
    stamp = local(now()).strftime('%Y%m%d-%H%M%S')
    if output is None:
        folder = settings.data_dir / 'backups'
        folder.mkdir(parents=True, exist_ok=True)
        output = folder / f'conton-{stamp}.tar.gz'
    url = settings.db_url
    with tempfile.TemporaryDirectory() as tmp:
        if url.startswith('sqlite'):
            dump = Path(tmp) / DB_SQLITE
            source = sqlite3.connect(make_url(url).database)
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            dump = Path(tmp) / DB_PG
            subprocess.run(['pg_dump', '--format=custom', '--no-owner', f'--file={dump}', _libpq_url(url)],
                           check=True, capture_output=True)
        with tarfile.open(output, 'w:gz') as tar:
            tar.add(dump, arcname=dump.name)
            for name in ('files', 'secret.key'):
                path = settings.data_dir / name
                if path.exists():
                    tar.add(path, arcname=name)
            tar.addfile(_info('BACKUP-INFO.txt', data := f'Conton backup {stamp}\n'.encode()), io.BytesIO(data))
    return output


def _info(name: str, data: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info


def restore(archive: Path) -> None:
    """Replace the database and the files with the archive's. Stop the app before, start it after."""
    settings = get_settings()
    url = settings.db_url
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, 'r:gz') as tar:
        tar.extractall(tmp, filter='data')
        root = Path(tmp)
        if url.startswith('sqlite'):
            if not (root / DB_SQLITE).exists():
                raise ValueError('o arquivo não contém um banco SQLite do Conton')
            from ..db import reset_engine
            reset_engine()
            db_path = Path(make_url(url).database)
            for suffix in ('-wal', '-shm'):
                Path(f'{db_path}{suffix}').unlink(missing_ok=True)
            shutil.copy(root / DB_SQLITE, db_path)
        else:
            if not (root / DB_PG).exists():
                raise ValueError('o arquivo não contém um dump PostgreSQL do Conton')
            subprocess.run(['pg_restore', '--clean', '--if-exists', '--no-owner', f'--dbname={_libpq_url(url)}',
                            str(root / DB_PG)], check=True, capture_output=True)
        if (root / 'files').exists():
            shutil.rmtree(settings.data_dir / 'files', ignore_errors=True)
            shutil.copytree(root / 'files', settings.data_dir / 'files')
        if (root / 'secret.key').exists() and not settings.secret:
            shutil.copy(root / 'secret.key', settings.data_dir / 'secret.key')
