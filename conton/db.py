"""Engine, unit-of-work sessions, SQLite pragmas and migrations at start-up."""
from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from .config import get_settings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
_engine: Engine | None = None
query_counter = {'n': 0}  # incremented per SQL statement; read by benchmarks and tests


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=FULL')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA busy_timeout=5000')
    cursor.close()


def _count(*_args) -> None:
    query_counter['n'] += 1


def make_engine(url: str) -> Engine:
    if url.startswith('sqlite'):
        engine = create_engine(url, connect_args={'check_same_thread': False})
        event.listen(engine, 'connect', _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    event.listen(engine, 'before_cursor_execute', _count)
    return engine


def get_engine() -> Engine:
    global _engine  # noqa: PLW0603
    if _engine is None:
        _engine = make_engine(get_settings().db_url)
    return _engine


def reset_engine() -> None:
    global _engine  # noqa: PLW0603
    if _engine is not None:
        _engine.dispose()
    _engine = None


@contextmanager
def session_scope() -> Iterator[Session]:
    """One short unit of work: commit on success, roll back on error, always close.

    Callbacks in `session.info['after_commit']` run once the transaction is committed (live notifications).
    """
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
    for callback in session.info.get('after_commit', []):
        callback()


def after_commit(session: Session, callback) -> None:
    session.info.setdefault('after_commit', []).append(callback)


def alembic_config():
    from alembic.config import Config
    cfg = Config(str(ROOT / 'alembic.ini'))
    cfg.set_main_option('script_location', str(ROOT / 'migrations'))
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest revision, read from migrations/ once per process: Alembic imports every revision file to find it
    (~0.5 s), and the app asks at every start (the test suite builds the app for each page test)."""
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def migrate(revision: str = 'head') -> None:
    """Bring the database schema to the newest revision (no-op when it is there already); tests of an upgrade stop
    at an older `revision`."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    cfg = alembic_config()
    target = head_revision() if revision == 'head' else revision
    with get_engine().connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != target:
        log.info('migrating database from %s to %s', current, target)
        with get_engine().connect() as connection, _sqlite_foreign_keys_checked_at_end(connection):
            with connection.begin():
                cfg.attributes['connection'] = connection
                command.upgrade(cfg, target)
                _check_foreign_keys(connection)


@contextmanager
def _sqlite_foreign_keys_checked_at_end(connection) -> Iterator[None]:
    """SQLite's batch migrations copy a table, drop the old one and rename the copy; with foreign keys enforced,
    dropping a table other rows point to (client, charge) fails. As SQLite's own procedure for altering a table
    says: switch them off outside the transaction, check them all before committing, switch them on again."""
    if connection.dialect.name != 'sqlite':
        yield
        return
    connection.exec_driver_sql('PRAGMA foreign_keys=OFF')
    connection.commit()
    try:
        yield
    finally:
        connection.exec_driver_sql('PRAGMA foreign_keys=ON')
        connection.commit()


def _check_foreign_keys(connection) -> None:
    if connection.dialect.name == 'sqlite' and (broken := connection.exec_driver_sql('PRAGMA foreign_key_check').all()):
        raise RuntimeError(f'migration left rows pointing to missing rows: {broken[:5]}')


def optimize() -> None:
    """Refresh the query planner's statistics. SQLite has none until told (then it may read a wide table where a
    covering index would do, e.g. the charge list's client names). With an analysis limit ANALYZE samples each
    index and takes milliseconds even on a large office. PostgreSQL's autovacuum does this by itself."""
    engine = get_engine()
    if engine.dialect.name != 'sqlite':
        return
    with engine.begin() as connection:
        connection.exec_driver_sql('PRAGMA analysis_limit=400')
        connection.exec_driver_sql('ANALYZE')
