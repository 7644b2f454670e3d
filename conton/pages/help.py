"""Ajuda: a pt-BR help page per tool (assets/help/<slug>.md), reachable from each tool's page."""
from __future__ import annotations

from pathlib import Path

from nicegui import ui

from ..services.permissions import TOOLS
from .common import not_found
from .frame import frame, guard

HELP_DIR = Path(__file__).resolve().parent.parent.parent / 'assets' / 'help'


def _title(path: Path) -> str:
    first = path.read_text(encoding='utf-8').splitlines()[0]
    return first.lstrip('# ').strip()


@ui.page('/ajuda')
def help_index() -> None:
    actor = guard()
    if actor is None:
        return
    with frame(actor, 'Ajuda'):
        ui.label('Ajuda').classes('text-h5')
        slugs = ['primeiros-passos'] + [t.help for t in actor.tools() if t.help] + ['perfil']
        with ui.list().props('bordered separator').classes('w-full'):
            for slug in slugs:
                path = HELP_DIR / f'{slug}.md'
                if path.exists():
                    with ui.item(on_click=lambda s=slug: ui.navigate.to(f'/ajuda/{s}')).props('clickable'):
                        with ui.item_section().props('avatar'):
                            ui.icon('article', color='primary')
                        ui.item_section(_title(path))
        if actor.is_client:
            ui.label('Precisa falar com o escritório? Use os contatos abaixo.').classes('q-mt-md')
            from ..services import office
            ui.label(office.branding().name).classes('text-weight-medium')


@ui.page('/ajuda/{slug}')
def help_page(slug: str) -> None:
    actor = guard()
    if actor is None:
        return
    allowed = {'primeiros-passos', 'perfil'} | {t.help for t in actor.tools()}
    path = HELP_DIR / f'{slug}.md'
    with frame(actor, 'Ajuda'):
        if slug not in allowed or not path.exists() or '/' in slug:
            not_found()
            return
        ui.link('← Todas as páginas de ajuda', '/ajuda').classes('text-sm')
        ui.markdown(path.read_text(encoding='utf-8')).classes('w-full').style('max-width: 800px')
        tool = next((t for t in TOOLS.values() if t.help == slug and actor.can(t.key)), None)
        if tool:
            ui.button(f'Abrir {tool.label}', on_click=lambda: ui.navigate.to(tool.route)).props('outline')
