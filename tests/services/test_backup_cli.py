"""Backup/restore round trip, create-admin and demo from the command line."""
import io
import shutil

import pytest
from sqlmodel import func, select

from conton import cli
from conton.models import Client, Office, Supplier, User
from conton.services import admin_tools, backup, office
from conton.services.admin_tools import office_name
from conton.services.base import unit
from conton.services.errors import ValidationError
from tests.factories import actor_of, make_client, make_office


def _count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_cli_backup_then_restore(tmp_path, capsys, db):
    if db == 'postgresql' and not shutil.which('pg_dump'):
        pytest.skip('pg_dump not installed')
    make_client('Antes do Backup Ltda')
    cli.main(['backup', '--output', str(tmp_path / 'b.tar.gz')])
    assert 'manifesto de verificação' in capsys.readouterr().out
    make_client('Depois do Backup Ltda')
    cli.main(['restore', str(tmp_path / 'b.tar.gz')])
    assert 'Backup restaurado' in capsys.readouterr().out
    with unit() as session:
        assert session.exec(select(Client.name)).all() == ['Antes do Backup Ltda']


def test_cli_restore_refuses_a_damaged_archive_and_changes_nothing(tmp_path, db):
    if db == 'postgresql' and not shutil.which('pg_dump'):
        pytest.skip('pg_dump not installed')
    make_client('Antes do Backup Ltda')
    archive = backup.create(tmp_path / 'b.tar.gz')
    damaged = tmp_path / 'cortado.tar.gz'
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    make_client('Depois do Backup Ltda')
    with pytest.raises(SystemExit) as e:
        cli.main(['restore', str(damaged)])
    assert str(e.value) == 'Erro: Backup recusado: o arquivo está corrompido ou não é um backup do Conton.'
    assert _count(Client) == 2


def test_create_admin_reads_password_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr('sys.stdin', io.StringIO('uma senha comprida o bastante\n'))
    cli.main(['create-admin', '--email', 'Dono@Escritorio.test', '--name', 'Dono', '--office', 'Contábil Dono'])
    assert 'criado' in capsys.readouterr().out
    with unit() as session:
        user = session.exec(select(User)).one()
    assert (user.email, user.role) == ('dono@escritorio.test', 'admin')


def test_create_admin_refuses_weak_password(monkeypatch):
    monkeypatch.setattr('sys.stdin', io.StringIO('12345678\n'))
    with pytest.raises(SystemExit) as e:
        cli.main(['create-admin', '--email', 'dono@escritorio.test', '--name', 'Dono', '--office', 'Contábil Dono'])
    assert 'comum' in str(e.value)
    assert _count(User) == 0


def test_create_admin_names_a_new_office(monkeypatch, capsys):
    monkeypatch.setattr('sys.stdin', io.StringIO('uma senha comprida o bastante\n'))
    cli.main(['create-admin', '--email', 'dono@escritorio.test', '--name', 'Dono', '--office', ' Contábil\u200b Dono '])
    assert 'complete os dados do escritório em Meus Dados' in capsys.readouterr().out
    with unit() as session:
        stored = session.get(Office, 1)
        assert (stored.trade_name, stored.legal_name) == ('Contábil Dono', 'Contábil Dono')
    assert office.branding().name == 'Contábil Dono'  # not "Conton"
    admin = actor_of(_only(User))
    assert office.completion_prompt(admin) == ['CNPJ', 'endereço']  # the home page asks for the rest


def test_create_admin_needs_the_office_name_when_the_office_has_none(monkeypatch):
    monkeypatch.setattr('sys.stdin', io.StringIO('uma senha comprida o bastante\n'))
    with pytest.raises(SystemExit) as e:
        cli.main(['create-admin', '--email', 'dono@escritorio.test', '--name', 'Dono'])
    assert str(e.value) == 'Erro: informe o nome do escritório com --office "Nome do escritório".'
    assert _count(User) == 0


def test_create_admin_asks_for_the_office_name_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr('sys.stdin.isatty', lambda: True, raising=False)
    asked = {'Nome do escritório: ': 'Contábil Perguntada'}
    monkeypatch.setattr('builtins.input', lambda prompt: asked.pop(prompt))
    monkeypatch.setattr('getpass.getpass', lambda prompt='': 'uma senha comprida o bastante')
    cli.main(['create-admin', '--email', 'dono@escritorio.test', '--name', 'Dono'])
    assert office_name() == 'Contábil Perguntada'


def test_a_second_admin_keeps_the_office_name(monkeypatch):
    make_office('Escritório Antigo')
    monkeypatch.setattr('sys.stdin', io.StringIO('uma senha comprida o bastante\n'))
    cli.main(['create-admin', '--email', 'outro@escritorio.test', '--name', 'Outro'])  # no --office needed
    assert office_name() == 'Escritório Antigo' and _count(User) == 1
    with pytest.raises(ValidationError, match='já se chama "Escritório Antigo"'):
        admin_tools.create_admin(email='mais@escritorio.test', name='Mais', password='uma senha comprida o bastante',
                                 office_name='Outro Nome')
    assert _count(User) == 1


def _only(model):
    with unit() as session:
        return session.exec(select(model)).one()


def test_demo_seeds_office(capsys):
    cli.main(['demo', '--password', 'senha da demonstracao'])
    assert 'admin@demo.conton' in capsys.readouterr().out
    with unit() as session:
        roles = session.exec(select(User.role, func.count()).group_by(User.role)).all()
    assert dict(roles) == {'admin': 1, 'staff': 3, 'client': 25}
    assert _count(Client) == 25 and _count(Supplier) == 10
    cli.main(['demo'])  # a second run does not duplicate
    assert _count(Client) == 25
