"""Backup/restore round trip, create-admin and demo from the command line."""
import io
import subprocess

import pytest
from sqlmodel import func, select

from conton import cli
from conton.models import Client, Supplier, User
from conton.services import backup
from conton.services.base import unit
from tests.factories import make_client


def _count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_backup_and_restore_round_trip(tmp_path, db):
    if db == 'postgresql' and subprocess.run(['which', 'pg_dump'], capture_output=True).returncode:
        pytest.skip('pg_dump not installed')
    make_client('Antes do Backup Ltda')
    from conton.services import storage
    folder = storage.folder_path('logo')
    (folder / 'x.png').write_bytes(b'\x89PNG\r\n\x1a\nfake')
    archive = backup.create(tmp_path / 'b.tar.gz')
    make_client('Depois do Backup Ltda')
    (folder / 'x.png').unlink()
    assert _count(Client) == 2
    backup.restore(archive)
    from conton import db as dbmod
    dbmod.reset_engine()
    with unit() as session:
        names = session.exec(select(Client.name)).all()
    assert names == ['Antes do Backup Ltda']
    assert (folder / 'x.png').exists()


def test_create_admin_reads_password_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr('sys.stdin', io.StringIO('uma senha comprida o bastante\n'))
    cli.main(['create-admin', '--email', 'Dono@Escritorio.test', '--name', 'Dono'])
    assert 'criado' in capsys.readouterr().out
    with unit() as session:
        user = session.exec(select(User)).one()
    assert (user.email, user.role) == ('dono@escritorio.test', 'admin')


def test_create_admin_refuses_weak_password(monkeypatch):
    monkeypatch.setattr('sys.stdin', io.StringIO('12345678\n'))
    with pytest.raises(SystemExit) as e:
        cli.main(['create-admin', '--email', 'dono@escritorio.test', '--name', 'Dono'])
    assert 'comum' in str(e.value)
    assert _count(User) == 0


def test_demo_seeds_office(capsys):
    cli.main(['demo', '--password', 'senha da demonstracao'])
    assert 'admin@demo.conton' in capsys.readouterr().out
    with unit() as session:
        roles = session.exec(select(User.role, func.count()).group_by(User.role)).all()
    assert dict(roles) == {'admin': 1, 'staff': 3, 'client': 25}
    assert _count(Client) == 25 and _count(Supplier) == 10
    cli.main(['demo'])  # a second run does not duplicate
    assert _count(Client) == 25
