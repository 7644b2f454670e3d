"""Início: Acesso Rápido, a grid of large icons, one per tool the user may open, with badges."""
from __future__ import annotations

from nicegui import ui

from ..services import home
from ..services.permissions import Tool
from .frame import esc, frame, guard, tiles_html


@ui.page('/')
def index() -> None:
    actor = guard()
    if actor is None:
        return
    with frame(actor, 'Início'):
        heading = 'Portal do cliente' if actor.is_client else 'Acesso Rápido'
        help_tile = home.Tile(Tool('help', 'Suporte' if actor.is_client else 'Ajuda',
                                   'support_agent' if actor.is_client else 'help_outline', '/ajuda', ''), 0, '')
        ui.html(f'<div class="text-h5">{esc(heading)}</div><p class="text-grey-7">Olá, {esc(actor.name)}.</p>'
                + tiles_html([*home.quick_access(actor), help_tile])).classes('w-full').mark('quick-access')
