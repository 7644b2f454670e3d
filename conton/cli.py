"""`conton` command: run, create-admin, demo, backup, restore."""
from __future__ import annotations

import argparse
import getpass
import runpy
import sys
from pathlib import Path

from .config import secure_data_dir

ROOT = Path(__file__).resolve().parent.parent


def cmd_run(_args) -> None:
    sys.argv = [str(ROOT / 'main.py')]
    runpy.run_path(str(ROOT / 'main.py'), run_name='__main__')


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass('Senha: ')
        if getpass.getpass('Repita a senha: ') != first:
            sys.exit('As senhas não conferem.')
        return first
    return sys.stdin.readline().rstrip('\n')


def cmd_create_admin(args) -> None:
    from . import db
    from .services import admin_tools
    db.migrate()
    office_name = (args.office or '').strip()
    if not office_name and not admin_tools.office_name():  # a new office: its name is on every page and boleto
        if not sys.stdin.isatty():
            sys.exit('Erro: informe o nome do escritório com --office "Nome do escritório".')
        office_name = input('Nome do escritório: ').strip()
    password = _read_password()
    try:
        admin_tools.create_admin(email=args.email, name=args.name, password=password, office_name=office_name)
    except Exception as e:  # noqa: BLE001
        sys.exit(f'Erro: {e}')
    print(f'Administrador {args.email} criado. Ao entrar, complete os dados do escritório em Meus Dados.')


def cmd_demo(args) -> None:
    from . import db
    from .services import demo
    db.migrate()
    print(demo.seed(password=args.password))


def cmd_backup(args) -> None:
    from . import db
    from .services import backup
    db.migrate()
    result = backup.create_backup(Path(args.output) if args.output else None)
    print(f'Backup salvo em {result.path} ({result.files} arquivo(s) e o manifesto de verificação).')
    if result.missing:
        print(f'Atenção: {len(result.missing)} arquivo(s) citado(s) pelo banco não existem no disco e ficaram de fora: '
              f'{", ".join(result.missing[:5])}', file=sys.stderr)


def cmd_restore(args) -> None:
    from .services import backup
    try:
        backup.restore(Path(args.file))
    except backup.InvalidBackup as e:
        sys.exit(f'Erro: {e}')
    print('Backup restaurado. Reinicie o Conton.')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog='conton', description='Portal Conton')
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('run', help='serve the app').set_defaults(func=cmd_run)
    p = sub.add_parser('create-admin', help='create an administrator (password from the terminal or stdin)')
    p.add_argument('--email', required=True)
    p.add_argument('--name', required=True)
    p.add_argument('--office', help='office name (asked for when the office has none yet and stdin is a terminal)')
    p.set_defaults(func=cmd_create_admin)
    p = sub.add_parser('demo', help='seed a demo office (3 staff, 25 clients with logins, 10 suppliers)')
    p.add_argument('--password', default='demo-conton-2026', help='password of every demo login')
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser('backup', help='write a backup archive of the database and files')
    p.add_argument('--output', help='archive path (default: data/backups/conton-<timestamp>.tar.gz)')
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser('restore', help='restore a backup archive (stop the app first)')
    p.add_argument('file')
    p.set_defaults(func=cmd_restore)
    args = parser.parse_args(argv)
    secure_data_dir()  # before anything is written: the database, backups and restored files stay 0600
    args.func(args)
