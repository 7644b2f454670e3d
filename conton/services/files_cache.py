"""A process-local cache for Arquivos' aggregate reads (the counts per folder and side, a list's total), so that a page
of a 50,000-file folder does not count 50,000 rows on every render (bench/files.py: the counts were 20-45 ms of SQL on
SQLite per render, against a ~8 ms bare page).

Correctness does not depend on any service remembering to invalidate: the engine is watched. Any statement that is not
a SELECT and names the `docfile` table (an ORM flush, a Core update, a restore) marks its connection; the generation
of that engine's cache moves on when the statement runs, when its transaction commits and when the connection goes
back to the pool (after the commit is durable). A value is stored only under the generation that was current when
the reading session began its transaction (SessionEvents.after_begin, before its snapshot): a commit the reader could
not see always moves the generation past it, so a stale value is never served. The app is one process (NiceGUI has
one worker); writes by another process (a CLI command against the same database) are caught by the time limit.
"""
from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

T = TypeVar('T')
TABLE = 'docfile'
MAX_ENTRIES = 512
TTL = 60.0  # seconds: the bound on staleness from writes by another process
_FLAG = 'conton_docfile_written'
_KEY = 'conton_files_generation'


class _Generation:
    def __init__(self) -> None:
        self.value = 0
        self.lock = threading.Lock()
        self.entries: OrderedDict[Hashable, tuple[int, float, object]] = OrderedDict()

    def bump(self) -> None:
        with self.lock:
            self.value += 1
            self.entries.clear()


_engines: weakref.WeakKeyDictionary[Engine, _Generation] = weakref.WeakKeyDictionary()
_engines_lock = threading.Lock()


def _writes_docfile(statement: str) -> bool:
    head = statement.lstrip()[:6].upper()
    return head not in ('SELECT', 'PRAGMA', 'SAVEPO', 'RELEAS') and TABLE in statement.lower()


def _watch(engine: Engine) -> _Generation:
    generation = _engines.get(engine)
    if generation is not None:
        return generation
    with _engines_lock:
        generation = _engines.get(engine)
        if generation is not None:
            return generation
        generation = _Generation()

        def executed(conn, _cursor, statement, _params, _context, _many) -> None:
            if _writes_docfile(statement):
                conn.info[_FLAG] = True
                generation.bump()

        def ended(conn) -> None:  # commit / rollback (before the DBAPI call)
            if conn.info.get(_FLAG):
                generation.bump()

        def checked_in(_dbapi_connection, record) -> None:  # after the transaction ended
            if record is not None and record.info.pop(_FLAG, False):
                generation.bump()
        event.listen(engine, 'after_cursor_execute', executed)
        event.listen(engine, 'commit', ended)
        event.listen(engine, 'rollback', ended)
        event.listen(engine, 'checkin', checked_in)
        _engines[engine] = generation
    return generation


@event.listens_for(OrmSession, 'after_begin')
def _began(session, _transaction, connection) -> None:
    generation = _engines.get(connection.engine)
    if generation is not None:
        session.info[_KEY] = generation.value


def cached(session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` (a read in `session`), or its value from an earlier call with the same key when the `docfile`
    table has not been written since (and within TTL)."""
    engine = session.get_bind()
    generation = _watch(engine)
    now = time.monotonic()
    with generation.lock:
        hit = generation.entries.get(key)
        if hit is not None and hit[0] == generation.value and now - hit[1] < TTL:
            generation.entries.move_to_end(key)
            return hit[2]  # type: ignore[return-value]
    began = session.info.get(_KEY)
    value = compute()
    if began is None:  # the session began before the engine was watched: nothing cached for it yet; store nothing
        return value
    with generation.lock:
        if generation.value == began:
            generation.entries[key] = (began, now, value)
            generation.entries.move_to_end(key)
            while len(generation.entries) > MAX_ENTRIES:
                generation.entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached value (tests)."""
    for generation in list(_engines.values()):
        generation.bump()
