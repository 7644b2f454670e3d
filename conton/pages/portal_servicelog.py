"""Portal do cliente > Atendimentos: the services the office recorded for this client and chose to show it (the others
are internal and never reach a client login). Newest first, paged by links; `?atendimento=<id>` (the notification's
link) shows that one on top, or "Atendimento não encontrado." for any id that is not a visible one of this client.
Refreshed live."""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import formatting
from ..services import live, servicelog
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.servicelog import PortalServiceRow, ServicePage
from . import listing
from .common import page_title
from .frame import client_guard, esc, frame

PATH = '/portal/atendimentos'
PER_PAGE = 20


@ui.page(PATH)
def portal_servicelog_page(request: Request) -> None:
    actor = client_guard('Atendimentos')
    if actor is None:
        return
    params = request.query_params
    page = listing.page_number(params)
    with frame(actor, 'Atendimentos'):
        page_title('Atendimentos', 'portal-atendimentos')
        if params.get('atendimento'):
            try:
                chosen = servicelog.portal_get(actor, params['atendimento'])
            except NotFound:
                ui.label('Atendimento não encontrado.').classes('text-negative').mark('missing-service')
            else:
                ui.html(_card_html(chosen, highlight=True)).classes('w-full').mark('service-detail')
        ui.label('Os atendimentos que o escritório registrou para a sua empresa e compartilhou com você.') \
            .classes('text-grey-8 text-sm')
        region = ui.html('').classes('w-full').mark('portal-services')

        def fetch(a: Actor) -> ServicePage:
            return servicelog.portal(a, page=page, per_page=PER_PAGE)

        def show(result: ServicePage) -> None:
            cards = ''.join(_card_html(r) for r in result.rows) or \
                '<p class="conton-empty">Nenhum atendimento compartilhado ainda.</p>'
            plural = 's' if result.total != 1 else ''
            region.content = (f'<div class="conton-totals"><span><b>{result.total}</b> atendimento{plural}</span>'
                              f'</div><div class="conton-services">{cards}</div>'
                              + listing.pager_html(PATH, {}, result.page, result.pages))
        show(fetch(actor))
        live.subscribe(servicelog.TOOL, actor, show, load=fetch, key=('portal-servicelog', page))


def _card_html(r: PortalServiceRow, *, highlight: bool = False) -> str:
    facts = [formatting.day(r.happened_on), r.channel_label, r.duration_label]
    if r.staff_name:
        facts.append(f'atendido por {r.staff_name}')
    if r.request_number:
        facts.append(f'solicitação #{r.request_number}')
    parts = [f'<h3>{esc(r.subject)}</h3>', f'<div class="meta">{esc(" · ".join(facts))}</div>']
    if r.description:
        parts.append(f'<p>{esc(r.description)}</p>')
    if r.outcome:
        parts.append(f'<p><b>Resultado:</b> {esc(r.outcome)}</p>')
    cls = 'conton-service on' if highlight else 'conton-service'
    return f'<article class="{cls}" id="atendimento-{r.id}">{"".join(parts)}</article>'
