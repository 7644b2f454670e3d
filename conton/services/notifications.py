"""Notifications: rows per recipient, announced live after commit to the open tabs of that recipient (through
`live`: indexed by recipient, the recipient's session re-checked on every push)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import bindparam, case, func, insert, update
from sqlmodel import Session, select

from ..clock import now
from ..models import Notification, User
from ..models.notifications import CATEGORIES
from . import live
from .base import as_uuid, unit
from .permissions import LEVELS, TOOLS, Actor

CATEGORY_LABELS = {
    'agenda': 'Agenda', 'pagamentos': 'Pagamentos', 'recebimentos': 'Recebimentos', 'protocolos': 'Protocolos',
    'atendimentos': 'Atendimentos', 'arquivos': 'Arquivos', 'solicitacoes': 'Solicitações',
    'comunicados': 'Comunicados', 'documentos': 'Pedidos de documentos',
}
CATEGORY_ICONS = {
    'agenda': 'event', 'pagamentos': 'payments', 'recebimentos': 'request_quote', 'protocolos': 'assignment_turned_in',
    'atendimentos': 'support_agent', 'arquivos': 'folder', 'solicitacoes': 'forum',
    'comunicados': 'campaign', 'documentos': 'upload_file',
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


def reset() -> None:
    """Tests: forget every live subscription."""
    live.reset()


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
        live.announce_notes(session, items)  # published with the transaction's live changes, after commit
    return items


def notify_rows(session: Session, rows: list[dict]) -> None:
    """Notifications with different texts (column values: id, user_id, category, title, body, link, created_at,
    read_at) in one INSERT inside the caller's transaction, announced live with its changes after commit: for the
    bulk paths (reminders, document requests) where an ORM object each would cost seconds."""
    if not rows:
        return
    session.connection().execute(insert(Notification.__table__), rows)
    live.announce_notes(session, [Item(r['id'], r['user_id'], r['category'], r['title'], r['body'], r['link'],
                                       r['created_at'], False) for r in rows])


def client_users(session: Session, client_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.exec(select(User.id).where(User.client_id == client_id, User.active == True)).all())  # noqa: E712


def staff_users(session: Session, tool: str, level: str = 'read') -> list[uuid.UUID]:
    """Admins and staff with at least `level` on `tool`."""
    rows = session.exec(select(User.id, User.role, User.permissions)
                        .where(User.active == True, User.role.in_(('admin', 'staff')))).all()  # noqa: E712
    spec = TOOLS[tool]
    return [uid for uid, role, perms in rows
            if role == 'admin' or (spec.grantable and LEVELS.get((perms or {}).get(tool, 'none'), 0) >= LEVELS[level])]


def subscribe(actor: Actor, callback) -> None:
    """From a page: `callback(items)` runs in this tab with each batch of new notifications for this login."""
    live.subscribe_inbox(actor, callback)


@dataclass
class Drawer:
    counts: dict[str, int]
    items: list[Item]


def drawer(actor: Actor, per_category: int = 10) -> Drawer:
    """Unread count per category and the latest notifications of each category, in one query (window functions)."""
    with unit(actor) as session:
        rows = session.connection().execute(_drawer_query(), {'uid': actor.user_id, 'per': per_category}).all()
    counts = {c: 0 for c in CATEGORIES}
    items = []
    for r in rows:
        counts[r.category] = r.unread
        created = r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=timezone.utc)
        items.append(Item(_uuid(r.id), _uuid(r.user_id), r.category, r.title, r.body, r.link, created,
                          r.read_at is not None))
    return Drawer(counts, items)


@lru_cache
def _drawer_query():
    """Built once (building the windowed subquery costs more than running it)."""
    n = Notification.__table__.c
    inner = select(n.id, n.user_id, n.category, n.title, n.body, n.link, n.created_at, n.read_at,
                   func.row_number().over(partition_by=n.category, order_by=(n.created_at.desc(), n.id)).label('rn'),
                   func.count(case((n.read_at.is_(None), 1))).over(partition_by=n.category).label('unread')) \
        .where(n.user_id == bindparam('uid', type_=Notification.__table__.c.user_id.type)).subquery()
    return select(inner).where(inner.c.rn <= bindparam('per')).order_by(inner.c.created_at.desc(), inner.c.id)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


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


def open_link(actor: Actor, notification_id: uuid.UUID | str) -> str:
    """Mark one of the actor's notifications read and return where it points (NotFound for anyone else's)."""
    from .errors import NotFound
    with unit(actor) as session:
        row = session.get(Notification, as_uuid(notification_id))
        if row is None or row.user_id != actor.user_id:
            raise NotFound()
        if row.read_at is None:
            row.read_at = now()
        link = row.link
    return link if link.startswith('/') and not link.startswith('//') else '/'


def mark_all_read(actor: Actor, category: str | None = None) -> None:
    with unit(actor) as session:
        query = update(Notification).where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        if category:
            query = query.where(Notification.category == category)
        session.exec(query.values(read_at=now()))
