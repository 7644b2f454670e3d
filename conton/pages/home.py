"""Início: Acesso Rápido, a grid of large icons, one per tool the user may open, with live badges."""
from __future__ import annotations

from nicegui import ui

from ..services import home
from .frame import frame, guard


@ui.page('/')
def index() -> None:
    actor = guard()
    if actor is None:
        return
    with frame(actor, 'Início'):
        greeting = 'Portal do cliente' if actor.is_client else 'Acesso Rápido'
        ui.label(greeting).classes('text-h5')
        ui.label(f'Olá, {actor.name}.').classes('text-grey-7')
        with ui.element('div').classes('conton-card-grid').mark('quick-access'):
            for tile in home.quick_access(actor):
                with ui.card().classes('items-center cursor-pointer q-pa-md relative-position') \
                        .on('click', lambda t=tile: ui.navigate.to(t.tool.route)).mark(f'tile-{tile.tool.key}'):
                    ui.icon(tile.tool.icon, size='48px', color='primary')
                    ui.label(tile.tool.label).classes('text-center text-weight-medium')
                    if tile.badge:
                        ui.badge(str(tile.badge), color='red').props('floating rounded') \
                            .tooltip(f'{tile.badge} {tile.hint}')
            with ui.card().classes('items-center cursor-pointer q-pa-md') \
                    .on('click', lambda: ui.navigate.to('/ajuda')).mark('tile-help'):
                ui.icon('support_agent' if actor.is_client else 'help_outline', size='48px', color='primary')
                ui.label('Suporte' if actor.is_client else 'Ajuda').classes('text-center text-weight-medium')
