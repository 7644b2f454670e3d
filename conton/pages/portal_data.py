"""Portal do cliente > Meus dados: the client's own registration (read-only) and a way to change the password."""
from __future__ import annotations

from nicegui import ui

from ..services import clients
from ..services.errors import NotFound
from .common import not_found, page_title
from .frame import client_guard, esc, frame
from .widgets import client_facts_html


@ui.page('/portal/dados')
def portal_data_page() -> None:
    actor = client_guard('Meus dados')
    if actor is None:
        return
    with frame(actor, 'Meus dados'):
        try:
            client = clients.my_client(actor)
        except NotFound:
            not_found()
            return
        page_title('Meus dados', 'portal-dados')
        with ui.card().classes('w-full'):
            ui.label(client.name).classes('text-h6')
            ui.html(client_facts_html(client, internal=False)).classes('w-full').mark('client-data')
        with ui.card().classes('w-full q-mt-md'):
            ui.label('Seu acesso').classes('text-h6')
            ui.html(f'<div class="conton-facts"><div class="f"><div class="k">Nome</div><div class="v">'
                    f'{esc(actor.name)}</div></div><div class="f"><div class="k">E-mail (login)</div>'
                    f'<div class="v">{esc(actor.email)}</div></div></div>').classes('w-full')
            with ui.row().classes('gap-2'):
                ui.button('Trocar minha senha', icon='lock_reset', on_click=lambda: ui.navigate.to('/perfil#senha')) \
                    .props('outline no-caps')
        with ui.row().classes('w-full items-start no-wrap gap-2 q-mt-md text-grey-8'):
            ui.icon('info', size='sm', color='primary')
            ui.label('Algum dado está desatualizado? Avise o escritório: só ele pode alterar o seu cadastro.')
