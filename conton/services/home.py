"""Acesso Rápido: the tools the actor may open, each with a badge of what is pending there."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from . import mail
from .base import unit
from .permissions import Actor, Tool


@dataclass(frozen=True)
class Tile:
    tool: Tool
    badge: int
    hint: str  # what the badge counts, e.g. '3 vencidos'


# tool key -> (function(session, actor) -> count, hint for the count); finance and later tools add theirs here.
BADGES: dict[str, tuple[Callable[[Session, Actor], int], str]] = {
    'emails': (lambda session, actor: mail.pending_count(session), 'não enviados'),
    'payables': (lambda session, actor: _payables().attention_count(session), 'vencidas ou vencendo em até 3 dias'),
    'receivables': (lambda session, actor: _receivables().overdue_count(session), 'cobranças vencidas'),
    'portal_finance': (lambda session, actor: _receivables().client_open_count(session, actor), 'cobranças em aberto'),
    'agenda': (lambda session, actor: _agenda().upcoming_count(session, actor), 'nos próximos 7 dias'),
    'requests': (lambda session, actor: _requests().waiting_office_count(session, actor), 'sem resposta'),
    'portal_requests': (lambda session, actor: _requests().waiting_client_count(session, actor), 'aguardando você'),
    'docrequests': (lambda session, actor: _docrequests().to_review_count(session, actor), 'respostas para revisar'),
    'portal_docrequests': (lambda session, actor: _docrequests().client_pending_count(session, actor), 'pendentes'),
    'portal_agenda': (lambda session, actor: _agenda().upcoming_count(session, actor), 'nos próximos 7 dias'),
    'announcements': (lambda session, actor: _announcements().badge_count(session, actor), 'agendados ou enviando'),
    'portal_announcements': (lambda session, actor: _announcements().unread_count(session, actor), 'não lidos'),
    'protocols': (lambda session, actor: _protocols().overdue_count(session, actor), 'vencidos sem visualização'),
    'portal_protocols': (lambda session, actor: _protocols().open_count(session, actor), 'a confirmar'),
    'files': (lambda session, actor: _files().pending_count(session, actor), 'envios de clientes não baixados'),
    'portal_files': (lambda session, actor: _files().recent_count(session, actor), 'novos nos últimos 7 dias'),
}


# data tool -> the badges its changes move (what the home page listens to, live)
LIVE_TOOLS: dict[str, tuple[str, ...]] = {'receivables': ('receivables', 'portal_finance'), 'payables': ('payables',),
                                          'agenda': ('agenda', 'portal_agenda'),
                                          'announcements': ('announcements',),
                                          'portal_announcements': ('portal_announcements',),
                                          'docrequests': ('docrequests', 'portal_docrequests'),
                                          'requests': ('requests', 'portal_requests'),
                                          'protocols': ('protocols', 'portal_protocols'),
                                          'files': ('files', 'portal_files')}


def live_tools(actor: Actor) -> tuple[str, ...]:
    """The data tools whose changes can move one of the actor's badges."""
    shown = {t.key for t in actor.tools()}
    return tuple(tool for tool, badges in LIVE_TOOLS.items() if shown.intersection(badges))


def share_key(actor: Actor) -> tuple:
    """Staff with the same tools see the same tiles and counts. A client login's own: some of its counts are the
    login's (comunicados not read: each login reads its own), so two logins of one client never share them."""
    return ('home', tuple(t.key for t in actor.tools()), actor.user_id if actor.is_client else None)


def quick_access(actor: Actor) -> list[Tile]:
    tools = actor.tools()
    with unit(actor) as session:
        tiles = []
        for tool in tools:
            count, hint = 0, ''
            if tool.key in BADGES:
                func, hint = BADGES[tool.key]
                count = func(session, actor)
            tiles.append(Tile(tool, count, hint))
        return tiles


def _payables():
    from . import payables
    return payables


def _receivables():
    from . import receivables
    return receivables


def _agenda():
    from . import agenda
    return agenda


def _docrequests():
    from . import docrequests
    return docrequests


def _protocols():
    from . import protocols
    return protocols


def _requests():
    from . import requests
    return requests


def _announcements():
    from . import announcements
    return announcements


def _files():
    from . import files
    return files
