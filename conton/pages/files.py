"""Arquivos (staff): pick a client (a searchable picker asking the server as you type), see its folders and its inbox
(the files it sent, with "baixado" once the office downloaded them), publish one or many files to it or to several
clients at once, manage its folders and the folder templates every client gets; the admin's integrity report.

The list is the house idiom (pages/listing.py): the filters and the page live in the URL (a GET form, pager links),
the table is escaped HTML (cards on a phone), one page query and one count (services.files.search). File names link
to the streaming download route (files.download_url: the actor's right is checked there, never ui.download);
`?arquivo=<id>` opens a file's details (mark as downloaded, delete to the trash). Dialogs are built when opened.
The page hears the tool's live changes (a client's upload, another staff member's change) and re-renders its region.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from fastapi import Request
from nicegui import run, ui

from .. import formatting
from ..services import files, live
from ..services.errors import NotFound, ValidationError
from ..services.files import ClientFiles, FilePage, FileRow
from ..services.permissions import Actor
from ..uploads import StreamingUpload
from . import listing
from .common import Form, action, not_found, page_title
from .frame import esc, frame, guard, icon
from .widgets import FieldError, confirm, facts_html

PATH = '/arquivos'
PER_PAGE = 30
SENDER_FILTERS = {'': 'Todos', 'office': 'Escritório', 'client': 'Cliente'}


@dataclass(frozen=True)
class Query:
    """The list as the URL says: client, folder ('' all, 'inbox', 'top' or a folder id), name, sender, period, sort,
    page. Anything unknown falls back to the default."""
    client: str = ''
    folder: str = ''
    text: str = ''
    sender: str = ''
    start: date | None = None
    end: date | None = None
    sort: str = 'recentes'
    page: int = 1

    @classmethod
    def from_params(cls, params) -> Query:
        def day(name: str) -> date | None:
            try:
                return formatting.parse_day((params.get(name) or '').strip()[:20])
            except ValueError:
                return None
        sort = params.get('ordem', '')
        sender = params.get('remetente', '')
        return cls(client=(params.get('cliente') or '').strip()[:40], folder=(params.get('pasta') or '').strip()[:40],
                   text=(params.get('busca') or '').strip()[:100], sender=sender if sender in SENDER_FILTERS else '',
                   start=day('de'), end=day('ate'), sort=sort if sort in files.SORTS else 'recentes',
                   page=listing.page_number(params))

    def params(self, *, page: bool = True) -> dict:
        values = {'cliente': self.client, 'pasta': self.folder, 'busca': self.text, 'remetente': self.sender,
                  'de': listing.iso(self.start), 'ate': listing.iso(self.end),
                  'ordem': self.sort if self.sort != 'recentes' else '',
                  'pagina': str(self.page) if page and self.page > 1 else ''}
        return {k: v for k, v in values.items() if v}

    def url(self, **changes) -> str:
        q = replace(self, **changes)
        query = q.params()
        return listing.url(PATH, query) if query else PATH


@ui.page(PATH)
def files_page(request: Request) -> None:
    actor = guard(files.TOOL, title='Arquivos')
    if actor is None:
        return
    params = request.query_params
    with frame(actor, 'Arquivos'):
        page_title('Arquivos', 'arquivos')
        view = FilesView(actor, Query.from_params(params), listing.bad_dates(params))
        if params.get('arquivo'):
            view.open_from_url(params['arquivo'])


class FilesView:
    """Per-tab state: the query and the elements that show it."""

    def __init__(self, actor: Actor, query: Query, bad_dates: dict[str, str]) -> None:
        self.actor, self.query, self.bad_dates = actor, query, bad_dates
        self.writable = actor.can(files.TOOL, 'write')
        self.info: ClientFiles | None = None
        result: FilePage | None = None
        if query.client:
            try:  # the counts, the picker's options and the page in one unit of work
                self.info, result = files.browse(actor, query.client, options=True, **self.search_args())
            except (NotFound, ValidationError):
                try:  # the client exists, the folder id in the URL is not even a UUID
                    self.info = files.overview(actor, query.client, options=True)
                except (NotFound, ValidationError):
                    self.picker_row()
                    ui.label('Cliente não encontrado.').classes('text-negative').mark('missing-client')
                    return
        self.picker_row()
        if self.info is not None and query.folder not in ('', files.INBOX, files.TOP) \
                and self.info.folder(query.folder) is None:
            ui.label('Pasta não encontrada.').classes('text-negative').mark('missing-folder')
            self.query = query = replace(query, folder='', page=1)
            result = None
        self.missing = ui.label('').classes('text-negative').mark('missing-file')
        self.missing.set_visibility(False)
        if self.info is None:
            self.build_landing()
        else:
            self.build_client()
        self.show((self.info, result or self.search(actor)))  # the overview just read, not a second time
        live.subscribe(files.TOOL, actor, self.show, load=self.fetch, key=self.key)

    # ---- layout -----------------------------------------------------------------------------------------------

    def picker_row(self) -> None:
        actor = self.actor
        with ui.row().classes('w-full items-center gap-2 conton-files-bar'):
            picker = ui.select(self.info.options if self.info else files.client_options(actor),
                               label='Cliente (nome ou CPF/CNPJ)',
                               value=str(self.info.client_id) if self.info else None, with_input=True) \
                .props('outlined dense options-dense input-debounce=300 hide-bottom-space') \
                .classes('col-grow conton-files-picker').mark('client-picker')

            def search(e) -> None:
                text = e.args if isinstance(e.args, str) else ''
                picker.set_options(files.client_options(actor, text, include=[picker.value] if picker.value else []),
                                   value=picker.value)

            def chosen_client(e) -> None:
                if e.value and (self.info is None or e.value != str(self.info.client_id)):
                    ui.navigate.to(listing.url(PATH, {'cliente': e.value}))
            picker.on('input-value', action(search))
            picker.on_value_change(chosen_client)
            if self.writable:
                ui.button('Enviar arquivos', icon='upload_file', on_click=self.publish_dialog) \
                    .props('unelevated no-caps').mark('publish')
                ui.button('Modelos de pasta', icon='create_new_folder', on_click=self.templates_dialog) \
                    .props('outline no-caps').mark('templates')
            if actor.is_admin:
                ui.link('Integridade', f'{PATH}/integridade').classes('conton-files-link').mark('integrity-link')

    def build_landing(self) -> None:
        ui.label('Escolha um cliente para ver as pastas dele e enviar arquivos. Abaixo, os envios dos clientes que '
                 'o escritório ainda não baixou.').classes('text-body2 text-grey-8')
        self.head = ui.html('').classes('w-full').mark('filters')
        self.table = ui.html('').classes('w-full conton-scroll-x').mark('files')

    def build_client(self) -> None:
        info = self.info
        self.summary = ui.html('').classes('w-full').mark('client-summary')
        with ui.element('div').classes('conton-files'):
            with ui.column().classes('gap-2 conton-files-side'):
                self.folders = ui.html('').classes('w-full').mark('folders')
                if self.writable:
                    self.folder_actions(info)
            with ui.column().classes('gap-2 conton-files-main'):
                self.head = ui.html('').classes('w-full').mark('filters')
                self.table = ui.html('').classes('w-full conton-scroll-x').mark('files')

    def folder_actions(self, info: ClientFiles) -> None:
        with ui.row().classes('gap-1'):
            ui.button('Nova pasta', icon='create_new_folder', on_click=self.new_folder) \
                .props('flat dense no-caps color=primary').mark('new-folder')
        folder = info.folder(self.query.folder)
        if folder is None:
            return
        with ui.column().classes('gap-1 conton-folder-actions'):
            ui.switch('Aberta para envios do cliente', value=folder.open_for_uploads,
                      on_change=lambda e: self.set_open(folder, e.value)).props('dense').mark('folder-open')
            with ui.row().classes('gap-1'):
                ui.button('Renomear', icon='edit', on_click=lambda: self.rename_folder(folder)) \
                    .props('flat dense no-caps').mark('rename-folder')
                ui.button('Excluir pasta', icon='delete', on_click=lambda: self.delete_folder(folder)) \
                    .props('flat dense no-caps color=negative').mark('delete-folder')

    # ---- data -------------------------------------------------------------------------------------------------

    def key(self) -> tuple:
        return ('arquivos', self.query)

    def fetch(self, actor: Actor) -> tuple[ClientFiles | None, FilePage]:
        if self.info is None:
            return None, self.search(actor)
        return files.browse(actor, self.query.client, **self.search_args())

    def search_args(self) -> dict:
        """One client's list as the URL says (files.search's arguments but the client)."""
        q = self.query
        return dict(folder=q.folder or None, text=q.text, sender=q.sender, start=q.start, end=q.end, sort=q.sort,
                    page=q.page, per_page=PER_PAGE)

    def search(self, actor: Actor) -> FilePage:
        q = self.query
        if self.info is None:
            return files.search(actor, text=q.text, not_downloaded=True, start=q.start, end=q.end, sort=q.sort,
                                page=q.page, per_page=PER_PAGE)
        return files.search(actor, client_id=q.client, **self.search_args())

    def load(self) -> None:
        self.show(self.fetch(self.actor))

    def show(self, data: tuple[ClientFiles | None, FilePage]) -> None:
        info, result = data
        q = self.query
        if result.page != q.page and result.total:
            self.query = q = replace(q, page=min(q.page, result.pages))
        if info is not None:
            self.info = info
            self.summary.content = _summary_html(info)
            self.folders.content = _folders_html(info, q)
        self.head.content = self.filter_html(info) + _totals_html(result, q, info)
        self.table.content = (_table_html(result.rows, q, with_client=info is None)
                              + listing.pager_html(PATH, q.params(page=False), result.page, result.pages))

    def filter_html(self, info: ClientFiles | None) -> str:
        q = self.query
        selects = [('Ordenar por', 'ordem', files.SORTS, q.sort)]
        if info is not None:
            folders = {'': 'Todas as pastas', files.INBOX: 'Caixa de entrada', files.TOP: 'Sem pasta'}
            folders.update({str(f.folder.id): f.folder.path for f in info.folders})
            selects = [('Pasta', 'pasta', folders, q.folder if q.folder in folders else ''),
                       ('Enviado por', 'remetente', SENDER_FILTERS, q.sender)] + selects
        fields = ''.join(f'<label><span>{esc(label)}</span>{listing.select_html(name, options, value)}</label>'
                         for label, name, options, value in selects)
        dates = _date_field('de', q.start, self.bad_dates) + _date_field('ate', q.end, self.bad_dates)
        kept = f'<input type="hidden" name="cliente" value="{esc(q.client)}">' if q.client else ''
        errors = ''.join(f'<div class="conton-filter-error" role="alert">Data inválida em '
                         f'“{listing.DATE_LABELS[n]}”: use dd/mm/aaaa. A lista abaixo não usa esta data.</div>'
                         for n in self.bad_dates)
        clear = listing.url(PATH, {'cliente': q.client}) if q.client else PATH
        return (f'<form method="get" action="{PATH}" class="conton-filter">{kept}'
                f'<label class="grow"><span>Nome do arquivo</span><input type="search" name="busca" '
                f'value="{esc(q.text)}" maxlength="100"></label>{fields}{dates}'
                f'<button type="submit">Filtrar</button><a href="{esc(clear)}">Limpar</a></form>{errors}')

    # ---- file details -----------------------------------------------------------------------------------------

    def open_from_url(self, file_id: str) -> None:
        try:
            files.get(self.actor, file_id)
        except (NotFound, ValidationError):
            if hasattr(self, 'missing'):
                self.missing.text = 'Arquivo não encontrado.'
                self.missing.set_visibility(True)
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace(self.query.url()) or self.details(file_id), once=True)

    @action
    async def details(self, file_id: str) -> None:
        row = files.get(self.actor, file_id)
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 560px'):
            ui.label(row.name).classes('text-h6 conton-break').mark('file-title')
            ui.html(_details_html(row)).classes('w-full').mark('file-details')
            with ui.row().classes('w-full gap-2 items-center'):
                ui.html(f'<a class="conton-link-btn" href="{esc(row.url)}" download>{icon("download")}Baixar</a>')
                if self.writable and row.sender_side == 'client' and row.office_downloaded_at is None:
                    ui.button('Marcar como baixado', icon='done', on_click=lambda: dialog.submit('mark')) \
                        .props('outline no-caps').mark('mark-downloaded')
                if self.writable:
                    ui.button('Excluir', icon='delete', on_click=lambda: dialog.submit('delete')) \
                        .props('flat no-caps color=negative').mark('delete-file')
                ui.space()
                ui.button('Fechar', on_click=dialog.close).props('flat')
        choice = await dialog
        dialog.delete()
        if choice == 'mark':
            files.mark_downloaded(self.actor, [row.id])
            ui.notify('Marcado como baixado.', type='positive')
        elif choice == 'delete':
            if not await confirm(f'Excluir "{row.name}" de {row.client_name}? O arquivo vai para a lixeira (guardado '
                                 f'por 30 dias) e some da lista do cliente.', 'Excluir'):
                return
            files.delete(self.actor, [row.id])
            ui.notify('Arquivo excluído.', type='positive')
        if choice:
            self.load()

    # ---- folders ----------------------------------------------------------------------------------------------

    @action
    async def new_folder(self) -> None:
        info = self.info
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 480px'):
            ui.label(f'Nova pasta — {info.name}').classes('text-h6')
            form = Form()
            path = form.add('path', ui.input('Nome (ex.: Folha de pagamento/2026-10)')
                            .props('outlined dense maxlength=200 autofocus').classes('w-full').mark('folder-path'))
            opened = ui.checkbox('Aberta para envios do cliente').mark('folder-open-new')
            ui.label('Use "/" para uma subpasta. Numa pasta aberta para envios o cliente também pode enviar '
                     'arquivos.') \
                .classes('text-caption text-grey-8')

            async def save() -> None:
                result = await form.submit(lambda: files.create_folder(self.actor, info.client_id, path.value,
                                                                       open_for_uploads=opened.value))
                if result is not None:
                    dialog.submit(result)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                ui.button('Criar pasta', on_click=action(save)).props('unelevated').mark('folder-save')
        created = await dialog
        dialog.delete()
        if created:
            ui.notify(f'Pasta "{created.path}" criada.', type='positive')
            ui.navigate.to(self.query.url(folder=str(created.id), page=1))

    @action
    async def rename_folder(self, folder: files.FolderRow) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 480px'):
            ui.label('Renomear pasta').classes('text-h6')
            form = Form()
            path = form.add('path', ui.input('Nome', value=folder.path).props('outlined dense maxlength=200')
                            .classes('w-full').mark('folder-path'))

            async def save() -> None:
                result = await form.submit(lambda: files.update_folder(self.actor, folder.id, path=path.value))
                if result is not None:
                    dialog.submit(result)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                ui.button('Salvar', on_click=action(save)).props('unelevated').mark('folder-save')
        saved = await dialog
        dialog.delete()
        if saved:
            ui.notify('Pasta renomeada.', type='positive')
            self.load()

    @action
    def set_open(self, folder: files.FolderRow, value: bool) -> None:
        files.update_folder(self.actor, folder.id, open_for_uploads=bool(value))
        ui.notify('O cliente já pode enviar arquivos para esta pasta.' if value
                  else 'A pasta não recebe mais envios do cliente.', type='positive')
        self.load()

    @action
    async def delete_folder(self, folder: files.FolderRow) -> None:
        if not await confirm(f'Excluir a pasta "{folder.path}"? Só é possível com a pasta vazia.', 'Excluir pasta'):
            return
        files.delete_folder(self.actor, folder.id)
        ui.notify('Pasta excluída.', type='positive')
        ui.navigate.to(self.query.url(folder='', page=1))

    # ---- folder templates -------------------------------------------------------------------------------------

    @action
    async def templates_dialog(self) -> None:
        actor = self.actor
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 560px'):
            ui.label('Modelos de pasta').classes('text-h6')
            ui.label('Cada modelo dá a todos os clientes ativos a mesma pasta. {aaaa-mm} vira o mês (ex.: '
                     '"Fiscal/{aaaa-mm}" cria "Fiscal/2026-10" agora e a pasta de cada novo mês na virada dele); '
                     '{aaaa} vira o ano. Excluir um modelo não apaga as pastas já criadas.') \
                .classes('text-body2 text-grey-8')
            listed = ui.column().classes('w-full gap-0').mark('template-list')
            form = Form()
            with ui.row().classes('w-full items-start no-wrap gap-2'):
                path = form.add('path', ui.input('Novo modelo (ex.: Fiscal/{aaaa-mm})')
                                .props('outlined dense maxlength=200').classes('col').mark('template-path'))
                add = ui.button('Adicionar', icon='add').props('unelevated no-caps').mark('template-add')
            opened = ui.checkbox('Pastas abertas para envios do cliente').mark('template-open')
            with ui.row().classes('w-full justify-end'):
                ui.button('Fechar', on_click=dialog.close).props('flat')

        def render() -> None:
            listed.clear()
            with listed:
                rows = files.templates(actor)
                if not rows:
                    ui.label('Nenhum modelo ainda.').classes('text-grey-7')
                for t in rows:
                    with ui.row().classes('w-full items-center no-wrap gap-2 conton-template'):
                        ui.icon('folder_copy', color='primary')
                        ui.label(t.path).classes('col conton-break')
                        if t.open_for_uploads:
                            ui.html('<span class="conton-tag on">aberta para envios</span>')
                        ui.button(icon='delete', on_click=lambda t=t: remove(t)) \
                            .props(f'flat dense round color=negative aria-label="Excluir {esc(t.path)}"') \
                            .mark('template-delete')

        @action
        async def create() -> None:
            made = await form.submit(lambda: run.io_bound(files.create_template, actor, path.value,
                                                          open_for_uploads=opened.value))
            if made is not None:
                path.value = ''
                ui.notify(f'Modelo "{made.path}" criado: todos os clientes ativos ganharam a pasta.', type='positive')
                render()
                self.load()

        @action
        async def remove(t: files.TemplateRow) -> None:
            if not await confirm(f'Excluir o modelo "{t.path}"? As pastas já criadas continuam com os arquivos.',
                                 'Excluir modelo'):
                return
            files.delete_template(actor, t.id)
            ui.notify('Modelo excluído.', type='positive')
            render()
        add.on_click(create)
        render()
        dialog.open()
        await dialog
        dialog.delete()

    # ---- publishing -------------------------------------------------------------------------------------------

    @action
    async def publish_dialog(self) -> None:
        actor, info = self.actor, self.info
        chosen = [str(info.client_id)] if info else []
        folder = info.folder(self.query.folder) if info else None
        with ui.dialog().props('persistent') as dialog, ui.card().classes('w-full').style('max-width: 600px'):
            ui.label('Enviar arquivos').classes('text-h6')
            form = Form()
            clients = form.add('client_ids', ui.select(files.client_options(actor, include=chosen), multiple=True,
                                                       value=chosen, label='Para os clientes', with_input=True)
                               .props('outlined dense options-dense use-chips input-debounce=300')
                               .classes('w-full').mark('publish-clients'))

            def search(e) -> None:
                text = e.args if isinstance(e.args, str) else ''
                clients.set_options(files.client_options(actor, text, include=clients.value or []),
                                    value=clients.value)
            clients.on('input-value', action(search))
            paths = [f.folder.path for f in info.folders] if info else []
            path = form.add('path', ui.input('Pasta (vazio: sem pasta)', value=folder.path if folder else '',
                                             autocomplete=paths)
                            .props('outlined dense maxlength=200 hint="Ex.: Folha de pagamento/2026-10. Criada em '
                                   'cada cliente quando não existir."').classes('w-full').mark('publish-folder'))
            with ui.row().classes('w-full no-wrap gap-2'):
                competence = form.add('competence', ui.input('Competência', placeholder='mm/aaaa')
                                      .props('outlined dense mask="##/####" inputmode=numeric').classes('w-32')
                                      .mark('publish-competence'))
                note = form.add('note', ui.input('Observação', placeholder='opcional')
                                .props('outlined dense maxlength=500')
                                .classes('col').mark('publish-note'))
            ui.label(f'Escolha os arquivos: eles são enviados na hora, com o progresso de cada um. Até '
                     f'{files.size_label(files.max_file_bytes())} por envio (somando os arquivos) e {files.MAX_BATCH} '
                     f'de cada vez; PDF, imagens, documentos do Office, XML, TXT, CSV, OFX e ZIP.') \
                .classes('text-caption text-grey-8')
            uploader = file_uploader('Escolher arquivos', actor)
            error = form.add('file', FieldError())
            error.mark('publish-error')
            done = ui.label('').classes('text-positive text-body2').mark('publish-done')
            with ui.row().classes('w-full justify-end'):
                ui.button('Fechar', on_click=dialog.close).props('flat').mark('publish-close')

        async def received(e) -> None:
            done.text = ''
            rows = await form.submit(lambda: files.publish(actor, e.files, client_ids=clients.value or [],
                                                           folder_path=path.value or '', note=note.value or '',
                                                           competence=competence.value or ''))
            uploader.reset()
            if rows is None:
                return
            count, targets = len(e.files), len({r.client_id for r in rows})
            done.text = (f'{count} arquivo{"s" if count != 1 else ""} enviado{"s" if count != 1 else ""} para '
                         f'{targets} cliente{"s" if targets != 1 else ""}; '
                         f'{"eles foram avisados" if targets != 1 else "o cliente foi avisado"}.')
            self.load()
        uploader.on_multi_upload(action(received))
        uploader.on_rejected(lambda: setattr(error, 'error', rejected_message(files.max_file_bytes())))
        dialog.open()
        await dialog
        dialog.delete()


def file_uploader(label: str, actor: Actor) -> ui.upload:
    """Many files at once, sent as one request as soon as they are chosen (Quasar shows each file's progress) to the
    element's streaming route (conton/uploads.py: each file written and hashed once); the server's verdict comes from
    the handler. One request carries at most the per-file limit in all: http_guard
    answers 413 from these props before storing a body past it (a single oversize file is refused before 1 MB past
    the limit reaches the disk), and the browser refuses such a choice at once (`on_rejected`)."""
    limit = files.max_file_bytes()
    return StreamingUpload(folder=files.FOLDER, max_bytes=limit, owner=actor.user_id, label=label, multiple=True,
                           auto_upload=True, max_file_size=limit, max_total_size=limit, max_files=files.MAX_BATCH) \
        .props('flat bordered color=primary no-thumbnails') \
        .classes('w-full conton-files-upload').mark('uploader')


def rejected_message(limit: int, free: int | None = None) -> str:
    room = f' A empresa tem {files.size_label(free)} livres.' if free is not None else ''
    return (f'Arquivos não aceitos: até {files.size_label(limit)} por envio, somando os arquivos escolhidos, e '
            f'{files.MAX_BATCH} arquivos de cada vez. Envie em partes.{room}')


# --------------------------------------------------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------------------------------------------------

def _date_field(name: str, day: date | None, bad: dict[str, str]) -> str:
    """A dd/mm/aaaa text field of the filter bar (as listing's: a native date input follows the browser's locale)."""
    value = bad.get(name, formatting.day(day))
    invalid = ' aria-invalid="true" class="bad"' if name in bad else ''
    return (f'<label class="date"><span>{listing.DATE_LABELS[name]}</span><input type="text" name="{name}" '
            f'value="{esc(value)}" inputmode="numeric" maxlength="10" placeholder="dd/mm/aaaa" '
            f'autocomplete="off"{invalid}></label>')


def _summary_html(info: ClientFiles) -> str:
    usage = info.usage
    bar = ''
    if usage.quota:
        pct = min(100, round(usage.used * 100 / usage.quota)) if usage.used else 0
        bar = (f'<span class="conton-usage" role="meter" aria-valuenow="{pct}" aria-valuemin="0" aria-valuemax="100" '
               f'aria-label="Espaço usado"><span style="width:{pct}%"></span></span>')
    inactive = ' <span class="conton-tag off">inativo</span>' if not info.active else ''
    new = (f'<span><b>{info.inbox_new}</b> envio{"s" if info.inbox_new != 1 else ""} do cliente não '
           f'baixado{"s" if info.inbox_new != 1 else ""}</span>') if info.inbox_new else ''
    return (f'<div class="conton-totals conton-files-summary"><span class="conton-break"><b>{esc(info.name)}</b> — '
            f'{esc(formatting.document(info.document))}{inactive}</span>{new}'
            f'<span class="usage">Espaço usado: <b>{esc(usage.label)}</b>{bar}</span></div>')


def _folders_html(info: ClientFiles, q: Query) -> str:
    def link(key: str, label: str, count: int, extra: str = '', ico: str = 'folder') -> str:
        on = ' class="on" aria-current="page"' if q.folder == key else ''
        href = esc(q.url(folder=key, page=1))
        tags = f'<span class="tags">{extra}</span>' if extra else ''
        return (f'<a href="{href}"{on}>{icon(ico)}<span class="p">{esc(label)}{tags}</span>'
                f'<span class="n">{count}</span></a>')
    total = info.top_level + info.inbox + sum(f.office_files + f.client_files for f in info.folders)
    new = f'<span class="conton-tag wait">{info.inbox_new} novo{"s" if info.inbox_new != 1 else ""}</span>' \
        if info.inbox_new else ''
    parts = [link('', 'Todos os arquivos', total, ico='folder_open'),
             link(files.INBOX, 'Caixa de entrada', info.inbox, new, 'inbox'),
             link(files.TOP, 'Sem pasta', info.top_level, ico='description')]
    for f in info.folders:
        tag = (f'<span class="conton-tag wait">{f.new_uploads} novo{"s" if f.new_uploads != 1 else ""}</span>'
               if f.new_uploads else '')
        opened = '<span class="conton-tag on" title="Aberta para envios do cliente">recebe envios</span>' \
            if f.folder.open_for_uploads else ''
        parts.append(link(str(f.folder.id), f.folder.path, f.office_files + f.client_files, tag + opened))
    return f'<nav class="conton-folders" aria-label="Pastas">{"".join(parts)}</nav>'


def _totals_html(result: FilePage, q: Query, info: ClientFiles | None) -> str:
    plural = 's' if result.total != 1 else ''
    what = 'envio' if info is None else 'arquivo'
    where = ''
    if info is not None:
        folder = info.folder(q.folder)
        where = (f' em <b>{esc(folder.path)}</b>' if folder
                 else ' na <b>caixa de entrada</b>' if q.folder == files.INBOX
                 else ' <b>sem pasta</b>' if q.folder == files.TOP else '')
    suffix = f' não baixado{plural}' if info is None else ''
    return f'<div class="conton-totals"><span><b>{result.total}</b> {what}{plural}{suffix}{where}</span></div>'


def _state_html(r: FileRow) -> str:
    if r.sender_side != 'client':
        return ''
    if r.office_downloaded_at is not None:
        return (f'<span class="conton-tag on" title="Baixado em {esc(formatting.when(r.office_downloaded_at))}">'
                f'baixado</span>')
    return '<span class="conton-tag wait">novo</span>'


def _table_html(rows: list[FileRow], q: Query, *, with_client: bool) -> str:
    columns = [listing.Column('Arquivo', 'wrap first', labelled=False),
               listing.Column('Situação', 'st', labelled=False)]
    if with_client:
        columns.append(listing.Column('Cliente', 'wrap'))
    columns += [listing.Column('Pasta', 'wrap'), listing.Column('Enviado', 'nw'), listing.Column('Competência', 'nw')]
    base = q.url()
    sep = '&amp;' if '?' in base else '?'
    body = []
    for r in rows:
        note = f'<div class="small">{esc(r.note)}</div>' if r.note else ''
        name = (f'<a class="open conton-break" href="{esc(r.url)}" download title="Baixar">{esc(r.name)}</a>'
                f'<div class="small">{esc(r.type_label)} · {esc(files.size_label(r.size))} · '
                f'<a class="open" href="{esc(base)}{sep}arquivo={r.id}">Detalhes</a></div>{note}')
        side = files.SENDERS.get(r.sender_side, '')
        sent = (f'{esc(formatting.when(r.created_at))}<div class="small">{esc(r.sender_name or side)}'
                f'{" · " + esc(side) if r.sender_name else ""}</div>')
        folder = r.folder_path or ('Caixa de entrada' if r.in_inbox else 'Sem pasta')
        cells = [name, _state_html(r)]
        if with_client:
            inbox = listing.url(PATH, {'cliente': str(r.client_id), 'pasta': files.INBOX})
            cells.append(f'<a class="open" href="{esc(inbox)}">{esc(r.client_name)}</a>')
        cells += [esc(folder), sent, esc(formatting.competence(r.competence))]
        body.append(cells)
    empty = ('Nenhum envio de cliente por baixar.' if with_client and not q.text
             else 'Nenhum arquivo encontrado com estes filtros.')
    return listing.table_html(columns, body, empty)


def _details_html(r: FileRow) -> str:
    side = files.SENDERS.get(r.sender_side, '')
    state = ''
    if r.sender_side == 'client':
        state = (f'Baixado pelo escritório em {formatting.when(r.office_downloaded_at)}' if r.office_downloaded_at
                 else 'Ainda não baixado pelo escritório')
    return facts_html([
        ('Arquivo', [('Cliente', r.client_name),
                     ('Pasta', r.folder_path or ('Caixa de entrada' if r.in_inbox else 'Sem pasta')),
                     ('Tipo', r.type_label), ('Tamanho', files.size_label(r.size)),
                     ('Competência', formatting.competence(r.competence)), ('Observação', r.note)]),
        ('Envio', [('Enviado por', f'{r.sender_name} ({side})' if r.sender_name else side),
                   ('Enviado em', formatting.when(r.created_at)), ('Situação', state)]),
        ('Conferência', [('SHA-256', r.sha256)]),
    ], wide=('Conferência',))


# --------------------------------------------------------------------------------------------------------------------
# Integrity (admin)
# --------------------------------------------------------------------------------------------------------------------

@ui.page(f'{PATH}/integridade')
def integrity_page() -> None:
    actor = guard(files.TOOL, title='Integridade dos arquivos')
    if actor is None:
        return
    with frame(actor, 'Integridade dos arquivos'):
        if not actor.is_admin:
            not_found()
            return
        page_title('Integridade dos arquivos', 'arquivos')
        ui.label('Toda noite o Conton confere cada arquivo com o registro dele (tamanho e SHA-256) e procura arquivos '
                 'guardados que nenhum registro usa. O relatório abaixo é o da última conferência.') \
            .classes('text-body2 text-grey-8')
        with ui.row().classes('items-center gap-2'):
            button = ui.button('Verificar agora', icon='fact_check').props('unelevated no-caps').mark('run-check')
            ui.link('Voltar para Arquivos', PATH).classes('conton-files-link')
        region = ui.html('').classes('w-full').mark('integrity-report')
        trash = ui.button('Mover os órfãos para a lixeira', icon='delete_sweep').props('outline no-caps') \
            .mark('trash-orphans')

        def show() -> None:
            report = files.integrity_report(actor)
            region.content = _report_html(report)
            trash.set_visibility(bool(report and report.orphans))

        @action
        async def trash_orphans() -> None:
            if not await confirm('Mover os arquivos órfãos para a lixeira? Nenhum registro os usa; ficam na lixeira '
                                 'do servidor por 30 dias antes de serem apagados.',
                                 'Mover para a lixeira'):
                return
            moved = files.trash_orphans(actor)
            show()
            ui.notify(f'{moved} arquivo(s) órfão(s) movido(s) para a lixeira.' if moved
                      else 'Nenhum arquivo órfão a mover.', type='positive')
        trash.on_click(trash_orphans)

        @action
        async def run_now() -> None:
            button.props('loading')
            try:
                await run.io_bound(files.integrity_check)
            finally:
                button.props(remove='loading')
            show()
            ui.notify('Conferência concluída.', type='positive')
        button.on_click(run_now)
        show()


def _report_html(report: files.IntegrityReport | None) -> str:
    if report is None:
        return '<div class="conton-totals">Nenhuma conferência feita ainda. Use “Verificar agora”.</div>'
    from datetime import datetime
    try:
        checked = formatting.when(datetime.fromisoformat(report.checked_at))
    except ValueError:
        checked = report.checked_at
    verdict = ('<span class="conton-tag on">tudo certo</span>' if report.ok
               else '<span class="conton-tag bad">problemas encontrados</span>')
    head = (f'<div class="conton-totals"><span>Conferência de <b>{esc(checked)}</b></span>'
            f'<span><b>{report.files_checked}</b> arquivo{"s" if report.files_checked != 1 else ""} '
            f'conferido{"s" if report.files_checked != 1 else ""}</span>{verdict}</div>')
    sections = [('Arquivos ausentes', 'O registro existe, mas o arquivo não está no armazenamento. Restaure-o de um '
                 'backup.', report.missing),
                ('Arquivos alterados', 'O tamanho ou o SHA-256 não confere com o registro.', report.damaged),
                ('Arquivos órfãos', 'Guardados sem nenhum registro (por exemplo, um envio interrompido). Podem ser '
                 'apagados depois de conferidos.', report.orphans)]
    parts = [head]
    for title, hint, items in sections:
        parts.append(f'<h3 class="conton-report-h">{esc(title)} ({len(items)})</h3>')
        if not items:
            parts.append('<div class="small conton-report-none">Nenhum.</div>')
            continue
        parts.append(f'<div class="small">{esc(hint)}</div>')
        columns = [listing.Column('Arquivo', 'wrap first', labelled=False), listing.Column('Cliente', 'wrap'),
                   listing.Column('Nome no armazenamento', 'wrap'), listing.Column('Tamanho', 'num')]
        rows = [[esc(i.get('name', '') or '—'), esc(i.get('client', '')), f'<code>{esc(i.get("stored", ""))}</code>',
                 esc(files.size_label(int(i['size']))) if 'size' in i else ''] for i in items[:500]]
        parts.append(listing.table_html(columns, rows))
        if len(items) > 500:
            parts.append(f'<div class="small">… e mais {len(items) - 500}.</div>')
    if report.temporary:
        parts.append(f'<div class="small">{len(report.temporary)} arquivo(s) temporário(s) de envios interrompidos '
                     f'foram removidos.</div>')
    return ''.join(parts)
