"""The unit of work every service call runs in, and the one helper that scopes data to a client login."""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from ..db import session_scope
from ..models import Client, User
from .errors import AuthExpired, NotFound
from .permissions import Actor

T = TypeVar('T', bound=SQLModel)


@contextmanager
def unit(actor: Actor | None = None) -> Iterator[Session]:
    """Open a session for one service call; re-check that the acting login is still valid."""
    with session_scope() as session:
        if actor is not None:
            check_actor(session, actor)
        yield session


@dataclass
class _Render:
    """A login just read in full from the database at the start of one page render (see `rendering_as`)."""
    user_id: uuid.UUID
    session_version: int
    task: Any
    until: float
    open: bool = True


_render: ContextVar[_Render | None] = ContextVar('conton_render', default=None)
RENDER_SECONDS = 2.0  # a page render that takes longer re-checks the login again at its next call


def _task() -> Any:
    try:
        return asyncio.current_task()
    except RuntimeError:  # a worker thread: no task, never the render's
        return None


def rendering_as(actor: Actor) -> None:
    """The page render now starting has just loaded `actor` from the database (auth.load_actor): the service calls
    the same render makes next (its frame, drawer, list, badges) need not read the login again. Only calls in this
    very task, until `end_render` or RENDER_SECONDS: event handlers, timers, live pushes, downloads and worker
    threads run in other tasks (tasks copy context variables, so the flag is a shared object that `end_render`
    closes for every copy) and always re-check."""
    task = _task()
    if task is not None:
        _render.set(_Render(actor.user_id, actor.session_version, task, time.monotonic() + RENDER_SECONDS))


def end_render() -> None:
    state = _render.get()
    if state is not None:
        state.open = False
        _render.set(None)


def _checked_in_this_render(actor: Actor) -> bool:
    state = _render.get()
    return (state is not None and state.open and state.user_id == actor.user_id
            and state.session_version == actor.session_version and state.task is _task()
            and time.monotonic() < state.until)


def check_actor(session: Session, actor: Actor) -> None:
    """Every call re-reads the login (one primary-key query joined to its client), reads as well as writes and
    exports: disabling a login, ending its sessions or deactivating its client stops the very next call.

    There used to be a 2-second shortcut for an actor loaded in the same page render; it let an export through
    right after the login was disabled. Measured with bench/ (SQLite, 300 clients, 3,000 charges, two servers side
    by side, requests interleaved): it saved 2 statements per render (home 5 -> 7, Recebimentos 4 -> 6), about
    0.2-0.6 ms each on a busy 2-core machine against 60-90 ms renders; render medians did not differ beyond noise.

    The one exception is the page render itself (`rendering_as`): the login read in full by the page guard a moment
    ago, in the same task, is not read again by each service the render calls (the frame's drawer, the list, the
    badges). It is bounded by the render, not by a clock; with the frame down to one statement per page, this saves
    a statement per service call of every render (home: 22 -> 15 statements, /clientes 7 -> 5).
    """
    if _checked_in_this_render(actor):
        return
    query = select(User.active, User.session_version, Client.active).outerjoin(Client, Client.id == User.client_id)
    row = session.exec(query.where(User.id == actor.user_id)).first()
    if row is None or not row[0] or row[1] != actor.session_version or (actor.is_client and not row[2]):
        raise AuthExpired()


def in_id_order(rows: list, ids: list, key=lambda row: row[0]) -> list:
    """`rows` fetched by `id IN ids` put back in the order of `ids` (a page of ids read first, in list order)."""
    position = {row_id: n for n, row_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[key(row)])


def scoped(query, model: type[SQLModel], actor: Actor):
    """Restrict a query on a table with `client_id` to the actor's client when the actor is a client login."""
    if actor.is_client:
        return query.where(model.client_id == actor.client_id)
    return query


def get_scoped(session: Session, model: type[T], item_id: uuid.UUID | str, actor: Actor) -> T:
    """Fetch one row by id; a client login gets NotFound for any row that is not its own client's."""
    try:
        key = item_id if isinstance(item_id, uuid.UUID) else uuid.UUID(str(item_id))
    except ValueError as e:
        raise NotFound() from e
    query = scoped(select(model).where(model.id == key), model, actor)
    obj = session.exec(query).first()
    if obj is None:
        raise NotFound()
    return obj


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as e:
        raise NotFound() from e
