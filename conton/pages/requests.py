"""Solicitações (staff): the requests of every client, and the thread of one.

- `/solicitacoes`: the list (server-rendered table, cards on a phone): views by status with their counts (Em aberto,
  Abertas, Em andamento, Aguardando cliente, Concluídas, Todas), a GET filter form (responsável, categoria, idade,
  cliente, assunto or number) and a pager; the threads with news from the client are marked "nova". Live: a new
  request or message shows up without a reload.
- `/solicitacoes/nova`: open one for a client (`?cliente=<id>` preselects it).
- `/solicitacoes/<id>`: the thread (internal notes marked), the reply form (internal note, status after sending,
  attachments), status, assignee and watchers; live. Opening it marks it read for this login.
- `/solicitacoes/categorias` is the office's list of categories (write permission).
"""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import formatting
from ..services import files, live, office_settings
from ..services import requests as service
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..services.requests import STATUS_LABELS, RequestDetail, RequestRow
from . import listing
from .common import Form, action, page_title
from .frame import esc, frame, guard
from .widgets import AttachmentPicker, request_head_html, request_thread_html, segmented_html

PER_PAGE = 30
TOOL = service.TOOL
VIEWS = {'': 'Em aberto', **{k: v + ('s' if k in ('aberta', 'concluida') else '') for k, v in STATUS_LABELS.items()},
         'todas': 'Todas'}
COLUMNS = (listing.Column('Solicitação', 'first wrap', labelled=False), listing.Column('Cliente', 'wrap'),
           listing.Column('Categoria'), listing.Column('Responsável', 'wrap hide-sm'),
           listing.Column('Última atividade', 'nw'), listing.Column('Situação', 'st', labelled=False))


# --------------------------------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/solicitacoes')
def requests_page(request: Request) -> None:
    actor = guard(TOOL, title='Solicitações')
    if actor is None:
        return
    with frame(actor, 'Solicitações'):
        page_title('Solicitações', 'solicitacoes')
        RequestList(actor, request.query_params)


class RequestList:
    """Per-tab state of the list: the view, filters and page from the URL, and the regions that show them."""

    def __init__(self, actor: Actor, params) -> None:
        self.actor = actor
        view = params.get('status', '')
        self.status = view if view in VIEWS else ''
        self.assignee = params.get('responsavel', '')[:40]
        self.category = params.get('categoria', '')[:40]
        age = params.get('idade', '')
        self.age = age if age in service.AGES else ''
        self.client = ' '.join(params.get('cliente', '').split())[:100]
        self.text = ' '.join(params.get('busca', '').split())[:100]
        self.page = listing.page_number(params)
        with ui.row().classes('w-full items-center gap-2'):
            self.bar = ui.html('').classes('col-12 col-md').mark('request-views')  # a line of its own on a phone
            if actor.can(TOOL, 'write'):
                ui.button('Nova solicitação', icon='add', on_click=lambda: ui.navigate.to('/solicitacoes/nova')) \
                    .props('unelevated no-caps').mark('new-request')
                ui.button('Categorias', icon='tune', on_click=lambda: ui.navigate.to('/solicitacoes/categorias')) \
                    .props('flat no-caps')
        self.head = ui.html('').classes('w-full').mark('request-filters')
        self.table = ui.html('').classes('w-full conton-table').mark('requests')
        self.show(self.fetch(actor))
        live.subscribe(TOOL, actor, self.show, load=self.fetch, key=self.url)

    def query(self) -> dict:
        return {k: v for k, v in (('status', self.status), ('responsavel', self.assignee),
                                  ('categoria', self.category), ('idade', self.age), ('cliente', self.client),
                                  ('busca', self.text)) if v}

    def url(self) -> str:
        return listing.url('/solicitacoes', self.query(), pagina=self.page if self.page > 1 else None)

    def fetch(self, actor: Actor) -> service.StaffList:
        found = service.staff_list(actor, status=self.status, assignee=self.assignee, category=self.category,
                                   age=self.age, client=self.client, text=self.text, page=self.page,
                                   per_page=PER_PAGE)
        if found.page.page > found.page.pages:  # past the end (e.g. a bookmark): the last page
            self.page = found.page.pages
            return self.fetch(actor)
        return found

    def show(self, data: service.StaffList) -> None:
        found, counts = data.page, data.page.counts
        others = {k: v for k, v in self.query().items() if k != 'status'}
        views = []
        for key, label in VIEWS.items():
            n = (sum(counts[s] for s in service.OPEN) if key == '' else
                 sum(counts.values()) if key == 'todas' else counts.get(key, 0))
            views.append((f'{label} ({n})', listing.url('/solicitacoes', {**others, **({'status': key} if key else {})}),
                          key == self.status))
        self.bar.content = segmented_html(views, 'Situações')
        assignees = {'': 'Todos', 'eu': 'Eu', 'nenhum': 'Sem responsável', **data.staff}
        categories = {'': 'Todas', **{str(c.id): c.name + ('' if c.active else ' (inativa)') for c in data.categories}}
        kept = f'<input type="hidden" name="status" value="{esc(self.status)}">' if self.status else ''
        form = (f'<form method="get" action="/solicitacoes" class="conton-filter">'
                f'<label><span>Responsável</span>{listing.select_html("responsavel", assignees, self.assignee)}</label>'
                f'<label><span>Categoria</span>{listing.select_html("categoria", categories, self.category)}</label>'
                f'<label><span>Aberta há</span>{listing.select_html("idade", service.AGES, self.age)}</label>'
                f'<label class="grow"><span>Cliente</span><input type="search" name="cliente" '
                f'value="{esc(self.client)}" maxlength="100"></label>'
                f'<label class="grow"><span>Assunto ou nº</span><input type="search" name="busca" '
                f'value="{esc(self.text)}" maxlength="100"></label>{kept}'
                f'<button type="submit">Filtrar</button><a href="/solicitacoes">Limpar</a></form>')
        plural = 's' if found.total != 1 else ''
        self.head.content = form + (f'<div class="conton-totals"><span><b>{found.total}</b> '
                                    f'solicitaç{"ões" if plural else "ão"}</span></div>')
        empty = 'Nenhuma solicitação encontrada.' if self.query() else 'Nenhuma solicitação em aberto.'
        self.table.content = (listing.table_html(COLUMNS, (_cells(r) for r in found.rows), empty)
                              + listing.pager_html('/solicitacoes', self.query(), found.page, found.pages))


def _cells(r: RequestRow) -> list[str]:
    new = ' <span class="conton-unread">nova</span>' if r.unread else ''
    opened = 'pelo cliente' if r.opened_side == 'client' else 'pelo escritório'
    return [f'<a class="open" href="{esc(r.url)}">{esc(r.subject)}</a>{new}'
            f'<div class="small">{esc(r.label)} · aberta {opened} em {esc(formatting.day(r.created_at))}</div>',
            esc(r.client_name), esc(r.category), esc(r.assignee_name or '—'),
            esc(formatting.when(r.last_activity_at)), listing.badge(r.status, r.status_label)]


# --------------------------------------------------------------------------------------------------------------------
# A new request (for a client)
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/solicitacoes/nova')
def new_request_page(request: Request) -> None:
    actor = guard(TOOL, 'write', title='Nova solicitação')
    if actor is None:
        return
    with frame(actor, 'Nova solicitação'):
        ui.link('‹ Solicitações', '/solicitacoes').classes('conton-back')
        page_title('Nova solicitação', 'solicitacoes')
        clients = service.client_choices(actor)
        chosen = request.query_params.get('cliente', '')
        form = Form()
        with ui.column().classes('w-full gap-2').style('max-width:760px'):
            client = form.add('client_id', ui.select(clients, label='Cliente', with_input=True,
                                                     value=chosen if chosen in clients else None)
                              .props('outlined dense options-dense').classes('w-full').mark('request-client'))
            category = form.add('category_id', ui.select({str(c.id): c.name for c in service.categories(actor)},
                                                         label='Categoria')
                                .props('outlined dense').classes('w-full').mark('request-category'))
            assignee = form.add('assignee_id', ui.select({'': 'Sem responsável', **service.staff_options(actor)},
                                                         value=str(actor.user_id) if not actor.is_client else '',
                                                         label='Responsável')
                                .props('outlined dense').classes('w-full'))
            subject = form.add('subject', ui.input('Assunto').props('outlined dense maxlength=200').classes('w-full')
                               .mark('request-subject'))
            body = form.add('body', ui.textarea('Mensagem ao cliente').props('outlined autogrow').classes('w-full')
                            .mark('request-body'))
            picker = AttachmentPicker(files.max_file_bytes(), service.MAX_FILES)
            form.fields['file'] = picker.error

            @action
            async def send() -> None:
                row = await form.submit(lambda: service.open_request(
                    actor, subject=subject.value, category_id=category.value, body=body.value, uploads=picker.files,
                    client_id=client.value, assignee_id=assignee.value or None))
                if row is not None:
                    picker.clear()
                    ui.notify(f'Solicitação {row.label} aberta; o cliente foi avisado.', type='positive')
                    ui.navigate.to(row.url)
            ui.button('Abrir solicitação', icon='send', on_click=send).props('unelevated no-caps').mark('request-send')


# --------------------------------------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/solicitacoes/categorias')
def categories_page() -> None:
    actor = guard(TOOL, 'write', title='Categorias de solicitação')
    if actor is None:
        return
    with frame(actor, 'Categorias de solicitação'):
        ui.link('‹ Solicitações', '/solicitacoes').classes('conton-back')
        page_title('Categorias de solicitação', 'solicitacoes')
        ui.label('A lista que o cliente escolhe ao abrir uma solicitação. Uma categoria desativada continua nas '
                 'solicitações que já a usam.').classes('text-body2 text-grey-8')
        box = ui.column().classes('w-full gap-1').style('max-width:640px').mark('categories')

        def render() -> None:
            box.clear()
            with box:
                for c in service.categories(actor, include_inactive=True):
                    with ui.row().classes('w-full items-center gap-2 no-wrap'):
                        name = ui.input(value=c.name).props('outlined dense maxlength=60').classes('col')
                        ui.button(icon='arrow_upward', on_click=lambda c=c: change(c.id, move=-1)) \
                            .props('flat dense round aria-label="Subir"')
                        ui.button(icon='arrow_downward', on_click=lambda c=c: change(c.id, move=1)) \
                            .props('flat dense round aria-label="Descer"')
                        ui.button('Salvar', on_click=lambda c=c, n=name: change(c.id, name=n.value, field=n)) \
                            .props('flat dense no-caps')
                        ui.switch('Ativa', value=c.active, on_change=lambda e, c=c: change(c.id, active=e.value)) \
                            .props('dense')
                with ui.row().classes('w-full items-center gap-2 q-mt-md'):
                    new = ui.input('Nova categoria').props('outlined dense maxlength=60').classes('col') \
                        .mark('category-new')
                    ui.button('Adicionar', icon='add', on_click=lambda: add(new)).props('unelevated no-caps') \
                        .mark('category-add')

        async def change(category_id, *, field=None, **kw) -> None:
            form = Form()
            if field is not None:
                form.add('name', field)
            if await form.submit(lambda: service.update_category(actor, category_id, **kw)) is not None:
                render()

        async def add(field) -> None:
            form = Form()
            form.add('name', field)
            if await form.submit(lambda: service.create_category(actor, field.value)) is not None:
                ui.notify('Categoria adicionada.', type='positive')
                render()
        render()
        ui.separator().classes('q-my-md')
        days = ui.input('Dias para o cliente reabrir uma solicitação concluída',
                        value=str(service.reopen_days())).props('outlined dense inputmode=numeric maxlength=2') \
            .style('max-width:420px').mark('reopen-days')

        async def save_days() -> None:
            form = Form()
            form.add('requests.reopen_days', days)
            if await form.submit(lambda: office_settings.set(actor, 'requests.reopen_days', days.value)) is not None:
                ui.notify('Prazo salvo.', type='positive')
        ui.button('Salvar prazo', on_click=save_days).props('flat no-caps').mark('reopen-save')


# --------------------------------------------------------------------------------------------------------------------
# One request
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/solicitacoes/{request_id}')
def request_page(request_id: str) -> None:
    actor = guard(TOOL, title='Solicitação')
    if actor is None:
        return
    with frame(actor, 'Solicitação'):
        try:
            detail = service.view(actor, request_id)
        except NotFound:
            page_title('Solicitação', 'solicitacoes')
            ui.label('Solicitação não encontrada.').classes('text-negative').mark('missing-request')
            ui.link('Voltar às solicitações', '/solicitacoes')
            return
        Thread(actor, detail)


class Thread:
    def __init__(self, actor: Actor, detail: RequestDetail) -> None:
        self.actor, self.id = actor, detail.request.id
        self.can_write = actor.can(TOOL, 'write')
        ui.link('‹ Solicitações', '/solicitacoes').classes('conton-back')
        self.top = ui.html('').classes('w-full').mark('request-head')
        staff = service.staff_options(actor) if self.can_write else {}
        if self.can_write:
            with ui.row().classes('w-full items-end gap-2 q-my-sm'):
                self.status = ui.select(STATUS_LABELS, label='Situação', value=detail.request.status,
                                        on_change=self.change_status) \
                    .props('outlined dense options-dense').style('min-width:200px').mark('request-status')
                self.assignee = ui.select({'': 'Sem responsável', **staff}, label='Responsável',
                                          value=str(detail.request.assignee_id or ''), on_change=self.change_assignee) \
                    .props('outlined dense options-dense').style('min-width:200px').mark('request-assignee')
                self.watchers = ui.select(staff, label='Observadores', multiple=True,
                                          value=[str(u) for u, _ in detail.watchers], on_change=self.change_watchers) \
                    .props('outlined dense options-dense use-chips').style('min-width:240px').mark('request-watchers')
        self.body = ui.html('').classes('w-full').mark('request-thread')
        self.closed = ui.label('').classes('text-body2 text-grey-8').mark('request-closed')
        self.reply_box = ui.column().classes('w-full gap-2').style('max-width:860px')
        if self.can_write:
            with self.reply_box:
                self.form = Form()
                self.text = self.form.add('body', ui.textarea('Responder').props('outlined autogrow')
                                          .classes('w-full').mark('reply-body'))
                with ui.row().classes('w-full items-center gap-4'):
                    self.internal = ui.checkbox('Nota interna (o cliente não vê)').mark('reply-internal')
                    self.after = self.form.add('status', ui.select({'': 'Manter a situação', **STATUS_LABELS},
                                                                   value='', label='Situação depois de enviar')
                                               .props('outlined dense options-dense').style('min-width:220px')
                                               .mark('reply-status'))
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
        self.top.content = request_head_html(r, staff=True)
        self.body.content = request_thread_html(detail.messages, staff=True)
        self.closed.text = (f'Concluída em {formatting.when(r.closed_at)}. Para responder, mude a situação.'
                            if r.status == 'concluida' else '')
        self.reply_box.set_visibility(detail.can_reply)
        if self.can_write:
            self._quiet = True
            self.status.value = r.status
            self.assignee.value = str(r.assignee_id or '')
            self._quiet = False

    @action
    async def send(self) -> None:
        internal = bool(self.internal.value)
        sent = await self.form.submit(lambda: service.reply(self.actor, self.id, self.text.value, self.picker.files,
                                                            internal=internal, status=self.after.value or ''))
        if sent is None:
            return
        self.text.value = ''
        self.after.value = ''
        self.internal.value = False
        self.picker.clear()
        ui.notify('Nota interna salva.' if internal else 'Mensagem enviada; o cliente foi avisado.', type='positive')
        self.show(service.view(self.actor, self.id))

    @action
    def change_status(self, e) -> None:
        if getattr(self, '_quiet', False) or not e.value:
            return
        row = service.set_status(self.actor, self.id, e.value)
        ui.notify(f'Situação: {row.status_label}.', type='positive')
        self.show(service.view(self.actor, self.id))

    @action
    def change_assignee(self, e) -> None:
        if getattr(self, '_quiet', False):
            return
        service.assign(self.actor, self.id, e.value or None)
        self.show(service.view(self.actor, self.id))

    @action
    def change_watchers(self, e) -> None:
        service.set_watchers(self.actor, self.id, e.value or [])
