"""Início: Acesso Rápido, a grid of large icons, one per tool the user may open, with badges."""
from __future__ import annotations

from nicegui import ui

from ..services import home, live, office
from ..services.permissions import Actor, Tool
from .frame import esc, frame, guard, tiles_html


@ui.page('/')
def index() -> None:
    actor = guard()
    if actor is None:
        return
    with frame(actor, 'Início'):
        office_prompt(actor)
        heading = 'Portal do cliente' if actor.is_client else 'Acesso Rápido'
        help_tile = home.Tile(Tool('help', 'Suporte' if actor.is_client else 'Ajuda',
                                   'support_agent' if actor.is_client else 'help_outline', '/ajuda', ''), 0, '')
        intro = f'<div class="text-h5">{esc(heading)}</div><p class="text-grey-7">Olá, {esc(actor.name)}.</p>'
        grid = ui.html(intro + tiles_html([*home.quick_access(actor), help_tile])).classes('w-full') \
            .mark('quick-access')

        def show(tiles: list[home.Tile]) -> None:  # live: a change elsewhere moves the badges
            grid.content = intro + tiles_html([*tiles, help_tile])
        live.subscribe(home.live_tools(actor), actor, show, load=home.quick_access, key=home.share_key(actor))


def office_prompt(actor: Actor) -> None:
    """'Complete os dados do escritório' while Meus Dados lacks the essentials (services.office decides)."""
    missing = office.completion_prompt(actor)
    if not missing:
        return
    listed = missing[0] if len(missing) == 1 else ', '.join(missing[:-1]) + ' e ' + missing[-1]
    with ui.row().classes('w-full items-center gap-2 q-pa-sm q-mb-md rounded-borders bg-blue-1 text-primary') \
            .mark('office-prompt'):
        ui.icon('info', size='sm')
        ui.label(f'Complete os dados do escritório: falta{"m" if len(missing) > 1 else ""} {listed}. Eles aparecem '
                 'nos boletos, recibos e e-mails aos clientes.').classes('col')
        ui.button('Completar Meus Dados', icon='edit',
                  on_click=lambda: ui.navigate.to('/meus-dados?aba=dados')).props('unelevated no-caps')
