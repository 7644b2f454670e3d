"""Portal do cliente > Solicitações: what this client asked the office, and the conversation of each.

- `/portal/solicitacoes`: the client's own requests (every login of the client sees the same), those with news from
  the office marked "nova", a status filter and a pager; live.
- `/portal/solicitacoes/nova`: subject, category (the office's list), message and attachments.
- `/portal/solicitacoes/<id>`: the thread (never the office's internal notes: the service leaves them out), a reply
  with attachments, "Reabrir" on a concluded request within the office's window. Another client's request, by any
  id, answers "Solicitação não encontrada.".
"""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import clock, formatting
from ..services import files, live
from ..services import requests as service
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.requests import RequestDetail, RequestRow
from . import listing
from .common import Form, action, page_title
from .frame import client_guard, esc, frame
from .widgets import AttachmentPicker, request_head_html, request_thread_html

PER_PAGE = 20
TOOL = service.TOOL  # what the services announce (scoped to this client for a client login)
STATUS_FILTERS = {'': 'Em aberto', 'aguardando': 'Aguardando você', 'concluida': 'Concluídas', 'todas': 'Todas'}
COLUMNS = (listing.Column('Solicitação', 'first wrap', labelled=False), listing.Column('Categoria'),
           listing.Column('Última atividade', 'nw'), listing.Column('Situação', 'st', labelled=False))
PORTAL_LABELS = {'aguardando': 'Aguardando você'}


@ui.page('/portal/solicitacoes')
def portal_requests_page(request: Request) -> None:
    actor = client_guard('Solicitações')
    if actor is None:
        return
    with frame(actor, 'Solicitações'):
        page_title('Solicitações', 'portal-solicitacoes')
        PortalList(actor, request.query_params)


class PortalList:
    def __init__(self, actor: Actor, params) -> None:
        self.actor = actor
        status = params.get('status', '')
        self.status = status if status in STATUS_FILTERS else ''
        self.page = listing.page_number(params)
        with ui.row().classes('w-full items-center gap-2'):
            ui.label('Peça ao escritório uma certidão, uma alteração contratual, tire uma dúvida... e acompanhe a '
                     'conversa aqui.').classes('text-body2 text-grey-8 col')
            ui.button('Nova solicitação', icon='add', on_click=lambda: ui.navigate.to('/portal/solicitacoes/nova')) \
                .props('unelevated no-caps').mark('new-request')
        self.head = ui.html('').classes('w-full').mark('portal-request-filters')
        self.table = ui.html('').classes('w-full conton-table').mark('portal-requests')
        self.show(self.fetch(actor))
        live.subscribe(TOOL, actor, self.show, load=self.fetch, key=self.url)

    def query(self) -> dict:
        return {'status': self.status} if self.status else {}

    def url(self) -> str:
        return listing.url('/portal/solicitacoes', self.query(), pagina=self.page if self.page > 1 else None)

    def fetch(self, actor: Actor) -> service.RequestPage:
        found = service.search(actor, status=self.status, page=self.page, per_page=PER_PAGE)
        if found.page > found.pages:
            self.page = found.pages
            return self.fetch(actor)
        return found

    def show(self, found: service.RequestPage) -> None:
        form = (f'<form method="get" action="/portal/solicitacoes" class="conton-filter">'
                f'<label><span>Situação</span>{listing.select_html("status", STATUS_FILTERS, self.status)}</label>'
                f'<button type="submit">Filtrar</button><a href="/portal/solicitacoes">Limpar</a></form>')
        waiting = found.counts.get('aguardando', 0)
        note = (f'<span class="conton-unread">{waiting} aguardando a sua resposta</span>' if waiting else '')
        plural = 'ões' if found.total != 1 else 'ão'
        self.head.content = form + (f'<div class="conton-totals"><span><b>{found.total}</b> solicitaç{plural}</span>'
                                    f'{note}</div>')
        empty = 'Nenhuma solicitação nesta situação.' if self.status else 'Nenhuma solicitação em aberto.'
        self.table.content = (listing.table_html(COLUMNS, (_cells(r) for r in found.rows), empty)
                              + listing.pager_html('/portal/solicitacoes', self.query(), found.page, found.pages))


def _cells(r: RequestRow) -> list[str]:
    new = ' <span class="conton-unread">nova</span>' if r.unread else ''
    label = PORTAL_LABELS.get(r.status, r.status_label)
    return [f'<a class="open" href="{esc(r.portal_url)}">{esc(r.subject)}</a>{new}'
            f'<div class="small">{esc(r.label)} · aberta em {esc(formatting.day(r.created_at))}</div>',
            esc(r.category), esc(formatting.when(r.last_activity_at)), listing.badge(r.status, label)]


@ui.page('/portal/solicitacoes/nova')
def portal_new_request_page() -> None:
    actor = client_guard('Nova solicitação')
    if actor is None:
        return
    with frame(actor, 'Nova solicitação'):
        ui.link('‹ Solicitações', '/portal/solicitacoes').classes('conton-back')
        page_title('Nova solicitação', 'portal-solicitacoes')
        form = Form()
        with ui.column().classes('w-full gap-2').style('max-width:760px'):
            subject = form.add('subject', ui.input('Assunto').props('outlined dense maxlength=200').classes('w-full')
                               .mark('request-subject'))
            category = form.add('category_id', ui.select({str(c.id): c.name for c in service.categories(actor)},
                                                         label='Categoria')
                                .props('outlined dense').classes('w-full').mark('request-category'))
            body = form.add('body', ui.textarea('Descreva o que você precisa').props('outlined autogrow')
                            .classes('w-full').mark('request-body'))
            ui.label(f'Anexos (opcional): até {files.size_label(files.max_file_bytes())} por arquivo; PDF, imagens, '
                     'documentos do Office, XML, TXT, CSV, OFX e ZIP.').classes('text-caption text-grey-8')
            picker = AttachmentPicker(files.max_file_bytes(), service.MAX_FILES)
            form.fields['file'] = picker.error

            @action
            async def send() -> None:
                row = await form.submit(lambda: service.open_request(
                    actor, subject=subject.value, category_id=category.value, body=body.value, uploads=picker.files))
                if row is not None:
                    picker.clear()
                    ui.notify(f'Solicitação {row.label} enviada ao escritório.', type='positive')
                    ui.navigate.to(row.portal_url)
            ui.button('Enviar solicitação', icon='send', on_click=send).props('unelevated no-caps') \
                .mark('request-send')


@ui.page('/portal/solicitacoes/{request_id}')
def portal_request_page(request_id: str) -> None:
    actor = client_guard('Solicitação')
    if actor is None:
        return
    with frame(actor, 'Solicitação'):
        try:
            detail = service.view(actor, request_id)
        except NotFound:
            page_title('Solicitação', 'portal-solicitacoes')
            ui.label('Solicitação não encontrada.').classes('text-negative').mark('missing-request')
            ui.link('Voltar às solicitações', '/portal/solicitacoes')
            return
        PortalThread(actor, detail)


class PortalThread:
    def __init__(self, actor: Actor, detail: RequestDetail) -> None:
        self.actor, self.id = actor, detail.request.id
        ui.link('‹ Solicitações', '/portal/solicitacoes').classes('conton-back')
        self.top = ui.html('').classes('w-full').mark('request-head')
        self.body = ui.html('').classes('w-full').mark('request-thread')
        with ui.row().classes('w-full items-center gap-2'):
            self.closed = ui.label('').classes('text-body2 text-grey-8').mark('request-closed')
            self.reopen_button = ui.button('Reabrir', icon='replay', on_click=self.reopen) \
                .props('outline no-caps').mark('request-reopen')
        self.reply_box = ui.column().classes('w-full gap-2').style('max-width:860px')
        with self.reply_box:
            self.form = Form()
            self.text = self.form.add('body', ui.textarea('Responder').props('outlined autogrow').classes('w-full')
                                      .mark('reply-body'))
            self.picker = AttachmentPicker(files.max_file_bytes(), service.MAX_FILES)
            self.form.fields['file'] = self.picker.error
            ui.button('Enviar', icon='send', on_click=self.send).props('unelevated no-caps').mark('reply-send')
        self.show(detail)
        live.subscribe(TOOL, actor, self.changed)

    def changed(self, changes) -> None:
        if any(c.item_id == self.id for c in changes):
            self.show(service.view(self.actor, self.id))

    def show(self, detail: RequestDetail) -> None:
        r = detail.request
        self.top.content = request_head_html(r, staff=False)
        self.body.content = request_thread_html(detail.messages, staff=False)
        self.reply_box.set_visibility(detail.can_reply)
        until = detail.reopen_until
        can_reopen = r.status == 'concluida' and until is not None and clock.now() <= until
        self.reopen_button.set_visibility(can_reopen)
        if r.status != 'concluida':
            self.closed.text = ''
        elif can_reopen:
            self.closed.text = (f'Concluída em {formatting.day(r.closed_at)}. Se ainda precisar, reabra até '
                                f'{formatting.day(until)}.')
        else:
            self.closed.text = f'Concluída em {formatting.day(r.closed_at)}. Precisa de algo? Abra uma nova solicitação.'

    @action
    async def send(self) -> None:
        sent = await self.form.submit(lambda: service.reply(self.actor, self.id, self.text.value, self.picker.files))
        if sent is None:
            return
        self.text.value = ''
        self.picker.clear()
        ui.notify('Mensagem enviada ao escritório.', type='positive')
        self.show(service.view(self.actor, self.id))

    @action
    def reopen(self) -> None:
        service.reopen(self.actor, self.id)
        ui.notify('Solicitação reaberta.', type='positive')
        self.show(service.view(self.actor, self.id))
