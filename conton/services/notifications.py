"""Notifications: rows per recipient, announced live after commit to every open tab of that recipient."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime

from nicegui import Event, core
from sqlalchemy import func, update
from sqlmodel import Session, select

from ..clock import now
from ..db import after_commit
from ..models import Notification, User
from ..models.notifications import CATEGORIES
from .base import as_uuid, unit
from .permissions import LEVELS, TOOLS, Actor

CATEGORY_LABELS = {
    'agenda': 'Agenda', 'pagamentos': 'Pagamentos', 'recebimentos': 'Recebimentos', 'protocolos': 'Protocolos',
    'atendimentos': 'Atendimentos', 'arquivos': 'Arquivos', 'solicitacoes': 'Solicitações',
}
CATEGORY_ICONS = {
    'agenda': 'event', 'pagamentos': 'payments', 'recebimentos': 'request_quote', 'protocolos': 'assignment_turned_in',
    'atendimentos': 'support_agent', 'arquivos': 'folder', 'solicitacoes': 'forum',
}


@dataclass(frozen=True)
class Item:
    id: uuid.UUID
    user_id: uuid.UUID
    category: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


# Fired (on the event loop) with a list of Items just committed; every open page frame subscribes once.
changed: Event = Event()


def reset() -> None:
    global changed  # noqa: PLW0603
    changed = Event()


def _item(n: Notification) -> Item:
    return Item(n.id, n.user_id, n.category, n.title, n.body, n.link, n.created_at, n.read_at is not None)


def notify(session: Session, user_ids, category: str, title: str, body: str = '', link: str = '') -> list[Item]:
    """Write one notification per recipient inside the caller's transaction; announce them after commit."""
    if category not in CATEGORIES:
        raise ValueError(f'unknown category {category}')
    rows = [Notification(user_id=uid, category=category, title=title[:200], body=body[:1000], link=link[:300])
            for uid in dict.fromkeys(user_ids)]
    session.add_all(rows)
    items = [_item(n) for n in rows]
    if items:
        after_commit(session, lambda: announce(items))
    return items


def client_users(session: Session, client_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.exec(select(User.id).where(User.client_id == client_id, User.active == True)).all())  # noqa: E712


def staff_users(session: Session, tool: str, level: str = 'read') -> list[uuid.UUID]:
    """Admins and staff with at least `level` on `tool`."""
    rows = session.exec(select(User.id, User.role, User.permissions)
                        .where(User.active == True, User.role.in_(('admin', 'staff')))).all()  # noqa: E712
    spec = TOOLS[tool]
    return [uid for uid, role, perms in rows
            if role == 'admin' or (spec.grantable and LEVELS.get((perms or {}).get(tool, 'none'), 0) >= LEVELS[level])]


def announce(items: list[Item]) -> None:
    """Emit on the event loop, from it or from a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        if core.loop is not None and core.loop.is_running():
            core.loop.call_soon_threadsafe(changed.emit, items)
        return
    changed.emit(items)


@dataclass
class Drawer:
    counts: dict[str, int]
    items: list[Item]


def drawer(actor: Actor, limit: int = 30) -> Drawer:
    """Unread count per category and the latest notifications of the actor (two queries)."""
    with unit(actor) as session:
        counts = _counts(session, actor)
        rows = session.exec(select(Notification).where(Notification.user_id == actor.user_id)
                            .order_by(Notification.created_at.desc()).limit(limit)).all()
        return Drawer(counts, [_item(n) for n in rows])


def unread_counts(actor: Actor) -> dict[str, int]:
    with unit(actor) as session:
        return _counts(session, actor)


def _counts(session: Session, actor: Actor) -> dict[str, int]:
    counts = dict(session.exec(select(Notification.category, func.count())
                               .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
                               .group_by(Notification.category)).all())
    return {c: counts.get(c, 0) for c in CATEGORIES}


def mark_read(actor: Actor, notification_id: uuid.UUID | str) -> None:
    with unit(actor) as session:
        session.exec(update(Notification).where(Notification.id == as_uuid(notification_id),
                                                Notification.user_id == actor.user_id,
                                                Notification.read_at.is_(None)).values(read_at=now()))


def mark_all_read(actor: Actor, category: str | None = None) -> None:
    with unit(actor) as session:
        query = update(Notification).where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        if category:
            query = query.where(Notification.category == category)
        session.exec(query.values(read_at=now()))
