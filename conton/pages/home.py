"""Início: Acesso Rápido, a grid of large icons, one per tool the user may open, with badges; and the Agenda's
'próximos 7 dias'."""
from __future__ import annotations

from datetime import timedelta

from nicegui import ui

from .. import clock, formatting
from ..services import agenda, announcements, home, live, obligations, office
from ..services.permissions import Actor, Tool
from . import widgets
from .frame import esc, frame, guard, tiles_html


@ui.page('/')
def index() -> None:
    actor = guard()
    if actor is None:
        return
    with frame(actor, 'Início'):
        office_prompt(actor)
        if actor.is_client:
            home_documents(actor)  # a client's pending documents come first, above the tiles
        heading = 'Portal do cliente' if actor.is_client else 'Acesso Rápido'
        help_tile = home.Tile(Tool('help', 'Suporte' if actor.is_client else 'Ajuda',
                                   'support_agent' if actor.is_client else 'help_outline', '/ajuda', ''), 0, '')
        intro = f'<div class="text-h5">{esc(heading)}</div><p class="text-grey-7">Olá, {esc(actor.name)}.</p>'
        grid = ui.html(intro + tiles_html([*home.quick_access(actor), help_tile])).classes('w-full') \
            .mark('quick-access')

        def show(tiles: list[home.Tile]) -> None:  # live: a change elsewhere moves the badges
            grid.content = intro + tiles_html([*tiles, help_tile])
        live.subscribe(home.live_tools(actor), actor, show, load=home.quick_access, key=home.share_key(actor))
        if not actor.is_client:
            home_documents(actor)
        unread_announcements(actor)
        pending_requests(actor)
        upcoming_agenda(actor)


def unread_announcements(actor: Actor) -> None:
    """A client login's comunicados not opened yet (its own: each login reads its own), refreshed live."""
    if not actor.can(announcements.PORTAL_TOOL):
        return
    box = ui.html('').classes('w-full').mark('home-announcements')

    def render(data: tuple[int, list]) -> None:
        count, items = data
        if not count:
            box.content = ''
            return
        rows = ''.join(f'<a class="item" href="{esc(i.url)}"><span class="tx"><b>{esc(i.subject)}</b>'
                       f'<span>{esc(formatting.when(i.sent_at))}</span></span></a>' for i in items)
        more = ('<a class="conton-more" href="/portal/comunicados">Ver todos os comunicados</a>'
                if count > len(items) else '')
        box.content = (f'<div class="text-h6 q-mt-lg">Comunicados não lidos ({count})</div>'
                       f'<div class="conton-days">{rows}</div>{more}')
    render(announcements.unread(actor))
    live.subscribe(announcements.PORTAL_TOOL, actor, render, load=announcements.unread,
                   key=('home-announcements', actor.user_id))


def upcoming_agenda(actor: Actor) -> None:
    """'Próximos 7 dias': the Agenda's occurrences and open obligations of the next week (what the tile's badge
    counts), refreshed live."""
    if not actor.can('portal_agenda' if actor.is_client else 'agenda'):
        return
    ui.label('Próximos 7 dias').classes('text-h6 q-mt-lg')
    box = ui.html('').classes('w-full').mark('home-agenda')
    base = '/portal/agenda' if actor.is_client else '/agenda'

    def fetch(a: Actor) -> tuple[list, list]:
        today = clock.today()
        return agenda.upcoming(a, 7), obligations.search(a, today, today + timedelta(days=7), status='aberto')

    def render(data: tuple[list, list]) -> None:
        occs, dues = data
        today = clock.today()
        occ_link = (lambda o: f'{base}?evento={o.event_id}&ocorrencia={o.occurrence:%Y%m%dT%H%M%SZ}')
        due_link = ((lambda day, item: f'/portal/agenda?vista=lista&data={day.isoformat()}') if actor.is_client else
                    (lambda day, item: f'/agenda/obrigacoes?de={day.isoformat()}&ate={day.isoformat()}'
                                       f'&obrigacao={item.obligation_id}'))
        entries = (widgets.occurrence_entries(occs, occ_link, start=today, end=today + timedelta(days=8),
                                              with_client=not actor.is_client)
                   + widgets.due_entries(dues, due_link, group=not actor.is_client))
        entries.sort(key=lambda e: (e.day, e.due, e.time == '', e.time))
        more = f'<a class="conton-more" href="{base}?vista=lista">Ver a agenda</a>'
        box.content = widgets.days_html(entries[:40], today=today, empty='Nada marcado nos próximos 7 dias.') + more
    render(fetch(actor))
    live.subscribe(agenda.TOOL, actor, render, load=fetch, key=('home-agenda',))


def pending_requests(actor: Actor) -> None:
    """A client's 'Solicitações pendentes': its open requests, those waiting for it first, live."""
    if not actor.is_client or not actor.can('portal_requests'):
        return
    from ..services import requests
    ui.label('Solicitações pendentes').classes('text-h6 q-mt-lg')
    box = ui.html('').classes('w-full').mark('home-requests')

    def render(rows: list) -> None:
        items = ''.join(
            f'<li><a href="{esc(r.portal_url)}">{esc(r.label)} {esc(r.subject)}</a> — '
            f'{"aguardando você" if r.status == "aguardando" else esc(r.status_label.lower())}'
            f'{" <span class=conton-unread>nova</span>" if r.unread else ""}</li>' for r in rows)
        more = '<a class="conton-more" href="/portal/solicitacoes">Ver as solicitações</a>'
        box.content = (f'<ul class="conton-home-list">{items}</ul>' if items else
                       '<p class="text-grey-7">Nenhuma solicitação em aberto.</p>') + more
    render(requests.pending(actor))
    live.subscribe(requests.TOOL, actor, render, load=requests.pending, key=('home-requests',))


def home_documents(actor: Actor) -> None:
    """Pedidos de documentos, right below the tiles: for a client login its pending requests, soonest due first, with
    their due dates; for staff, per client, what is still missing this month (one set-based query each), live."""
    from ..services import docrequests
    if actor.is_client:
        if not actor.can(docrequests.PORTAL_TOOL):
            return
        box = ui.html('').classes('w-full').mark('home-documents')

        def render_pending(data) -> None:
            if not data.total:
                box.content = ''
                return
            rows = ''.join(f'<a class="item" href="{esc(p.portal_url)}"><span class="tm{" late" if p.overdue else ""}">'
                           f'{esc(formatting.day(p.due_date))}</span><span class="tx"><b>{esc(p.title)}</b>'
                           f'<span>{esc(p.status_label)}</span></span></a>' for p in data.rows)
            more = f'<a class="conton-more" href="/portal/documentos">Ver todos ({data.total})</a>'
            box.content = (f'<div class="text-h6">Documentos pendentes ({data.total})</div>'
                           f'<div class="conton-days">{rows}</div>{more}')
        render_pending(docrequests.home_pending(actor))
        live.subscribe(docrequests.TOOL, actor, render_pending, load=docrequests.home_pending,
                       key=('home-documents',))
        return
    if not actor.can(docrequests.TOOL):
        return
    box = ui.html('').classes('w-full').mark('home-missing-documents')

    def render_missing(data) -> None:
        if not data.clients:
            box.content = ''
            return
        rows = []
        for c in data.clients:
            titles = ', '.join(c.titles) + (f' e mais {c.count - len(c.titles)}' if c.count > len(c.titles) else '')
            late = f' · {c.overdue} atrasado{"s" if c.overdue != 1 else ""}' if c.overdue else ''
            rows.append(f'<a class="item" href="/pedidos-documentos?cliente={c.client_id}&amp;status=aguardando">'
                        f'<span class="tm">{esc(formatting.day(c.first_due))}</span><span class="tx"><b>'
                        f'{esc(c.client_name)}</b><span>{esc(titles)}{esc(late)}</span></span></a>')
        others = data.total_clients - len(data.clients)
        more = (f'<a class="conton-more" href="/pedidos-documentos?status=aguardando">'
                f'{f"E mais {others} cliente(s) — " if others > 0 else ""}Ver os pedidos</a>')
        box.content = (f'<div class="text-h6 q-mt-lg">Documentos que faltam este mês ({data.total_clients} '
                       f'cliente{"s" if data.total_clients != 1 else ""})</div>'
                       f'<div class="conton-days">{"".join(rows)}</div>{more}')
    render_missing(docrequests.missing_this_month(actor))
    live.subscribe(docrequests.TOOL, actor, render_missing, load=docrequests.missing_this_month,
                   key=('home-missing-documents',))


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
