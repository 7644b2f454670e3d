"""Pedidos de documentos (staff): what the office asked its clients for, and their answers.

- `/pedidos-documentos`: the list (server-rendered table, cards on a phone, a GET filter form — situação, cliente,
  competência, só atrasados — and a pager), the answers to review first, then what waits for the client; live: a
  client's answer shows up without a reload. "Novo pedido" asks one client (searched on the server, never the whole
  directory) with an optional template; "Lembretes" holds the office's defaults (every N days, at most M, time of
  day). `?pedido=<id>` opens a request: its answer (files downloaded through /pedidos-documentos/<id>/arquivos/<file>,
  a route in conton/downloads.py that checks the actor's right), Aceitar, Devolver (with a reason) and Encerrar.
- `/pedidos-documentos/recorrentes`: the monthly rules per client ("Extrato bancário {mm/aaaa}" until day 5), new,
  edit (`?regra=<id>`) and end.

Dialogs are built only when opened, so the list page itself stays a couple of dozen elements.
"""
from __future__ import annotations

from fastapi import Request
from nicegui import ui

from .. import clock, formatting
from ..services import docrequests, files, live
from ..services.docrequests import DocRequestDetail, DocRequestRow, RuleRow
from ..services.errors import NotFound
from ..services.permissions import Actor
from ..uploads import file_upload
from . import listing
from .common import Form, action, date_input, page_title
from .frame import esc, frame, guard
from .widgets import FieldError, confirm, facts_html, segmented_html

TOOL = docrequests.TOOL
PER_PAGE = 25
COLUMNS = (listing.Column('Pedido', 'first wrap'), listing.Column('Cliente', 'wrap'), listing.Column('Prazo', 'nw'),
           listing.Column('Situação', 'st'), listing.Column('Resposta', 'wrap'))
RULE_COLUMNS = (listing.Column('Pedido', 'first wrap'), listing.Column('Cliente', 'wrap'),
                listing.Column('Todo dia', 'nw'), listing.Column('Lembretes', 'nw hide-sm'),
                listing.Column('Último', 'nw'), listing.Column('Situação', 'st'))
# the list badge's colour: the house's four badge colours (assets/conton.css), by what the status asks of whom
BADGE_CLASS = {'pendente': 'aberto', 'atrasado': 'vencido', 'devolvido': 'vencido', 'respondido': 'pago',
               'nada': 'pago', 'aceito': 'cancelado', 'fechado': 'cancelado'}
DUE_FILTERS = {'': 'Todos', '1': 'Só atrasados'}
ACTIVE_FILTERS = {'': 'Todos', '1': 'Só ativos'}
UPLOAD_ACCEPT = ('.pdf,.png,.jpg,.jpeg,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.xml,.txt,.csv,.ofx,.zip')


def badge(status: str, label: str) -> str:
    return listing.badge(BADGE_CLASS.get(status, 'aberto'), label)


def sections_html(active: str) -> str:
    return segmented_html([('Pedidos', '/pedidos-documentos', active == 'list'),
                           ('Recorrentes', '/pedidos-documentos/recorrentes', active == 'rules')], 'Seções')


# --------------------------------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/pedidos-documentos')
def docrequests_page(request: Request) -> None:
    actor = guard(TOOL, title='Pedidos de documentos')
    if actor is None:
        return
    params = request.query_params
    with frame(actor, 'Pedidos de documentos'):
        page_title('Pedidos de documentos', 'pedidos-documentos')
        view = RequestList(actor, params)
        if params.get('pedido'):
            view.open_from_url(params['pedido'][:40])


class RequestList:
    """Per-tab state of the list: the filters and the page from the URL, and the regions that show them."""

    def __init__(self, actor: Actor, params) -> None:
        self.actor = actor
        self.writable = actor.can(TOOL, 'write')
        self.filt = docrequests.parse_filter(params.get('status', ''), params.get('busca', ''),
                                             params.get('competencia', ''), params.get('atrasados', ''),
                                             params.get('cliente', '')[:40])
        self.bad_competence = bool(params.get('competencia', '').strip()) and not self.filt.competence
        self.client_label = ''
        if self.filt.client_id is not None:
            try:
                self.client_label = docrequests.client_name(actor, self.filt.client_id)
            except NotFound:
                self.filt.client_id = None
        self.page = listing.page_number(params)
        with ui.row().classes('w-full items-center gap-2'):
            ui.html(sections_html('list')).classes('col')
            if self.writable:
                ui.button('Novo pedido', icon='add', on_click=self.new_request).props('unelevated no-caps') \
                    .mark('new-request')
                ui.button('Lembretes', icon='notifications_active', on_click=self.settings) \
                    .props('outline no-caps').mark('reminder-settings')
        self.head = ui.html('').classes('w-full').mark('docrequest-filters')
        self.table = ui.html('').classes('w-full conton-table').mark('docrequests')
        self.show(self.fetch(actor))
        live.subscribe(TOOL, actor, self.show, load=self.fetch, key=self.url)

    # ---- data -------------------------------------------------------------------------------------------------

    def query(self) -> dict:
        f = self.filt
        return {k: v for k, v in (('status', f.status), ('busca', f.client.strip()),
                                  ('competencia', formatting.competence(f.competence)),
                                  ('atrasados', '1' if f.overdue else ''),
                                  ('cliente', str(f.client_id) if f.client_id else '')) if v}

    def url(self) -> str:
        return listing.url('/pedidos-documentos', self.query(), pagina=self.page if self.page > 1 else None)

    def fetch(self, actor: Actor) -> docrequests.DocRequestPage:
        return docrequests.search(actor, self.filt, page=self.page, per_page=PER_PAGE)

    def show(self, found: docrequests.DocRequestPage) -> None:
        self.page = found.page
        f, query = self.filt, self.query()
        kept = (f'<input type="hidden" name="cliente" value="{esc(f.client_id)}">' if f.client_id else '')
        bad = ' aria-invalid="true" class="bad"' if self.bad_competence else ''
        form = (f'<form method="get" action="/pedidos-documentos" class="conton-filter">'
                f'<label><span>Situação</span>{listing.select_html("status", docrequests.STATUS_FILTERS, f.status)}'
                f'</label><label class="grow"><span>Cliente (nome ou CPF/CNPJ)</span><input type="search" '
                f'name="busca" value="{esc(f.client)}" maxlength="100"></label>'
                f'<label class="date"><span>Competência</span><input type="text" name="competencia" '
                f'value="{esc(formatting.competence(f.competence))}" placeholder="mm/aaaa" maxlength="7" '
                f'inputmode="numeric" autocomplete="off"{bad}></label>'
                f'<label><span>Prazo</span>{listing.select_html("atrasados", DUE_FILTERS, "1" if f.overdue else "")}'
                f'</label>{kept}'
                f'<button type="submit">Filtrar</button><a href="/pedidos-documentos">Limpar</a></form>')
        if self.bad_competence:
            form += ('<div class="conton-filter-error" role="alert">Competência inválida: use mm/aaaa. A lista '
                     'abaixo não usa este filtro.</div>')
        chip = ''
        if f.client_id:
            without = {k: v for k, v in query.items() if k != 'cliente'}
            chip = (f'<span class="conton-chipfilter">Cliente: <b>{esc(self.client_label)}</b> '
                    f'<a href="{esc(listing.url("/pedidos-documentos", without))}" '
                    f'aria-label="Tirar o filtro de cliente">✕</a></span>')
        plural = 's' if found.total != 1 else ''
        totals = (f'<div class="conton-totals"><span><b>{found.total}</b> pedido{plural}</span>'
                  f'<span>Aguardando o cliente: <b>{found.waiting}</b></span>'
                  f'<span>Atrasados: <b>{found.overdue}</b></span>'
                  f'<span>Para revisar: <b>{found.to_review}</b></span>{chip}</div>')
        self.head.content = form + totals
        base = self.url()
        empty = 'Nenhum pedido encontrado com estes filtros.' if query else 'Nenhum pedido de documentos ainda.'
        self.table.content = (listing.table_html(COLUMNS, (_cells(r, base) for r in found.rows), empty)
                              + listing.pager_html('/pedidos-documentos', query, found.page, found.pages))

    # ---- one request ------------------------------------------------------------------------------------------

    def open_from_url(self, request_id: str) -> None:
        """`?pedido=<id>`: open it, or say plainly that it does not exist (never which one it was)."""
        try:
            docrequests.get(self.actor, request_id)
        except NotFound:
            ui.label('Pedido não encontrado.').classes('text-negative').mark('missing-request') \
                .move(self.head.parent_slot.parent, target_index=2)
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace(self.url()) or self.open(request_id), once=True)

    @action
    async def open(self, request_id: str) -> None:
        detail = docrequests.get(self.actor, request_id)
        r = detail.request
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 620px'):
            with ui.row().classes('w-full items-start no-wrap'):
                with ui.column().classes('col gap-0'):
                    ui.label(r.title).classes('text-h6').mark('request-title')
                    ui.label(f'{r.client_name} — {formatting.document(r.client_document)}').classes('text-grey-8')
                ui.html(badge(r.badge, r.status_label)).classes('q-mt-sm').mark('request-status')
            ui.html(detail_html(detail)).classes('w-full').mark('request-detail')
            with ui.row().classes('w-full gap-2'):
                if self.writable and r.to_review:
                    ui.button('Aceitar', icon='task_alt', on_click=lambda: dialog.submit('accept')) \
                        .props('unelevated no-caps color=positive').mark('accept')
                    ui.button('Devolver ao cliente', icon='undo', on_click=lambda: dialog.submit('back')) \
                        .props('outline no-caps').mark('send-back')
                if self.writable and r.status not in docrequests.FINAL:
                    ui.button('Encerrar pedido', icon='block', on_click=lambda: dialog.submit('close')) \
                        .props('flat no-caps color=grey-8').mark('close-request')
                ui.space()
                ui.button('Fechar', on_click=dialog.close).props('flat')
        choice = await dialog
        dialog.delete()
        if choice == 'accept':
            docrequests.accept(self.actor, r.id)
            ui.notify('Resposta aceita; o cliente foi avisado.', type='positive')
        elif choice == 'back':
            if await self.send_back(r) is None:
                return
        elif choice == 'close':
            if not await confirm(f'Encerrar o pedido "{r.title}" de {r.client_name}? Os lembretes param e o cliente '
                                 'é avisado de que não precisa enviar nada.', 'Encerrar'):
                return
            docrequests.close(self.actor, r.id)
            ui.notify('Pedido encerrado.', type='positive')
        if choice:
            self.show(self.fetch(self.actor))

    async def send_back(self, r: DocRequestRow):
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 480px'):
            ui.label('Devolver ao cliente').classes('text-h6')
            ui.label(f'{r.client_name} — {r.title}').classes('text-grey-8')
            form = Form()
            reason = form.add('reason', ui.textarea('Motivo (o cliente vê este texto)')
                              .props('outlined dense autogrow maxlength=500').classes('w-full').mark('reason'))
            ui.label('O cliente é avisado e volta a receber lembretes até responder de novo.') \
                .classes('text-caption text-grey-8')

            async def submit() -> None:
                result = await form.submit(lambda: docrequests.send_back(self.actor, r.id, reason.value))
                if result is not None:
                    dialog.submit(result)
            with ui.row().classes('w-full justify-end'):
                ui.button('Voltar', on_click=dialog.close).props('flat')
                ui.button('Devolver', on_click=action(submit)).props('unelevated').mark('confirm-send-back')
        result = await dialog
        dialog.delete()
        if result is not None:
            ui.notify('Pedido devolvido; o cliente foi avisado.', type='positive')
        return result

    # ---- new request and settings -----------------------------------------------------------------------------

    @action
    async def new_request(self) -> None:
        created = await request_dialog(self.actor, str(self.filt.client_id) if self.filt.client_id else '')
        if created is not None:
            ui.notify('Pedido enviado; o cliente foi avisado.', type='positive')
            self.show(self.fetch(self.actor))

    @action
    async def settings(self) -> None:
        await settings_dialog(self.actor)


def _cells(r: DocRequestRow, base: str) -> list[str]:
    sep = '&' if '?' in base else '?'
    link = f'{base}{sep}pedido={r.id}'
    sub = []
    if r.competence:
        sub.append(f'Competência {formatting.competence(r.competence)}')
    sub.append('Recorrente' if r.generated else 'Avulso')
    title = (f'<a class="open" href="{esc(link)}">{esc(r.title)}</a>'
             f'<div class="small">{esc(" · ".join(sub))}</div>')
    if r.status in ('respondido', 'nada', 'aceito') and r.answered_at:
        what = (f'{r.file_count} arquivo{"s" if r.file_count != 1 else ""}' if r.file_count
                else 'Nada a enviar')
        answer = f'{esc(what)}<div class="small">{esc(formatting.when(r.answered_at))}</div>'
    elif r.status == 'devolvido':
        answer = f'<div class="small">Devolvido: {esc(r.return_reason[:120])}</div>'
    else:
        answer = ''
    return [title, esc(r.client_name), esc(formatting.day(r.due_date)), badge(r.badge, r.status_label), answer]


def detail_html(detail: DocRequestDetail) -> str:
    r = detail.request
    made = (f'Gerado automaticamente em {formatting.day(r.created_at)}' if r.generated
            else f'{formatting.when(r.created_at)} por {r.created_by_name or "—"}')
    reminders = (f'A cada {r.remind_every_days} dia{"s" if r.remind_every_days != 1 else ""}, até {r.remind_max} '
                 f'vez{"es" if r.remind_max != 1 else ""}' if r.remind_max else 'Sem lembretes')
    sections = [('Pedido', [('Prazo', formatting.day(r.due_date)),
                            ('Competência', formatting.competence(r.competence)),
                            ('Pedido em', made), ('Lembretes ao cliente', reminders)]),
                ('Descrição', [('', r.description)])]
    answer = []
    if r.answered_at:
        answer += [('Respondido em', f'{formatting.when(r.answered_at)} por {r.answered_by_name or "—"}'),
                   ('Resposta', 'Nada a enviar este mês' if r.status == 'nada' or (not r.file_count and
                                                                                   r.status == 'aceito')
                    else f'{r.file_count} arquivo{"s" if r.file_count != 1 else ""}'),
                   ('Comentário do cliente', r.answer_comment)]
    if r.reviewed_at:
        answer.append(('Conferido em', f'{formatting.when(r.reviewed_at)} por {r.reviewed_by_name or "—"}'))
    if r.return_reason:
        answer.append(('Motivo da devolução' if r.status != 'fechado' else 'Observação', r.return_reason))
    sections.append(('Resposta', answer))
    html = facts_html(sections, wide=('Descrição',))
    links = []
    if r.template_file_id:
        links.append(f'<div class="conton-section">Modelo enviado ao cliente</div><ul class="conton-filelist">'
                     f'<li><a href="{esc(docrequests.file_url(r.id, r.template_file_id))}" download>'
                     f'{esc(r.template_name)}</a></li></ul>')
    if detail.files:
        items = ''.join(f'<li><a href="{esc(docrequests.file_url(r.id, f.id))}" download>{esc(f.name)}</a> '
                        f'<span class="small">{esc(f.size_label)} · {esc(formatting.when(f.created_at))}</span></li>'
                        for f in detail.files)
        links.append(f'<div class="conton-section">Arquivos do cliente</div><ul class="conton-filelist">{items}</ul>')
    return html + ''.join(links)


# --------------------------------------------------------------------------------------------------------------------
# Dialogs shared by the list and the rules page
# --------------------------------------------------------------------------------------------------------------------

class TemplatePicker:
    """One optional template file: received by the browser's upload (with its progress), sent with the form."""

    def __init__(self, form: Form) -> None:
        self.files: list = []
        ui.label('Modelo ou instruções (opcional, um arquivo)').classes('text-body2 text-grey-8')
        self.upload = file_upload(label='Anexar modelo', auto_upload=True, max_files=1,
                                  max_file_size=files.max_file_bytes(), on_upload=self.received,
                                  on_rejected=self.rejected) \
            .props(f'flat bordered color=grey-2 text-color=grey-9 accept="{UPLOAD_ACCEPT}"') \
            .classes('w-full conton-upload').mark('form-template')
        self.error = form.add('template', FieldError())
        self.info = ui.label('').classes('text-caption text-positive')

    def received(self, e) -> None:
        self.files = [e.file]
        self.error.error = None
        self.info.text = f'Anexado: {e.file.name}'

    def rejected(self) -> None:
        self.error.error = f'Arquivo grande demais: o limite é {files.size_label(files.max_file_bytes())}.'

    def refused(self) -> None:
        """After a refusal by the service: the file must be chosen again."""
        if self.files and self.error.error:
            self.files = []
            self.upload.reset()
            self.info.text = ''


class ClientPicker:
    """The client, searched on the server as the user types (never the whole directory)."""

    def __init__(self, actor: Actor, form: Form, client_id: str = '') -> None:
        self.actor = actor
        options = {}
        if client_id:
            try:
                options = docrequests.client_options(actor, include=client_id)
            except NotFound:
                client_id = ''
        if client_id not in options:
            client_id = ''
            options = docrequests.client_options(actor)
        self.select = form.add('client_id', ui.select(options, label='Cliente', value=client_id or None,
                                                      with_input=True, clearable=True)
                               .props('outlined dense options-dense input-debounce=300 '
                                      'hint="Digite parte do nome ou do CPF/CNPJ"')
                               .classes('w-full').mark('form-client'))
        self.select.on('input-value', action(self.search))

    def search(self, e) -> None:
        text = e.args if isinstance(e.args, str) else ''
        self.select.set_options(docrequests.client_options(self.actor, text, include=self.select.value),
                                value=self.select.value)

    @property
    def value(self) -> str:
        return self.select.value or ''


def reminder_inputs(form: Form, every: int, most: int):
    with ui.row().classes('w-full no-wrap gap-2 conton-form-row'):
        every_input = form.add('remind_every_days', ui.number('Lembrar a cada (dias)', value=every, min=1, max=30,
                                                              precision=0)
                               .props('outlined dense').classes('col').mark('form-every'))
        most_input = form.add('remind_max', ui.number('Máximo de lembretes', value=most, min=0, max=20, precision=0)
                              .props('outlined dense').classes('col').mark('form-max'))
    return every_input, most_input


async def request_dialog(actor: Actor, client_id: str = '') -> DocRequestRow | None:
    settings = docrequests.reminder_settings(actor)
    with ui.dialog().props('persistent') as dialog, ui.card().classes('w-full').style('max-width: 600px'):
        ui.label('Novo pedido de documentos').classes('text-h6')
        form = Form()
        client = ClientPicker(actor, form, client_id)
        title = form.add('title', ui.input('O que o cliente deve enviar (ex.: Extrato bancário 10/2026)')
                         .props('outlined dense maxlength=200').classes('w-full').mark('form-title'))
        due = form.add('due_date', date_input('Prazo').props('outlined dense').classes('w-full').mark('form-due'))
        description = form.add('description', ui.textarea('Descrição (opcional)')
                               .props('outlined dense autogrow maxlength=2000').classes('w-full')
                               .mark('form-description'))
        every, most = reminder_inputs(form, settings.every_days, settings.max_count)
        ui.label(f'Os lembretes vão por notificação e e-mail às {settings.at}, começando alguns dias antes do '
                 'prazo (tantos quantos o intervalo), até o cliente responder.') \
            .classes('text-caption text-grey-8')
        template = TemplatePicker(form)

        async def save() -> None:
            result = await form.submit(lambda: docrequests.create(
                actor, client_id=client.value, title=title.value, due_date=due.value, description=description.value,
                remind_every_days=_number(every.value), remind_max=_number(most.value), uploads=template.files))
            if result is None:
                template.refused()
                return
            dialog.submit(result)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancelar', on_click=dialog.close).props('flat')
            ui.button('Enviar pedido', icon='send', on_click=action(save)).props('unelevated no-caps') \
                .mark('form-save')
    result = await dialog
    dialog.delete()
    return result


async def settings_dialog(actor: Actor) -> None:
    current = docrequests.reminder_settings(actor)
    with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 460px'):
        ui.label('Lembretes dos pedidos').classes('text-h6')
        ui.label('Valores usados nos novos pedidos (cada pedido e cada pedido recorrente pode mudar os seus). O '
                 'horário vale para todos.').classes('text-grey-8 text-sm')
        form = Form()
        every = form.add(docrequests.SETTING_EVERY, ui.number('Lembrar a cada (dias)', value=current.every_days,
                                                             min=1, max=30, precision=0)
                         .props('outlined dense').classes('w-full').mark('setting-every'))
        most = form.add(docrequests.SETTING_MAX, ui.number('Máximo de lembretes por pedido', value=current.max_count,
                                                          min=0, max=20, precision=0)
                        .props('outlined dense').classes('w-full').mark('setting-max'))
        at = form.add(docrequests.SETTING_TIME, ui.input('Horário dos lembretes (hh:mm)', value=current.at)
                      .props('outlined dense mask="##:##" inputmode=numeric').classes('w-full').mark('setting-time'))

        async def save() -> None:
            result = await form.submit(lambda: docrequests.save_reminder_settings(
                actor, every_days=_number(every.value), max_count=_number(most.value), at=at.value))
            if result is not None:
                dialog.submit(result)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancelar', on_click=dialog.close).props('flat')
            ui.button('Salvar', on_click=action(save)).props('unelevated').mark('setting-save')
    saved = await dialog
    dialog.delete()
    if saved is not None:
        ui.notify('Lembretes salvos.', type='positive')


def _number(value) -> str:
    """A ui.number's value as the services take it ('' when empty; 3.0 -> '3')."""
    if value is None or value == '':
        return ''
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------------------------------------
# Recurring rules
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/pedidos-documentos/recorrentes')
def rules_page(request: Request) -> None:
    actor = guard(TOOL, title='Pedidos recorrentes')
    if actor is None:
        return
    params = request.query_params
    with frame(actor, 'Pedidos recorrentes'):
        page_title('Pedidos de documentos', 'pedidos-documentos')
        view = RuleList(actor, params)
        if params.get('regra'):
            view.open_from_url(params['regra'][:40])


class RuleList:
    def __init__(self, actor: Actor, params) -> None:
        self.actor = actor
        self.writable = actor.can(TOOL, 'write')
        self.text = ' '.join(params.get('busca', '').split())[:100]
        self.active_only = params.get('ativos', '') == '1'
        self.client = params.get('cliente', '')[:40]
        self.client_label = ''
        if self.client:
            try:
                self.client_label = docrequests.client_name(actor, self.client)
            except NotFound:
                self.client = ''
        self.page = listing.page_number(params)
        with ui.row().classes('w-full items-center gap-2'):
            ui.html(sections_html('rules')).classes('col')
            if self.writable:
                ui.button('Novo pedido recorrente', icon='event_repeat', on_click=self.new_rule) \
                    .props('unelevated no-caps').mark('new-rule')
        ui.label('Todo mês o Conton pede ao cliente os documentos do mês anterior (a competência), com prazo no dia '
                 'escolhido. Um pedido recorrente criado depois desse dia começa no mês seguinte.') \
            .classes('text-caption text-grey-8')
        self.head = ui.html('').classes('w-full').mark('rule-filters')
        self.table = ui.html('').classes('w-full conton-table').mark('rules')
        self.show(self.fetch(actor))
        live.subscribe(TOOL, actor, self.show, load=self.fetch, key=self.url)

    def query(self) -> dict:
        return {k: v for k, v in (('busca', self.text), ('ativos', '1' if self.active_only else ''),
                                  ('cliente', self.client)) if v}

    def url(self) -> str:
        return listing.url('/pedidos-documentos/recorrentes', self.query(),
                           pagina=self.page if self.page > 1 else None)

    def fetch(self, actor: Actor) -> docrequests.RulePage:
        found = docrequests.rules(actor, client_id=self.client or None, client=self.text,
                                  active_only=self.active_only, page=self.page, per_page=PER_PAGE)
        if found.page > found.pages and found.total:
            self.page = found.pages
            return self.fetch(actor)
        return found

    def show(self, found: docrequests.RulePage) -> None:
        kept = f'<input type="hidden" name="cliente" value="{esc(self.client)}">' if self.client else ''
        form = (f'<form method="get" action="/pedidos-documentos/recorrentes" class="conton-filter">'
                f'<label class="grow"><span>Cliente (nome ou CPF/CNPJ)</span><input type="search" name="busca" '
                f'value="{esc(self.text)}" maxlength="100"></label>'
                f'<label><span>Situação</span>'
                f'{listing.select_html("ativos", ACTIVE_FILTERS, "1" if self.active_only else "")}'
                f'</label>{kept}'
                f'<button type="submit">Filtrar</button><a href="/pedidos-documentos/recorrentes">Limpar</a></form>')
        chip = ''
        if self.client:
            without = {k: v for k, v in self.query().items() if k != 'cliente'}
            chip = (f'<span class="conton-chipfilter">Cliente: <b>{esc(self.client_label)}</b> '
                    f'<a href="{esc(listing.url("/pedidos-documentos/recorrentes", without))}" '
                    f'aria-label="Tirar o filtro de cliente">✕</a></span>')
        plural = 's' if found.total != 1 else ''
        self.head.content = (form + f'<div class="conton-totals"><span><b>{found.total}</b> pedido{plural} '
                             f'recorrente{plural}</span>{chip}</div>')
        base = self.url()
        empty = 'Nenhum pedido recorrente encontrado.' if self.query() else 'Nenhum pedido recorrente ainda.'
        self.table.content = (listing.table_html(RULE_COLUMNS, (_rule_cells(r, base) for r in found.rows), empty)
                              + listing.pager_html('/pedidos-documentos/recorrentes', self.query(), found.page,
                                                   found.pages))

    def open_from_url(self, rule_id: str) -> None:
        try:
            docrequests.get_rule(self.actor, rule_id)
        except NotFound:
            ui.label('Pedido recorrente não encontrado.').classes('text-negative').mark('missing-rule') \
                .move(self.head.parent_slot.parent, target_index=3)
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace(self.url()) or self.open(rule_id), once=True)

    @action
    async def new_rule(self) -> None:
        created = await rule_dialog(self.actor, None, self.client)
        if created is not None:
            made = (f' O pedido de {formatting.competence(created.last_competence)} já foi enviado ao cliente.'
                    if created.last_competence else ' O primeiro pedido sai no mês que vem.')
            ui.notify('Pedido recorrente criado.' + made, type='positive')
            self.show(self.fetch(self.actor))

    @action
    async def open(self, rule_id: str) -> None:
        rule = docrequests.get_rule(self.actor, rule_id)
        result = await rule_dialog(self.actor, rule, str(rule.client_id))
        if result == 'end':
            if not await confirm(f'Encerrar "{rule.title}" de {rule.client_name}? Os pedidos já enviados continuam; '
                                 'nenhum novo é criado.', 'Encerrar'):
                return
            docrequests.end_rule(self.actor, rule.id)
            ui.notify('Pedido recorrente encerrado.', type='positive')
        elif result is not None:
            ui.notify('Pedido recorrente salvo.', type='positive')
        if result is not None:
            self.show(self.fetch(self.actor))


def _rule_cells(r: RuleRow, base: str) -> list[str]:
    sep = '&' if '?' in base else '?'
    link = f'{base}{sep}regra={r.id}'
    sample = r.title_for(docrequests.competence_of(docrequests.previous_month(clock.today())))
    title = f'<a class="open" href="{esc(link)}">{esc(r.title)}</a><div class="small">Ex.: {esc(sample)}</div>'
    reminders = (f'a cada {r.remind_every_days} d, até {r.remind_max}' if r.remind_max else 'sem lembretes')
    state = badge('pendente', 'Ativo') if r.active else badge('fechado', 'Encerrado')
    return [title, esc(r.client_name), esc(str(r.due_day)), esc(reminders),
            esc(formatting.competence(r.last_competence) or '—'), state]


async def rule_dialog(actor: Actor, rule: RuleRow | None, client_id: str = ''):
    """New (rule None) or edit; returns the saved RuleRow, 'end' (end it), or None."""
    settings = docrequests.reminder_settings(actor)
    writable = actor.can(TOOL, 'write')
    with ui.dialog().props('persistent') as dialog, ui.card().classes('w-full').style('max-width: 600px'):
        ui.label('Novo pedido recorrente' if rule is None else 'Pedido recorrente').classes('text-h6')
        form = Form()
        if rule is None:
            client = ClientPicker(actor, form, client_id)
        else:
            ui.label(rule.client_name).classes('text-grey-8').mark('rule-client')
            if not rule.active:
                ui.label(f'Encerrado em {formatting.day(rule.ended_at)}.').classes('text-negative')
        title = form.add('title', ui.input('O que pedir (use {mm/aaaa} para o mês de referência)',
                                           value=rule.title if rule else 'Extrato bancário {mm/aaaa}')
                         .props('outlined dense maxlength=200').classes('w-full').mark('form-title'))
        example = ui.label('').classes('text-caption text-grey-8')

        def show_example() -> None:
            comp = docrequests.competence_of(docrequests.previous_month(clock.today()))
            example.text = f'Este mês: "{docrequests.request_title((title.value or "").strip(), comp)}"'
        title.on_value_change(show_example)
        show_example()
        due_day = form.add('due_day', ui.number('Prazo: todo dia (1 a 28)', value=rule.due_day if rule else 5,
                                                min=1, max=docrequests.MAX_DUE_DAY, precision=0)
                           .props('outlined dense').classes('w-full').mark('form-day'))
        description = form.add('description', ui.textarea('Descrição (opcional)', value=rule.description if rule
                                                           else '')
                               .props('outlined dense autogrow maxlength=2000').classes('w-full')
                               .mark('form-description'))
        every, most = reminder_inputs(form, rule.remind_every_days if rule else settings.every_days,
                                      rule.remind_max if rule else settings.max_count)
        template = TemplatePicker(form) if rule is None else None
        if rule is not None and rule.template_name:
            ui.label(f'Modelo: {rule.template_name}').classes('text-caption')

        async def save() -> None:
            values = dict(title=title.value, due_day=_number(due_day.value), description=description.value,
                          remind_every_days=_number(every.value), remind_max=_number(most.value))
            if rule is None:
                result = await form.submit(lambda: docrequests.create_rule(actor, client_id=client.value,
                                                                           uploads=template.files, **values))
                if result is None:
                    template.refused()
            else:
                result = await form.submit(lambda: docrequests.update_rule(actor, rule.id, **values))
            if result is not None:
                dialog.submit(result)
        with ui.row().classes('w-full items-center gap-2'):
            if rule is not None and rule.active and writable:
                ui.button('Encerrar', icon='block', on_click=lambda: dialog.submit('end')) \
                    .props('flat no-caps color=negative').mark('end-rule')
            ui.space()
            ui.button('Cancelar', on_click=dialog.close).props('flat')
            if writable and (rule is None or rule.active):
                ui.button('Salvar', on_click=action(save)).props('unelevated').mark('form-save')
    result = await dialog
    dialog.delete()
    return result
