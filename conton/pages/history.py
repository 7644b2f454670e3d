"""A client's history (`/clientes/<id>/historico`, tool Atendimentos): atendimentos, solicitações, pedidos de documentos,
protocolos and files of that client, newest first, by kind (a bar of links with the counts) and period (a GET form),
paged on the server, refreshed live; the period's PDF through a GET route (`/clientes/<id>/historico.pdf`) that checks
the login's rights like every download — never the websocket."""
from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, run, ui

from .. import formatting
from ..services import history, live
from ..services.errors import AuthExpired, NotFound, PermissionDenied
from ..services.history import HistoryEntry, HistoryPage
from ..services.permissions import Actor
from . import listing
from .common import not_found, page_title, session_actor
from .frame import esc, frame, guard
from .widgets import segmented_html

PER_PAGE = 30
LIVE_TOOLS = ('servicelog', 'requests', 'docrequests', 'protocols', 'files')
COLUMNS = (listing.Column('Data', 'nw hide-sm'), listing.Column('Assunto', 'wrap first', labelled=False),
           listing.Column('Tipo', 'nw'), listing.Column('', 'st'))
BADGES = {'aberta': 'aberto', 'andamento': 'aberto', 'pendente': 'aberto', 'enviado': 'aberto', 'respondido': 'aberto',
          'visivel': 'pago', 'aguardando': 'visualizado', 'devolvido': 'visualizado', 'visualizado': 'visualizado',
          'concluida': 'pago', 'aceito': 'pago', 'confirmado': 'pago', 'nada': 'pago', 'vencido': 'vencido'}
NOT_FOUND = 'Cliente não encontrado.'


def _dates(params) -> tuple[date | None, date | None]:
    bad = listing.bad_dates(params)
    start = None if 'de' in bad else formatting.parse_day((params.get('de') or '').strip()[:20])
    end = None if 'ate' in bad else formatting.parse_day((params.get('ate') or '').strip()[:20])
    return start, end


@ui.page('/clientes/{client_id}/historico')
def history_page(client_id: str, request: Request) -> None:
    actor = guard(history.TOOL, title='Histórico')
    if actor is None:
        return
    params = request.query_params
    kind = params.get('tipo', '') if params.get('tipo', '') in history.KINDS else ''
    start, end = _dates(params)
    view = HistoryView(actor, client_id, kind, start, end, listing.page_number(params), listing.bad_dates(params))
    try:
        first = view.fetch(actor)
    except NotFound:
        with frame(actor, 'Histórico'):
            not_found()
        return
    with frame(actor, f'Histórico · {first.client_name}'):
        ui.link('← Cliente', f'/clientes/{first.client_id}').classes('text-sm')
        page_title(f'Histórico de {first.client_name}', 'atendimentos')
        view.build(first)


class HistoryView:
    def __init__(self, actor: Actor, client_id: str, kind: str, start: date | None, end: date | None, page: int,
                 bad: dict[str, str]) -> None:
        self.actor, self.client_id, self.kind, self.start, self.end, self.page = actor, client_id, kind, start, end, page
        self.bad = bad

    def fetch(self, actor: Actor) -> HistoryPage:
        return history.page(actor, self.client_id, kind=self.kind, start=self.start, end=self.end, page=self.page,
                            per_page=PER_PAGE)

    def query(self, **changes) -> dict:
        base = {'tipo': self.kind, 'de': listing.iso(self.start), 'ate': listing.iso(self.end)}
        return {**base, **changes}

    def path(self) -> str:
        return f'/clientes/{self.client_id}/historico'

    def url(self) -> str:
        return listing.url(self.path(), self.query(), pagina=self.page if self.page > 1 else None)

    def build(self, first: HistoryPage) -> None:
        self.head = ui.html('').classes('w-full').mark('history-filters')
        self.table = ui.html('').classes('w-full conton-table').mark('history')
        self.show(first)
        live.subscribe(LIVE_TOOLS, self.actor, self.show, load=self.fetch, key=self.url)

    def show(self, result: HistoryPage) -> None:
        self.page = result.page
        path, query = self.path(), self.query()
        total = sum(result.counts.values())
        items = [(f'Tudo ({total})', listing.url(path, self.query(tipo='')), self.kind == '')]
        items += [(f'{history.KIND_PLURALS[k]} ({result.counts.get(k, 0)})', listing.url(path, self.query(tipo=k)),
                   self.kind == k) for k in result.kinds]
        pdf = listing.url(f'/clientes/{result.client_id}/historico.pdf', query)
        new = ''
        if self.actor.can('servicelog', 'write'):
            new = (f'<a class="conton-history-action" href="/atendimentos?novo=1&amp;cliente_id={result.client_id}">'
                   f'Novo atendimento</a>')
        self.head.content = (
            f'<div class="conton-history-bar">{segmented_html(items, "Tipos")}'
            f'<span class="grow"></span>{new}'
            f'<a class="conton-history-action" href="{esc(pdf)}" download data-mark="history-pdf">Exportar PDF</a>'
            f'</div>{_period_html(path, self.kind, self.start, self.end, self.bad)}')
        rows = [_cells(r) for r in result.rows]
        empty = 'Nada registrado para este cliente com estes filtros.'
        self.table.content = (listing.table_html(COLUMNS, rows, empty)
                              + listing.pager_html(path, query, self.page, result.pages))


def _cells(r: HistoryEntry) -> list[str]:
    detail = f'<div class="small">{esc(r.detail)}</div>' if r.detail else ''
    return [esc(r.when),
            f'<a class="open" href="{esc(r.url)}">{esc(r.title_text)}</a>{detail}'
            f'<div class="small lt-sm">{esc(r.when)}</div>', esc(r.kind_label),
            listing.badge(BADGES.get(r.status_key, 'cancelado'), r.status_label)]


def _period_html(path: str, kind: str, start: date | None, end: date | None, bad: dict[str, str]) -> str:
    errors = ''.join(f'<div class="conton-filter-error" role="alert">Data inválida em “{listing.DATE_LABELS[name]}”: '
                     f'use dd/mm/aaaa. A lista abaixo não usa esta data.</div>' for name in bad)
    kept = f'<input type="hidden" name="tipo" value="{esc(kind)}">' if kind else ''
    fields = ''
    for name, day in (('de', start), ('ate', end)):
        value = bad.get(name, formatting.day(day))
        invalid = ' aria-invalid="true" class="bad"' if name in bad else ''
        fields += (f'<label class="date"><span>{listing.DATE_LABELS[name]}</span><input type="text" name="{name}" '
                   f'value="{esc(value)}" inputmode="numeric" maxlength="10" placeholder="dd/mm/aaaa" '
                   f'autocomplete="off"{invalid}></label>')
    clear = listing.url(path, {'tipo': kind})
    return (f'<form method="get" action="{esc(path)}" class="conton-filter q-mt-sm">{kept}{fields}'
            f'<button type="submit">Filtrar</button><a href="{esc(clear)}">Todo o período</a></form>{errors}')


@app.get('/clientes/{client_id}/historico.pdf')
async def history_pdf(client_id: str, request: Request) -> Response:
    """The period's history as a PDF attachment, after the login's right is checked (staff with Atendimentos; a
    client login, or anyone else, gets 404 whatever the id)."""
    from ..downloads import content_disposition
    from ..web import login_url, request_ip
    actor = session_actor(request_ip(request))
    if actor is None:
        return RedirectResponse(login_url(request.url.path), status_code=303)
    params = request.query_params
    kind = params.get('tipo', '') if params.get('tipo', '') in history.KINDS else ''
    start, end = _dates(params)
    try:
        name, data = await run.io_bound(history.pdf, actor, client_id, kind=kind, start=start, end=end)
    except AuthExpired:
        return RedirectResponse('/login', status_code=303)
    except (NotFound, PermissionDenied):
        return PlainTextResponse(NOT_FOUND, status_code=404, headers={'Cache-Control': 'no-store'})
    return Response(data, media_type='application/pdf', headers={
        'Content-Disposition': content_disposition(name), 'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store', 'Content-Security-Policy': "default-src 'none'; sandbox"})
