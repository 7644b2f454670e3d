"""How each login wants to be told, per notification category: 'drawer', 'email', 'both' or 'none'. The drawer row is
always written (and pushed live); the channel decides the e-mail. Without a choice of its own a login follows the
office default for that category (without one: 'both')."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlmodel import Session, select

from ..config import get_settings
from ..models import NotificationDefault, NotificationPreference, User
from ..models.documents import CHANNELS
from ..models.notifications import CATEGORIES
from . import audit, mail, notifications
from .base import unit
from .errors import ValidationError
from .permissions import Actor, require

CHANNEL_LABELS = {'drawer': 'Só no painel de notificações', 'email': 'Por e-mail', 'both': 'Painel e e-mail',
                  'none': 'Não avisar'}
FALLBACK = 'both'


def tell(session: Session, user_ids: Iterable[uuid.UUID], category: str, title: str, body: str = '',
         link: str = '') -> int:
    """Inside the caller's transaction: a drawer notification for every recipient, and an e-mail to those whose
    channel for `category` includes e-mail. Returns how many e-mails were queued."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return 0
    notifications.notify(session, ids, category, title, body, link)
    chosen = channels(session, ids, category)
    emails = dict(session.exec(select(User.id, User.email)
                               .where(User.id.in_(ids), User.active == True)).all())  # noqa: E712
    url = f'{get_settings().public_url}{link}' if link else ''
    queued = 0
    for uid in ids:
        if chosen[uid] in ('email', 'both') and emails.get(uid):
            mail.queue(session, emails[uid], title, [p for p in body.split('\n') if p],
                       link=('Abrir no Conton', url) if url else None)
            queued += 1
    return queued


def channels(session: Session, user_ids: list[uuid.UUID], category: str) -> dict[uuid.UUID, str]:
    own = dict(session.exec(select(NotificationPreference.user_id, NotificationPreference.channel).where(
        NotificationPreference.user_id.in_(user_ids), NotificationPreference.category == category)).all())
    default = session.get(NotificationDefault, category)
    fallback = default.channel if default is not None else FALLBACK
    return {uid: own.get(uid, fallback) for uid in user_ids}


def preferences(actor: Actor) -> dict[str, str]:
    """The actor's channel per category ('' where it follows the office default) — for Meu perfil."""
    with unit(actor) as session:
        own = dict(session.exec(select(NotificationPreference.category, NotificationPreference.channel)
                                .where(NotificationPreference.user_id == actor.user_id)).all())
    return {c: own.get(c, '') for c in CATEGORIES}


def set_preference(actor: Actor, category: str, channel: str) -> None:
    """The actor's own choice; '' goes back to the office default."""
    _check(category, channel, allow_empty=True)
    with unit(actor) as session:
        row = session.get(NotificationPreference, (actor.user_id, category))
        if not channel:
            if row is not None:
                session.delete(row)
            return
        if row is None:
            session.add(NotificationPreference(user_id=actor.user_id, category=category, channel=channel))
        else:
            row.channel = channel


def defaults(actor: Actor) -> dict[str, str]:
    with unit(actor) as session:
        rows = dict(session.exec(select(NotificationDefault.category, NotificationDefault.channel)).all())
    return {c: rows.get(c, FALLBACK) for c in CATEGORIES}


def set_default(actor: Actor, category: str, channel: str) -> None:
    """The office default for a category (Meus Dados: office write)."""
    require(actor, 'office', 'write')
    _check(category, channel)
    with unit(actor) as session:
        row = session.get(NotificationDefault, category)
        if row is None:
            session.add(NotificationDefault(category=category, channel=channel))
        else:
            row.channel = channel
        audit.record(session, actor, 'update', 'notification_default', category, channel)


def _check(category: str, channel: str, *, allow_empty: bool = False) -> None:
    if category not in CATEGORIES:
        raise ValidationError('Categoria desconhecida.', 'category')
    if channel not in CHANNELS and not (allow_empty and channel == ''):
        raise ValidationError('Escolha como quer ser avisado.', 'channel')
