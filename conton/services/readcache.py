"""Read models kept in memory until a write touches their tables: the Agenda's calendars and due lists, Arquivos'
counts (a client's folders, a list's total). The one cache of the app: a tool that needs one uses `memo` or
`memo_in`, never its own.

Conton is one process (ARCHITECTURE.md), so every write to the database passes through this process's SQLAlchemy
engines. Each write statement (INSERT/UPDATE/DELETE: the table it names; anything else that is not a read, such as
TRUNCATE, DROP or ALTER: every table) bumps a per-table generation, and so does the connection's return to the pool
after its commit or rollback (the written rows are visible to other connections only then). `memo(name, key,
tables, compute)` returns the value computed earlier for (name, key) while the generations of `tables` (and the
engine in use) are those it was computed under, otherwise computes it again. A value is stored under the
generations read *before* computing, so one computed while a write was in flight is never served after that write
commits.

`memo_in(session, ...)` is for a read inside a unit of work that is already open: SQLite (WAL) reads from the
snapshot the transaction began with, so a value is stored only when no write at all was counted since that session
began (the count is noted at SessionEvents.after_begin) — a commit the reader could not see is never served.

Writes by another process (the `conton` CLI against the running server's database) are not seen by the hooks: no
value is served older than TTL seconds.

Values are shared by every caller: they must be immutable (frozen dataclasses, tuples) or never mutated. Keys must
carry everything the value depends on besides those tables: the scope of the login (a client's own id), the
filters, the ranges, `clock.today()` when the value has situations such as "vencido". The permission check stays
with the caller, before the lookup.
"""
from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import Pool

T = TypeVar('T')
SIZE = 512  # entries kept (least recently used dropped first)
TTL = 60.0  # seconds: the bound on staleness from writes made by another process

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[tuple, float, object]] = OrderedDict()
_tables: dict[str, int] = {}
_everything = [0]  # bumped by statements that may change any table (TRUNCATE, DDL)
_writes = [0]  # every bump of any generation (memo_in: was anything written since this unit began?)
_MISS = object()
_engine_ids = itertools.count(1)
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_READS = ('SELECT', 'PRAGMA', 'SAVEPOINT', 'RELEASE', 'ROLLBACK', 'BEGIN', 'COMMIT', 'SHOW', 'SET', 'EXPLAIN')
_DIRTY = 'conton_readcache_dirty'
_BEGAN = 'conton_readcache_began'


def scope(actor) -> tuple:
    """The part of a key that says whose value it is: a client login's own client, or the office (staff)."""
    return ('client', str(actor.client_id)) if actor.is_client else ('office',)


def memo(name: str, key: Hashable, tables: Iterable[str], compute: Callable[[], T]) -> T:
    """The value of `compute()` for (name, key), computed again only after a write to one of `tables`."""
    from .. import db
    tables = tuple(tables)
    stamp = _stamp(db.get_engine(), tables)
    hit = _lookup((name, key), stamp)
    if hit is not _MISS:
        return hit  # type: ignore[return-value]
    value = compute()
    _store((name, key), stamp, value)
    return value


def memo_in(session, name: str, key: Hashable, tables: Iterable[str], compute: Callable[[], T]) -> T:
    """`memo` for a read made in `session`, a unit of work already open (see the module's note on snapshots)."""
    tables = tuple(tables)
    engine = session.get_bind()
    stamp = _stamp(engine, tables)
    hit = _lookup((name, key), stamp)
    if hit is not _MISS:
        return hit  # type: ignore[return-value]
    value = compute()
    if session.info.get(_BEGAN) == (engine, _writes[0]):
        _store((name, key), stamp, value)
    return value


def _lookup(full: tuple, stamp: tuple) -> object:
    with _lock:
        hit = _entries.get(full)
        if hit is not None and hit[0] == stamp and time.monotonic() - hit[1] < TTL:
            _entries.move_to_end(full)
            return hit[2]
    return _MISS


def _store(full: tuple, stamp: tuple, value: object) -> None:
    with _lock:
        _entries[full] = (stamp, time.monotonic(), value)
        _entries.move_to_end(full)
        while len(_entries) > SIZE:
            _entries.popitem(last=False)


@event.listens_for(OrmSession, 'after_begin')
def _began(session, _transaction, connection) -> None:
    """Note the write count a unit of work began under (for memo_in): one read, on every unit of work."""
    session.info[_BEGAN] = (connection.engine, _writes[0])


def clear() -> None:
    with _lock:
        _entries.clear()


def _stamp(engine: Engine, tables: tuple[str, ...]) -> tuple:
    number = engine.__dict__.get('_conton_readcache_id')
    if number is None:
        number = engine.__dict__.setdefault('_conton_readcache_id', next(_engine_ids))
    return (number, _everything[0], *(_tables.get(t, 0) for t in tables))


def _bump(names: Iterable[str] | None) -> None:
    with _lock:
        _writes[0] += 1
        if names is None:
            _everything[0] += 1
        else:
            for n in names:
                _tables[n] = _tables.get(n, 0) + 1


@event.listens_for(Engine, 'after_cursor_execute')
def _after_execute(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    head = statement.lstrip()[:10].upper()
    if head.startswith(('INSERT', 'UPDATE', 'DELETE')):
        match = _WRITE.match(statement)
        names = (match.group(1).lower(),) if match else None
    elif head.startswith('WITH'):
        if not any(w in statement.upper() for w in ('INSERT', 'UPDATE', 'DELETE')):
            return
        names = None
    elif head.startswith(_READS):
        return
    else:  # TRUNCATE, CREATE, DROP, ALTER …
        names = None
    _bump(names)
    conn.info.setdefault(_DIRTY, set()).update(names or (None,))


@event.listens_for(Pool, 'checkin')
def _checkin(_dbapi_connection, record) -> None:
    """After the commit or rollback that made the connection's writes visible (or dropped them)."""
    dirty = record.info.pop(_DIRTY, None) if record is not None else None
    if dirty:
        _bump(None if None in dirty else dirty)
