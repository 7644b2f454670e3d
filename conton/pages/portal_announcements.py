"""Portal do cliente > Comunicados: the comunicados this login received (newest first, the unread marked), and one
of them to read (opening it marks it read, for this login only) with its attachments. Another login's comunicado,
or a guessed id, answers 'Comunicado não encontrado.'; a new comunicado appears live."""
from __future__ import annotations

from nicegui import ui

from .. import formatting
from ..services import announcements, live
from ..services.announcements import PortalItem
from ..services.errors import NotFound
from ..services.permissions import Actor
from .common import page_title
from .frame import client_guard, esc, frame

TOOL = announcements.PORTAL_TOOL


@ui.page('/portal/comunicados')
def portal_announcements_page() -> None:
    actor = client_guard('Comunicados')
    if actor is None:
        return
    with frame(actor, 'Comunicados'):
        page_title('Comunicados', 'portal-comunicados')
        region = ui.html('').classes('w-full').mark('portal-announcements')

        def show(items: list[PortalItem]) -> None:
            region.content = list_html(items)
        show(announcements.portal_list(actor))
        live.subscribe(TOOL, actor, show, load=_mine, key=('portal-announcements', actor.user_id))


def _mine(actor: Actor) -> list[PortalItem]:
    return announcements.portal_list(actor)


def list_html(items: list[PortalItem]) -> str:
    if not items:
        return '<div class="conton-days"><div class="empty">Nenhum comunicado do escritório ainda.</div></div>'
    parts = []
    for item in items:
        new = '' if item.read_at else '<span class="conton-tag wait">Novo</span> '  # inside the bold title
        clip = f' · {len(item.attachments)} anexo{"s" if len(item.attachments) != 1 else ""}' if item.attachments else ''
        first = item.paragraphs[0] if item.paragraphs else ''
        parts.append(f'<a class="item" href="{esc(item.url)}"><span class="tx"><b>{new}{esc(item.subject)}</b>'
                     f'<span>{esc(formatting.when(item.sent_at))}{esc(clip)} — {esc(first[:160])}</span></span></a>')
    return f'<div class="conton-days">{"".join(parts)}</div>'


@ui.page('/portal/comunicados/{announcement_id}')
def portal_announcement_page(announcement_id: str) -> None:
    actor = client_guard('Comunicado')
    if actor is None:
        return
    try:
        item = announcements.read(actor, announcement_id)
    except NotFound:
        with frame(actor, 'Comunicado'):
            ui.link('← Comunicados', '/portal/comunicados').classes('text-sm')
            ui.label('Comunicado não encontrado.').classes('text-negative q-mt-md').mark('missing-announcement')
        return
    with frame(actor, item.subject):
        ui.link('← Comunicados', '/portal/comunicados').classes('text-sm')
        page_title(item.subject, 'portal-comunicados')
        ui.label(f'Enviado pelo escritório em {formatting.when(item.sent_at)}').classes('text-caption text-grey-8')
        ui.html(read_html(item)).classes('w-full').mark('announcement')
        attachment_links(item.attachments)


def read_html(item: PortalItem) -> str:
    return ''.join(f'<p class="q-mb-sm">{esc(p)}</p>' for p in item.paragraphs)


def attachment_links(files: list) -> None:
    """One download link per attachment (a handful at most: plain elements)."""
    if not files:
        return
    ui.label('Anexos').classes('conton-section')
    with ui.column().classes('gap-1').mark('attachments'):
        for f in files:
            with ui.row().classes('items-center gap-2 no-wrap'):
                ui.icon('attach_file', size='sm', color='grey-7')
                ui.link(f.name, f.url).classes('text-body2')
                ui.label(f.size_label).classes('text-caption text-grey-7')
