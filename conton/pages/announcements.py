"""Comunicados (staff): the list with each comunicado's state and its e-mail counts, the compose page (template,
subject, text, attachments, recipients with a live count, now or at a chosen moment), one comunicado with the state
of every recipient, the office's sending pace; and the attachment download route shared with the portal."""
from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, background_tasks, context, run, ui

from .. import clock, formatting
from ..downloads import response_for
from ..services import announcements, live, mail
from ..services.announcements import AnnouncementRow, Preview
from ..services.errors import AuthExpired, NotFound, PermissionDenied, ValidationError
from ..services.permissions import Actor
from ..uploads import file_upload
from . import listing, widgets
from .common import Form, action, date_input, not_found, page_title, session_actor, title_row
from .frame import esc, frame, guard

TOOL = announcements.TOOL
PER_PAGE, RECIPIENTS_PER_PAGE = 20, 50
STATUS_TAGS = {'rascunho': 'off', 'agendado': 'wait', 'enviando': 'warn', 'enviado': 'on', 'cancelado': 'off'}
RECIPIENT_TAGS = {'fila': 'wait', 'enviado': 'on', 'falhou': 'bad', 'portal': 'off'}
FILTERS = {'': 'Todos', 'rascunho': 'Rascunhos', 'agendado': 'Agendados', 'enviando': 'Enviando',
           'enviado': 'Enviados', 'cancelado': 'Cancelados'}
RECIPIENT_FILTERS = {'': 'Todos', 'fila': 'Na fila', 'enviado': 'E-mail enviado', 'falhou': 'Falhou',
                     'portal': 'Sem e-mail (preferência)', 'lido': 'Lido no portal'}


# --------------------------------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/comunicados')
def announcements_page(request: Request) -> None:
    actor = guard(TOOL, title='Comunicados')
    if actor is None:
        return
    params = request.query_params
    status = params.get('situacao', '')
    status = status if status in FILTERS else ''
    page = listing.page_number(params)
    can_write = actor.can(TOOL, 'write')
    with frame(actor, 'Comunicados'):
        with title_row('Comunicados', 'comunicados'):
            if can_write:
                ui.button('Novo comunicado', icon='campaign', on_click=lambda: ui.navigate.to('/comunicados/novo')) \
                    .props('unelevated no-caps color=primary').mark('new-announcement')
        region = ui.html('').classes('w-full').mark('announcements')

        def load(a: Actor) -> announcements.AnnouncementPage:
            return announcements.search(a, status=status, page=page, per_page=PER_PAGE)

        def show(found: announcements.AnnouncementPage) -> None:
            region.content = list_html(found, status)
        show(load(actor))
        live.subscribe(TOOL, actor, show, load=load, key=('announcements', status, page))
        if not mail.smtp_configured():
            ui.label('O servidor de e-mail (SMTP) não está configurado: os comunicados chegam ao portal, e os e-mails '
                     'ficam na fila até ele ser configurado.').classes('text-caption text-warning q-mt-sm') \
                .mark('no-smtp')
        if can_write:
            pace_settings(actor)


def list_html(found: announcements.AnnouncementPage, status: str) -> str:
    seg = widgets.segmented_html(
        [(f'{label} ({sum(found.counts.values()) if not key else found.counts.get(key, 0)})',
          f'/comunicados?situacao={key}' if key else '/comunicados', key == status)
         for key, label in FILTERS.items()], 'Situação')
    columns = (listing.Column('Assunto', 'wrap first', labelled=False), listing.Column('Destinatários', 'wrap'),
               listing.Column('Quando', 'nw'), listing.Column('E-mails', 'wrap'), listing.Column('Lidos', 'num'),
               listing.Column('Situação', 'st', labelled=False))
    rows = [[f'<a class="open" href="/comunicados/{r.id}">{esc(r.subject)}</a>'
             + (f'<div class="small">{r.attachments} anexo{"s" if r.attachments != 1 else ""}</div>'
                if r.attachments else ''),
             esc(r.audience_label) + (f'<div class="small">{esc(reach(r))}</div>' if r.recipients else ''),
             esc(moment(r)), esc(email_counts(r)), str(r.counts.lido) if r.recipients else '',
             tag(STATUS_TAGS.get(r.status, 'off'), r.status_label)] for r in found.rows]
    empty = 'Nenhum comunicado ainda. Use “Novo comunicado” para escrever aos clientes.' if not status \
        else 'Nenhum comunicado nesta situação.'
    pager = listing.pager_html('/comunicados', {'situacao': status} if status else {}, found.page, found.pages)
    return seg + listing.table_html(columns, rows, empty) + pager


def tag(css: str, label: str) -> str:
    return f'<span class="conton-tag {esc(css)}">{esc(label)}</span>'


def reach(r: AnnouncementRow) -> str:
    return (f'{formatting.decimal_br(r.clients, 0)} cliente{"s" if r.clients != 1 else ""}, '
            f'{formatting.decimal_br(r.recipients, 0)} login{"s" if r.recipients != 1 else ""}')


def moment(r: AnnouncementRow) -> str:
    if r.status == 'rascunho':
        return 'rascunho' + (f' (para {formatting.when(r.send_at)})' if r.send_at else '')
    if r.status == 'agendado':
        return f'agendado para {formatting.when(r.send_at)}'
    if r.status == 'cancelado':
        return f'cancelado (era {formatting.when(r.send_at)})'
    return formatting.when(r.started_at or r.created_at)


def email_counts(r: AnnouncementRow) -> str:
    c = r.counts
    if not r.recipients:
        return ''
    parts = [f'{formatting.decimal_br(c.enviado, 0)} enviado{"s" if c.enviado != 1 else ""}']
    if c.fila:
        parts.append(f'{formatting.decimal_br(c.fila, 0)} na fila')
    if c.falhou:
        parts.append(f'{formatting.decimal_br(c.falhou, 0)} falhou' if c.falhou == 1
                     else f'{formatting.decimal_br(c.falhou, 0)} falharam')
    if c.portal:
        parts.append(f'{formatting.decimal_br(c.portal, 0)} sem e-mail')
    return ' · '.join(parts)


def pace_settings(actor: Actor) -> None:
    pace = announcements.throttle()
    with ui.expansion('Ritmo de envio dos e-mails', icon='speed').classes('w-full q-mt-md').mark('pace'):
        ui.label('Os e-mails dos comunicados saem em lotes, com uma pausa entre um lote e outro, para não passar do '
                 'limite do seu provedor de e-mail (por exemplo, 500 por hora). O portal recebe o comunicado na hora; '
                 'só os e-mails esperam a sua vez.').classes('text-body2 text-grey-8')
        form = Form()
        with ui.row().classes('items-start gap-3'):
            batch = form.add('batch', ui.input('E-mails por lote', value=str(pace.batch))
                             .props('inputmode=numeric').classes('w-40'))
            pause = form.add('pause_seconds', ui.input('Pausa entre lotes (segundos)', value=str(pace.pause_seconds))
                             .props('inputmode=numeric').classes('w-56'))
        hint = ui.label(pace_hint(pace)).classes('text-caption text-grey-8').mark('pace-hint')

        @action
        async def save() -> None:
            saved = await form.submit(lambda: run.io_bound(announcements.set_throttle, actor, batch.value,
                                                           pause.value))
            if saved is not None:
                hint.text = pace_hint(saved)
                ui.notify('Ritmo de envio salvo.', type='positive')
        ui.button('Salvar ritmo', icon='save', on_click=save).props('unelevated no-caps').mark('pace-save')


def pace_hint(pace: announcements.Throttle) -> str:
    if not pace.pause_seconds:
        return f'Até {pace.batch} e-mails de cada vez, sem pausa.'
    per_hour = pace.batch * 3600 // max(pace.pause_seconds, 20)  # the job looks every 20 s
    return f'Cerca de {formatting.decimal_br(per_hour, 0)} e-mails por hora, no máximo.'


# --------------------------------------------------------------------------------------------------------------------
# Compose
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/comunicados/novo')
def new_announcement_page() -> None:
    actor = guard(TOOL, 'write', title='Novo comunicado')
    if actor is None:
        return
    with frame(actor, 'Novo comunicado'):
        ui.link('← Comunicados', '/comunicados').classes('text-sm')
        page_title('Novo comunicado', 'comunicados')
        Compose(actor)


@ui.page('/comunicados/{announcement_id}/editar')
def edit_announcement_page(announcement_id: str) -> None:
    actor = guard(TOOL, 'write', title='Editar comunicado')
    if actor is None:
        return
    with frame(actor, 'Editar comunicado'):
        try:
            detail = announcements.get(actor, announcement_id)
        except NotFound:
            not_found()
            return
        ui.link('← Comunicado', f'/comunicados/{detail.row.id}').classes('text-sm')
        page_title('Editar rascunho' if detail.row.status == 'rascunho' else 'Editar comunicado agendado',
                   'comunicados')
        if not detail.editable:
            ui.label('Este comunicado já saiu (ou foi cancelado): não pode mais ser alterado.') \
                .classes('text-body1').mark('not-editable')
            return
        Compose(actor, detail)


class Compose:
    """The form of a new comunicado, or of a draft or scheduled one (`detail`) that has not gone out."""

    def __init__(self, actor: Actor, detail: announcements.AnnouncementDetail | None = None) -> None:
        self.actor = actor
        self.detail = detail
        row = detail.row if detail else None
        self.choices = announcements.choices(actor)
        self.attached: list = []  # storage.Received, until sent or dropped
        self.kept = list(detail.attachments) if detail else []  # attachments already saved with it
        self.removed: list = []  # ids of those taken off (removed when saved)
        tab = context.client
        tab.on_delete(self.drop_all)  # the tab went away without sending: nothing left behind
        form = self.form = Form()
        with ui.card().classes('w-full'):
            self.template = form.add('template', ui.select(announcements.TEMPLATES, value=row.template if row else '',
                                                           label='Modelo')
                                     .classes('w-full sm:w-80').mark('template'))
            self.template.on_value_change(self.template_chosen)
            self.template_note = ui.label('O e-mail de cada login traz o login e, para quem ainda não definiu a '
                                          'senha, um link para defini-la (vale 3 dias). Nunca uma senha.') \
                .classes('text-caption text-grey-8')
            self.template_note.set_visibility(bool(row and row.template == 'first_use'))
            self.subject = form.add('subject', ui.input('Assunto', value=row.subject if row else '')
                                    .props('maxlength=200 counter').classes('w-full').mark('subject'))
            self.body = form.add('body', ui.textarea('Texto', value=detail.body if detail else '')
                                 .props('autogrow maxlength=20000').classes('w-full').mark('body'))

            ui.label('Anexos').classes('conton-section')
            limit = announcements.max_attachment_bytes()
            self.upload = file_upload(label='Anexar arquivos (PDF, planilhas, imagens…)', multiple=True,
                                      auto_upload=True, max_file_size=limit,
                                      max_total_size=limit * announcements.MAX_ATTACHMENTS,
                                      max_files=announcements.MAX_ATTACHMENTS, on_upload=action(self.uploaded)) \
                .props('flat bordered color=primary no-thumbnails').classes('w-full').mark('uploader')
            self.upload.on_rejected(lambda: self.file_error.__setattr__(
                'error', f'Arquivo grande demais: o limite é {formatting.decimal_br(limit // (1024 * 1024), 0)} MB.'))
            self.file_error = form.add('attachments', widgets.FieldError())
            self.files = ui.column().classes('w-full gap-1').mark('attached')

            ui.label('Destinatários').classes('conton-section')
            kind = row.audience if row else 'all'
            stored = detail.audience_value if detail else ''
            self.audience = form.add('audience', ui.radio(announcements.AUDIENCES, value=kind)
                                     .props('inline').mark('audience'))
            self.regime = form.add('audience_value', ui.select(
                self.choices.regimes, label='Regime tributário',
                value=stored if kind == 'regime' and stored in self.choices.regimes else None)
                                   .classes('w-full sm:w-80').mark('regime'))
            self.staff = ui.select(self.choices.staff, label='Responsável no escritório',
                                   value=stored if kind == 'responsible' and stored in self.choices.staff else None) \
                .classes('w-full sm:w-80').mark('responsible')
            picked = [c for c in (detail.client_ids if detail else []) if c in self.choices.clients]
            self.clients = form.add('client_ids', ui.select(self.choices.clients, label='Clientes', multiple=True,
                                                            with_input=True, value=picked)
                                    .props('use-chips').classes('w-full').mark('clients'))
            self.count = ui.label('').classes('text-body2 text-weight-medium').mark('preview')
            for element in (self.audience, self.regime, self.staff, self.clients):
                element.on_value_change(self.audience_changed)

            ui.label('Envio').classes('conton-section')
            local = clock.local(row.send_at) if row and row.send_at else None
            self.when = ui.radio({'now': 'Enviar agora', 'later': 'Agendar'}, value='later' if local else 'now') \
                .props('inline').mark('when')
            with ui.row().classes('items-start gap-3') as self.later:
                self.day = form.add('send_on', date_input('Data', local.date() if local else None))
                self.time = form.add('send_time', ui.input('Hora', placeholder='hh:mm',
                                                           value=f'{local:%H:%M}' if local else '')
                                     .props('mask="##:##" inputmode=numeric').classes('w-28'))
            self.when.on_value_change(self.when_changed)
            with ui.row().classes('gap-2 q-mt-md'):
                self.send = ui.button('Enviar comunicado', icon='send', on_click=self.submit) \
                    .props('unelevated no-caps').mark('send')
                ui.button('Salvar rascunho', icon='edit_note', on_click=self.save_draft) \
                    .props('outline no-caps').mark('save-draft')
                back = f'/comunicados/{row.id}' if row else '/comunicados'
                ui.button('Cancelar', on_click=lambda: ui.navigate.to(back)).props('flat no-caps')
        self.audience_changed()
        self.when_changed()
        self.show_files()

    # ---- reactions ----------------------------------------------------------------------------------------------

    def template_chosen(self) -> None:
        first_use = self.template.value == 'first_use'
        self.template_note.set_visibility(first_use)
        subject, body = announcements.template_text(self.template.value)
        if subject and not (self.subject.value or '').strip():
            self.subject.value = subject
        if body and not (self.body.value or '').strip():
            self.body.value = body

    def audience_changed(self) -> None:
        kind = self.audience.value
        self.regime.set_visibility(kind == 'regime')
        self.staff.set_visibility(kind == 'responsible')
        self.clients.set_visibility(kind == 'list')
        self.refresh_count()

    def when_changed(self) -> None:
        later = self.when.value == 'later'
        self.later.set_visibility(later)
        self.send.text = 'Agendar comunicado' if later else 'Enviar comunicado'
        self.send.props(f'icon={"schedule_send" if later else "send"}')

    def audience_args(self) -> tuple[str, str, list]:
        kind = self.audience.value
        value = self.regime.value if kind == 'regime' else self.staff.value if kind == 'responsible' else ''
        return kind, value or '', list(self.clients.value or []) if kind == 'list' else []

    def refresh_count(self) -> None:
        """The count of recipients as chosen (a few counting queries: cheap even for thousands of clients)."""
        kind, value, ids = self.audience_args()
        try:
            found: Preview | None = announcements.preview(self.actor, kind, value, ids)
        except ValidationError:  # an incomplete choice: no count yet
            found = None
        if found is None:
            self.count.text = 'Escolha os destinatários.'
            return
        text = f'Vai para {found.label}.'
        if self.template.value == 'first_use' and found.without_password:
            text += (f' {formatting.decimal_br(found.without_password, 0)} login(s) ainda sem senha recebem o link '
                     'para defini-la.')
        self.count.text = text

    async def uploaded(self, e) -> None:
        self.file_error.error = None
        try:
            received = await announcements.receive_attachment(self.actor, e.file)
        except Exception:
            self.upload.reset()
            raise
        if len(self.kept) + len(self.attached) >= announcements.MAX_ATTACHMENTS:
            announcements.discard_attachment(received)
            self.file_error.error = f'Anexe no máximo {announcements.MAX_ATTACHMENTS} arquivos.'
            return
        self.attached.append(received)
        self.upload.reset()
        self.show_files()

    def show_files(self) -> None:
        self.files.clear()
        with self.files:
            for saved in self.kept:
                with ui.row().classes('items-center gap-2 no-wrap'):
                    ui.icon('attach_file', size='sm', color='grey-7')
                    ui.label(f'{saved.name} ({saved.size_label})').classes('text-body2')
                    ui.button(icon='close', on_click=lambda a=saved: self.take_off(a)) \
                        .props(f'flat dense round size=sm aria-label="Remover {esc(saved.name)}"')
            for received in self.attached:
                with ui.row().classes('items-center gap-2 no-wrap'):
                    ui.icon('attach_file', size='sm', color='grey-7')
                    ui.label(f'{received.original_name} ({announcements._size_label(received.size)})') \
                        .classes('text-body2')
                    ui.button(icon='close', on_click=lambda r=received: self.drop(r)) \
                        .props(f'flat dense round size=sm aria-label="Remover {esc(received.original_name)}"')

    def take_off(self, saved) -> None:
        """An attachment saved with the comunicado: removed when the form is saved (not before)."""
        if saved in self.kept:
            self.kept.remove(saved)
            self.removed.append(saved.id)
        self.show_files()

    def drop(self, received) -> None:
        if received in self.attached:
            self.attached.remove(received)
            announcements.discard_attachment(received)
        self.show_files()

    def drop_all(self) -> None:
        for received in self.attached:
            announcements.discard_attachment(received)
        self.attached = []

    def write(self, *, draft: bool):
        """The service call that saves the form as it stands (new, or the comunicado being edited)."""
        kind, value, ids = self.audience_args()
        later = self.when.value == 'later'
        self.form.fields['audience_value'] = self.staff if kind == 'responsible' else self.regime  # the shown one
        return run.io_bound(
            announcements.save, self.actor, self.detail.row.id if self.detail else None, subject=self.subject.value,
            body=self.body.value, audience=kind, audience_value=value, client_ids=ids,
            template=self.template.value or '', send_on=self.day.value if later else None,
            send_time=self.time.value if later else None, attachments=list(self.attached),
            remove_attachments=list(self.removed), draft=draft)

    @action
    async def save_draft(self) -> None:
        saved = await self.form.submit(lambda: self.write(draft=True))
        if saved is None:
            return
        self.attached = []  # stored with the draft now
        ui.navigate.to(f'/comunicados/{saved.id}?aviso=rascunho')

    @action
    async def submit(self) -> None:
        kind, value, ids = self.audience_args()
        later = self.when.value == 'later'
        try:
            found = announcements.preview(self.actor, kind, value, ids)
        except ValidationError:  # the service says what is missing when creating
            found = None
        if found is not None and found.logins:
            question = (f'{"Agendar" if later else "Enviar"} “{(self.subject.value or "").strip()[:80]}” para '
                        f'{found.label}?')
            if not await widgets.confirm(question, 'Agendar' if later else 'Enviar'):
                return
        created = await self.form.submit(lambda: self.write(draft=False))
        if created is None:
            return
        self.attached = []  # stored with the comunicado now
        if not later:
            background_tasks.create(run.io_bound(announcements.release), name='announcement e-mails')
        ui.navigate.to(f'/comunicados/{created.id}?aviso={"agendado" if later else "enviado"}')


# --------------------------------------------------------------------------------------------------------------------
# One comunicado
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/comunicados/{announcement_id}')
def announcement_page(announcement_id: str, request: Request) -> None:
    actor = guard(TOOL, title='Comunicado')
    if actor is None:
        return
    try:
        detail = announcements.get(actor, announcement_id)
    except NotFound:
        with frame(actor, 'Comunicado'):
            not_found()
        return
    params = request.query_params
    status = params.get('situacao', '')
    status = status if status in RECIPIENT_FILTERS else ''
    text = (params.get('q') or '')[:100]
    page = listing.page_number(params)
    row = detail.row
    with frame(actor, row.subject):
        ui.link('← Comunicados', '/comunicados').classes('text-sm')
        with title_row(row.subject, 'comunicados'):
            if actor.can(TOOL, 'write') and detail.editable:
                ui.button('Editar', icon='edit', on_click=lambda: ui.navigate.to(f'/comunicados/{row.id}/editar')) \
                    .props('outline no-caps').mark('edit')
            if actor.can(TOOL, 'write') and row.status == 'agendado':
                ui.button('Cancelar envio', icon='cancel', on_click=lambda: cancel(actor, row)) \
                    .props('flat no-caps color=negative').mark('cancel')
            if actor.can(TOOL, 'write') and row.status == 'rascunho':
                ui.button('Excluir rascunho', icon='delete', on_click=lambda: delete_draft(actor, row)) \
                    .props('flat no-caps color=negative').mark('delete-draft')
        notice = params.get('aviso')
        if notice in ('enviado', 'agendado', 'rascunho') and (notice != 'rascunho' or row.status == 'rascunho'):
            ui.label('Comunicado enviado: já está no portal dos destinatários; os e-mails saem em lotes.'
                     if notice == 'enviado' else
                     'Rascunho salvo: ninguém o recebe até ser enviado ou agendado (use “Editar”).'
                     if notice == 'rascunho' else
                     f'Comunicado agendado para {formatting.when(row.send_at)}.') \
                .classes('w-full q-pa-sm rounded-borders bg-blue-1 text-primary').mark('notice')
        head = ui.html('').classes('w-full').mark('announcement-head')
        ui.html(body_html(detail)).classes('w-full').mark('announcement-body')
        attachment_links(detail.attachments)
        ui.label('Destinatários').classes('text-h6 q-mt-md')
        if row.recipients or row.status in ('enviando', 'enviado'):  # not before anyone was picked
            ui.html(recipient_filter_html(row.id, status, text)).classes('w-full')
        table = ui.html('').classes('w-full').mark('recipients')

        def load(a: Actor):
            return (announcements.get(a, row.id).row,
                    announcements.recipients(a, row.id, status=status, text=text, page=page,
                                             per_page=RECIPIENTS_PER_PAGE))

        def show(data) -> None:
            fresh, found = data
            head.content = head_html(fresh)
            table.content = recipients_html(fresh, found, status, text)
        show(load(actor))
        live.subscribe(TOOL, actor, show, load=load, key=('announcement', row.id, status, text, page))


def head_html(r: AnnouncementRow) -> str:
    facts = [('Situação', r.status_label), ('Destinatários', r.audience_label),
             ('Alcance', reach(r) if r.recipients else ''),
             ('Modelo', announcements.TEMPLATES.get(r.template, '')),
             ('Agendado para', formatting.when(r.send_at) if r.send_at else ''),
             ('Enviado em', formatting.when(r.started_at) if r.started_at else ''),
             ('E-mails concluídos em', formatting.when(r.sent_at) if r.sent_at else ''),
             ('Escrito por', r.author), ('Criado em', formatting.when(r.created_at))]
    summary = ''
    if r.recipients:
        c = r.counts
        summary = (f'<div class="conton-summary" data-counts="1"><span>Na fila: <b>{c.fila}</b></span>'
                   f'<span>E-mail enviado: <b>{c.enviado}</b></span><span>Falhou: <b>{c.falhou}</b></span>'
                   + (f'<span title="O login escolheu não receber comunicados por e-mail">Sem e-mail (preferência): '
                      f'<b>{c.portal}</b></span>' if c.portal else '') +
                   f'<span>Lido no portal: <b>{c.lido}</b></span></div>')
    return summary + widgets.facts_html([('Comunicado', facts)])


def body_html(detail: announcements.AnnouncementDetail) -> str:
    text = ''.join(f'<p class="q-mb-sm">{esc(p)}</p>' for p in announcements.paragraphs(detail.body))
    return f'<div class="conton-section">Texto</div>{text}'


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


def recipient_filter_html(announcement_id, status: str, text: str) -> str:
    return (f'<form method="get" action="/comunicados/{esc(announcement_id)}" class="conton-filter">'
            f'<label><span>Situação</span>{listing.select_html("situacao", RECIPIENT_FILTERS, status)}</label>'
            f'<label class="grow"><span>Cliente ou e-mail</span><input type="search" name="q" value="{esc(text)}" '
            f'maxlength="100"></label><button type="submit">Filtrar</button>'
            f'<a href="/comunicados/{esc(announcement_id)}">Limpar</a></form>')


def recipients_html(r: AnnouncementRow, found: announcements.RecipientPage, status: str, text: str) -> str:
    if r.status == 'rascunho':
        return '<p class="text-grey-7">Um rascunho não vai para ninguém até ser enviado ou agendado.</p>'
    if r.status in ('agendado', 'cancelado'):
        return ('<p class="text-grey-7">Os destinatários são escolhidos no momento do envio, com os clientes e '
                'logins ativos de então.</p>' if r.status == 'agendado' else
                '<p class="text-grey-7">Cancelado antes do envio: ninguém o recebeu.</p>')
    columns = (listing.Column('Cliente', 'wrap first', labelled=False), listing.Column('Login', 'wrap'),
               listing.Column('E-mail enviado', 'nw'), listing.Column('Lido no portal', 'nw'),
               listing.Column('Situação', 'st', labelled=False))
    rows = [[esc(x.client_name),
             f'{esc(x.user_name)}<div class="small">{esc(x.email)}</div>'
             + (f'<div class="small text-negative">{esc(x.error)}</div>' if x.error else ''),
             esc(formatting.when(x.sent_at)) if x.status == 'enviado' else '',
             esc(formatting.when(x.read_at)) if x.read_at else '',
             tag(RECIPIENT_TAGS[x.status], x.status_label)] for x in found.rows]
    query = {k: v for k, v in (('situacao', status), ('q', text)) if v}
    return (listing.table_html(columns, rows, 'Nenhum destinatário nesta situação.')
            + listing.pager_html(f'/comunicados/{r.id}', query, found.page, found.pages))


async def delete_draft(actor: Actor, row: AnnouncementRow) -> None:
    await _confirmed(f'Excluir o rascunho “{row.subject}”? Os anexos vão para a lixeira.', 'Excluir rascunho',
                     lambda: announcements.delete_draft(actor, row.id), 'Rascunho excluído.', '/comunicados')


async def cancel(actor: Actor, row: AnnouncementRow) -> None:
    await _confirmed(f'Cancelar o envio de “{row.subject}”, agendado para {formatting.when(row.send_at)}?',
                     'Cancelar envio', lambda: announcements.cancel(actor, row.id), 'Envio cancelado.',
                     f'/comunicados/{row.id}')


async def _confirmed(question: str, yes: str, do, done: str, then: str) -> None:
    """Ask; on yes, `do` (its refusal shown by `action`), say `done` and go to `then`."""
    if not await widgets.confirm(question, yes):
        return

    @action
    def go() -> None:
        do()
        ui.notify(done, type='positive')
        ui.navigate.to(then)
    await go()


# --------------------------------------------------------------------------------------------------------------------
# Attachment download (staff and the portal's recipients)
# --------------------------------------------------------------------------------------------------------------------

@app.get('/comunicados/anexo/{attachment_id}')
async def announcement_attachment(attachment_id: str, request: Request) -> Response:
    from ..web import login_url, request_ip
    actor = session_actor(request_ip(request))
    if actor is None:
        return RedirectResponse(login_url(request.url.path), status_code=303)
    try:
        found = await run.io_bound(announcements.download, actor, attachment_id)
    except AuthExpired:
        return RedirectResponse('/login', status_code=303)
    except (NotFound, PermissionDenied):
        return PlainTextResponse('Arquivo não encontrado.', status_code=404, headers={'Cache-Control': 'no-store'})
    return response_for(found)
