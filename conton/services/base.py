"""The unit of work every service call runs in, and the one helper that scopes data to a client login."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from ..db import session_scope
from ..models import Client, User
from .errors import AuthExpired, NotFound
from .permissions import Actor

T = TypeVar('T', bound=SQLModel)
FRESH_SECONDS = 2.0  # an actor loaded this recently (same page render) is not re-read


@contextmanager
def unit(actor: Actor | None = None) -> Iterator[Session]:
    """Open a session for one service call; re-check that the acting login is still valid."""
    with session_scope() as session:
        if actor is not None:
            check_actor(session, actor)
        yield session


def check_actor(session: Session, actor: Actor) -> None:
    if time.monotonic() - actor.loaded_at < FRESH_SECONDS:
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
