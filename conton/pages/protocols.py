"""Protocolos (staff): formal delivery of documents to a client, with proof of receipt.

- `/protocolos`: the list (server-rendered table, cards on a phone, a GET filter form and a pager; the views Todos,
  Pendentes and Vencidos), live: a client's opening or confirmation shows up without a reload.
- `/protocolos/novo`: send one — the client (searched on the server, never the whole directory), type, competência,
  due date, amount, note, and the documents: chosen from the client's Arquivos and/or uploaded here (the upload goes
  through services.protocols, so the size, type and name rules of Arquivos apply). `?cliente=<id>` preselects one.
- `/protocolos/<id>`: status, documents (downloaded through /protocolos/<id>/documentos/<file>), the event log,
  "Entrega manual", "Cancelar" (with a reason) and the printable receipt (/protocolos/<id>/recibo.pdf), both GET
  routes in conton/downloads.py that check the actor's right. Staff opening a protocol records nothing.
"""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import clock, formatting
from ..services import files, live, protocols
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.protocols import KIND_LABELS, ProtocolDetail, ProtocolRow
from ..uploads import file_upload
from . import listing
from .common import Form, action, date_input, page_title
from .frame import esc, frame, guard
from .widgets import FieldError, client_picker, confirm, protocol_detail_html, protocol_head_html, segmented_html

PER_PAGE = 25
TOOL = protocols.TOOL
VIEWS = {'': 'Todos', 'pendentes': 'Pendentes', 'vencidos': 'Vencidos'}  # vencidos: unopened past the due date
STATUS_FILTERS = {'': 'Todas', **{k: v for k, v in protocols.STATUS_LABELS.items()}}
KIND_FILTERS = {'': 'Todos', **KIND_LABELS}
COLUMNS = (listing.Column('Protocolo', 'first wrap', labelled=False), listing.Column('Cliente', 'wrap'),
           listing.Column('Tipo'), listing.Column('Vencimento', 'nw'), listing.Column('Valor', 'num'),
           listing.Column('Situação', 'st', labelled=False), listing.Column('Enviado', 'nw hide-sm'))


# --------------------------------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/protocolos')
def protocols_page(request: Request) -> None:
    actor = guard(TOOL, title='Protocolos')
    if actor is None:
        return
    params = request.query_params
    if params.get('protocolo'):  # an older link form
        ui.navigate.to(protocols.staff_url(params['protocolo'][:40]))
        return
    with frame(actor, 'Protocolos'):
        page_title('Protocolos', 'protocolos')
        ProtocolList(actor, params)


class ProtocolList:
    """Per-tab state of the list: the view, filters and page from the URL, and the two regions that show them."""

    def __init__(self, actor: Actor, params) -> None:
        self.actor = actor
        view = params.get('vista', '')
        self.view = view if view in VIEWS else ''
        status = params.get('status', '')
        self.status = status if status in STATUS_FILTERS else ''
        kind = params.get('tipo', '')
        self.kind = kind if kind in KIND_FILTERS else ''
        self.text = ' '.join(params.get('busca', '').split())[:100]
        self.client = params.get('cliente', '')[:40]
        self.client_label = ''
        if self.client:
            try:
                self.client_label = protocols.client_name(actor, self.client)
            except NotFound:
                self.client = ''
        self.page = listing.page_number(params)
        with ui.row().classes('w-full items-center justify-between gap-2'):
            self.bar = ui.html('').mark('protocol-views')
            if actor.can(TOOL, 'write'):
                target = '/protocolos/novo' + (f'?cliente={self.client}' if self.client else '')
                ui.button('Novo protocolo', icon='add', on_click=lambda: ui.navigate.to(target)) \
                    .props('unelevated no-caps').mark('new-protocol')
        self.head = ui.html('').classes('w-full').mark('protocol-filters')
        self.table = ui.html('').classes('w-full conton-table').mark('protocols')
        self.show(self.fetch(actor))
        live.subscribe(TOOL, actor, self.show, load=self.fetch, key=self.url)

    def query(self) -> dict:
        return {k: v for k, v in (('vista', self.view), ('status', self.status), ('tipo', self.kind),
                                  ('busca', self.text), ('cliente', self.client)) if v}

    def url(self) -> str:
        return listing.url('/protocolos', self.query(), pagina=self.page if self.page > 1 else None)

    def fetch(self, actor: Actor):
        if self.view == 'pendentes':
            found = protocols.search(actor, pending=True, status=self.status, kind=self.kind, text=self.text,
                                     client_id=self.client or None, page=self.page, per_page=PER_PAGE)
        else:
            status = 'vencido' if self.view == 'vencidos' else self.status
            found = protocols.search(actor, status=status, kind=self.kind, text=self.text,
                                     client_id=self.client or None, page=self.page, per_page=PER_PAGE)
        if found.page > found.pages:  # past the end (e.g. a bookmark): the last page
            self.page = found.pages
            return self.fetch(actor)
        return found, protocols.counts(actor)

    def show(self, data) -> None:
        found, counts = data
        views = []
        for key, label in VIEWS.items():
            n = {'pendentes': counts.pending, 'vencidos': counts.overdue}.get(key)
            text = f'{label} ({n})' if n else label
            views.append((text, listing.url('/protocolos', {k: v for k, v in (('vista', key),
                                                                              ('cliente', self.client)) if v}),
                          key == self.view))
        self.bar.content = segmented_html(views, 'Visões')
        hidden = {'vista': self.view, 'cliente': self.client}
        kept = ''.join(f'<input type="hidden" name="{k}" value="{esc(v)}">' for k, v in hidden.items() if v)
        status = '' if self.view == 'vencidos' else (
            f'<label><span>Situação</span>{listing.select_html("status", STATUS_FILTERS, self.status)}</label>')
        unfiltered = listing.url('/protocolos', {k: v for k, v in self.query().items() if k != 'cliente'})
        chip = (f'<span class="conton-chipfilter">Cliente: <b>{esc(self.client_label)}</b> '
                f'<a href="{esc(unfiltered)}" aria-label="Tirar o filtro de cliente">✕</a></span>'
                if self.client else '')
        form = (f'<form method="get" action="/protocolos" class="conton-filter">{status}'
                f'<label><span>Tipo</span>{listing.select_html("tipo", KIND_FILTERS, self.kind)}</label>'
                f'<label class="grow"><span>Buscar (título ou cliente)</span><input type="search" name="busca" '
                f'value="{esc(self.text)}" maxlength="100"></label>{kept}'
                f'<button type="submit">Filtrar</button><a href="/protocolos">Limpar</a></form>')
        plural = 's' if found.total != 1 else ''
        totals = f'<div class="conton-totals"><span><b>{found.total}</b> protocolo{plural}</span>{chip}</div>'
        self.head.content = form + totals
        empty = 'Nenhum protocolo encontrado.' if self.query() else 'Nenhum protocolo enviado ainda.'
        self.table.content = ('<div class="conton-protocol-list">'
                              + listing.table_html(COLUMNS, (_cells(r) for r in found.rows), empty) + '</div>'
                              + listing.pager_html('/protocolos', self.query(), found.page, found.pages))


def _cells(r: ProtocolRow) -> list[str]:
    when = formatting.day(r.created_at)
    sub = f'<div class="small">nº {esc(r.number)}</div>'
    if r.viewed_at and r.status in ('visualizado', 'confirmado'):
        sub += f'<div class="small">Visualizado em {esc(formatting.when(r.viewed_at))}</div>'
    kind = esc(r.kind_label) + (f'<div class="small">Competência {esc(formatting.competence(r.competence))}</div>'
                                if r.competence else '')
    return [f'<a class="open" href="{esc(protocols.staff_url(r.id))}">{esc(r.title)}</a>{sub}',
            esc(r.client_name), kind, esc(formatting.day(r.due_date)),
            esc(formatting.money(r.amount_cents)) if r.amount_cents is not None else '',
            listing.badge(r.status, r.status_label), esc(when)]


# --------------------------------------------------------------------------------------------------------------------
# Sending a protocol
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/protocolos/novo')  # before /protocolos/{protocol_id}, which would take 'novo' for an id
def new_protocol_page(request: Request) -> None:
    actor = guard(TOOL, 'write', title='Novo protocolo')
    if actor is None:
        return
    with frame(actor, 'Novo protocolo'):
        page_title('Novo protocolo', 'protocolos')
        NewProtocol(actor, request.query_params.get('cliente', '')[:40])


class NewProtocol:
    def __init__(self, actor: Actor, client_id: str) -> None:
        self.actor = actor
        self.uploads: list = []  # NiceGUI uploads received in this tab, sent with the protocol
        initial = {}
        if client_id:
            try:
                initial = protocols.client_options(actor, include=client_id, limit=0)  # just the chosen one
            except NotFound:
                pass
        client_id = client_id if client_id in initial else ''
        form = self.form = Form()
        with ui.column().classes('w-full gap-3').style('max-width: 720px'):
            self.client = form.add('client_id', client_picker(
                lambda text, value: protocols.client_options(actor, text, include=value), label='Cliente',
                value=client_id or None, initial=initial, on_change=lambda _: self.reload_files()))
            self.client.props('hint="Digite parte do nome ou do CPF/CNPJ"').classes('w-full').mark('form-client')
            form.add('client_ids', self.client)  # an inactive client's message
            with ui.row().classes('w-full gap-2 conton-form-row'):
                self.kind = form.add('kind', ui.select(KIND_LABELS, label='Tipo', value='guia')
                                     .props('outlined dense').classes('col').mark('form-kind'))
                self.title = form.add('title', ui.input('Título (opcional)')
                                      .props('outlined dense maxlength=200 hint="Sem título: o nome do tipo"')
                                      .classes('col').mark('form-title'))
            with ui.row().classes('w-full gap-2 conton-form-row'):
                self.competence = form.add('competence', ui.input('Competência (mm/aaaa)')
                                           .props('outlined dense mask="##/####" inputmode=numeric')
                                           .classes('col').mark('form-competence'))
                self.due = form.add('due_date', date_input('Vencimento (opcional)').props('outlined dense')
                                    .classes('col').mark('form-due'))
                self.amount = form.add('amount', ui.input('Valor (R$, opcional)')
                                       .props('outlined dense inputmode=decimal').classes('col').mark('form-amount'))
            self.note = form.add('note', ui.textarea('Observação para o cliente (opcional)')
                                 .props('outlined dense maxlength=1000 autogrow').classes('w-full').mark('form-note'))
            ui.label('Documentos').classes('text-subtitle1 q-mt-sm')
            self.existing = ui.select({}, label='Dos arquivos do cliente', multiple=True, with_input=True) \
                .props('outlined dense use-chips options-dense input-debounce=300') \
                .classes('w-full').mark('form-files')
            self.existing.on('input-value', action(self.search_files))
            ui.label('Ou envie daqui (vão para a pasta "Protocolos" do cliente, em Arquivos):') \
                .classes('text-body2 text-grey-8')
            self.upload = file_upload(label='Enviar arquivos', multiple=True, auto_upload=True,
                                      max_file_size=files.max_file_bytes(),
                                      on_upload=self.received, on_rejected=self.rejected) \
                .props('flat bordered color=primary accept=".pdf,.png,.jpg,.jpeg,.webp,.doc,.docx,.xls,.xlsx,.ppt,'
                       '.pptx,.odt,.ods,.xml,.txt,.csv,.ofx,.zip"') \
                .classes('w-full').mark('form-upload')
            self.pending = ui.html('').classes('w-full').mark('form-uploaded')
            self.files_error = form.add('files', FieldError())
            form.add('file', self.files_error)
            ui.label(f'Até {files.size_label(files.max_file_bytes())} por arquivo: PDF, imagens, documentos do '
                     'Office, XML, TXT/CSV, OFX ou ZIP. O cliente é avisado no portal e por e-mail; a primeira '
                     'abertura por um login do cliente fica registrada como "Visualizado".') \
                .classes('text-caption text-grey-8')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Voltar', on_click=lambda: ui.navigate.to('/protocolos')).props('flat no-caps')
                self.send = ui.button('Enviar protocolo', icon='send', on_click=self.submit) \
                    .props('unelevated no-caps').mark('form-send')
        self.reload_files()

    def file_options(self, text: str = '') -> dict[str, str]:
        if not self.client.value:
            return {}
        rows = protocols.client_files(self.actor, self.client.value, text, include=self.existing.value or [])
        return {str(f.id): _file_label(f) for f in rows}

    def reload_files(self) -> None:
        self.existing.set_options(self.file_options(), value=[])
        self.existing.set_enabled(bool(self.client.value))
        hint = 'Digite parte do nome do arquivo' if self.client.value else 'Escolha o cliente primeiro'
        self.existing.props(f'hint="{hint}"')

    def search_files(self, e) -> None:
        text = e.args if isinstance(e.args, str) else ''
        self.existing.set_options(self.file_options(text), value=self.existing.value)

    def received(self, e) -> None:
        self.uploads.append(e.file)
        self.show_pending()

    def rejected(self) -> None:
        self.files_error.error = (f'Arquivo grande demais: o limite é {files.size_label(files.max_file_bytes())} '
                                  'por arquivo.')

    def show_pending(self) -> None:
        if not self.uploads:
            self.pending.content = ''
            return
        items = ''.join(f'<li>{esc(u.name)} <span class="small">({esc(files.size_label(u.size()))})</span></li>'
                        for u in self.uploads)
        self.pending.content = (f'<div class="conton-uploaded"><b>Recebidos para enviar com o protocolo:</b>'
                                f'<ul>{items}</ul></div>')

    @action
    async def submit(self) -> None:
        self.send.disable()
        try:
            created = await self.form.submit(lambda: protocols.create(
                self.actor, client_id=self.client.value or '', kind=self.kind.value, title=self.title.value,
                competence=self.competence.value, due_date=self.due.value, amount=self.amount.value,
                note=self.note.value, file_ids=self.existing.value or [], uploads=list(self.uploads)))
        finally:
            self.send.enable()
        if created is None:
            if any(k in self.files_error.text for k in ('Arquivo', ':')) and self.uploads:
                self.uploads.clear()  # a refused upload: the user picks the files again
                self.upload.reset()
                self.show_pending()
                self.files_error.error += ' Escolha os arquivos de novo.'
            return
        ui.navigate.to(protocols.staff_url(created.id) + '?enviado=1')  # the detail says it was sent


def _file_label(f: files.FileRow) -> str:
    where = f.folder_path or ('Caixa de entrada' if f.in_inbox else 'Sem pasta')
    return f'{f.name} — {where} · {files.size_label(f.size)} · {formatting.day(f.created_at)}'


# --------------------------------------------------------------------------------------------------------------------
# One protocol
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/protocolos/{protocol_id}')
def protocol_page(protocol_id: str, request: Request) -> None:
    actor = guard(TOOL, title='Protocolo')
    if actor is None:
        return
    with frame(actor, 'Protocolo'):
        try:
            detail = protocols.get(actor, protocol_id)  # staff opening records nothing
        except NotFound:
            page_title('Protocolo', 'protocolos')
            ui.label('Protocolo não encontrado.').classes('text-negative').mark('missing-protocol')
            ui.link('Voltar aos protocolos', '/protocolos')
            return
        ProtocolPage(actor, detail)
        if request.query_params.get('enviado'):  # just sent from /protocolos/novo
            ui.label('Protocolo enviado; o cliente foi avisado.').classes('text-positive text-body2') \
                .mark('sent-notice').move(target_index=1)
            ui.timer(0.05, lambda: ui.navigate.history.replace(protocols.staff_url(detail.protocol.id)), once=True)


class ProtocolPage:
    def __init__(self, actor: Actor, detail: ProtocolDetail) -> None:
        self.actor, self.id = actor, detail.protocol.id
        writable = actor.can(TOOL, 'write')
        with ui.row().classes('w-full items-center gap-2 q-mb-sm'):
            ui.link('‹ Protocolos', '/protocolos').classes('conton-back')
            ui.space()
            ui.button('Ajuda', icon='help_outline', on_click=lambda: ui.navigate.to('/ajuda/protocolos')) \
                .props('flat dense color=primary no-caps')
        self.top = ui.html('').classes('w-full').mark('protocol-head')
        with ui.row().classes('w-full gap-2 q-my-sm'):
            ui.button('Recibo (PDF)', icon='print').props(f'outline no-caps href="{protocols.receipt_url(self.id)}"') \
                .mark('receipt')
            self.deliver = ui.button('Entrega manual', icon='how_to_reg', on_click=self.deliver_manually) \
                .props('outline no-caps').mark('deliver')
            self.cancel = ui.button('Cancelar protocolo', icon='block', on_click=self.cancel_protocol) \
                .props('flat no-caps color=negative').mark('cancel')
        if not writable:
            self.deliver.set_visibility(False)
            self.cancel.set_visibility(False)
        self.writable = writable
        self.body = ui.html('').classes('w-full').mark('protocol-detail')
        self.show(detail)
        live.subscribe(TOOL, actor, self.changed)

    def changed(self, changes) -> None:
        if any(c.item_id == self.id for c in changes):
            self.show(protocols.get(self.actor, self.id))

    def show(self, detail: ProtocolDetail) -> None:
        p = detail.protocol
        self.top.content = protocol_head_html(p, client=True)
        open_ = p.status in ('enviado', 'visualizado', 'vencido')
        self.deliver.set_visibility(self.writable and open_)
        self.cancel.set_visibility(self.writable and p.status != 'cancelado')
        self.body.content = protocol_detail_html(detail, staff=True)

    @action
    async def deliver_manually(self) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 460px'):
            ui.label('Entrega manual').classes('text-h6')
            ui.label('Registre a entrega em papel: quem recebeu e quando. O protocolo passa a "Confirmado".') \
                .classes('text-body2 text-grey-8')
            form = Form()
            name = form.add('receiver_name', ui.input('Recebido por (nome)').props('outlined dense maxlength=120')
                            .classes('w-full').mark('receiver-name'))
            day = form.add('delivered_on', date_input('Data da entrega', clock.today()).props('outlined dense')
                           .classes('w-full').mark('delivered-on'))

            async def save() -> None:
                result = await form.submit(lambda: protocols.deliver_manually(
                    self.actor, self.id, receiver_name=name.value, delivered_on=day.value))
                if result is not None:
                    dialog.submit(result)
            with ui.row().classes('w-full justify-end'):
                ui.button('Voltar', on_click=dialog.close).props('flat no-caps')
                ui.button('Registrar entrega', on_click=action(save)).props('unelevated no-caps') \
                    .mark('confirm-deliver')
        result = await dialog
        dialog.delete()
        if result:
            ui.notify('Entrega registrada.', type='positive')
            self.show(protocols.get(self.actor, self.id))

    @action
    async def cancel_protocol(self) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 460px'):
            ui.label('Cancelar protocolo').classes('text-h6')
            ui.label('O cliente é avisado do cancelamento e do motivo. Os documentos continuam em Arquivos.') \
                .classes('text-body2 text-grey-8')
            form = Form()
            reason = form.add('reason', ui.textarea('Motivo').props('outlined dense maxlength=500 autogrow')
                              .classes('w-full').mark('cancel-reason'))

            async def save() -> None:
                if not await confirm('Cancelar este protocolo? Isto não pode ser desfeito.', 'Cancelar protocolo'):
                    return
                result = await form.submit(lambda: protocols.cancel(self.actor, self.id, reason.value))
                if result is not None:
                    dialog.submit(result)
            with ui.row().classes('w-full justify-end'):
                ui.button('Voltar', on_click=dialog.close).props('flat no-caps')
                ui.button('Cancelar protocolo', on_click=action(save)).props('unelevated no-caps color=negative') \
                    .mark('confirm-cancel')
        result = await dialog
        dialog.delete()
        if result:
            ui.notify('Protocolo cancelado; o cliente foi avisado.', type='positive')
            self.show(protocols.get(self.actor, self.id))
