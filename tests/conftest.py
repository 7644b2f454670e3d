"""Fixtures shared by the whole suite: a fresh database per test (SQLite, and PostgreSQL when
CONTON_TEST_DATABASE_URL is set), a real local SMTP server, and reset module singletons."""
from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

BACKENDS = ['sqlite'] + (['postgresql'] if os.environ.get('CONTON_TEST_DATABASE_URL') else [])
ROOT = Path(__file__).resolve().parent.parent
_template: dict[str, Path] = {}
_pg_ready: dict = {'done': False}

os.environ['CONTON_NO_SCHEDULER'] = '1'  # tests run jobs by calling them


def _compile_the_app_once() -> None:
    """NiceGUI's `user` fixture imports the page modules afresh for every page test; on a machine without bytecode
    files (PYTHONDONTWRITEBYTECODE=1) each of those imports compiled ~35 modules from source again, ~0.25 s a test.
    Keep the code object of every module of this tree compiled in this session, keyed by its source (an edited file
    compiles anew). Nothing is written; the installed packages' own bytecode files are used as always."""
    from importlib.machinery import SourceFileLoader
    compiled: dict[tuple[str, bytes], object] = {}
    compile_source = SourceFileLoader.source_to_code
    root = str(ROOT)

    def source_to_code(self, data, path, *, _optimize=-1):
        if not str(path).startswith(root):
            return compile_source(self, data, path, _optimize=_optimize)
        key = (str(path), bytes(data))
        if key not in compiled:
            compiled[key] = compile_source(self, data, path, _optimize=_optimize)
        return compiled[key]
    SourceFileLoader.source_to_code = source_to_code


_compile_the_app_once()


def _young_collections_only_for_nicegui() -> None:
    """NiceGUI's `user` fixture runs gc.collect() before and after every test, each a full collection of every object
    alive. A page test leaves a few thousand objects alive (compiled-SQL caches, Babel patterns...), so those
    collections cost ~0.1 s at first and more the longer a worker has run; they were a third of the page tests' time.
    Here they collect the youngest generation only: the previous app's elements are freed by reference counting, and
    the interpreter's own thresholds still run the full collections, amortized. (The app does not rely on them: the
    whole suite passes so.)"""
    import gc
    import types

    from nicegui.testing import general
    general.gc = types.SimpleNamespace(collect=lambda *args: gc.collect(0))


_young_collections_only_for_nicegui()


def _statements_compiled_once() -> None:
    """Every test starts with db.reset_engine(), and the next get_engine() made a new Engine: a new dialect and an
    empty statement cache, so every test compiled each of its SQL statements again (0.1-0.2 s a test).
    A PostgreSQL worker always uses the same database: keep its Engine (reset_engine disposes of its connections, the
    Engine makes new ones), and with it the compiled statements. A SQLite test has a database file of its own, so an
    Engine of its own; it takes the dialect (initialized, the same SQLite library) and the statement cache of the
    first one (SQLAlchemy keys that cache by the dialect object)."""
    from conton import db
    make_engine = db.make_engine
    engines: dict[str, Engine] = {}

    def one_per_url(url: str) -> Engine:
        if not url.startswith('sqlite'):
            if url not in engines:
                engines[url] = make_engine(url)
            return engines[url]
        engine = make_engine(url)
        first = engines.get('sqlite')
        if first is None or first.dialect.server_version_info is None:  # not connected yet: not initialized
            engines['sqlite'] = engine
        else:
            engine.dialect = first.dialect
            engine._compiled_cache = first._compiled_cache  # noqa: SLF001
        return engine
    db.make_engine = one_per_url


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
            # A throwaway database: a commit need not wait for its WAL to reach the disk (a crash loses only the
            # last few test transactions, never consistency). Every connection to it gets this.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _pg_prepare(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    import conton.models  # noqa: F401
    from conton import db
    os.environ['CONTON_DATABASE_URL'] = url
    _reset_singletons()
    if not _pg_ready['done']:
        engine = db.get_engine()
        with engine.begin() as conn:
            conn.execute(text('DROP SCHEMA public CASCADE'))
            conn.execute(text('CREATE SCHEMA public'))
        db.migrate()
        _pg_ready['done'] = True
        with engine.connect() as conn:
            sequences = conn.execute(text("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                          "c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public' ORDER BY 1")
                                     ).scalars().all()
        # DELETE, children first, then every sequence back to 1: the same empty database as TRUNCATE ... RESTART
        # IDENTITY, in a few ms instead of ~0.5-1 s (TRUNCATE gives each of ~50 tables and their indexes new files
        # and syncs them), sent as one string in one round trip over a connection kept for the worker's run.
        resets = [f'DELETE FROM "{table.name}"' for table in reversed(SQLModel.metadata.sorted_tables)]
        if sequences:
            resets.append('SELECT ' + ', '.join(f"setval('\"{name}\"', 1, false)" for name in sequences))
        _pg_ready['reset'] = '; '.join(resets)
        _reset_singletons()
    if 'engine' not in _pg_ready:
        _pg_ready['engine'] = create_engine(url, pool_size=1, max_overflow=0)
    with _pg_ready['engine'].begin() as conn:
        conn.exec_driver_sql(_pg_ready['reset'])


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


def _import_the_app() -> None:
    """Import every module of the app but its pages (which NiceGUI's `user` fixture imports afresh for each test:
    tests/unit/test_test_imports.py), and the holiday data the first business-day computation loads, so that the
    freeze below holds them; a module imported lazily by the first test that needs it stays in the collector's
    sight for the rest of the session (about 90,000 objects: each gc.collect() of NiceGUI's plugin took ~0.1-0.3 s
    instead of ~20 ms)."""
    import importlib
    import pkgutil

    import conton
    for info in pkgutil.walk_packages(conton.__path__, 'conton.'):
        if not info.name.startswith('conton.pages.') and info.name not in ('conton.__main__',):
            importlib.import_module(info.name)
    importlib.import_module('conton.pages.common')
    from conton.br import calendar
    calendar.warm()


def pytest_collection_finish(session) -> None:
    """Move everything imported so far (the app, SQLAlchemy, NiceGUI, reportlab...) out of the garbage collector's
    sight. NiceGUI's test plugin runs gc.collect() twice after every test; with these objects frozen each call
    scans only what the tests created (about 0.15 s -> a few ms per call)."""
    import gc
    _import_the_app()
    _statements_compiled_once()
    gc.collect()
    gc.freeze()


# ---- external programs ----------------------------------------------------------------------------------------------
# Some tests run Debian programs (a real browser, a barcode reader, poppler). A module that does says so at module
# level with `require_tools(...)`; before anything runs, the session reads those declarations in the selected files and
# stops with one line naming the packages to install (`make test` installs them when it runs as root).
TOOL_PACKAGES = {'chromium': 'chromium', 'chromedriver': 'chromium-driver', 'zbarimg': 'zbar-tools',
                 'pdftoppm': 'poppler-utils', 'pdftotext': 'poppler-utils', 'pdfinfo': 'poppler-utils'}
_DECLARATION = re.compile(r'^require_tools\((.*?)\)', re.MULTILINE | re.DOTALL)
_session = {'started': False}


def missing_tools(tools: Iterable[str], which: Callable[[str], str | None] = shutil.which) -> str | None:
    """None when every tool is on PATH, else the one line that says what to install."""
    missing = sorted({tool for tool in tools if which(tool) is None})
    if not missing:
        return None
    packages = ' '.join(sorted({TOOL_PACKAGES[tool] for tool in missing}))
    return (f'Missing {", ".join(missing)}: install with `sudo apt-get install {packages}` '
            f'(or run `make test`, which installs them as root).')


def require_tools(*tools: str) -> None:
    """Module-level declaration of the programs a test module runs. Unknown names are a typo in the test; a missing
    program fails the module's collection with one line, never a stack trace from inside a test. A conftest loaded
    before the session starts (`pytest tests/browser`) leaves it to `pytest_sessionstart`, which reads it too."""
    unknown = set(tools) - TOOL_PACKAGES.keys()
    assert not unknown, f'add {sorted(unknown)} to TOOL_PACKAGES with its Debian package'
    if _session['started'] and (message := missing_tools(tools)):
        pytest.fail(message, pytrace=False)


def declared_tools(files: Iterable[Path]) -> set[str]:
    """Tools named by module-level `require_tools(...)` calls in these files (read, not imported)."""
    tools: set[str] = set()
    for file in files:
        for arguments in _DECLARATION.findall(file.read_text(encoding='utf-8')):
            tools.update(re.findall(r"'([^']+)'", arguments))
    return tools


def _selected_files(config: pytest.Config) -> set[Path]:
    """The test modules (and the conftest files above them) that this run's arguments select."""
    files: set[Path] = set()
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split('::')[0]).resolve()
        if path.is_dir():
            files.update(path.rglob('*.py'))
        elif path.is_file():
            files.add(path)
            files.update(folder / 'conftest.py' for folder in path.parents if (folder / 'conftest.py').is_file()
                         and folder.is_relative_to(ROOT))
    return files


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, with one line, when a selected module needs a program that is not installed (checked once, by
    the main process: pytest-xdist workers start after it)."""
    _session['started'] = True
    if os.environ.get('PYTEST_XDIST_WORKER'):
        return
    if message := missing_tools(declared_tools(_selected_files(session.config))):
        pytest.exit(message, returncode=pytest.ExitCode.USAGE_ERROR)
