"""How each login wants to be told, per notification category: 'drawer' (Painel, the bell), 'email', 'both' or
'none'. The drawer row is always written, whatever the channel; the channel decides the rest:
- the e-mail goes only to logins whose channel is 'email' or 'both' (`tell`, `email_addresses`, `wants_email`);
- the live pop in an open tab (bell count and toast) only for 'drawer' or 'both': `live` drops the others' items at
  dispatch (`silent`), so a login that chose 'email' or 'none' sees the row when it next opens a page.
Without a choice of its own a login follows the office default for that category (without one: 'both').

Every path that tells a login something goes through here: `tell` (drawer row + e-mail as chosen) or, for a path
with its own e-mail text (a boleto attached, a digest), `email_addresses` / `wants_email` before queuing it."""
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
from .permissions import TOOLS, Actor, require

CHANNEL_LABELS = {'drawer': 'Painel (sino)', 'email': 'E-mail', 'both': 'Ambos', 'none': 'Nenhum'}
FALLBACK = 'both'
LIVE = ('drawer', 'both')  # channels that pop up live in an open tab
EMAIL = ('email', 'both')  # channels that get the e-mail
# Which tool lets a login receive a category: (staff tool, client tool). A login is offered (in Meu perfil) only the
# categories it can receive. A tool that adds a category adds its line here.
CATEGORY_TOOLS = {
    'agenda': ('agenda', 'portal_agenda'),
    'pagamentos': ('payables', None),
    'recebimentos': ('receivables', 'portal_finance'),
    'protocolos': ('protocols', 'portal_protocols'),
    'arquivos': ('files', 'portal_files'),
    'atendimentos': ('servicelog', 'portal_servicelog'),  # issue 11's tools
    'solicitacoes': ('requests', 'portal_requests'),
    'comunicados': ('announcements', 'portal_announcements'),
    'documentos': ('docrequests', 'portal_docrequests'),
}


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
        if chosen[uid] in EMAIL and emails.get(uid):
            mail.queue(session, emails[uid], title, [p for p in body.split('\n') if p],
                       link=('Abrir no Conton', url) if url else None)
            queued += 1
    return queued


def channels(session: Session, user_ids: list[uuid.UUID], category: str) -> dict[uuid.UUID, str]:
    """Each login's channel for `category` (its own choice, else the office default, else 'both')."""
    own: dict[uuid.UUID, str] = {}
    for start in range(0, len(user_ids), 900):
        own.update(session.exec(select(NotificationPreference.user_id, NotificationPreference.channel).where(
            NotificationPreference.user_id.in_(user_ids[start:start + 900]),
            NotificationPreference.category == category)).all())
    default = session.get(NotificationDefault, category)
    fallback = default.channel if default is not None else FALLBACK
    return {uid: own.get(uid, fallback) for uid in user_ids}


def wants_email(session: Session, user_ids: Iterable[uuid.UUID], category: str) -> set[uuid.UUID]:
    """Of `user_ids`, the logins whose channel for `category` includes e-mail."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return set()
    return {uid for uid, channel in channels(session, ids, category).items() if channel in EMAIL}


def email_addresses(session: Session, users: Iterable[tuple[uuid.UUID, str]], category: str) -> list[str]:
    """The addresses of those (id, e-mail) logins that want `category` by e-mail, once each, in order — for a path
    that writes its own e-mail (a boleto attached, a digest) next to the drawer row."""
    users = list(users)
    chosen = wants_email(session, [uid for uid, _ in users], category)
    return list(dict.fromkeys(address for uid, address in users if uid in chosen and address))


def silent(session: Session, pairs: Iterable[tuple[uuid.UUID, str]]) -> set[tuple[uuid.UUID, str]]:
    """Of (login, category) pairs, those NOT to pop up live (channel 'email' or 'none'); two queries for any number
    of logins and categories. Asked by `live` at dispatch, for the logins with an open tab only."""
    pairs = set(pairs)
    if not pairs:
        return set()
    ids = list({uid for uid, _ in pairs})
    own: dict[tuple[uuid.UUID, str], str] = {}
    for start in range(0, len(ids), 900):
        for uid, category, channel in session.exec(
                select(NotificationPreference.user_id, NotificationPreference.category, NotificationPreference.channel)
                .where(NotificationPreference.user_id.in_(ids[start:start + 900]))).all():
            own[(uid, category)] = channel
    office = dict(session.exec(select(NotificationDefault.category, NotificationDefault.channel)).all())
    return {(uid, category) for uid, category in pairs
            if own.get((uid, category), office.get(category, FALLBACK)) not in LIVE}


def receivable(actor: Actor) -> list[str]:
    """The categories this login can receive (the tools it may open), in the drawer's order."""
    out = []
    for category in CATEGORIES:
        staff_tool, client_tool = CATEGORY_TOOLS.get(category, (None, None))
        tool = client_tool if actor.is_client else staff_tool
        if tool is not None and actor.can(tool):
            out.append(category)
    return out


def office_categories() -> list[str]:
    """The categories the office can set a default for: those some login can receive."""
    return [c for c in CATEGORIES if any(t in TOOLS for t in CATEGORY_TOOLS.get(c, ()) if t)]


def preferences(actor: Actor) -> dict[str, str]:
    """The actor's channel per category it can receive ('' where it follows the office default) — for Meu perfil."""
    with unit(actor) as session:
        own = dict(session.exec(select(NotificationPreference.category, NotificationPreference.channel)
                                .where(NotificationPreference.user_id == actor.user_id)).all())
    return {c: own.get(c, '') for c in receivable(actor)}


def set_preference(actor: Actor, category: str, channel: str) -> None:
    """The actor's own choice for a category it can receive; '' goes back to the office default."""
    set_preferences(actor, {category: channel})


def set_preferences(actor: Actor, chosen: dict[str, str]) -> int:
    """Meu perfil's form: {category: channel or ''} for categories the actor can receive, all or nothing (a bad
    value is reported under its category). Returns how many categories were saved."""
    allowed = receivable(actor)
    errors = {}
    for category, channel in chosen.items():
        if category not in allowed:
            errors[category if category in CATEGORIES else 'category'] = 'Categoria desconhecida.'
        elif channel not in CHANNELS and channel not in ('', None):
            errors[category] = 'Escolha como quer ser avisado.'
    if errors:
        raise ValidationError(errors)
    with unit(actor) as session:
        for category, channel in chosen.items():
            row = session.get(NotificationPreference, (actor.user_id, category))
            if not channel:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(NotificationPreference(user_id=actor.user_id, category=category, channel=channel))
            else:
                row.channel = channel
    return len(chosen)


def defaults(actor: Actor) -> dict[str, str]:
    """The office default per category (Meus Dados; also shown in Meu perfil as what 'Padrão do escritório' means)."""
    with unit(actor) as session:
        rows = dict(session.exec(select(NotificationDefault.category, NotificationDefault.channel)).all())
    return {c: rows.get(c, FALLBACK) for c in office_categories()}


def set_default(actor: Actor, category: str, channel: str) -> None:
    """The office default for a category (Meus Dados: office write)."""
    set_defaults(actor, {category: channel})


def set_defaults(actor: Actor, chosen: dict[str, str]) -> int:
    """Meus Dados' form: the office default {category: channel}, all or nothing (a bad value is reported under its
    category). Returns how many changed; each change is audited."""
    require(actor, 'office', 'write')
    allowed = office_categories()
    errors = {}
    for category, channel in chosen.items():
        if category not in allowed:
            errors[category if category in CATEGORIES else 'category'] = 'Categoria desconhecida.'
        elif channel not in CHANNELS:
            errors[category] = 'Escolha como avisar.'
    if errors:
        raise ValidationError(errors)
    changed = 0
    with unit(actor) as session:
        for category, channel in chosen.items():
            row = session.get(NotificationDefault, category)
            before = row.channel if row is not None else FALLBACK
            if row is None:
                session.add(NotificationDefault(category=category, channel=channel))
            else:
                row.channel = channel
            if before != channel:
                changed += 1
                audit.record(session, actor, 'update', 'notification_default', category,
                             f'{before} → {channel}')
    return changed

