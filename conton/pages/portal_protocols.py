"""Portal do cliente > Protocolos: the documents the office delivered formally to this client.

- `/portal/protocolos`: the client's own protocols (table, cards on a phone, a status filter, a pager), live.
- `/portal/protocolos/<id>`: opening it records "Visualizado" (the first time, by a login of this client, with the
  IP as seen through the proxy) through services.protocols.view; downloading a document (GET
  /protocolos/<id>/documentos/<file>) records it too. "Confirmar recebimento" confirms it; the receipt PDF is the
  same the office prints. Another client's protocol, by any id, answers "Protocolo não encontrado." and records
  nothing.
"""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import formatting
from ..services import live, protocols
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.protocols import ProtocolDetail, ProtocolRow
from . import listing
from .common import action, client_ip, page_title
from .frame import client_guard, esc, frame
from .widgets import confirm, protocol_detail_html, protocol_head_html

PER_PAGE = 20
TOOL = protocols.TOOL  # what the services announce (scoped to this client for a client login)
STATUS_FILTERS = {'': 'Todas', 'enviado': 'Não abertos', 'visualizado': 'Visualizados (a confirmar)',
                  'confirmado': 'Confirmados', 'vencido': 'Vencidos sem visualização', 'cancelado': 'Cancelados'}
COLUMNS = (listing.Column('Documento', 'first wrap', labelled=False), listing.Column('Tipo'),
           listing.Column('Vencimento', 'nw'), listing.Column('Valor', 'num'),
           listing.Column('Situação', 'st', labelled=False), listing.Column('Enviado em', 'nw'))


@ui.page('/portal/protocolos')
def portal_protocols_page(request: Request) -> None:
    actor = client_guard('Protocolos')
    if actor is None:
        return
    params = request.query_params
    if params.get('protocolo'):  # an older link form
        ui.navigate.to(protocols.portal_url(params['protocolo'][:40]))
        return
    with frame(actor, 'Protocolos'):
        page_title('Protocolos', 'portal-protocolos')
        PortalList(actor, params)


class PortalList:
    def __init__(self, actor: Actor, params) -> None:
        self.actor = actor
        status = params.get('status', '')
        self.status = status if status in STATUS_FILTERS else ''
        self.page = listing.page_number(params)
        ui.label('Documentos que o escritório entregou a você, como guias de imposto e folhas de pagamento. Abra '
                 'cada um para baixar os arquivos e confirmar o recebimento.').classes('text-body2 text-grey-8')
        self.head = ui.html('').classes('w-full').mark('portal-protocol-filters')
        self.table = ui.html('').classes('w-full conton-table').mark('portal-protocols')
        self.show(self.fetch(actor))
        live.subscribe(TOOL, actor, self.show, load=self.fetch, key=self.url)

    def query(self) -> dict:
        return {'status': self.status} if self.status else {}

    def url(self) -> str:
        return listing.url('/portal/protocolos', self.query(), pagina=self.page if self.page > 1 else None)

    def fetch(self, actor: Actor):
        found = protocols.search(actor, status=self.status, page=self.page, per_page=PER_PAGE)
        if found.page > found.pages:
            self.page = found.pages
            return self.fetch(actor)
        return found

    def show(self, found) -> None:
        form = (f'<form method="get" action="/portal/protocolos" class="conton-filter">'
                f'<label><span>Situação</span>{listing.select_html("status", STATUS_FILTERS, self.status)}</label>'
                f'<button type="submit">Filtrar</button><a href="/portal/protocolos">Limpar</a></form>')
        plural = 's' if found.total != 1 else ''
        total = f'<div class="conton-totals"><span><b>{found.total}</b> protocolo{plural}</span></div>'
        self.head.content = form + total
        empty = 'Nenhum protocolo nesta situação.' if self.status else 'Nenhum protocolo recebido ainda.'
        self.table.content = ('<div class="conton-protocol-list">'
                              + listing.table_html(COLUMNS, (_cells(r) for r in found.rows), empty) + '</div>'
                              + listing.pager_html('/portal/protocolos', self.query(), found.page, found.pages))


def _cells(r: ProtocolRow) -> list[str]:
    kind = esc(r.kind_label) + (f'<div class="small">Competência {esc(formatting.competence(r.competence))}</div>'
                                if r.competence else '')
    new = ' <span class="conton-new">novo</span>' if r.status in ('enviado', 'vencido') else ''
    return [f'<a class="open" href="{esc(protocols.portal_url(r.id))}">{esc(r.title)}</a>{new}'
            f'<div class="small">nº {esc(r.number)}</div>', kind, esc(formatting.day(r.due_date)),
            esc(formatting.money(r.amount_cents)) if r.amount_cents is not None else '',
            listing.badge(r.status, r.status_label), esc(formatting.day(r.created_at))]


@ui.page('/portal/protocolos/{protocol_id}')
def portal_protocol_page(protocol_id: str) -> None:
    actor = client_guard('Protocolo')
    if actor is None:
        return
    with frame(actor, 'Protocolo'):
        try:
            detail = protocols.view(actor, protocol_id, client_ip())  # the first opening records "Visualizado"
        except NotFound:
            page_title('Protocolo', 'portal-protocolos')
            ui.label('Protocolo não encontrado.').classes('text-negative').mark('missing-protocol')
            ui.link('Voltar aos protocolos', '/portal/protocolos')
            return
        PortalProtocol(actor, detail)


class PortalProtocol:
    def __init__(self, actor: Actor, detail: ProtocolDetail) -> None:
        self.actor, self.id = actor, detail.protocol.id
        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            ui.link('‹ Protocolos', '/portal/protocolos').classes('conton-back')
            ui.space()
            ui.button('Ajuda', icon='help_outline', on_click=lambda: ui.navigate.to('/ajuda/portal-protocolos')) \
                .props('flat dense color=primary no-caps')
        self.top = ui.html('').classes('w-full').mark('protocol-head')
        self.notice = ui.label('').classes('text-body2').mark('protocol-notice')
        with ui.row().classes('w-full gap-2 q-my-sm'):
            self.confirm = ui.button('Confirmar recebimento', icon='task_alt', on_click=self.confirm_receipt) \
                .props('unelevated no-caps color=positive').mark('confirm-receipt')
            ui.button('Recibo (PDF)', icon='print').props(f'outline no-caps href="{protocols.receipt_url(self.id)}"') \
                .mark('receipt')
        self.body = ui.html('').classes('w-full').mark('protocol-detail')
        self.show(detail)
        live.subscribe(TOOL, actor, self.changed)

    def changed(self, changes) -> None:
        if any(c.item_id == self.id for c in changes):
            self.show(protocols.get(self.actor, self.id))

    def show(self, detail: ProtocolDetail) -> None:
        p = detail.protocol
        self.top.content = protocol_head_html(p, client=False)
        self.confirm.set_visibility(p.status in ('enviado', 'visualizado', 'vencido'))
        if p.status == 'cancelado':
            self.notice.text = 'O escritório cancelou este protocolo.'
        elif p.status == 'confirmado':
            self.notice.text = 'Recebimento confirmado. Obrigado!'
        else:
            self.notice.text = 'Baixe os documentos abaixo e confirme o recebimento.'
        self.body.content = protocol_detail_html(detail, staff=False)

    @action
    async def confirm_receipt(self) -> None:
        if not await confirm('Confirmar que você recebeu estes documentos? O escritório será avisado.',
                             'Confirmar recebimento'):
            return
        protocols.confirm(self.actor, self.id, client_ip())
        ui.notify('Recebimento confirmado; o escritório foi avisado.', type='positive')
        self.show(protocols.get(self.actor, self.id))
