"""Solicitações: requests between a client and the office, each a conversation thread.

A client login (tool 'portal_requests') opens a request for its own client — subject, category (the office's list),
description, attachments — and every login of that client sees it alike; staff (tool 'requests') open one for a
client too, reply, change the status (aberta → em andamento → aguardando cliente → concluída), assign it and pick
watchers, and write internal notes the client never sees. A client may reopen a concluded request within the
office's window (office setting 'requests.reopen_days'); after that, it opens a new one.

Rules kept here:
- A client login reaches only its own client's requests (NotFound for any other id), never an internal note nor its
  attachments (their DocFile rows have origin 'internal', which files.download refuses to every client login).
- Attachments are DocFile rows of the request's client (storage folder 'documents', the same per-file limit and
  content check as Arquivos, the client's quota), origin 'request' or 'internal'; not listed in Arquivos. They are
  received into temporary files first, then the message and its files are written in one transaction: a refusal
  (empty message, a file past the limit, a concluded request) stores nothing.
- Unread markers: RequestRead holds until when a login read a thread; a thread is unread for a client login when the
  office's last visible activity is later, for staff when the client's is (internal notes do not count).
- Every write tells the other side (services/channels.tell, category 'solicitacoes': drawer and e-mail as each login
  chose) and announces the change live (tool 'requests', the request's client; an internal note is announced
  without the client, so no client tab even hears of it).
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from nicegui import run
from sqlalchemy import and_, bindparam, func, or_
from sqlmodel import Session, select

from .. import clock
from ..config import get_settings
from ..models import (Client, ClientRequest, DocFile, Office, RequestAttachment, RequestCategory, RequestMessage,
                      RequestRead, RequestWatcher, User)
from ..models.people import fold
from ..models.requests import DEFAULT_CATEGORIES, REQUEST_STATUSES
from . import audit, channels, files, filetypes, live, office_settings, storage, validation
from .base import as_uuid, get_scoped, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .permissions import LEVELS, Actor, require

TOOL, PORTAL_TOOL = 'requests', 'portal_requests'
CATEGORY = 'solicitacoes'  # notification category
STATUS_LABELS = {'aberta': 'Aberta', 'andamento': 'Em andamento', 'aguardando': 'Aguardando cliente',
                 'concluida': 'Concluída'}
OPEN = ('aberta', 'andamento', 'aguardando')
AGES = {'': 'Qualquer', '1': 'Mais de 1 dia', '3': 'Mais de 3 dias', '7': 'Mais de 7 dias', '30': 'Mais de 30 dias'}
MAX_BODY = 20_000
MAX_FILES = 10  # attachments per message


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryRow:
    id: uuid.UUID
    name: str
    position: int
    active: bool


@dataclass(frozen=True)
class RequestRow:
    id: uuid.UUID
    number: int
    client_id: uuid.UUID
    client_name: str
    subject: str
    category: str
    status: str
    assignee_id: uuid.UUID | None
    assignee_name: str
    opened_side: str
    created_at: datetime
    last_activity_at: datetime
    closed_at: datetime | None
    unread: bool

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def label(self) -> str:
        return f'#{self.number}'

    @property
    def url(self) -> str:
        return staff_url(self.id)

    @property
    def portal_url(self) -> str:
        return portal_url(self.id)


@dataclass(frozen=True)
class RequestPage:
    rows: list[RequestRow]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]  # per status, under the other filters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class AttachmentRow:
    file_id: uuid.UUID
    name: str
    size: int

    @property
    def url(self) -> str:
        return files.download_url(self.file_id)

    @property
    def size_label(self) -> str:
        return files.size_label(self.size)


@dataclass(frozen=True)
class MessageRow:
    id: uuid.UUID
    author_name: str
    author_side: str  # client | office
    body: str
    internal: bool
    created_at: datetime
    attachments: list[AttachmentRow] = field(default_factory=list)


@dataclass(frozen=True)
class RequestDetail:
    request: RequestRow
    messages: list[MessageRow]
    watchers: list[tuple[uuid.UUID, str]]  # staff only (empty for a client login)
    reopen_until: datetime | None  # a concluded request: until when its client may reopen it (None: no more)

    @property
    def can_reply(self) -> bool:
        return self.request.status != 'concluida'


def staff_url(request_id) -> str:
    return f'/solicitacoes/{request_id}'


def portal_url(request_id) -> str:
    return f'/portal/solicitacoes/{request_id}'


# --------------------------------------------------------------------------------------------------------------------
# Categories (the office's list)
# --------------------------------------------------------------------------------------------------------------------

def categories(actor: Actor, *, include_inactive: bool = False) -> list[CategoryRow]:
    _require_read(actor)
    with unit(actor) as session:
        return _categories(session, include_inactive=include_inactive and not actor.is_client)


def create_category(actor: Actor, name: object) -> CategoryRow:
    require(actor, TOOL, 'write')
    clean = validation.text(name, 'name', 'o nome da categoria', required=True, max_len=60)
    with unit(actor) as session:
        _ensure_categories(session)
        if _same_name(session, clean) is not None:
            raise ValidationError('Já existe uma categoria com este nome.', 'name')
        last = session.exec(select(func.max(RequestCategory.position))).one() or 0
        row = RequestCategory(name=clean, position=last + 1)
        session.add(row)
        session.flush()
        audit.record(session, actor, 'create', 'request_category', row.id, clean)
        live.announce(session, TOOL)
        return _category_row(row)


def update_category(actor: Actor, category_id, *, name: object = None, active: bool | None = None,
                    move: int = 0) -> CategoryRow:
    """Rename, retire (`active` False: kept on the requests that use it, no longer offered) or move up/down."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        row = session.get(RequestCategory, as_uuid(category_id))
        if row is None:
            raise NotFound()
        if name is not None:
            clean = validation.text(name, 'name', 'o nome da categoria', required=True, max_len=60)
            other = _same_name(session, clean)
            if other is not None and other.id != row.id:
                raise ValidationError('Já existe uma categoria com este nome.', 'name')
            row.name = clean
        if active is not None:
            if not active and row.active and len(_categories(session)) <= 1:
                raise ValidationError('Mantenha pelo menos uma categoria ativa.', 'name')
            row.active = bool(active)
        if move:
            ordered = list(session.exec(select(RequestCategory).order_by(RequestCategory.position,
                                                                         RequestCategory.name)).all())
            i = next(n for n, c in enumerate(ordered) if c.id == row.id)
            j = max(0, min(len(ordered) - 1, i + (1 if move > 0 else -1)))
            ordered.insert(j, ordered.pop(i))
            for n, c in enumerate(ordered, start=1):
                c.position = n
        audit.record(session, actor, 'update', 'request_category', row.id, row.name)
        live.announce(session, TOOL)
        return _category_row(row)


# --------------------------------------------------------------------------------------------------------------------
# Opening, replying, status, assignee, watchers
# --------------------------------------------------------------------------------------------------------------------

async def open_request(actor: Actor, *, subject: object, category_id: object, body: object,
                       uploads: Sequence = (), client_id: object = None, assignee_id: object = None) -> RequestRow:
    """A new request: by a client login for its own client, or by staff (write) for `client_id`."""
    _require_write(actor)
    fields = _new_fields(actor, subject, category_id, body, client_id)
    cid = actor.client_id if actor.is_client else fields['client_id']
    await run.io_bound(_precheck, actor, None, cid, _declared(uploads), len(uploads))
    received = await _receive_all(uploads)
    try:
        return await run.io_bound(_commit_new, actor, cid, fields, received, assignee_id)
    except BaseException:
        for r in received:
            r.discard()
        raise


async def reply(actor: Actor, request_id, body: object, uploads: Sequence = (), *, internal: bool = False,
                status: str = '') -> MessageRow:
    """A message in the thread (staff: `internal` for a note the client never sees; `status` to move it at once).
    Refused on a concluded request (the client reopens it first, within the office's window)."""
    _require_write(actor)
    if actor.is_client and (internal or status):
        raise PermissionDenied()
    text = _body(body)
    if status and status not in REQUEST_STATUSES:
        raise ValidationError('Escolha uma situação da lista.', 'status')
    rid = as_uuid(request_id)
    await run.io_bound(_precheck, actor, rid, None, _declared(uploads), len(uploads))
    received = await _receive_all(uploads)
    try:
        return await run.io_bound(_commit_reply, actor, rid, text, received, bool(internal), status)
    except BaseException:
        for r in received:
            r.discard()
        raise


def set_status(actor: Actor, request_id, status: str) -> RequestRow:
    require(actor, TOOL, 'write')
    if status not in REQUEST_STATUSES:
        raise ValidationError('Escolha uma situação da lista.', 'status')
    with unit(actor) as session:
        req = _locked(session, actor, request_id)
        if req.status != status:
            _move(session, actor, req, status)
            _tell_status(session, actor, req)
            audit.record(session, actor, 'update', 'request', req.id, f'#{req.number}: {STATUS_LABELS[status]}')
            live.announce(session, TOOL, req.client_id, req.id)
        return _rows(session, actor, [req.id])[0]


def reopen(actor: Actor, request_id) -> RequestRow:
    """A client login reopens its concluded request within the office's window; staff reopen any."""
    _require_write(actor)
    with unit(actor) as session:
        req = _locked(session, actor, request_id)
        if req.status != 'concluida':
            raise ValidationError('Esta solicitação não está concluída.', 'status')
        if actor.is_client:
            until = _reopen_until(session, req)
            if until is None or clock.now() > until:
                raise ValidationError('O prazo para reabrir esta solicitação terminou. Abra uma nova solicitação.',
                                      'status')
        req.reopened_count += 1
        _move(session, actor, req, 'aberta' if actor.is_client else 'andamento')
        _tell_status(session, actor, req)
        audit.record(session, actor, 'update', 'request', req.id, f'#{req.number}: reaberta')
        live.announce(session, TOOL, req.client_id, req.id)
        return _rows(session, actor, [req.id])[0]


def assign(actor: Actor, request_id, assignee_id) -> RequestRow:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        req = _locked(session, actor, request_id)
        new = _staff_member(session, assignee_id) if assignee_id else None
        if req.assignee_id != new:
            req.assignee_id = new
            if new is not None and new != actor.user_id:
                channels.tell(session, [new], CATEGORY, f'Solicitação #{req.number} atribuída a você',
                              _client_name(session, req.client_id) + ': ' + req.subject, staff_url(req.id))
            audit.record(session, actor, 'update', 'request', req.id, f'#{req.number}: responsável')
            live.announce(session, TOOL, None, req.id)
        return _rows(session, actor, [req.id])[0]


def set_watchers(actor: Actor, request_id, user_ids) -> list[tuple[uuid.UUID, str]]:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        req = _locked(session, actor, request_id)
        wanted = {_staff_member(session, u) for u in user_ids or [] if u}
        current = set(session.exec(select(RequestWatcher.user_id).where(RequestWatcher.request_id == req.id)).all())
        for uid in current - wanted:
            session.delete(session.get(RequestWatcher, (req.id, uid)))
        for uid in wanted - current:
            session.add(RequestWatcher(request_id=req.id, user_id=uid))
        if wanted != current:
            audit.record(session, actor, 'update', 'request', req.id, f'#{req.number}: observadores')
            live.announce(session, TOOL, None, req.id)
        session.flush()
        return _watchers(session, req.id)


def mark_read(actor: Actor, request_id) -> None:
    _require_read(actor)
    with unit(actor) as session:
        req = get_scoped(session, ClientRequest, request_id, actor)
        _mark_read(session, actor, req.id)


# --------------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------------

def view(actor: Actor, request_id) -> RequestDetail:
    """The thread as this login may see it (a client login: no internal notes), marked read."""
    _require_read(actor)
    with unit(actor) as session:
        req = get_scoped(session, ClientRequest, request_id, actor)
        detail = _detail(session, actor, req)
        _mark_read(session, actor, req.id)
        return detail


def get(actor: Actor, request_id) -> RequestDetail:
    """`view` without marking it read."""
    _require_read(actor)
    with unit(actor) as session:
        return _detail(session, actor, get_scoped(session, ClientRequest, request_id, actor))


def search(actor: Actor, *, status: str = '', assignee: str = '', client_id: object = None, client: str = '',
           category: str = '', age: str = '', text: str = '', page: int = 1, per_page: int = 30) -> RequestPage:
    """One page of requests, latest activity first, with the count per status under the other filters. `status`:
    '' = not concluded, 'todas' = all, or one of REQUEST_STATUSES; `assignee`: '' any, 'eu' the actor, 'nenhum'
    nobody, or a staff id; `client`: text in the client's name; `age`: opened more than N days ago. A client login:
    its own client's, whatever `client_id`/`client` say. Four statements: the login's re-check, the counts per
    status (whose sum is the total), the page of ids (on the activity index) and those rows."""
    _require_read(actor)
    with unit(actor) as session:
        return _search(session, actor, status=status, assignee=assignee, client_id=client_id, client=client,
                       category=category, age=age, text=text, page=page, per_page=per_page)


@dataclass(frozen=True)
class StaffList:
    page: RequestPage
    staff: dict[str, str]  # {id: name} of who may handle requests (the assignee filter)
    categories: list[CategoryRow]  # retired ones too (the category filter)


def staff_list(actor: Actor, **filters) -> StaffList:
    """What the staff list shows, in one unit of work: `search(**filters)`, the staff and the categories (six
    statements in all with the login's re-check)."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        found = _search(session, actor, **filters)
        staff = {str(uid): name for uid, name in _handlers(session)}
        return StaffList(found, staff, _categories(session, include_inactive=True))


def _search(session: Session, actor: Actor, *, status: str = '', assignee: str = '', client_id: object = None,
            client: str = '', category: str = '', age: str = '', text: str = '', page: int = 1,
            per_page: int = 30) -> RequestPage:
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    conds = []
    if actor.is_client:
        conds.append(ClientRequest.client_id == actor.client_id)
    else:
        if client_id:
            conds.append(ClientRequest.client_id == as_uuid(client_id))
        words = fold((client or '')[:100]).split()[:5]  # every word, in any order
        if words:  # the matching clients as a subquery (a join made SQLite scan every request)
            conds.append(ClientRequest.client_id.in_(select(Client.id).where(
                *[Client.search_text.like(f'%{_like(word)}%', escape='\\') for word in words])))
        if assignee == 'eu':
            conds.append(ClientRequest.assignee_id == actor.user_id)
        elif assignee == 'nenhum':
            conds.append(ClientRequest.assignee_id.is_(None))
        elif assignee:
            conds.append(ClientRequest.assignee_id == _uuid_or_none(assignee))
    if category:
        conds.append(ClientRequest.category_id == _uuid_or_none(category))
    if age in AGES and age:
        conds.append(ClientRequest.created_at < clock.now() - timedelta(days=int(age)))
    words = (text or '')[:100].strip()
    if words:
        number = words.lstrip('#')
        like = ClientRequest.subject.ilike(f'%{_like(words)}%', escape='\\')
        conds.append(or_(like, ClientRequest.number == int(number)) if number.isdigit() and len(number) < 10 else like)
    if status == 'todas':
        by_status = []
    elif status in REQUEST_STATUSES:
        by_status = [ClientRequest.status == status]
    else:
        by_status = [ClientRequest.status.in_(OPEN)]
    # the counts per status first (the total is theirs: no window count over the joined rows), then the page of ids
    # from the requests table alone (ordered on its activity index), then those rows with their names
    count_query = select(ClientRequest.status, func.count()).where(*conds).group_by(ClientRequest.status)
    ids_query = select(ClientRequest.id).where(*conds, *by_status)
    counts = dict(session.exec(count_query).all())
    shown = (REQUEST_STATUSES if status == 'todas' else (status,) if status in REQUEST_STATUSES else OPEN)
    total = sum(counts.get(s, 0) for s in shown)
    pages = max(1, -(-total // per_page))
    page = min(page, pages) if total else 1
    ids = list(session.exec(ids_query.order_by(ClientRequest.last_activity_at.desc(), ClientRequest.id.desc())
                            .offset((page - 1) * per_page).limit(per_page)).all()) if total else []
    rows = _rows(session, actor, ids)
    return RequestPage(rows, total, page, per_page, {s: counts.get(s, 0) for s in REQUEST_STATUSES})


def staff_options(actor: Actor) -> dict[str, str]:
    """The staff members who may handle requests ({id: name}), for the assignee and watcher pickers."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        return {str(uid): name for uid, name in _handlers(session)}


def client_choices(actor: Actor) -> dict[str, str]:
    """Active clients for the staff's "Nova solicitação" ({id: name})."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        active = Client.active == True  # noqa: E712
        return {str(i): n for i, n in session.exec(select(Client.id, Client.name).where(active)
                                                    .order_by(Client.sort_name, Client.id)).all()}


def reopen_days() -> int:
    return office_settings.get_int('requests.reopen_days')


# badges (services/home.py): inside the caller's unit of work

def waiting_office_count(session: Session, actor: Actor) -> int:
    """Staff: requests opened and not yet answered (status 'aberta')."""
    if actor.is_client or not actor.can(TOOL):
        return 0
    return session.exec(select(func.count()).select_from(ClientRequest).where(ClientRequest.status == 'aberta')).one()


def waiting_client_count(session: Session, actor: Actor) -> int:
    """A client login: its requests waiting for the client's answer ('aguardando cliente')."""
    if not actor.is_client or not actor.can(PORTAL_TOOL):
        return 0
    return session.exec(select(func.count()).select_from(ClientRequest)
                        .where(ClientRequest.client_id == actor.client_id, ClientRequest.status == 'aguardando')).one()


def pending(actor: Actor, limit: int = 5) -> list[RequestRow]:
    """The client home's "Solicitações pendentes": its open requests, those waiting for it first."""
    if not actor.is_client or not actor.can(PORTAL_TOOL):
        return []
    found = search(actor, per_page=50).rows
    return sorted(found, key=lambda r: (r.status != 'aguardando', not r.unread))[:limit]


# --------------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------------

def _require_read(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'read')


def _require_write(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'write')


def _ensure_categories(session: Session) -> None:
    """The five defaults when the list is empty (0007 seeds them; a test database emptied between tests has none)."""
    if session.exec(select(RequestCategory.id).limit(1)).first() is None:
        for n, name in enumerate(DEFAULT_CATEGORIES, start=1):
            session.add(RequestCategory(name=name, position=n))
        session.flush()


def _categories(session: Session, *, include_inactive: bool = False) -> list[CategoryRow]:
    query = select(RequestCategory).order_by(RequestCategory.position, RequestCategory.name)
    if not include_inactive:
        query = query.where(RequestCategory.active == True)  # noqa: E712
    found = session.exec(query).all()
    if not found:
        _ensure_categories(session)
        found = session.exec(query).all()
    return [_category_row(c) for c in found]


def _category_row(c: RequestCategory) -> CategoryRow:
    return CategoryRow(c.id, c.name, c.position, c.active)


def _same_name(session: Session, name: str) -> RequestCategory | None:
    wanted = fold(name)
    return next((c for c in session.exec(select(RequestCategory)).all() if fold(c.name) == wanted), None)


def _body(value: object) -> str:
    text = validation.clean(value, 'body', multiline=True).strip()
    if not text:
        raise ValidationError('Escreva a mensagem.', 'body')
    if len(text) > MAX_BODY:
        raise ValidationError(f'Mensagem longa demais (até {MAX_BODY:,} caracteres).'.replace(',', '.'), 'body')
    return text


def _new_fields(actor: Actor, subject, category_id, body, client_id) -> dict:
    out: dict = {}
    validation.collect(
        lambda: out.update(subject=validation.text(subject, 'subject', 'o assunto', required=True, max_len=200)),
        lambda: out.update(category_id=_category_id(category_id)),
        lambda: out.update(body=_body(body)),
        lambda: out.update(client_id=None if actor.is_client else _client_id(client_id)),
    )
    return out


def _category_id(value) -> uuid.UUID:
    if not value:
        raise ValidationError('Escolha a categoria.', 'category_id')
    found = _uuid_or_none(value)
    if found is None:
        raise ValidationError('Escolha uma categoria da lista.', 'category_id')
    return found


def _client_id(value) -> uuid.UUID:
    if not value:
        raise ValidationError('Escolha o cliente.', 'client_id')
    found = _uuid_or_none(value)
    if found is None:
        raise ValidationError('Escolha um cliente da lista.', 'client_id')
    return found


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _declared(uploads: Sequence) -> int:
    total = 0
    for u in uploads:
        try:
            total += int(u.size())
        except (AttributeError, TypeError, ValueError):
            pass
    return total


def _precheck(actor: Actor, request_id: uuid.UUID | None, client_id: uuid.UUID | None, declared: int,
              count: int) -> None:
    """Before streaming anything: the request can take a message, the client is active, the files fit."""
    if count > MAX_FILES:
        raise ValidationError(f'Anexe no máximo {MAX_FILES} arquivos por mensagem.', 'file')
    with unit(actor) as session:
        if request_id is not None:
            req = get_scoped(session, ClientRequest, request_id, actor)
            _check_open(req)
            client_id = req.client_id
        _active_client(session, client_id)
        _check_quota(session, client_id, declared)


async def _receive_all(uploads: Sequence) -> list[storage.Received]:
    received: list[storage.Received] = []
    limit = files.max_file_bytes()
    try:
        for u in uploads:
            try:
                received.append(await storage.receive_upload(u, folder=files.FOLDER, max_bytes=limit))
            except ValidationError as e:
                name = filetypes.clean_name(getattr(u, 'name', ''))
                raise ValidationError(f'{name}: {e.errors.get("file", str(e))}', 'file') from e
    except BaseException:
        for r in received:
            r.discard()
        raise
    return received


def _commit_new(actor: Actor, client_id: uuid.UUID, fields: dict, received: list[storage.Received],
                assignee_id) -> RequestRow:
    with unit(actor) as session:
        client = _active_client(session, client_id, lock=True)
        category = session.get(RequestCategory, fields['category_id'])
        if category is None or not category.active:
            raise ValidationError('Escolha uma categoria da lista.', 'category_id')
        assignee = None
        if not actor.is_client and assignee_id:
            assignee = _staff_member(session, assignee_id)
        elif actor.is_client:
            assignee = _responsible(session, client.id)
        _check_quota(session, client.id, sum(r.size for r in received))
        stamp = clock.now()
        side = _side(actor)
        req = ClientRequest(number=_next_number(session), client_id=client.id, subject=fields['subject'],
                            category_id=category.id, status='aberta', assignee_id=assignee, opened_by=actor.user_id,
                            opened_side=side, created_at=stamp, last_activity_at=stamp)
        _stamp(req, side, stamp)
        session.add(req)
        session.flush()
        _add_message(session, actor, req, fields['body'], received, internal=False, stamp=stamp)
        _mark_read(session, actor, req.id, stamp)
        title = f'Nova solicitação #{req.number}: {req.subject}'
        if actor.is_client:
            channels.tell(session, _office_recipients(session, req, actor), CATEGORY, title,
                          f'{client.name}\n{fields["body"]}'[:900], staff_url(req.id))
        else:
            channels.tell(session, _client_logins(session, client.id), CATEGORY, title, fields['body'][:900],
                          portal_url(req.id))
        audit.record(session, actor, 'create', 'request', req.id, f'#{req.number} {req.subject}'[:2000])
        live.announce(session, TOOL, client.id, req.id)
        return _rows(session, actor, [req.id])[0]


def _commit_reply(actor: Actor, request_id: uuid.UUID, text: str, received: list[storage.Received],
                  internal: bool, status: str) -> MessageRow:
    with unit(actor) as session:
        _active_client(session, get_scoped(session, ClientRequest, request_id, actor).client_id, lock=True)
        req = _locked(session, actor, request_id)
        _check_open(req)
        _check_quota(session, req.client_id, sum(r.size for r in received))
        stamp = clock.now()
        message = _add_message(session, actor, req, text, received, internal=internal, stamp=stamp)
        if not internal:
            _stamp(req, _side(actor), stamp)
            req.last_activity_at = stamp
            if actor.is_client and req.status == 'aguardando':
                req.status = 'andamento'
            elif not actor.is_client and req.status == 'aberta' and not status:
                req.status = 'andamento'
        if status and status != req.status:
            _move(session, actor, req, status, stamp)
        _mark_read(session, actor, req.id, stamp)
        title = f'Solicitação #{req.number}: nova mensagem'
        if internal:
            title = f'Solicitação #{req.number}: nota interna'
            channels.tell(session, _office_recipients(session, req, actor), CATEGORY, title,
                          f'{actor.name}: {text}'[:900], staff_url(req.id))
        elif actor.is_client:
            channels.tell(session, _office_recipients(session, req, actor), CATEGORY, title,
                          f'{_client_name(session, req.client_id)}: {text}'[:900], staff_url(req.id))
        else:
            body = text if req.status != 'concluida' else f'{text}\nSituação: Concluída'
            channels.tell(session, _client_logins(session, req.client_id), CATEGORY, title, body[:900],
                          portal_url(req.id))
        audit.record(session, actor, 'create', 'request_note' if internal else 'request_message', message.id,
                     f'#{req.number}')
        live.announce(session, TOOL, None if internal else req.client_id, req.id)
        return _messages(session, [message])[0]


def _add_message(session: Session, actor: Actor, req: ClientRequest, text: str, received: list[storage.Received],
                 *, internal: bool, stamp: datetime) -> RequestMessage:
    side = _side(actor)
    message = RequestMessage(request_id=req.id, author_id=actor.user_id, author_side=side, body=text,
                             internal=internal, created_at=stamp)
    session.add(message)
    session.flush()
    for r in received:
        doc = DocFile(client_id=req.client_id, folder_id=None, original_name=r.original_name,
                      search_name=fold(r.original_name)[:120], size=r.size, mime=r.mime,
                      type_label=r.filetype.label, sha256=r.sha256, stored_name=r.commit(), sender_id=actor.user_id,
                      sender_side=side, note=f'Solicitação #{req.number}'[:500], created_at=stamp,
                      origin='internal' if internal else 'request')
        session.add(doc)
        session.flush()
        session.add(RequestAttachment(message_id=message.id, file_id=doc.id))
    return message


def _move(session: Session, actor: Actor, req: ClientRequest, status: str, stamp: datetime | None = None) -> None:
    stamp = stamp or clock.now()
    req.status = status
    req.closed_at = stamp if status == 'concluida' else None
    req.last_activity_at = stamp
    _stamp(req, _side(actor), stamp)


def _stamp(req: ClientRequest, side: str, stamp: datetime) -> None:
    if side == 'client':
        req.last_client_activity_at = stamp
    else:
        req.last_office_activity_at = stamp


def _tell_status(session: Session, actor: Actor, req: ClientRequest) -> None:
    title = f'Solicitação #{req.number}: {STATUS_LABELS[req.status].lower()}'
    if actor.is_client:
        channels.tell(session, _office_recipients(session, req, actor), CATEGORY, title,
                      f'{_client_name(session, req.client_id)}: {req.subject}'[:900], staff_url(req.id))
    else:
        channels.tell(session, _client_logins(session, req.client_id), CATEGORY, title, req.subject,
                      portal_url(req.id))


def _office_recipients(session: Session, req: ClientRequest, actor: Actor) -> list[uuid.UUID]:
    """The assignee and watchers (without an assignee: the client's responsible, else every staff member who may
    handle requests), never the author."""
    ids = list(session.exec(select(RequestWatcher.user_id).where(RequestWatcher.request_id == req.id)).all())
    if req.assignee_id is not None:
        ids.insert(0, req.assignee_id)
    else:
        owner = _responsible(session, req.client_id)
        ids = ([owner] if owner else [uid for uid, _ in _handlers(session)]) + ids
    return [uid for uid in dict.fromkeys(ids) if uid != actor.user_id]


def _client_logins(session: Session, client_id: uuid.UUID) -> list[uuid.UUID]:
    from . import notifications
    return notifications.client_users(session, client_id)


def _responsible(session: Session, client_id: uuid.UUID) -> uuid.UUID | None:
    """The client's responsible staff member, when that login is active and may handle requests."""
    from ..models import ClientResponsible
    row = session.get(ClientResponsible, client_id)
    if row is None:
        return None
    return row.user_id if row.user_id in {uid for uid, _ in _handlers(session)} else None


def _handlers(session: Session) -> list[tuple[uuid.UUID, str]]:
    """Active staff who may write on requests (admins always), by name."""
    out = []
    active = User.active == True  # noqa: E712
    for uid, name, role, perms in session.exec(select(User.id, User.name, User.role, User.permissions)
                                               .where(active, User.role.in_(('admin', 'staff')))
                                               .order_by(User.name)).all():
        if role == 'admin' or LEVELS.get((perms or {}).get(TOOL, 'none'), 0) >= LEVELS['read']:
            out.append((uid, name))
    return out


def _staff_member(session: Session, user_id) -> uuid.UUID:
    uid = _uuid_or_none(user_id)
    if uid is None or uid not in {u for u, _ in _handlers(session)}:
        raise ValidationError('Escolha um funcionário da lista.', 'assignee_id')
    return uid


def _client_name(session: Session, client_id: uuid.UUID) -> str:
    return session.exec(select(Client.name).where(Client.id == client_id)).one()


def _active_client(session: Session, client_id: uuid.UUID, *, lock: bool = False) -> Client:
    query = select(Client).where(Client.id == client_id)
    client = session.exec(query.with_for_update() if lock else query).first()
    if client is None:
        raise ValidationError('Escolha um cliente da lista.', 'client_id')
    if not client.active:
        raise ValidationError(f'O cliente {client.name} está inativo.', 'client_id')
    return client


def _check_quota(session: Session, client_id: uuid.UUID, adding: int) -> None:
    """The client's quota (CONTON_CLIENT_QUOTA_MB) covers its request attachments too."""
    quota = get_settings().client_quota_mb * files.MIB
    if not quota or not adding:
        return
    used = int(session.exec(select(func.coalesce(func.sum(DocFile.size), 0))
                            .where(DocFile.client_id == client_id, DocFile.deleted_at.is_(None))).one())
    if used + adding > quota:
        raise ValidationError(f'Espaço insuficiente para os anexos: os arquivos deste cliente ocupam '
                              f'{files.size_label(used)} de {files.size_label(quota)}.', 'file')


def _check_open(req: ClientRequest) -> None:
    if req.status == 'concluida':
        raise ValidationError('Esta solicitação está concluída: reabra-a para enviar uma nova mensagem.', 'body')


def _locked(session: Session, actor: Actor, request_id) -> ClientRequest:
    rid = as_uuid(request_id)
    query = select(ClientRequest).where(ClientRequest.id == rid).with_for_update()
    if actor.is_client:
        query = query.where(ClientRequest.client_id == actor.client_id)
    req = session.exec(query).first()
    if req is None:
        raise NotFound()
    return req


def _next_number(session: Session) -> int:
    """max + 1 while holding the office row's lock (PostgreSQL; SQLite serialises writers anyway)."""
    session.exec(select(Office.id).where(Office.id == 1).with_for_update()).first()
    return (session.exec(select(func.max(ClientRequest.number))).one() or 0) + 1


def _side(actor: Actor) -> str:
    return 'client' if actor.is_client else 'office'


def _mark_read(session: Session, actor: Actor, request_id: uuid.UUID, stamp: datetime | None = None) -> None:
    stamp = stamp or clock.now()
    row = session.get(RequestRead, (request_id, actor.user_id))
    if row is None:
        session.add(RequestRead(request_id=request_id, user_id=actor.user_id, read_at=stamp))
    elif row.read_at < stamp:
        row.read_at = stamp


def _reopen_until(session: Session, req: ClientRequest) -> datetime | None:
    if req.status != 'concluida' or req.closed_at is None:
        return None
    days = office_settings.get_int('requests.reopen_days', session)
    return req.closed_at + timedelta(days=days) if days else None


def _rows(session: Session, actor: Actor, ids: list[uuid.UUID]) -> list[RequestRow]:
    if not ids:
        return []
    found = session.connection().execute(_rows_query(actor.is_client), {'uid': actor.user_id, 'ids': ids}).all()
    by_id = {_uuid(r[0]): RequestRow(_uuid(r[0]), r[1], _uuid(r[2]), r[3], r[4], r[5], r[6], _uuid(r[7]), r[8] or '',
                                     r[9], r[10], r[11], r[12], bool(r[13])) for r in found}
    return [by_id[i] for i in ids if i in by_id]


@lru_cache
def _rows_query(client_side: bool):
    """Built once per side (building the joined, aliased select costs more than running it for a page)."""
    c, read, who = ClientRequest.__table__.c, RequestRead.__table__.alias('rr'), User.__table__.alias('assignee')
    theirs = c.last_office_activity_at if client_side else c.last_client_activity_at
    unread = and_(theirs.is_not(None), or_(read.c.read_at.is_(None), theirs > read.c.read_at))
    client, category = Client.__table__, RequestCategory.__table__
    return (select(c.id, c.number, c.client_id, client.c.name, c.subject, category.c.name, c.status, c.assignee_id,
                   who.c.name, c.opened_side, c.created_at, c.last_activity_at, c.closed_at, unread)
            .join(client, client.c.id == c.client_id)
            .join(category, category.c.id == c.category_id)
            .outerjoin(who, who.c.id == c.assignee_id)
            .outerjoin(read, and_(read.c.request_id == c.id, read.c.user_id == bindparam('uid', type_=c.id.type)))
            .where(c.id.in_(bindparam('ids', expanding=True, type_=c.id.type))))


def _uuid(value) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _detail(session: Session, actor: Actor, req: ClientRequest) -> RequestDetail:
    query = select(RequestMessage).where(RequestMessage.request_id == req.id)
    if actor.is_client:
        query = query.where(RequestMessage.internal == False)  # noqa: E712  (never an internal note)
    messages = list(session.exec(query.order_by(RequestMessage.created_at, RequestMessage.id)).all())
    row = _rows(session, actor, [req.id])[0]
    return RequestDetail(row, _messages(session, messages), [] if actor.is_client else _watchers(session, req.id),
                         _reopen_until(session, req))


def _messages(session: Session, messages: list[RequestMessage]) -> list[MessageRow]:
    ids = [m.id for m in messages]
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_({m.author_id for m in messages}))).all()) \
        if messages else {}
    attached: dict[uuid.UUID, list[AttachmentRow]] = {}
    if ids:
        for message_id, file_id, name, size in session.exec(
                select(RequestAttachment.message_id, DocFile.id, DocFile.original_name, DocFile.size)
                .join(DocFile, DocFile.id == RequestAttachment.file_id)
                .where(RequestAttachment.message_id.in_(ids), DocFile.deleted_at.is_(None))
                .order_by(DocFile.original_name)).all():
            attached.setdefault(message_id, []).append(AttachmentRow(file_id, name, size))
    return [MessageRow(m.id, names.get(m.author_id, ''), m.author_side, m.body, m.internal, m.created_at,
                       attached.get(m.id, [])) for m in messages]


def _watchers(session: Session, request_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    return list(session.exec(select(User.id, User.name).join(RequestWatcher, RequestWatcher.user_id == User.id)
                             .where(RequestWatcher.request_id == request_id).order_by(User.name)).all())


def _like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')
