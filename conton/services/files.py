"""Arquivos: files both ways between the office and each client.

Staff (tool 'files') create folders per client (a path such as 'Folha de pagamento/2026-10'; templates give every
client the same ones, '{aaaa-mm}' being the month), publish one or many files to one or several clients, and read
what clients send. A client login (tool 'portal_files') sees only its own client's files and uploads into the
office's inbox for it (no folder) or into a folder the office opened for uploads.

An upload is streamed to a temporary file in the data folder while counting and hashing, refused past the per-file
limit (CONTON_FILE_MAX_MB) or when its content is not an accepted type (filetypes.identify), fsynced; then, in one
transaction that locks the client row and checks its quota (CONTON_CLIENT_QUOTA_MB, for the client's own uploads),
renamed to a name the server chooses, and the rows written. If that transaction fails the renamed files are deleted;
a crash between the rename and the commit leaves an orphan file, which the nightly integrity check reports (with the
rows whose file is missing or differs in size or SHA-256).

Downloads go only through the streaming route (conton/downloads.py) after `download()` checked the actor's right to
the file and recorded what it must: the office's first download, or the client's opening of a protocol.
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from nicegui import run
from sqlalchemy import case, func, or_
from sqlmodel import Session, select

from .. import clock
from ..config import get_settings
from ..models import Client, ClientResponsible, DocFile, DocFolder, FolderTemplate, User
from ..models.people import fold
from . import audit, channels, filetypes, live, notifications, readcache, storage
from .base import as_uuid, get_scoped, in_id_order, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .permissions import Actor, require

TOOL, PORTAL_TOOL = 'files', 'portal_files'
REQUESTS_TOOL = 'requests'  # staff who may open request attachments without Arquivos (DocFile.origin != '')
FOLDER = 'documents'  # the storage folder of every document (backup.file_columns)
MIB = 1024 * 1024
MAX_BATCH = 100
SORTS = {'recentes': 'Mais recentes', 'antigos': 'Mais antigos', 'nome': 'Nome', 'tamanho': 'Tamanho'}
SENDERS = {'office': 'Escritório', 'client': 'Cliente'}
INBOX = 'inbox'  # search(folder=INBOX): a client's uploads outside folders (the office's inbox for it)
TOP = 'top'  # search(folder=TOP): the office's files outside folders
REPORT_FILE = 'integrity-report.json'
TEMP_GRACE = timedelta(hours=6)  # an upload's temporary file older than this was left by a crash


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FolderRow:
    id: uuid.UUID
    client_id: uuid.UUID
    path: str
    open_for_uploads: bool
    template_id: uuid.UUID | None


@dataclass(frozen=True)
class TemplateRow:
    id: uuid.UUID
    path: str
    open_for_uploads: bool


@dataclass(frozen=True)
class FileRow:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    folder_id: uuid.UUID | None
    folder_path: str  # '' for the top level / the inbox
    name: str
    size: int
    mime: str
    type_label: str
    sha256: str
    sender_name: str
    sender_side: str  # office | client
    note: str
    competence: str  # 'AAAA-MM' or ''
    created_at: datetime
    office_downloaded_at: datetime | None

    @property
    def url(self) -> str:
        return download_url(self.id)

    @property
    def in_inbox(self) -> bool:
        return self.folder_id is None and self.sender_side == 'client'


@dataclass(frozen=True)
class FilePage:
    rows: list[FileRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Usage:
    used: int
    quota: int  # 0: no quota

    @property
    def label(self) -> str:
        return f'{size_label(self.used)} de {size_label(self.quota)}' if self.quota else size_label(self.used)


@dataclass(frozen=True)
class Download:
    """What the route streams: a local path (FileResponse) or, for a backend without one, `open()`."""
    name: str
    mime: str
    size: int
    path: Path | None
    open: Callable[[], BinaryIO]


@dataclass
class IntegrityReport:
    checked_at: str = ''
    files_checked: int = 0
    missing: list[dict] = field(default_factory=list)  # rows whose stored file is absent
    damaged: list[dict] = field(default_factory=list)  # rows whose file differs in size or SHA-256
    orphans: list[dict] = field(default_factory=list)  # stored files no live row refers to
    temporary: list[dict] = field(default_factory=list)  # an upload's temporary file left by a crash (removed)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.damaged or self.orphans)


# --------------------------------------------------------------------------------------------------------------------
# Folders and templates (staff)
# --------------------------------------------------------------------------------------------------------------------

def folders(actor: Actor, client_id: uuid.UUID | str | None = None) -> list[FolderRow]:
    """A client's folders by path (a client login: its own, whatever `client_id` says)."""
    cid = _client_of(actor, client_id)
    with unit(actor) as session:
        _visible_client(session, actor, cid)
        rows = session.exec(select(DocFolder).where(DocFolder.client_id == cid).order_by(DocFolder.path)).all()
        return [_folder_row(f) for f in rows]


def get_folder(actor: Actor, folder_id: uuid.UUID | str) -> FolderRow:
    _require_read(actor)
    with unit(actor) as session:
        return _folder_row(get_scoped(session, DocFolder, folder_id, actor))


def create_folder(actor: Actor, client_id: uuid.UUID | str, path: str, *, open_for_uploads: bool = False) -> FolderRow:
    require(actor, TOOL, 'write')
    clean = clean_path(path)
    with unit(actor) as session:
        client = _active_client(session, as_uuid(client_id))
        if _find_folder(session, client.id, clean) is not None:
            raise ValidationError('Este cliente já tem uma pasta com esse nome.', 'path')
        folder = DocFolder(client_id=client.id, path=clean, open_for_uploads=open_for_uploads, created_by=actor.user_id)
        session.add(folder)
        session.flush()
        audit.record(session, actor, 'create', 'folder', folder.id, f'{client.name}: {clean}')
        live.announce(session, TOOL, client.id, folder.id)
        return _folder_row(folder)


def update_folder(actor: Actor, folder_id: uuid.UUID | str, *, path: str | None = None,
                  open_for_uploads: bool | None = None) -> FolderRow:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        folder = get_scoped(session, DocFolder, folder_id, actor)
        if path is not None:
            clean = clean_path(path)
            other = _find_folder(session, folder.client_id, clean)
            if other is not None and other.id != folder.id:
                raise ValidationError('Este cliente já tem uma pasta com esse nome.', 'path')
            folder.path = clean
        if open_for_uploads is not None:
            folder.open_for_uploads = open_for_uploads
        audit.record(session, actor, 'update', 'folder', folder.id, folder.path)
        live.announce(session, TOOL, folder.client_id, folder.id)
        return _folder_row(folder)


def delete_folder(actor: Actor, folder_id: uuid.UUID | str) -> None:
    """Only an empty folder (files in the trash count as gone)."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        folder = get_scoped(session, DocFolder, folder_id, actor)
        if session.exec(select(DocFile.id).where(DocFile.folder_id == folder.id, DocFile.deleted_at.is_(None))
                        .limit(1)).first() is not None:
            raise ValidationError('A pasta não está vazia: mova ou exclua os arquivos antes.', 'path')
        for doc in session.exec(select(DocFile).where(DocFile.folder_id == folder.id)).all():  # in the trash
            doc.folder_id = None
        session.flush()
        audit.record(session, actor, 'delete', 'folder', folder.id, folder.path)
        live.announce(session, TOOL, folder.client_id, folder.id)
        session.delete(folder)


def templates(actor: Actor) -> list[TemplateRow]:
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        rows = session.exec(select(FolderTemplate).order_by(FolderTemplate.path)).all()
        return [TemplateRow(t.id, t.path, t.open_for_uploads) for t in rows]


def create_template(actor: Actor, path: str, *, open_for_uploads: bool = False) -> TemplateRow:
    """A folder for every active client ('Fiscal/{aaaa-mm}': this month's now, each new month's by the nightly
    job)."""
    require(actor, TOOL, 'write')
    clean = clean_path(path, template=True)
    with unit(actor) as session:
        if session.exec(select(FolderTemplate.id).where(FolderTemplate.path == clean)).first() is not None:
            raise ValidationError('Já existe um modelo de pasta com esse nome.', 'path')
        template = FolderTemplate(path=clean, open_for_uploads=open_for_uploads, created_by=actor.user_id)
        session.add(template)
        session.flush()
        audit.record(session, actor, 'create', 'folder_template', template.id, clean)
        _apply(session, [template], clock.today())
        live.announce(session, TOOL)
        return TemplateRow(template.id, template.path, template.open_for_uploads)


def delete_template(actor: Actor, template_id: uuid.UUID | str) -> None:
    """The folders it made stay (with their files); new months get none."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        template = session.get(FolderTemplate, as_uuid(template_id))
        if template is None:
            raise NotFound()
        for folder in session.exec(select(DocFolder).where(DocFolder.template_id == template.id)).all():
            folder.template_id = None
        session.flush()
        audit.record(session, actor, 'delete', 'folder_template', template.id, template.path)
        session.delete(template)


def apply_templates(day: date | None = None) -> int:
    """Job (nightly): every active client gets the folders of every template for the month of `day` (default today).
    Idempotent; returns how many folders it created."""
    with unit() as session:
        return _apply(session, list(session.exec(select(FolderTemplate)).all()), day or clock.today())


def expand_template(path: str, day: date) -> str:
    return path.replace('{aaaa-mm}', f'{day.year:04d}-{day.month:02d}').replace('{aaaa}', f'{day.year:04d}')


# --------------------------------------------------------------------------------------------------------------------
# Sending files
# --------------------------------------------------------------------------------------------------------------------

async def publish(actor: Actor, uploads: Sequence, *, client_ids: Iterable[uuid.UUID | str],
                  folder_path: str = '', folder_id: uuid.UUID | str | None = None, note: str = '',
                  competence: str = '') -> list[FileRow]:
    """The office sends files (NiceGUI uploads: name, size(), iterate()) to one or several clients, into the folder
    `folder_path` of each (created when missing; '' = top level) or, for one client, `folder_id`. Each client gets
    its own copy (a hard link on the local disk) and its logins a notification. All or nothing."""
    require(actor, TOOL, 'write')
    ids = list(dict.fromkeys(as_uuid(c) for c in client_ids))
    if not ids:
        raise ValidationError('Escolha pelo menos um cliente.', 'client_ids')
    path = clean_path(folder_path) if folder_path.strip() else ''
    fields = _fields(note, competence)
    _check_batch(uploads)
    received = await _receive_all(uploads)
    try:
        return await run.io_bound(_commit_office, actor, received, ids, path,
                                  as_uuid(folder_id) if folder_id else None, fields)
    except BaseException:
        for r in received:
            r.discard()
        raise


async def upload(actor: Actor, uploads: Sequence, *, folder_id: uuid.UUID | str | None = None, note: str = '',
                 competence: str = '') -> list[FileRow]:
    """A client login sends files to the office: into its inbox (no folder) or a folder open for uploads. Refused
    past the per-file limit, the quota (all of the batch), or by content. The client's responsible staff member (or,
    without one, every staff member with Arquivos) is told."""
    if not actor.is_client:
        raise PermissionDenied()
    require(actor, PORTAL_TOOL)
    fields = _fields(note, competence)
    fid = as_uuid(folder_id) if folder_id else None
    _check_batch(uploads)
    declared = sum(_declared(u) for u in uploads)
    await run.io_bound(_precheck_client_upload, actor, fid, declared)
    received = await _receive_all(uploads)
    try:
        return await run.io_bound(_commit_client, actor, received, fid, fields)
    except BaseException:
        for r in received:
            r.discard()
        raise


def usage(actor: Actor, client_id: uuid.UUID | str | None = None) -> Usage:
    cid = _client_of(actor, client_id)
    with unit(actor) as session:
        _visible_client(session, actor, cid)
        return Usage(_used(session, cid), _quota())


# --------------------------------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FolderCount:
    """A folder with how many live files of each side it holds."""
    folder: FolderRow
    office_files: int
    client_files: int
    new_uploads: int  # client uploads the office has not downloaded yet


@dataclass(frozen=True)
class ClientFiles:
    """What the Arquivos pages show around a client's list: the client, its usage against the quota, its folders with
    their counts, and the top level (office files outside folders) and inbox (client uploads outside folders)."""
    client_id: uuid.UUID
    name: str
    document: str
    active: bool
    usage: Usage
    folders: list[FolderCount]
    top_level: int
    inbox: int
    inbox_new: int
    options: dict[str, str] = field(default_factory=dict)  # staff's client picker, when asked (see client_options)

    @property
    def open_folders(self) -> list[FolderRow]:
        return [f.folder for f in self.folders if f.folder.open_for_uploads]

    def folder(self, folder_id: uuid.UUID | str | None) -> FolderRow | None:
        """One of this client's folders by id (as text from a URL), or None."""
        return next((f.folder for f in self.folders if str(f.folder.id) == str(folder_id)), None)


def overview(actor: Actor, client_id: uuid.UUID | str | None = None, *, options: bool = False) -> ClientFiles:
    """A client's folders and counts (a client login: its own, whatever `client_id` says; NotFound for a client that
    does not exist). Two queries: the client with its folders, the counts and usage grouped by folder and side (kept
    in readcache until the docfile table is next written: counting a 50,000-file folder took 20-45 ms);
    `options` (staff): also the client picker's first options (client_options with this client included), so a
    page's first render needs one unit of work for both."""
    cid = _client_of(actor, client_id)
    with unit(actor) as session:
        return _overview(session, actor, cid, options)


def browse(actor: Actor, client_id: uuid.UUID | str | None = None, *, options: bool = False,
           **search_args) -> tuple[ClientFiles, FilePage]:
    """`overview` and `search` (with `search_args`) of one client in one unit of work: what an Arquivos page shows on
    its first render."""
    cid = _client_of(actor, client_id)
    with unit(actor) as session:
        info = _overview(session, actor, cid, options)
        return info, _search(session, actor, client_id=cid, **search_args)


def _overview(session: Session, actor: Actor, cid: uuid.UUID, options: bool) -> ClientFiles:
    found = session.exec(select(Client, DocFolder).outerjoin(DocFolder, DocFolder.client_id == Client.id)
                         .where(Client.id == cid).order_by(DocFolder.path)).all()
    client = found[0][0] if found else None
    if client is None or (actor.is_client and client.id != actor.client_id):
        raise NotFound()
    rows = [f for _, f in found if f is not None]
    # Arquivos files only in the counts (a request's attachments are shown with their request); all of them in the
    # space used, as the quota counts them
    arquivos = DocFile.origin == ''
    listed = func.sum(case((arquivos, 1), else_=0))
    new = func.sum(case((arquivos & DocFile.office_downloaded_at.is_(None) & (DocFile.sender_side == 'client'), 1),
                        else_=0))
    counts = readcache.memo_in(session, 'files.overview', cid, ('docfile',), lambda: tuple(session.exec(
        select(DocFile.folder_id, DocFile.sender_side, listed, new, func.coalesce(func.sum(DocFile.size), 0))
        .where(DocFile.client_id == cid, DocFile.deleted_at.is_(None))
        .group_by(DocFile.folder_id, DocFile.sender_side)).all()))
    by: dict[tuple, tuple[int, int]] = {(f, side): (int(n or 0), int(fresh or 0)) for f, side, n, fresh, _ in counts}
    used = sum(int(size) for *_, size in counts)
    folder_counts = [FolderCount(_folder_row(f), by.get((f.id, 'office'), (0, 0))[0],
                                 by.get((f.id, 'client'), (0, 0))[0], by.get((f.id, 'client'), (0, 0))[1])
                     for f in rows]
    inbox, inbox_new = by.get((None, 'client'), (0, 0))
    picker = _client_options(session, actor, '', [client], 30) if options else {}
    return ClientFiles(client.id, client.name, client.document, client.active, Usage(used, _quota()),
                       folder_counts, by.get((None, 'office'), (0, 0))[0], inbox, inbox_new, picker)


def client_options(actor: Actor, text: str = '', *, include: Iterable[uuid.UUID | str] = (),
                   limit: int = 30) -> dict[str, str]:
    """Staff: the active clients whose name, trade name, e-mail or CPF/CNPJ contains `text`, for the searchable
    client pickers ({id: 'Name — CPF/CNPJ'}, at most `limit`, plus the `include`d ids, e.g. the ones chosen)."""
    kept = [as_uuid(i) for i in include if i]
    with unit(actor) as session:
        return _client_options(session, actor, text, kept, limit)


def _client_options(session: Session, actor: Actor, text: str, kept: list, limit: int) -> dict[str, str]:
    """`kept`: client ids to include, or Client rows already read (included without another query)."""
    from ..formatting import document
    from .validation import normalize_document
    require(actor, TOOL, 'read')
    query = select(Client.id, Client.name, Client.document).where(Client.active == True)  # noqa: E712
    words = fold((text or '').strip()[:100])
    if words:
        matches = [Client.search_text.like(f'%{_like(words)}%', escape='\\')]
        digits = normalize_document(text)
        if digits and any(c.isdigit() for c in digits):
            matches.append(Client.document.like(f'%{_like(digits)}%', escape='\\'))
        query = query.where(or_(*matches))
    rows = list(session.exec(query.order_by(Client.sort_name, Client.id).limit(limit)).all())
    known = [(k.id, k.name, k.document) for k in kept if isinstance(k, Client)]
    rows += [k for k in known if all(r[0] != k[0] for r in rows)]
    missing = [k for k in kept if not isinstance(k, Client) and all(r[0] != k for r in rows)]
    if missing:
        rows += session.exec(select(Client.id, Client.name, Client.document).where(Client.id.in_(missing))).all()
    return {str(i): f'{n} — {document(d)}' for i, n, d in rows}


def search(actor: Actor, *, client_id: uuid.UUID | str | None = None, text: str = '',
           folder: uuid.UUID | str | None = None, sender: str = '', competence: str = '',
           start: date | None = None, end: date | None = None, not_downloaded: bool = False,
           sort: str = 'recentes', page: int = 1, per_page: int = 30) -> FilePage:
    """One page of files, newest first by default: a client login sees its own; staff one client's (`client_id`) or,
    without one, every client's (e.g. the uploads not yet downloaded). `folder`: a folder id, 'inbox' (the client's
    uploads outside folders) or None (all). Two queries: the page's rows, then the total (unless the page is short; a
    total counted before is kept in readcache until the docfile table is next written)."""
    _require_read(actor)
    with unit(actor) as session:
        return _search(session, actor, client_id=client_id, text=text, folder=folder, sender=sender,
                       competence=competence, start=start, end=end, not_downloaded=not_downloaded, sort=sort,
                       page=page, per_page=per_page)


def _search(session: Session, actor: Actor, *, client_id: uuid.UUID | str | None = None, text: str = '',
            folder: uuid.UUID | str | None = None, sender: str = '', competence: str = '',
            start: date | None = None, end: date | None = None, not_downloaded: bool = False,
            sort: str = 'recentes', page: int = 1, per_page: int = 30) -> FilePage:
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    conds = [DocFile.deleted_at.is_(None), DocFile.origin == '']  # attachments of requests are not Arquivos files
    if actor.is_client:
        conds.append(DocFile.client_id == actor.client_id)
    elif client_id:
        conds.append(DocFile.client_id == as_uuid(client_id))
    if folder == INBOX:
        conds += [DocFile.folder_id.is_(None), DocFile.sender_side == 'client']
    elif folder == TOP:
        conds += [DocFile.folder_id.is_(None), DocFile.sender_side == 'office']
    elif folder:
        conds.append(DocFile.folder_id == as_uuid(folder))
    if sender in SENDERS:
        conds.append(DocFile.sender_side == sender)
    if competence:
        conds.append(DocFile.competence == parse_competence(competence))
    if start:
        conds.append(DocFile.created_at >= _day_start(start))
    if end:
        conds.append(DocFile.created_at < _day_start(end + timedelta(days=1)))
    if not_downloaded:
        conds += [DocFile.sender_side == 'client', DocFile.office_downloaded_at.is_(None)]
    words = fold(text)
    if words:
        conds.append(DocFile.search_name.like(f'%{_like(words)}%', escape='\\'))
    order = {'antigos': (DocFile.created_at, DocFile.id), 'nome': (DocFile.search_name, DocFile.id),
             'tamanho': (DocFile.size.desc(), DocFile.id)}.get(sort, (DocFile.created_at.desc(), DocFile.id))
    # A separate count and an ordered LIMIT page, not count(*) OVER () in the page query: the window made the
    # database read and sort every match (a 50,000-file folder, SQLite: 354 ms against about 100 ms).
    # The page's ids first (a subquery), then the joins for those rows only: joined before the LIMIT,
    # PostgreSQL hash-joined and sorted all 50,000 rows. A short page (or an empty first one) is the end of the
    # list, so it gives the total without the count (a name search scans once).
    skip = (page - 1) * per_page
    ids = select(DocFile.id).where(*conds).order_by(*order).offset(skip).limit(per_page).subquery()
    rows = _rows(session, _rows_query().join(ids, ids.c.id == DocFile.id).order_by(*order))
    if 0 < len(rows) < per_page or (page == 1 and not rows):
        total = skip + len(rows)
    else:  # the same filters' count, kept until the docfile table is next written (services/readcache.py)
        key = ('total', actor.client_id if actor.is_client else as_uuid(client_id) if client_id else None,
               str(folder or ''), sender, competence, start, end, not_downloaded, words)
        total = readcache.memo_in(session, 'files.total', key, ('docfile',), lambda: int(
            session.exec(select(func.count()).select_from(DocFile).where(*conds)).one()))
    return FilePage(rows, total, page, per_page)


RECENT_DAYS = 7


def pending_count(session: Session, actor: Actor) -> int:
    """Home badge (staff with Arquivos): client uploads nobody in the office has downloaded yet."""
    return int(session.exec(select(func.count()).select_from(DocFile).where(
        DocFile.sender_side == 'client', DocFile.office_downloaded_at.is_(None), DocFile.deleted_at.is_(None),
        DocFile.origin == '')).one())


def recent_count(session: Session, actor: Actor) -> int:
    """Home badge (a client login): files the office made available to it in the last RECENT_DAYS days."""
    return int(session.exec(select(func.count()).select_from(DocFile).where(
        DocFile.client_id == actor.client_id, DocFile.deleted_at.is_(None),
        DocFile.created_at >= clock.now() - timedelta(days=RECENT_DAYS), DocFile.sender_side == 'office',
        DocFile.origin == '')).one())


def get(actor: Actor, file_id: uuid.UUID | str) -> FileRow:
    _require_file_read(actor)
    with unit(actor) as session:
        doc = _visible_file(session, actor, file_id)
        return _rows(session, [doc.id])[0]


def download_url(file_id: uuid.UUID | str) -> str:
    return f'/arquivos/baixar/{file_id}'


def download(actor: Actor, file_id: uuid.UUID | str, ip: str = '') -> Download:
    """Check the actor's right to the file (NotFound for anyone else's, by any id) and record the opening: the
    office's first download of it, or — a client login — its protocols' "Visualizado" (once) and a download
    event. Returns what the route streams."""
    _require_file_read(actor)
    with unit(actor) as session:
        doc = _visible_file(session, actor, file_id)
        path = storage.backend().local_path(FOLDER, doc.stored_name)
        if path is not None and not path.is_file():
            raise NotFound('O arquivo não foi encontrado no armazenamento. Avise o escritório.')
        if actor.is_client:
            from . import protocols
            protocols.record_client_download(session, actor, doc.id, ip or actor.ip)
        elif doc.office_downloaded_at is None:
            doc.office_downloaded_at, doc.office_downloaded_by = clock.now(), actor.user_id
            live.announce(session, TOOL, doc.client_id, doc.id)
        name = filetypes.download_name(doc.original_name, _filetype(doc.mime))
        folder_name, stored = FOLDER, doc.stored_name
        return Download(name, doc.mime, doc.size, path, lambda: storage.backend().open(folder_name, stored))


def mark_downloaded(actor: Actor, file_ids: Iterable[uuid.UUID | str]) -> int:
    """Staff: mark client uploads as downloaded (e.g. fetched outside Conton). Returns how many changed."""
    require(actor, TOOL, 'write')
    ids = [as_uuid(i) for i in file_ids]
    changed = 0
    with unit(actor) as session:
        for doc in session.exec(select(DocFile).where(DocFile.id.in_(ids), DocFile.deleted_at.is_(None))).all():
            if doc.office_downloaded_at is None:
                doc.office_downloaded_at, doc.office_downloaded_by = clock.now(), actor.user_id
                live.announce(session, TOOL, doc.client_id, doc.id)
                changed += 1
    return changed


def delete(actor: Actor, file_ids: Iterable[uuid.UUID | str]) -> int:
    """To the trash (kept 30 days). Staff with write: any file not in a protocol still open; a client login: its own
    uploads the office has not downloaded yet. Any id that is not the actor's: NotFound, and nothing is deleted."""
    from ..models import Protocol, ProtocolFile
    _require_write(actor)
    ids = list(dict.fromkeys(as_uuid(i) for i in file_ids))
    with unit(actor) as session:
        docs = [get_scoped(session, DocFile, i, actor) for i in ids]
        if any(d.deleted_at is not None or d.origin != '' for d in docs):  # attachments go with their request
            raise NotFound()
        if actor.is_client and any(d.sender_side != 'client' or d.office_downloaded_at is not None for d in docs):
            raise ValidationError('Só é possível excluir os seus envios que o escritório ainda não baixou.',
                                  'file')
        in_protocol = session.exec(select(ProtocolFile.file_id).join(Protocol, Protocol.id == ProtocolFile.protocol_id)
                                   .where(ProtocolFile.file_id.in_(ids), Protocol.status != 'cancelado')).first()
        if in_protocol is not None:
            raise ValidationError('Este arquivo faz parte de um protocolo: cancele o protocolo antes.', 'file')
        stamp, names = clock.now(), []
        for doc in docs:
            doc.deleted_at, doc.deleted_by = stamp, actor.user_id
            names.append(doc.stored_name)
            audit.record(session, actor, 'delete', 'file', doc.id, doc.original_name)
            live.announce(session, TOOL, doc.client_id, doc.id)
        # the database first, then the file: a crash in between leaves a row in the trash whose file the check finds
        # still in place (an orphan), never a live row without its file
        from ..db import after_commit
        after_commit(session, lambda: [storage.backend().trash(FOLDER, n) for n in names])
    return len(docs)


def set_client_responsible(actor: Actor, client_id: uuid.UUID | str, user_id: uuid.UUID | str | None) -> None:
    """The staff member told of this client's uploads (None: every staff member with Arquivos)."""
    require(actor, 'clients', 'write')
    with unit(actor) as session:
        client = session.get(Client, as_uuid(client_id))
        if client is None:
            raise NotFound()
        if user_id:
            staff = session.get(User, as_uuid(user_id))
            if staff is None or staff.role not in ('admin', 'staff') or not staff.active:
                raise ValidationError('Escolha um funcionário ativo.', 'responsible_id')
        row = session.get(ClientResponsible, client.id)
        if user_id and row is None:
            session.add(ClientResponsible(client_id=client.id, user_id=staff.id))
        elif user_id:
            row.user_id = staff.id
        elif row is not None:
            session.delete(row)
        audit.record(session, actor, 'update', 'client', client.id, f'responsável: {user_id or "—"}')


# --------------------------------------------------------------------------------------------------------------------
# Integrity (nightly job; admin page)
# --------------------------------------------------------------------------------------------------------------------

def integrity_check() -> IntegrityReport:
    """Compare every live row with its stored file (present, size, SHA-256) and every stored file with the rows;
    report what is missing, damaged or orphan, remove upload temporaries a crash left behind. Saves the report for
    the admin page. Blocking (hashes every file): a job, off the event loop."""
    backend = storage.backend()
    report = IntegrityReport(checked_at=clock.now().isoformat())
    live_names: set[str] = set()
    with unit() as session:
        rows = session.exec(select(DocFile.id, DocFile.client_id, DocFile.original_name, DocFile.stored_name,
                                   DocFile.size, DocFile.sha256).where(DocFile.deleted_at.is_(None))).all()
        names = dict(session.exec(select(Client.id, Client.name)).all())
    for file_id, client_id, original, stored, size, sha in rows:
        live_names.add(stored)
        report.files_checked += 1
        item = {'id': str(file_id), 'client': names.get(client_id, ''), 'name': original, 'stored': stored}
        actual = storage.sha256_of(FOLDER, stored)
        if actual is None:
            report.missing.append(item)
        elif actual != (size, sha):
            report.damaged.append({**item, 'size': actual[0], 'expected_size': size})
    for name in backend.names(FOLDER):
        if name not in live_names:
            report.orphans.append({'stored': name, 'size': backend.size(FOLDER, name) or 0})
    cutoff = (clock.now() - TEMP_GRACE).timestamp()
    for name, mtime in list(backend.temps(FOLDER)):
        if mtime < cutoff:
            report.temporary.append({'stored': name})
            (storage.folder_path(FOLDER) / name).unlink(missing_ok=True)
    _save_report(report)
    return report


def integrity_report(actor: Actor) -> IntegrityReport | None:
    """The last nightly report (admin), or None before the first check."""
    if not actor.is_admin:
        raise PermissionDenied()
    path = get_settings().data_dir / REPORT_FILE
    try:
        return IntegrityReport(**json.loads(path.read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def trash_orphans(actor: Actor) -> int:
    """Admin: move the orphan files of the last report to the trash (kept TRASH_DAYS days, like a deleted file, so a
    mistake can still be undone by hand from data/trash). Each name is checked again first: a file whose live row
    exists by now (an upload that committed just after the check read the folder) is kept; one of a row in the trash
    (a crash between the deletion's commit and the file's move) goes where it belongs. Returns how many went; the saved
    report is updated."""
    if not actor.is_admin:
        raise PermissionDenied()
    report = integrity_report(actor)
    if report is None or not report.orphans:
        return 0
    names = [o['stored'] for o in report.orphans]
    backend = storage.backend()
    with unit(actor) as session:
        known = set(session.exec(select(DocFile.stored_name).where(DocFile.stored_name.in_(names),
                                                                    DocFile.deleted_at.is_(None))).all())
        gone = [name for name in names if name not in known and backend.size(FOLDER, name) is not None]
        if gone:
            audit.record(session, actor, 'delete', 'orphan-files', '',
                         f'{len(gone)} arquivo(s) órfão(s) para a lixeira: {", ".join(gone)}'[:2000])
    for name in gone:
        backend.trash(FOLDER, name)
    report.orphans = [o for o in report.orphans if o['stored'] in known]
    _save_report(report)
    return len(gone)


def file_columns() -> list[tuple[object, str]]:
    """For backup.file_columns: the columns that name a stored document."""
    return [(DocFile.stored_name, FOLDER)]


# --------------------------------------------------------------------------------------------------------------------
# Names, paths, sizes
# --------------------------------------------------------------------------------------------------------------------

def clean_path(path: str, *, template: bool = False) -> str:
    """'Folha de pagamento / 2026-10' -> 'Folha de pagamento/2026-10': each part cleaned like a file name, no empty,
    '.' or '..' part, at most 200 characters. A template may hold '{aaaa-mm}' and '{aaaa}'."""
    raw = path if isinstance(path, str) else ''
    parts = []
    for part in raw.replace('\\', '/').split('/'):
        text = ''.join(ch for ch in part if unicodedata.category(ch) not in ('Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp'))
        text = re.sub(r'\s+', ' ', unicodedata.normalize('NFC', text)).strip()
        if not text:
            continue
        if text in ('.', '..') or re.search(r'["<>:|?*]', text):
            raise ValidationError('Nome de pasta inválido: não use ".", "..", nem os caracteres " < > : | ? *.',
                                  'path')
        if not template and re.search(r'[{}]', text):
            raise ValidationError('Nome de pasta inválido: não use chaves { }.', 'path')
        parts.append(text)
    clean = '/'.join(parts)
    if not clean:
        raise ValidationError('Informe o nome da pasta.', 'path')
    if len(clean) > 200:
        raise ValidationError('Nome de pasta longo demais (até 200 caracteres).', 'path')
    if template and re.search(r'[{}]', re.sub(r'\{aaaa-mm\}|\{aaaa\}', '', clean)):
        raise ValidationError('Use apenas {aaaa-mm} ou {aaaa} no modelo.', 'path')
    return clean


def parse_competence(value: str) -> str:
    """'10/2026' or '2026-10' -> '2026-10'; '' -> ''."""
    text = (value or '').strip()
    if not text:
        return ''
    m = re.fullmatch(r'(\d{1,2})/(\d{4})', text) or re.fullmatch(r'(\d{4})-(\d{1,2})', text)
    if m:
        month, year = (m.group(1), m.group(2)) if '/' in text else (m.group(2), m.group(1))
        if 1 <= int(month) <= 12 and 1990 <= int(year) <= 2100:
            return f'{int(year):04d}-{int(month):02d}'
    raise ValidationError('Competência inválida. Use mm/aaaa.', 'competence')


def size_label(size: int) -> str:
    if size < 1024:
        return f'{size} bytes'
    for unit_name, factor in (('GB', 1024 ** 3), ('MB', MIB), ('KB', 1024)):
        if size >= factor:
            value = f'{size / factor:.1f}'.replace('.', ',')
            return f'{value.removesuffix(",0")} {unit_name}'
    return f'{size} bytes'


def max_file_bytes() -> int:
    return get_settings().file_max_mb * MIB


# --------------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------------

def _require_read(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'read')


def _require_write(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'write')


def _require_file_read(actor: Actor) -> None:
    """Reading one file: Arquivos, or (staff) Solicitações, whose attachments are DocFile rows too."""
    if actor.is_client:
        _require_read(actor)
    elif not (actor.can(TOOL, 'read') or actor.can(REQUESTS_TOOL, 'read')):
        raise PermissionDenied()


def _visible_file(session: Session, actor: Actor, file_id: uuid.UUID | str) -> DocFile:
    """The file if this actor may open it, else NotFound: a client login only its own client's files and never an
    internal note's attachment ('internal'); staff with Arquivos any file, staff with only Solicitações only the
    attachments of requests."""
    doc = get_scoped(session, DocFile, file_id, actor)
    if doc.deleted_at is not None:
        raise NotFound()
    if actor.is_client:
        if doc.origin == 'internal':
            raise NotFound()
    elif not (actor.can(TOOL, 'read') or (doc.origin != '' and actor.can(REQUESTS_TOOL, 'read'))):
        raise NotFound()
    return doc


def _client_of(actor: Actor, client_id) -> uuid.UUID:
    _require_read(actor)
    if actor.is_client:
        return actor.client_id
    if not client_id:
        raise ValidationError('Escolha o cliente.', 'client_id')
    return as_uuid(client_id)


def _visible_client(session: Session, actor: Actor, client_id: uuid.UUID) -> Client:
    client = session.get(Client, client_id)
    if client is None or (actor.is_client and client.id != actor.client_id):
        raise NotFound()
    return client


def _active_client(session: Session, client_id: uuid.UUID, *, lock: bool = False) -> Client:
    query = select(Client).where(Client.id == client_id)
    client = session.exec(query.with_for_update() if lock else query).first()
    if client is None:
        raise NotFound()
    if not client.active:
        raise ValidationError(f'O cliente {client.name} está inativo.', 'client_ids')
    return client


def _find_folder(session: Session, client_id: uuid.UUID, path: str) -> DocFolder | None:
    return session.exec(select(DocFolder).where(DocFolder.client_id == client_id, DocFolder.path == path)).first()


def _folder_row(f: DocFolder) -> FolderRow:
    return FolderRow(f.id, f.client_id, f.path, f.open_for_uploads, f.template_id)


def _apply(session: Session, chosen: list[FolderTemplate], day: date) -> int:
    if not chosen:
        return 0
    clients = list(session.exec(select(Client.id).where(Client.active == True)).all())  # noqa: E712
    wanted = {t.id: expand_template(t.path, day) for t in chosen}
    existing = set(session.exec(select(DocFolder.client_id, DocFolder.path)
                                .where(DocFolder.path.in_(list(wanted.values())))).all())
    created = 0
    for template in chosen:
        path = wanted[template.id]
        for cid in clients:
            if (cid, path) not in existing:
                session.add(DocFolder(client_id=cid, path=path, open_for_uploads=template.open_for_uploads,
                                      template_id=template.id))
                existing.add((cid, path))
                created += 1
    return created


def _fields(note: str, competence: str) -> dict:
    note = re.sub(r'\s+', ' ', note or '').strip()
    if len(note) > 500:
        raise ValidationError('Observação longa demais (até 500 caracteres).', 'note')
    return {'note': note, 'competence': parse_competence(competence)}


def _check_batch(uploads: Sequence) -> None:
    if not uploads:
        raise ValidationError('Escolha pelo menos um arquivo.', 'file')
    if len(uploads) > MAX_BATCH:
        raise ValidationError(f'Envie no máximo {MAX_BATCH} arquivos de cada vez.', 'file')
    limit = max_file_bytes()
    for u in uploads:
        if _declared(u) > limit:
            raise ValidationError(f'{filetypes.clean_name(getattr(u, "name", ""))}: '
                                  f'{storage.too_large_message(limit)}', 'file')


def _declared(upload) -> int:
    try:
        return int(upload.size())
    except (AttributeError, TypeError, ValueError):
        return 0


async def _receive_all(uploads: Sequence) -> list[storage.Received]:
    """Each upload into its temporary file; the first refusal drops the ones already received and names the file."""
    received: list[storage.Received] = []
    try:
        for u in uploads:
            try:
                received.append(await storage.receive_upload(u, folder=FOLDER, max_bytes=max_file_bytes()))
            except ValidationError as e:
                name = filetypes.clean_name(getattr(u, 'name', ''))
                raise ValidationError(f'{name}: {e.errors.get("file", str(e))}', 'file') from e
    except BaseException:
        for r in received:
            r.discard()
        raise
    return received


def _quota() -> int:
    return get_settings().client_quota_mb * MIB


def _used(session: Session, client_id: uuid.UUID) -> int:
    return int(session.exec(select(func.coalesce(func.sum(DocFile.size), 0))
                            .where(DocFile.client_id == client_id, DocFile.deleted_at.is_(None))).one())


def _check_quota(session: Session, client_id: uuid.UUID, adding: int) -> None:
    quota = _quota()
    if not quota:
        return
    used = _used(session, client_id)
    if used + adding > quota:
        free = max(0, quota - used)
        raise ValidationError(f'Espaço insuficiente: os seus arquivos ocupam {size_label(used)} de '
                              f'{size_label(quota)}, e este envio precisa de {size_label(adding)} '
                              f'(livre: {size_label(free)}). Exclua arquivos antigos ou fale com o escritório.',
                              'file')


def _upload_folder(session: Session, actor: Actor, folder_id: uuid.UUID | None) -> DocFolder | None:
    if folder_id is None:
        return None
    folder = get_scoped(session, DocFolder, folder_id, actor)
    if not folder.open_for_uploads:
        raise ValidationError('Esta pasta não recebe envios. Envie para a caixa de entrada do escritório.', 'folder')
    return folder


def _precheck_client_upload(actor: Actor, folder_id: uuid.UUID | None, declared: int) -> None:
    """Before streaming anything: the folder takes uploads and the declared sizes fit the quota."""
    with unit(actor) as session:
        _upload_folder(session, actor, folder_id)
        _check_quota(session, actor.client_id, declared)


def _commit_client(actor: Actor, received: list[storage.Received], folder_id: uuid.UUID | None,
                   fields: dict) -> list[FileRow]:
    with unit(actor) as session:
        client = _active_client(session, actor.client_id, lock=True)  # uploads of one client queue here (quota)
        folder = _upload_folder(session, actor, folder_id)
        _check_quota(session, client.id, sum(r.size for r in received))
        docs = [_add_file(session, actor, client.id, folder, r, r.commit(), 'client', fields) for r in received]
        session.flush()
        recipients = responsible_staff(session, client.id, TOOL)
        count = len(docs)
        title = (f'{client.name} enviou um arquivo' if count == 1 else f'{client.name} enviou {count} arquivos')
        body = ', '.join(d.original_name for d in docs)[:900]
        where = folder.path if folder else 'Caixa de entrada'
        link = f'/arquivos?cliente={client.id}&pasta={folder.id if folder else INBOX}'  # the office's inbox for it
        channels.tell(session, recipients, 'arquivos', title, f'{body}\nEm: {where}', link)
        audit.record(session, actor, 'create', 'file', docs[0].id, f'{count} arquivo(s): {body}'[:2000])
        live.announce(session, TOOL, client.id, docs[0].id)
        return _rows(session, [d.id for d in docs])


def _commit_office(actor: Actor, received: list[storage.Received], client_ids: list[uuid.UUID], path: str,
                   folder_id: uuid.UUID | None, fields: dict) -> list[FileRow]:
    with unit(actor) as session:
        targets: list[tuple[Client, DocFolder | None]] = []
        for cid in client_ids:
            client = _active_client(session, cid)
            if folder_id is not None:
                folder = get_scoped(session, DocFolder, folder_id, actor)
                if folder.client_id != client.id or len(client_ids) != 1:
                    raise NotFound()
            elif path:
                folder = _find_folder(session, client.id, path)
                if folder is None:
                    folder = DocFolder(client_id=client.id, path=path, created_by=actor.user_id)
                    session.add(folder)
                    session.flush()
            else:
                folder = None
            targets.append((client, folder))
        docs: list[DocFile] = []
        for n, (client, folder) in enumerate(targets):
            added = []
            for r in received:
                name = r.commit() if n == 0 else r.copy()
                added.append(_add_file(session, actor, client.id, folder, r, name, 'office', fields))
            docs += added
            count = len(added)
            title = 'Novo arquivo do escritório' if count == 1 else f'{count} novos arquivos do escritório'
            body = ', '.join(d.original_name for d in added)[:900]
            channels.tell(session, notifications.client_users(session, client.id), 'arquivos', title,
                          f'{body}' + (f'\nEm: {folder.path}' if folder else ''), '/portal/arquivos')
            live.announce(session, TOOL, client.id, added[0].id)
        session.flush()
        audit.record(session, actor, 'create', 'file', docs[0].id,
                     f'{len(received)} arquivo(s) para {len(targets)} cliente(s)')
        return _rows(session, [d.id for d in docs])


def _add_file(session: Session, actor: Actor, client_id: uuid.UUID, folder: DocFolder | None,
              r: storage.Received, stored_name: str, side: str, fields: dict) -> DocFile:
    doc = DocFile(client_id=client_id, folder_id=folder.id if folder else None, original_name=r.original_name,
                  search_name=fold(r.original_name)[:120], size=r.size, mime=r.mime, type_label=r.filetype.label,
                  sha256=r.sha256, stored_name=stored_name, sender_id=actor.user_id, sender_side=side, **fields)
    session.add(doc)
    return doc


def responsible_staff(session: Session, client_id: uuid.UUID, tool: str) -> list[uuid.UUID]:
    """The client's responsible staff member while active, else every staff member with read on `tool`."""
    staff = session.exec(select(User.id).join(ClientResponsible, ClientResponsible.user_id == User.id)
                         .where(ClientResponsible.client_id == client_id, User.active == True,  # noqa: E712
                                User.role.in_(('admin', 'staff')))).first()
    return [staff] if staff is not None else notifications.staff_users(session, tool)


def responsible(actor: Actor, client_id: uuid.UUID | str) -> uuid.UUID | None:
    """The client's responsible staff member (None: none set)."""
    require(actor, 'clients', 'read')
    with unit(actor) as session:
        row = session.get(ClientResponsible, as_uuid(client_id))
        return row.user_id if row is not None else None


_ROW_COLUMNS = (DocFile.id, DocFile.client_id, Client.name, DocFile.folder_id, DocFolder.path, DocFile.original_name,
                DocFile.size, DocFile.mime, DocFile.type_label, DocFile.sha256, User.name, DocFile.sender_side,
                DocFile.note, DocFile.competence, DocFile.created_at, DocFile.office_downloaded_at)


def _rows_query():
    """The columns of a FileRow (plain columns, not ORM entities: a page of 30 rows loads in a fraction of the time)."""
    return (select(*_ROW_COLUMNS)
            .select_from(DocFile)
            .outerjoin(DocFolder, DocFolder.id == DocFile.folder_id)
            .join(Client, Client.id == DocFile.client_id)
            .outerjoin(User, User.id == DocFile.sender_id))


def _rows(session: Session, ids_or_query) -> list[FileRow]:
    """FileRows of a list of ids (in that order) or of a `_rows_query` already filtered, ordered and limited."""
    if isinstance(ids_or_query, list):
        if not ids_or_query:
            return []
        ids = ids_or_query
        rows = in_id_order(list(session.exec(_rows_query().where(DocFile.id.in_(ids))).all()), ids)
    else:
        rows = list(session.exec(ids_or_query).all())
    return [FileRow(i, c, client_name, f, path or '', name, size, mime, label, sha, sender or '', side, note, comp,
                    created, downloaded)
            for i, c, client_name, f, path, name, size, mime, label, sha, sender, side, note, comp, created, downloaded
            in rows]


def _filetype(mime: str) -> filetypes.FileType:
    for value in vars(filetypes).values():
        if isinstance(value, filetypes.FileType) and value.mime == mime:
            return value
    return filetypes.FileType(mime, 'Arquivo', '.bin', 'other', ('.bin',))


def _day_start(day: date) -> datetime:
    from .reminders import day_start
    return day_start(day)


def _like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _save_report(report: IntegrityReport) -> None:
    path = get_settings().data_dir / REPORT_FILE
    tmp = path.with_name(f'.{path.name}.part')
    tmp.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=1))
    os.replace(tmp, path)


__all__ = ['ClientFiles', 'Download', 'FilePage', 'FileRow', 'FolderCount', 'FolderRow', 'IntegrityReport',
           'TemplateRow', 'Usage', 'apply_templates', 'clean_path', 'client_options', 'create_folder',
           'create_template', 'delete', 'delete_folder', 'delete_template', 'download', 'download_url', 'folders',
           'get', 'get_folder', 'integrity_check', 'integrity_report', 'mark_downloaded', 'overview', 'pending_count',
           'parse_competence', 'publish', 'recent_count', 'responsible', 'responsible_staff', 'search', 'set_client_responsible',
           'size_label', 'templates', 'trash_orphans', 'update_folder', 'upload', 'usage']
