"""Portal do cliente > Arquivos: the files the office made available to this client (by folder), the client's own
uploads with whether the office has downloaded them yet ("Baixado pelo escritório em dd/mm/aaaa"), and sending
files to the office — many at once, each with its progress — into the office's inbox or a folder it opened for
uploads, with an optional note and competência.

Only this client's: every read is scoped by the login's client in the services, a folder or file id of another
client answers "não encontrado", downloads go through the streaming route (which checks the login again). The
server's limits (per file, the client's quota, the type by content) are the services'; their Portuguese verdict
shows right under the upload. The page hears its own client's changes live (a publication, the office's download).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import Request
from nicegui import ui

from .. import formatting
from ..services import files, live
from ..services.errors import NotFound, ValidationError
from ..services.files import ClientFiles, FilePage, FileRow
from ..services.permissions import Actor
from ..uploads import StreamingUpload
from . import listing
from .common import Form, action, flash, page_title, take_flash
from .frame import client_guard, esc, frame, icon
from .widgets import FieldError, confirm, segmented_html

PATH = '/portal/arquivos'
PER_PAGE = 25
VIEWS = {'escritorio': 'Do escritório', 'enviados': 'Meus envios'}


@dataclass(frozen=True)
class Query:
    view: str = 'escritorio'
    folder: str = ''
    text: str = ''
    sort: str = 'recentes'
    page: int = 1

    @classmethod
    def from_params(cls, params) -> Query:
        view, sort = params.get('vista', ''), params.get('ordem', '')
        return cls(view if view in VIEWS else 'escritorio', (params.get('pasta') or '').strip()[:40],
                   (params.get('busca') or '').strip()[:100], sort if sort in files.SORTS else 'recentes',
                   listing.page_number(params))

    def params(self, *, page: bool = True) -> dict:
        values = {'vista': self.view if self.view != 'escritorio' else '', 'pasta': self.folder, 'busca': self.text,
                  'ordem': self.sort if self.sort != 'recentes' else '',
                  'pagina': str(self.page) if page and self.page > 1 else ''}
        return {k: v for k, v in values.items() if v}

    def url(self, **changes) -> str:
        query = replace(self, **changes).params()
        return listing.url(PATH, query) if query else PATH


@ui.page(PATH)
def portal_files_page(request: Request) -> None:
    actor = client_guard('Arquivos')
    if actor is None:
        return
    params = request.query_params
    with frame(actor, 'Arquivos'):
        page_title('Arquivos', 'portal-arquivos')
        view = PortalFiles(actor, Query.from_params(params))
        if params.get('excluir'):
            view.delete_from_url(params['excluir'])


class PortalFiles:
    def __init__(self, actor: Actor, query: Query) -> None:
        self.actor, self.query = actor, query
        try:
            info, result = self.fetch(actor)  # one unit of work for the counts and the page
        except NotFound:  # a folder id that is not even a UUID
            info, result = files.overview(actor), None
        if query.folder and query.folder not in (files.TOP, files.INBOX) and info.folder(query.folder) is None:
            ui.label('Pasta não encontrada.').classes('text-negative').mark('missing-folder')
            self.query = query = replace(query, folder='', page=1)
            result = None
        self.missing = ui.label('').classes('text-negative').mark('missing-file')
        self.missing.set_visibility(False)
        self.send_card(info)
        self.tabs = ui.html('').classes('w-full q-mt-md').mark('portal-files-views')
        with ui.element('div').classes('conton-files' if query.view == 'escritorio' else 'w-full'):
            if query.view == 'escritorio':
                with ui.column().classes('gap-2 conton-files-side'):
                    self.folders = ui.html('').classes('w-full').mark('folders')
            with ui.column().classes('gap-2 conton-files-main' if query.view == 'escritorio' else 'w-full gap-2'):
                self.head = ui.html('').classes('w-full').mark('filters')
                self.table = ui.html('').classes('w-full conton-scroll-x').mark('files')
        self.show((info, result or self.search(actor)))
        live.subscribe(files.TOOL, actor, self.show, load=self.fetch, key=self.key)

    # ---- sending ----------------------------------------------------------------------------------------------

    def send_card(self, info: ClientFiles) -> None:
        actor = self.actor
        with ui.card().classes('w-full conton-send').mark('send-card'):
            with ui.row().classes('w-full items-center justify-between gap-2'):
                ui.label('Enviar arquivos ao escritório').classes('text-subtitle1 text-weight-medium')
                self.usage = ui.label('').classes('text-caption text-grey-8').mark('usage')
            form = Form()
            with ui.element('div').classes('conton-send-fields w-full'):
                self.destination = form.add('folder', ui.select(self.destinations(info), value='',
                                                                label='Para onde')
                                            .props('outlined dense options-dense').mark('send-folder'))
                competence = form.add('competence', ui.input('Competência (opcional)', placeholder='mm/aaaa')
                                      .props('outlined dense mask="##/####" inputmode=numeric')
                                      .mark('send-competence'))
                note = form.add('note', ui.input('Observação (opcional)').props('outlined dense maxlength=500')
                                .mark('send-note'))
            ui.label(f'Escolha um ou vários arquivos: o envio começa na hora e mostra o progresso de cada um. Até '
                     f'{files.size_label(files.max_file_bytes())} por envio (somando os arquivos); PDF, imagens, documentos do Office, '
                     f'XML, TXT, CSV, OFX e ZIP. Também dá para arrastar os arquivos para o quadro abaixo.') \
                .classes('text-caption text-grey-8')
            limit = files.max_file_bytes()
            self.uploader = uploader = StreamingUpload(folder=files.FOLDER, max_bytes=limit, owner=actor.user_id,
                                                       label='Escolher arquivos', multiple=True, auto_upload=True,
                                                       max_file_size=limit, max_total_size=limit,
                                                       max_files=files.MAX_BATCH) \
                .props('flat bordered color=primary no-thumbnails').classes('w-full conton-files-upload') \
                .mark('uploader')
            error = form.add('file', FieldError())
            error.mark('send-error')
            done = ui.label(take_flash('portal-files-sent')).classes('text-positive text-body2').mark('send-done')

            def rejected() -> None:
                free = self.free
                room = f' A sua empresa tem {files.size_label(free)} livres.' if free is not None else ''
                error.error = (f'Arquivos não aceitos: até {files.size_label(limit)} por envio, somando os arquivos '
                               f'escolhidos, e {files.MAX_BATCH} arquivos de cada vez. Envie em partes.{room}')

            async def received(e) -> None:
                done.text = ''
                rows = await form.submit(lambda: files.upload(actor, e.files, folder_id=self.destination.value or None,
                                                              note=note.value or '',
                                                              competence=competence.value or ''))
                uploader.reset()
                if rows is None:
                    return
                n = len(rows)
                where = rows[0].folder_path or 'caixa de entrada do escritório'
                done.text = (f'{n} arquivo{"s" if n != 1 else ""} enviado{"s" if n != 1 else ""} para {where}. O '
                             f'escritório foi avisado.')
                note.value = ''
                if self.query.view != 'enviados':
                    flash('portal-files-sent', done.text)  # shown again by the "Meus envios" page it opens
                    ui.navigate.to(self.query.url(view='enviados', folder='', page=1))
                    return
                self.load()
            uploader.on_multi_upload(action(received))
            uploader.on_rejected(rejected)

    def cap_upload(self, info: ClientFiles) -> None:
        """One request carries at most the per-file limit in all, and no more than still fits the client's quota:
        the browser refuses more at once, and http_guard answers 413 before storing a body past it."""
        batch = files.max_file_bytes()
        quota = info.usage.quota
        self.free = max(0, quota - info.usage.used) if quota else None
        cap = batch if self.free is None else max(1, min(batch, self.free))
        if self.uploader.props.get('max-total-size') != cap:
            self.uploader.props['max-total-size'] = cap
            self.uploader.update()

    @staticmethod
    def destinations(info: ClientFiles) -> dict[str, str]:
        options = {'': 'Caixa de entrada do escritório'}
        options.update({str(f.id): f'Pasta {f.path}' for f in info.open_folders})
        return options

    # ---- data -------------------------------------------------------------------------------------------------

    def key(self) -> tuple:
        return ('portal-arquivos', self.query)

    def search_args(self) -> dict:
        q = self.query
        return dict(folder=q.folder or None, text=q.text, sender='office' if q.view == 'escritorio' else 'client',
                    sort=q.sort, page=q.page, per_page=PER_PAGE)

    def search(self, actor: Actor) -> FilePage:
        return files.search(actor, **self.search_args())

    def fetch(self, actor: Actor) -> tuple[ClientFiles, FilePage]:
        return files.browse(actor, **self.search_args())

    def load(self) -> None:
        self.show(self.fetch(self.actor))

    def show(self, data: tuple[ClientFiles, FilePage]) -> None:
        info, result = data
        q = self.query
        self.usage.text = f'Espaço usado: {info.usage.label}'
        self.cap_upload(info)
        options = self.destinations(info)
        self.destination.set_options(options, value=self.destination.value if self.destination.value in options
                                     else '')
        office_count = info.top_level + sum(f.office_files for f in info.folders)
        mine = info.inbox + sum(f.client_files for f in info.folders)
        self.tabs.content = segmented_html([
            (f'Do escritório ({office_count})', Query(view='escritorio').url(), q.view == 'escritorio'),
            (f'Meus envios ({mine})', Query(view='enviados').url(), q.view == 'enviados')], 'Arquivos')
        if q.view == 'escritorio':
            self.folders.content = _folders_html(info, q)
        self.head.content = _filter_html(q) + _totals_html(result, q, info)
        rows = _office_table(result.rows) if q.view == 'escritorio' else _uploads_table(result.rows, q)
        self.table.content = rows + listing.pager_html(PATH, q.params(page=False), result.page, result.pages)

    # ---- deleting an upload -----------------------------------------------------------------------------------

    def delete_from_url(self, file_id: str) -> None:
        try:
            row = files.get(self.actor, file_id)
        except (NotFound, ValidationError):
            self.missing.text = 'Arquivo não encontrado.'
            self.missing.set_visibility(True)
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace(self.query.url()) or self.delete(row), once=True)

    @action
    async def delete(self, row: FileRow) -> None:
        if not await confirm(f'Excluir o envio "{row.name}"? O escritório ainda não o baixou; ele deixa de aparecer '
                             f'para o escritório.', 'Excluir'):
            return
        files.delete(self.actor, [row.id])
        ui.notify('Envio excluído.', type='positive')
        self.load()


# --------------------------------------------------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------------------------------------------------

def _filter_html(q: Query) -> str:
    kept = ''.join(f'<input type="hidden" name="{k}" value="{esc(v)}">'
                   for k, v in (('vista', q.view if q.view != 'escritorio' else ''), ('pasta', q.folder)) if v)
    sort = listing.select_html('ordem', files.SORTS, q.sort)
    return (f'<form method="get" action="{PATH}" class="conton-filter">{kept}'
            f'<label class="grow"><span>Nome do arquivo</span><input type="search" name="busca" value="{esc(q.text)}" '
            f'maxlength="100"></label><label><span>Ordenar por</span>{sort}</label>'
            f'<button type="submit">Buscar</button><a href="{esc(Query(view=q.view).url())}">Limpar</a></form>')


def _folders_html(info: ClientFiles, q: Query) -> str:
    def link(key: str, label: str, count: int, ico: str = 'folder') -> str:
        on = ' class="on" aria-current="page"' if q.folder == key else ''
        return (f'<a href="{esc(q.url(folder=key, page=1))}"{on}>{icon(ico)}<span class="p">{esc(label)}</span>'
                f'<span class="n">{count}</span></a>')
    total = info.top_level + sum(f.office_files for f in info.folders)
    parts = [link('', 'Todos', total, 'folder_open')]
    if info.top_level:
        parts.append(link(files.TOP, 'Sem pasta', info.top_level, 'description'))
    parts += [link(str(f.folder.id), f.folder.path, f.office_files) for f in info.folders
              if f.office_files or q.folder == str(f.folder.id)]
    return f'<nav class="conton-folders" aria-label="Pastas">{"".join(parts)}</nav>'


def _totals_html(result: FilePage, q: Query, info: ClientFiles) -> str:
    plural = 's' if result.total != 1 else ''
    folder = info.folder(q.folder)
    where = f' em <b>{esc(folder.path)}</b>' if folder else ' <b>sem pasta</b>' if q.folder == files.TOP else ''
    what = 'envio' if q.view == 'enviados' else 'arquivo'
    return f'<div class="conton-totals"><span><b>{result.total}</b> {what}{plural}{where}</span></div>'


def _name_cell(r: FileRow) -> str:
    note = f'<div class="small">{esc(r.note)}</div>' if r.note else ''
    return (f'<a class="open conton-break" href="{esc(r.url)}" download title="Baixar">{esc(r.name)}</a>'
            f'<div class="small">{esc(r.type_label)} · {esc(files.size_label(r.size))}</div>{note}')


def _office_table(rows: list[FileRow]) -> str:
    columns = [listing.Column('Arquivo', 'wrap first', labelled=False), listing.Column('Pasta', 'wrap'),
               listing.Column('Disponibilizado em', 'nw'), listing.Column('Competência', 'nw')]
    body = [[_name_cell(r), esc(r.folder_path or 'Sem pasta'), esc(formatting.when(r.created_at)),
             esc(formatting.competence(r.competence))] for r in rows]
    return listing.table_html(columns, body, 'Nenhum arquivo do escritório por aqui.')


def _uploads_table(rows: list[FileRow], q: Query) -> str:
    columns = [listing.Column('Arquivo', 'wrap first', labelled=False), listing.Column('Enviado para', 'wrap'),
               listing.Column('Enviado em', 'nw'), listing.Column('Competência', 'nw'),
               listing.Column('Escritório', 'wrap', labelled=False), listing.Column('', 'nw', labelled=False)]
    base = q.url()
    sep = '&amp;' if '?' in base else '?'
    body = []
    for r in rows:
        if r.office_downloaded_at is not None:
            state = (f'<span class="conton-tag on">Baixado pelo escritório em '
                     f'{esc(formatting.day(r.office_downloaded_at))}</span>')
            remove = ''
        else:
            state = '<span class="conton-tag wait">Ainda não baixado pelo escritório</span>'
            remove = f'<a class="open danger" href="{esc(base)}{sep}excluir={r.id}">Excluir</a>'
        body.append([_name_cell(r), esc(r.folder_path or 'Caixa de entrada'), esc(formatting.when(r.created_at)),
                     esc(formatting.competence(r.competence)), state, remove])
    return listing.table_html(columns, body, 'Você ainda não enviou arquivos.')
