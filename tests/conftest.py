"""Fixtures shared by the whole suite: a fresh database per test (SQLite, and PostgreSQL when
CONTON_TEST_DATABASE_URL is set), a real local SMTP server, and reset module singletons."""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

BACKENDS = ['sqlite'] + (['postgresql'] if os.environ.get('CONTON_TEST_DATABASE_URL') else [])
ROOT = Path(__file__).resolve().parent.parent
_template: dict[str, Path] = {}
_pg_ready: dict = {'done': False}

os.environ['CONTON_NO_SCHEDULER'] = '1'  # tests run jobs by calling them


def _reset_singletons() -> None:
    from conton import clock, config, db
    from conton.services import auth, notifications, office
    auth.drain_resets()  # a reset request still on the worker would land in the next test's database
    config.reset_settings()
    db.reset_engine()
    office.reset_cache()
    notifications.reset()
    clock.set_now(None)


def _sqlite_template() -> Path:
    if 'sqlite' not in _template:
        folder = Path(tempfile.mkdtemp(prefix='conton-template-'))
        os.environ['CONTON_DATA_DIR'] = str(folder)
        os.environ['CONTON_DATABASE_URL'] = f'sqlite:///{folder / "conton.db"}'
        _reset_singletons()
        from conton import db
        db.migrate()
        db.reset_engine()
        _template['sqlite'] = folder / 'conton.db'
    return _template['sqlite']


def _pg_worker_url(url: str) -> str:
    """Under pytest-xdist each worker gets its own database, `<name>_<worker>`, created on first use (the CI role
    has CREATEDB); tests TRUNCATE between them, so workers must not share one."""
    worker = os.environ.get('PYTEST_XDIST_WORKER')
    if not worker:
        return url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    base = make_url(url)
    name = f'{base.database}_{worker}'
    admin = create_engine(base, isolation_level='AUTOCOMMIT')
    try:
        with admin.connect() as conn:
            if not conn.execute(text('SELECT 1 FROM pg_database WHERE datname = :n'), {'n': name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _pg_prepare(url: str) -> None:
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import conton.models  # noqa: F401
    from conton import db
    os.environ['CONTON_DATABASE_URL'] = url
    _reset_singletons()
    engine = db.get_engine()
    if not _pg_ready['done']:
        with engine.begin() as conn:
            conn.execute(text('DROP SCHEMA public CASCADE'))
            conn.execute(text('CREATE SCHEMA public'))
        db.migrate()
        _pg_ready['done'] = True
    tables = ', '.join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f'TRUNCATE {tables} RESTART IDENTITY CASCADE'))


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path, monkeypatch):
    """A fresh, migrated, empty database and data folder for one test."""
    data = tmp_path / 'data'
    data.mkdir()
    if request.param == 'sqlite':
        template = _sqlite_template()
        shutil.copy(template, data / 'conton.db')
        url = f'sqlite:///{data / "conton.db"}'
    else:
        if 'url' not in _pg_ready:
            _pg_ready['url'] = _pg_worker_url(os.environ['CONTON_TEST_DATABASE_URL'])
        url = _pg_ready['url']
        _pg_prepare(url)
    monkeypatch.setenv('CONTON_DATA_DIR', str(data))
    monkeypatch.setenv('CONTON_DATABASE_URL', url)
    monkeypatch.setenv('CONTON_SECRET', 'test-secret')
    monkeypatch.setenv('CONTON_BASE_URL', 'http://conton.test')
    for name in ('CONTON_SMTP_HOST', 'CONTON_SMTP_USER', 'CONTON_SMTP_PASSWORD'):
        monkeypatch.delenv(name, raising=False)
    _reset_singletons()
    yield request.param
    _reset_singletons()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        import email
        from email import policy
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return '250 OK'


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); the app is configured to use it."""
    from aiosmtpd.controller import Controller
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname='127.0.0.1', port=port)
    controller.start()
    monkeypatch.setenv('CONTON_SMTP_HOST', '127.0.0.1')
    monkeypatch.setenv('CONTON_SMTP_PORT', str(port))
    monkeypatch.setenv('CONTON_SMTP_SECURITY', 'none')
    monkeypatch.setenv('CONTON_MAIL_FROM', 'escritorio@conton.test')
    from conton import config
    config.reset_settings()
    inbox.controller = controller
    inbox.port = port
    yield inbox
    try:
        controller.stop()
    except AssertionError:
        pass  # already stopped by the test


def pytest_collection_finish(session) -> None:
    """Move everything imported so far (the app, SQLAlchemy, NiceGUI, reportlab...) out of the garbage collector's
    sight. NiceGUI's test plugin runs gc.collect() twice after every test; with these objects frozen each call
    scans only what the tests created (about 0.15 s -> a few ms per call)."""
    import gc
    gc.collect()
    gc.freeze()
