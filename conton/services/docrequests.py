"""Pedidos de documentos: the office asks a client for documents and the client answers in the portal.

Staff (tool 'docrequests') ask one client for a document — title ("Extrato bancário 10/2026"), due date, optional
description and template file (stored in the client's Arquivos, folder 'Pedidos de documentos') — or set a monthly
rule per client ("every month's bank statements until day 5"). A rule yields exactly one request per competência:
in month M the job creates the request of competência M-1 (the month the documents are about), due on the rule's
day of month M; a rule created after that day waits for the next month. The unique key (rule_id, competence) and an
insert-or-skip make it exactly once, also with the job run twice, concurrently, or after a restart.

A client login (tool 'portal_docrequests') answers with files — streamed into its Arquivos (the office's inbox of
that client, DocFile origin '', same limits and quota as any upload) and linked to the request — or with "nada a
enviar este mês" and an optional comment. Staff then accept the answer or send it back with a reason (the client is
told and answers again); staff may also close a request the office no longer needs.

Statuses stored: pendente, respondido, nada, aceito, devolvido, fechado. Waiting for the client: pendente and
devolvido ('atrasado' when past the due date: derived, never stored). To review: respondido and nada.

Reminders (services/reminders.py, kind 'docrequest'): while a request waits for the client, its logins are reminded
every `remind_every_days` days, at most `remind_max` times, at the office's time of day (office_settings
'docrequests.remind_time'). The first reminder comes `remind_every_days` days before the due date, or on the day the
request was made (sent back) when that is later — never before the request itself. The due query runs inside the
delivery transaction and only sees waiting requests of active clients: the reminders stop the moment the client
answers, staff close it or the client becomes inactive. A request sent back starts a new series.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from nicegui import run
from sqlalchemy import and_, case, exists, func, insert, literal, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from .. import clock, formatting
from ..config import get_settings
from ..models import Client, DocFile, DocFolder, DocRequest, DocRequestFile, DocRequestRule, User
from ..models.people import fold
from . import audit, channels, files, filetypes, live, mail, notifications, office_settings, reminders, storage
from .base import as_uuid, in_id_order, scoped, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .form_input import day as _day, text as _text
from .permissions import Actor, require
from .validation import normalize_document

TOOL, PORTAL_TOOL = 'docrequests', 'portal_docrequests'
ITEM_KIND = 'docrequest'
CATEGORY = 'documentos'
TEMPLATE_FOLDER = 'Pedidos de documentos'  # where a request's template file goes in the client's Arquivos
PLACEHOLDER = '{mm/aaaa}'  # in a rule's title: the competência of each month's request
STATUS_LABELS = {'pendente': 'Pendente', 'respondido': 'Respondido', 'nada': 'Nada a enviar', 'aceito': 'Aceito',
                 'devolvido': 'Devolvido', 'fechado': 'Encerrado'}
WAITING = ('pendente', 'devolvido')  # the client has to answer
TO_REVIEW = ('respondido', 'nada')  # the office has to look at the answer
FINAL = ('aceito', 'fechado')
STATUS_FILTERS = {'': 'Todos', 'aguardando': 'Aguardando o cliente', 'revisar': 'Para revisar',
                  'pendente': 'Pendente', 'devolvido': 'Devolvido', 'respondido': 'Respondido (arquivos)',
                  'nada': 'Nada a enviar', 'aceito': 'Aceito', 'fechado': 'Encerrado'}
_FILTER_STATUSES = {'aguardando': WAITING, 'revisar': TO_REVIEW}
SETTING_EVERY, SETTING_MAX, SETTING_TIME = ('docrequests.remind_every_days', 'docrequests.remind_max',
                                            'docrequests.remind_time')
MAX_DUE_DAY = 28
GENERATION_LOCK = 0x446F6352  # PostgreSQL advisory lock key of the monthly generation ('DocR')
PORTAL_DONE_LIMIT = 30  # the client's answered and closed requests shown under the pending ones
HOME_LIMIT = 8  # the client home's pending requests
HOME_CLIENTS = 12  # the staff home's clients with something missing this month


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocRequestRow:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    client_document: str
    rule_id: uuid.UUID | None
    competence: str  # 'AAAA-MM' or ''
    title: str
    description: str
    due_date: date
    status: str  # stored status
    overdue: bool  # waiting for the client and past the due date
    template_file_id: uuid.UUID | None
    template_name: str
    remind_every_days: int
    remind_max: int
    answered_at: datetime | None
    answered_by_name: str
    answer_comment: str
    reviewed_at: datetime | None
    reviewed_by_name: str
    return_reason: str
    created_at: datetime
    created_by_name: str  # '' when generated by the job
    closed_at: datetime | None
    file_count: int

    @property
    def status_label(self) -> str:
        return 'Atrasado' if self.overdue else STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        """The CSS status of the list badge."""
        return 'atrasado' if self.overdue else self.status

    @property
    def waiting(self) -> bool:
        return self.status in WAITING

    @property
    def to_review(self) -> bool:
        return self.status in TO_REVIEW

    @property
    def generated(self) -> bool:
        return self.rule_id is not None

    @property
    def url(self) -> str:
        return f'/pedidos-documentos?pedido={self.id}'

    @property
    def portal_url(self) -> str:
        return f'/portal/documentos?pedido={self.id}'


@dataclass(frozen=True)
class AnswerFile:
    id: uuid.UUID
    name: str
    size: int
    type_label: str
    created_at: datetime

    @property
    def size_label(self) -> str:
        return files.size_label(self.size)


@dataclass(frozen=True)
class DocRequestDetail:
    request: DocRequestRow
    files: list[AnswerFile]


@dataclass
class DocRequestFilter:
    status: str = ''  # key of STATUS_FILTERS
    client: str = ''  # client name or CPF/CNPJ
    client_id: uuid.UUID | None = None
    competence: str = ''  # 'AAAA-MM'
    overdue: bool = False


@dataclass(frozen=True)
class DocRequestPage:
    rows: list[DocRequestRow]
    total: int
    page: int
    per_page: int
    waiting: int  # of the filtered: waiting for the client
    overdue: int  # of the filtered: waiting and past the due date
    to_review: int  # of the filtered: answered, to review
    filter: DocRequestFilter = field(default_factory=DocRequestFilter)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class RuleRow:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    title: str
    description: str
    due_day: int
    template_file_id: uuid.UUID | None
    template_name: str
    active: bool
    remind_every_days: int
    remind_max: int
    created_at: datetime
    ended_at: datetime | None
    last_competence: str  # the competência of its latest request ('' before the first)

    def title_for(self, competence: str) -> str:
        return request_title(self.title, competence)


@dataclass(frozen=True)
class RulePage:
    rows: list[RuleRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class PortalView:
    waiting: list[DocRequestRow]  # pendente / devolvido, soonest due first
    answered: list[DocRequestRow]  # answered or closed, newest first (at most PORTAL_DONE_LIMIT)

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.waiting if r.overdue)


@dataclass(frozen=True)
class PendingItem:
    id: uuid.UUID
    title: str
    competence: str
    due_date: date
    status: str  # pendente | devolvido
    overdue: bool

    @property
    def status_label(self) -> str:
        return 'Atrasado' if self.overdue else STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return 'atrasado' if self.overdue else self.status

    @property
    def portal_url(self) -> str:
        return f'/portal/documentos?pedido={self.id}'


@dataclass(frozen=True)
class HomePending:
    """The client home's first section: its requests waiting for an answer."""
    rows: list[PendingItem]
    total: int


@dataclass(frozen=True)
class MissingClient:
    """The staff home: one client with requests still waiting whose due date is this month or earlier."""
    client_id: uuid.UUID
    client_name: str
    count: int
    overdue: int
    first_due: date
    titles: list[str]  # the first few, soonest due first


@dataclass(frozen=True)
class MissingThisMonth:
    clients: list[MissingClient]
    total_clients: int
    month: date  # the first of the month shown


@dataclass(frozen=True)
class ReminderSettings:
    every_days: int
    max_count: int
    at: str  # 'hh:mm'


# --------------------------------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------------------------------

def competence_of(day: date) -> str:
    return f'{day.year:04d}-{day.month:02d}'


def previous_month(day: date) -> date:
    """The first of the month before `day`'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def request_title(rule_title: str, competence: str) -> str:
    """A rule's title for one competência: '{mm/aaaa}' replaced, or the competência appended."""
    label = formatting.competence(competence)
    if PLACEHOLDER in rule_title:
        return rule_title.replace(PLACEHOLDER, label)[:200]
    return f'{rule_title} — {label}'[:200]


def parse_competence(value: str | None) -> str:
    """'10/2026' or '2026-10' -> '2026-10'; '' -> ''; ValidationError otherwise."""
    text = (value or '').strip() if isinstance(value, str) else ''
    if not text:
        return ''
    m = re.fullmatch(r'(\d{1,2})/(\d{4})', text) or re.fullmatch(r'(\d{4})-(\d{1,2})', text)
    if m:
        month, year = (m.group(1), m.group(2)) if '/' in text else (m.group(2), m.group(1))
        if 1 <= int(month) <= 12 and 2000 <= int(year) <= 2100:
            return f'{int(year):04d}-{int(month):02d}'
    raise ValidationError('Competência inválida. Use mm/aaaa (por exemplo 10/2026).', 'competence')


def moment(day: date, at: time) -> datetime:
    """`at` on `day` in the office time zone, as UTC."""
    return reminders.day_start(day) + timedelta(hours=at.hour, minutes=at.minute)


def schedule(anchor: datetime, due: date, every_days: int, max_count: int, at: time) -> list[tuple[int, datetime]]:
    """The reminder moments of a request made (or sent back) at `anchor`: (number, UTC moment) for 1..max_count, the
    first `every_days` days before the due date or on the anchor's day when that is later, never before the anchor;
    then every `every_days` days."""
    if max_count <= 0 or every_days <= 0:
        return []
    start = max(clock.local(anchor).date(), due - timedelta(days=every_days))
    if moment(start, at) <= anchor:
        start += timedelta(days=1)
    return [(k, moment(start + timedelta(days=(k - 1) * every_days), at)) for k in range(1, max_count + 1)]


def generation_due_date(rule_due_day: int, today: date) -> date:
    return date(today.year, today.month, max(1, min(int(rule_due_day), MAX_DUE_DAY)))


# --------------------------------------------------------------------------------------------------------------------
# Staff: lists and details
# --------------------------------------------------------------------------------------------------------------------

def parse_filter(status: str = '', client: str = '', competence: str = '', overdue: str | bool = '',
                 client_id: str = '') -> DocRequestFilter:
    """A filter from URL text; bad values are dropped rather than refused."""
    try:
        comp = parse_competence(competence)
    except ValidationError:
        comp = ''
    try:
        cid = as_uuid(client_id) if client_id else None
    except NotFound:
        cid = None
    return DocRequestFilter(status=status if status in STATUS_FILTERS else '', client=(client or '')[:100],
                            client_id=cid, competence=comp,
                            overdue=overdue is True or overdue in ('1', 'on', 'sim', 'true'))


def search(actor: Actor, filt: DocRequestFilter | None = None, *, page: int = 1, per_page: int = 25) -> DocRequestPage:
    """One page of requests — the answers to review first, then those waiting for the client (overdue first), then
    the finished ones, each by due date — with the counts of the filtered set (two queries: the page of ids with the
    counts, then its rows). A client login sees only its own client's."""
    _require_read(actor)
    filt = filt or DocRequestFilter()
    per_page = max(1, min(int(per_page), 200))
    today = clock.today()
    conds = _conditions(actor, filt, today)
    waiting = DocRequest.status.in_(WAITING)
    with unit(actor) as session:
        total, n_waiting, n_overdue, n_review = session.exec(
            select(func.count(), func.coalesce(func.sum(case((waiting, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((and_(waiting, DocRequest.due_date < today), 1), else_=0)), 0),
                   func.coalesce(func.sum(case((DocRequest.status.in_(TO_REVIEW), 1), else_=0)), 0))
            .select_from(DocRequest).where(*conds)).one()
        pages = max(1, -(-total // per_page))
        page = max(1, min(int(page), pages))
        order = (case((DocRequest.status.in_(TO_REVIEW), 0), (waiting, 1), else_=2), DocRequest.due_date,
                 DocRequest.created_at, DocRequest.id)
        ids = list(session.exec(select(DocRequest.id).where(*conds).order_by(*order)
                                .offset((page - 1) * per_page).limit(per_page)).all())
        rows = _rows(session, ids, today)
    return DocRequestPage(rows, total, page, per_page, int(n_waiting), int(n_overdue), int(n_review), filt)


def _conditions(actor: Actor, filt: DocRequestFilter, today: date) -> list:
    conds = []
    if actor.is_client:
        conds.append(DocRequest.client_id == actor.client_id)
    elif filt.client_id is not None:
        conds.append(DocRequest.client_id == filt.client_id)
    if filt.status in _FILTER_STATUSES:
        conds.append(DocRequest.status.in_(_FILTER_STATUSES[filt.status]))
    elif filt.status:
        conds.append(DocRequest.status == filt.status)
    if filt.overdue:
        conds += [DocRequest.status.in_(WAITING), DocRequest.due_date < today]
    if filt.competence:
        conds.append(DocRequest.competence == filt.competence)
    text = (filt.client or '').strip()
    if text and not actor.is_client:
        conds.append(DocRequest.client_id.in_(select(Client.id).where(_client_match(text))))
    return conds


def _client_match(text: str):
    matches = [Client.search_text.like(f'%{fold(text)}%')]
    digits = normalize_document(text)
    if digits and any(c.isdigit() for c in digits):
        matches.append(Client.document.like(f'%{digits}%'))
    return or_(*matches)


def get(actor: Actor, request_id: uuid.UUID | str) -> DocRequestDetail:
    """A request with its answer files (staff, or a login of its own client: NotFound for anyone else's)."""
    _require_read(actor)
    with unit(actor) as session:
        req = _request(session, request_id, actor)
        return _detail(session, req)


def client_options(actor: Actor, text: str = '', *, include: uuid.UUID | str | None = None,
                   limit: int = 50) -> dict[str, str]:
    """Active clients matching a name or CPF/CNPJ, for the server-side searchable picker: {id: 'Name — document'}."""
    require(actor, TOOL)
    with unit(actor) as session:
        query = select(Client.id, Client.name, Client.document).where(Client.active == True)  # noqa: E712
        text = (text or '').strip() if isinstance(text, str) else ''
        if text:
            query = query.where(_client_match(text))
        rows = list(session.exec(query.order_by(Client.sort_name).limit(max(1, min(limit, 200)))).all())
        if include:
            try:
                key = as_uuid(include)
            except NotFound:
                key = None
            if key is not None and all(r[0] != key for r in rows):
                rows += session.exec(select(Client.id, Client.name, Client.document).where(Client.id == key)).all()
        return {str(i): f'{n} — {formatting.document(d)}' for i, n, d in rows}


def client_name(actor: Actor, client_id: uuid.UUID | str) -> str:
    """The name of a client (staff), for a page filtered by client; NotFound when there is none."""
    require(actor, TOOL)
    with unit(actor) as session:
        name = session.exec(select(Client.name).where(Client.id == as_uuid(client_id))).first()
        if name is None:
            raise NotFound('Cliente não encontrado.')
        return name


def reminder_settings(actor: Actor) -> ReminderSettings:
    """The office's reminder defaults (every N days, at most M, time of day)."""
    _require_read(actor)
    values = office_settings.get_many([SETTING_EVERY, SETTING_MAX, SETTING_TIME])
    return ReminderSettings(int(values[SETTING_EVERY]), int(values[SETTING_MAX]), values[SETTING_TIME])


def save_reminder_settings(actor: Actor, *, every_days, max_count, at) -> ReminderSettings:
    """Store the three settings at once (every bad one reported, nothing saved then)."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    clean = {}
    for key, value in ((SETTING_EVERY, every_days), (SETTING_MAX, max_count), (SETTING_TIME, at)):
        try:
            clean[key] = office_settings.parse(key, value)
        except ValidationError as e:
            errors.update(e.errors)
    if errors:
        raise ValidationError(errors)
    for key, value in clean.items():
        office_settings.set(actor, key, value)
    return reminder_settings(actor)


# --------------------------------------------------------------------------------------------------------------------
# Staff: asking, reviewing, closing
# --------------------------------------------------------------------------------------------------------------------

async def create(actor: Actor, *, client_id, title: str, due_date, description: str = '',
                 remind_every_days=None, remind_max=None, uploads: Sequence = ()) -> DocRequestRow:
    """Ask one client for a document, with an optional template file (`uploads`: at most one NiceGUI upload, stored in
    the client's Arquivos). The client's logins are told (drawer, and e-mail as each chose). All or nothing."""
    require(actor, TOOL, 'write')
    values = _validate_request(title, due_date, description, remind_every_days, remind_max)
    return await _with_template(uploads, _create, actor, client_id, values)


async def _with_template(uploads: Sequence, commit, actor: Actor, client_id, values: dict):
    """Store the optional template upload, then run `commit(actor, client_id, values, received)` off the loop; the
    stored template is discarded if the commit fails (all or nothing)."""
    received = await _receive_template(uploads)
    try:
        return await run.io_bound(commit, actor, client_id, values, received)
    except BaseException:
        for r in received:
            r.discard()
        raise


def create_now(actor: Actor, **kwargs) -> DocRequestRow:
    """`create` without a template, for callers outside the event loop (CLI, tests, demo data)."""
    require(actor, TOOL, 'write')
    values = _validate_request(kwargs.pop('title', ''), kwargs.pop('due_date', None), kwargs.pop('description', ''),
                               kwargs.pop('remind_every_days', None), kwargs.pop('remind_max', None))
    return _create(actor, kwargs.pop('client_id', None), values, [])


def accept(actor: Actor, request_id: uuid.UUID | str) -> DocRequestRow:
    """The answer is what the office needed: 'aceito' (the client is told)."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        req = _request(session, request_id, actor, lock=True)
        if req.status not in TO_REVIEW:
            raise ValidationError(_state_message(req.status, 'aceitar'), '')
        now = clock.now()
        req.status, req.reviewed_at, req.reviewed_by, req.closed_at = 'aceito', now, actor.user_id, now
        _tell_client(session, req, f'Documentos recebidos: {req.title}',
                     'O escritório conferiu a sua resposta e a aceitou. Obrigado!')
        audit.record(session, actor, 'update', 'docrequest', req.id, f'{req.title}: aceito')
        live.announce(session, TOOL, req.client_id, req.id)
        return _rows(session, [req.id], clock.today())[0]


def send_back(actor: Actor, request_id: uuid.UUID | str, reason: str) -> DocRequestRow:
    """The answer does not do: back to the client with a reason (it is told, and reminded again until it answers)."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    text = _text(reason, 'reason', errors, label='o motivo da devolução', required=True, max_len=500,
                 multiline=True)
    if errors:
        raise ValidationError(errors)
    with unit(actor) as session:
        req = _request(session, request_id, actor, lock=True)
        if req.status not in TO_REVIEW:
            raise ValidationError(_state_message(req.status, 'devolver'), '')
        req.status, req.reviewed_at, req.reviewed_by, req.return_reason = 'devolvido', clock.now(), actor.user_id, text
        again = (f'Envie de novo até {formatting.day(req.due_date)}.' if req.due_date >= clock.today()
                 else 'Envie de novo assim que puder.')
        _tell_client(session, req, f'Pedido devolvido: {req.title}',
                     f'O escritório devolveu a sua resposta: {text}\n{again}')
        audit.record(session, actor, 'update', 'docrequest', req.id, f'{req.title}: devolvido ({text})'[:2000])
        live.announce(session, TOOL, req.client_id, req.id)
        return _rows(session, [req.id], clock.today())[0]


def close(actor: Actor, request_id: uuid.UUID | str, reason: str = '') -> DocRequestRow:
    """The office no longer needs it: 'fechado' (no more reminders; the client is told)."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    text = _text(reason, 'reason', errors, max_len=500, multiline=True)
    if errors:
        raise ValidationError(errors)
    with unit(actor) as session:
        req = _request(session, request_id, actor, lock=True)
        if req.status in FINAL:
            raise ValidationError(_state_message(req.status, 'encerrar'), '')
        req.status, req.closed_at, req.reviewed_by = 'fechado', clock.now(), actor.user_id
        if text:
            req.return_reason = text
        _tell_client(session, req, f'Pedido encerrado: {req.title}',
                     'O escritório encerrou este pedido: não é preciso enviar nada.' + (f'\n{text}' if text else ''))
        audit.record(session, actor, 'update', 'docrequest', req.id, f'{req.title}: encerrado {text}'.strip())
        live.announce(session, TOOL, req.client_id, req.id)
        return _rows(session, [req.id], clock.today())[0]


# --------------------------------------------------------------------------------------------------------------------
# Recurring rules (staff)
# --------------------------------------------------------------------------------------------------------------------

def rules(actor: Actor, *, client_id: uuid.UUID | str | None = None, client: str = '', active_only: bool = False,
          page: int = 1, per_page: int = 30) -> RulePage:
    """Rules of one client (or of every client matching `client`), the client's name first, active before ended."""
    require(actor, TOOL)
    per_page = max(1, min(int(per_page), 200))
    conds = []
    if client_id:
        conds.append(DocRequestRule.client_id == as_uuid(client_id))
    text = (client or '').strip() if isinstance(client, str) else ''
    if text:
        conds.append(DocRequestRule.client_id.in_(select(Client.id).where(_client_match(text))))
    if active_only:
        conds.append(DocRequestRule.active == True)  # noqa: E712
    with unit(actor) as session:
        found = session.exec(select(DocRequestRule.id, func.count().over())
                             .join(Client, Client.id == DocRequestRule.client_id).where(*conds)
                             .order_by(Client.sort_name, DocRequestRule.active.desc(), DocRequestRule.title,
                                       DocRequestRule.id)
                             .offset((max(1, int(page)) - 1) * per_page).limit(per_page)).all()
        ids = [r[0] for r in found]
        return RulePage(_rule_rows(session, ids), found[0][1] if found else 0, max(1, int(page)), per_page)


def get_rule(actor: Actor, rule_id: uuid.UUID | str) -> RuleRow:
    require(actor, TOOL)
    with unit(actor) as session:
        rule = session.get(DocRequestRule, as_uuid(rule_id))
        if rule is None:
            raise NotFound('Pedido recorrente não encontrado.')
        return _rule_rows(session, [rule.id])[0]


async def create_rule(actor: Actor, *, client_id, title: str, due_day, description: str = '',
                      remind_every_days=None, remind_max=None, uploads: Sequence = ()) -> RuleRow:
    """A monthly request for one client. This month's request (of last month's competência) is made at once when
    its due day has not passed; every later month's by the job."""
    require(actor, TOOL, 'write')
    values = _validate_rule(title, due_day, description, remind_every_days, remind_max)
    return await _with_template(uploads, _create_rule, actor, client_id, values)


def create_rule_now(actor: Actor, **kwargs) -> RuleRow:
    """`create_rule` without a template, for callers outside the event loop (CLI, tests, demo data)."""
    require(actor, TOOL, 'write')
    values = _validate_rule(kwargs.pop('title', ''), kwargs.pop('due_day', None), kwargs.pop('description', ''),
                            kwargs.pop('remind_every_days', None), kwargs.pop('remind_max', None))
    return _create_rule(actor, kwargs.pop('client_id', None), values, [])


def update_rule(actor: Actor, rule_id: uuid.UUID | str, *, title: str, due_day, description: str = '',
                remind_every_days=None, remind_max=None) -> RuleRow:
    """Change a rule; requests already made keep what they were made with."""
    require(actor, TOOL, 'write')
    values = _validate_rule(title, due_day, description, remind_every_days, remind_max)
    with unit(actor) as session:
        rule = session.exec(select(DocRequestRule).where(DocRequestRule.id == as_uuid(rule_id))
                            .with_for_update()).first()
        if rule is None:
            raise NotFound('Pedido recorrente não encontrado.')
        if not rule.active:
            raise ValidationError('Este pedido recorrente foi encerrado.', '')
        for key, value in values.items():
            setattr(rule, key, value)
        audit.record(session, actor, 'update', 'docrequest_rule', rule.id, rule.title)
        live.announce(session, TOOL, rule.client_id, rule.id)
        session.flush()
        return _rule_rows(session, [rule.id])[0]


def end_rule(actor: Actor, rule_id: uuid.UUID | str) -> RuleRow:
    """No more monthly requests from this rule (those already made stay as they are)."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        rule = session.exec(select(DocRequestRule).where(DocRequestRule.id == as_uuid(rule_id))
                            .with_for_update()).first()
        if rule is None:
            raise NotFound('Pedido recorrente não encontrado.')
        if not rule.active:
            raise ValidationError('Este pedido recorrente já foi encerrado.', '')
        rule.active, rule.ended_at = False, clock.now()
        audit.record(session, actor, 'update', 'docrequest_rule', rule.id, f'{rule.title}: encerrado')
        live.announce(session, TOOL, rule.client_id, rule.id)
        session.flush()
        return _rule_rows(session, [rule.id])[0]


# --------------------------------------------------------------------------------------------------------------------
# Monthly generation (the job, no actor)
# --------------------------------------------------------------------------------------------------------------------

def generate_due(today: date | None = None) -> int:
    """The scheduled generation: for every active rule of an active client, the request of last month's competência
    due on the rule's day of this month — unless that day had already passed when the rule was made. Idempotent
    (insert-or-skip on the unique key), so it runs every hour and a server that was down catches up. Returns how many
    requests it created."""
    today = today or clock.today()
    with unit() as session:
        _one_generation_at_a_time(session)
        created = _generate(session, today)
        if created:
            audit.record(session, None, 'generate', 'docrequest', '',
                         f'pedidos de documentos da competência '
                         f'{formatting.competence(competence_of(previous_month(today)))}: {created} (automático)',
                         email='sistema')
        return created


def _one_generation_at_a_time(session: Session) -> None:
    """A second job started meanwhile waits here for the first to commit, then finds nothing left to make, instead
    of computing the whole month again only for the insert to skip it (the unique key stays what guarantees exactly
    once): PostgreSQL a transaction-level advisory lock, SQLite its write lock, taken by a write that changes no
    row."""
    dialect = session.get_bind().dialect.name
    if dialect == 'postgresql':
        session.exec(select(func.pg_advisory_xact_lock(GENERATION_LOCK)))
    elif dialect == 'sqlite':
        session.exec(update(DocRequestRule).where(literal(False)).values(active=DocRequestRule.active))


def _generate(session: Session, today: date, *, rule_ids: list[uuid.UUID] | None = None) -> int:
    """Set-based: one query for the rules still missing this month's request, one multi-row insert that skips what a
    concurrent run inserted first (ON CONFLICT DO NOTHING RETURNING: only this run's rows come back), one query for
    the logins to tell, one insert of notifications."""
    comp = competence_of(previous_month(today))
    has = exists().where(DocRequest.rule_id == DocRequestRule.id, DocRequest.competence == comp)
    query = (select(DocRequestRule.id, DocRequestRule.client_id, DocRequestRule.title, DocRequestRule.description,
                    DocRequestRule.due_day, DocRequestRule.template_file_id, DocRequestRule.remind_every_days,
                    DocRequestRule.remind_max, DocRequestRule.created_at)
             .join(Client, Client.id == DocRequestRule.client_id)
             .where(DocRequestRule.active == True, Client.active == True, ~has))  # noqa: E712
    if rule_ids is not None:
        query = query.where(DocRequestRule.id.in_(rule_ids))
    stamp = clock.now()
    rows = []
    for rid, cid, title, description, due_day, template, every, most, made in session.exec(query).all():
        due = generation_due_date(due_day, today)
        if due < clock.local(made).date():
            continue  # made after this month's due day: its first request is next month's
        rows.append({'id': uuid.uuid4(), 'client_id': cid, 'rule_id': rid, 'competence': comp,
                     'title': request_title(title, comp), 'description': description, 'due_date': due,
                     'template_file_id': template, 'status': 'pendente', 'remind_every_days': every,
                     'remind_max': most, 'answer_comment': '', 'return_reason': '', 'created_by': None,
                     'created_at': stamp})
    if not rows:
        return 0
    won = _insert_new(session, rows)
    if not won:
        return 0
    new_rows = [r for r in rows if r['id'] in won]
    for r in new_rows:
        live.announce(session, TOOL, r['client_id'], r['id'])
    _tell_clients_of_new(session, new_rows)
    return len(new_rows)


def _insert_new(session: Session, rows: list[dict]) -> set[uuid.UUID]:
    """Insert-or-skip on (rule_id, competence); the ids this transaction inserted."""
    table = DocRequest.__table__
    dialect = session.get_bind().dialect.name
    won: set[uuid.UUID] = set()
    # in key order, so two concurrent runs insert in the same order and the second waits (then skips) instead of a
    # deadlock on PostgreSQL
    rows = sorted(rows, key=lambda r: (str(r['rule_id']), r['competence']))
    if dialect in ('sqlite', 'postgresql'):
        if dialect == 'sqlite':
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        statement = (dialect_insert(table).on_conflict_do_nothing(index_elements=['rule_id', 'competence'])
                     .returning(table.c.id))
        connection = session.connection()
        for chunk in _chunks(rows, 500):
            won.update(_uuid(r[0]) for r in connection.execute(statement, chunk).all())
        return won
    from sqlalchemy.exc import IntegrityError
    for row in rows:  # any other database: one savepoint per row
        try:
            with session.begin_nested():
                session.execute(insert(table).values(row))
            won.add(row['id'])
        except IntegrityError:
            pass
    return won


# --------------------------------------------------------------------------------------------------------------------
# The client: its requests, answering
# --------------------------------------------------------------------------------------------------------------------

def portal(actor: Actor) -> PortalView:
    """The client's requests: the waiting ones first (soonest due first), then the latest answered or closed."""
    _require_client(actor)
    today = clock.today()
    with unit(actor) as session:
        waiting = list(session.exec(scoped(select(DocRequest.id).where(DocRequest.status.in_(WAITING)), DocRequest,
                                           actor).order_by(DocRequest.due_date, DocRequest.created_at,
                                                           DocRequest.id)).all())
        done = list(session.exec(scoped(select(DocRequest.id).where(DocRequest.status.not_in(WAITING)), DocRequest,
                                        actor).order_by(func.coalesce(DocRequest.answered_at, DocRequest.closed_at,
                                                                      DocRequest.created_at).desc(), DocRequest.id)
                                 .limit(PORTAL_DONE_LIMIT)).all())
        rows = {r.id: r for r in _rows(session, waiting + done, today)}
    return PortalView([rows[i] for i in waiting], [rows[i] for i in done])


async def answer_files(actor: Actor, request_id: uuid.UUID | str, uploads: Sequence,
                       comment: str = '') -> DocRequestRow:
    """A client login answers with files: streamed into its Arquivos (inbox, competência of the request) under the
    same limits and quota as any upload, linked to the request, which becomes 'respondido'. Refused with nothing
    stored when a file is too large or not an accepted type, the quota is short, or the request no longer takes
    answers."""
    _require_client(actor, 'write')
    values = _validate_comment(comment)
    files._check_batch(uploads)
    declared = sum(files._declared(u) for u in uploads)
    await run.io_bound(_precheck_answer, actor, request_id, declared, True)
    received = await files._receive_all(uploads)
    try:
        return await run.io_bound(_commit_answer, actor, request_id, received, values)
    except BaseException:
        for r in received:
            r.discard()
        raise


def answer_nothing(actor: Actor, request_id: uuid.UUID | str, comment: str = '') -> DocRequestRow:
    """"Nada a enviar este mês", with an optional comment: the request becomes 'nada' (no more reminders)."""
    _require_client(actor, 'write')
    values = _validate_comment(comment)
    with unit(actor) as session:
        req = _request(session, request_id, actor, lock=True)
        if req.status not in WAITING:
            raise ValidationError(_answer_state_message(req.status), '')
        req.status, req.answered_at, req.answered_by = 'nada', clock.now(), actor.user_id
        req.answer_comment = values
        client = session.get(Client, req.client_id)
        body = 'Nada a enviar este mês.' + (f'\nComentário: {values}' if values else '')
        channels.tell(session, files.responsible_staff(session, client.id, TOOL), CATEGORY,
                      f'{client.name}: nada a enviar — {req.title}', body, f'/pedidos-documentos?pedido={req.id}')
        audit.record(session, actor, 'update', 'docrequest', req.id, f'{req.title}: nada a enviar')
        live.announce(session, TOOL, req.client_id, req.id)
        return _rows(session, [req.id], clock.today())[0]


def download(actor: Actor, request_id: uuid.UUID | str, file_id: uuid.UUID | str) -> files.Download:
    """A request's template or answer file, for staff with Pedidos de documentos or a login of its client (NotFound
    for any other pairing of ids). The office's first download of an answer file is recorded as in Arquivos."""
    _require_read(actor)
    with unit(actor) as session:
        req = _request(session, request_id, actor)
        key = as_uuid(file_id)
        linked = key == req.template_file_id or session.exec(
            select(DocRequestFile.file_id).where(DocRequestFile.request_id == req.id,
                                                 DocRequestFile.file_id == key)).first() is not None
        doc = session.get(DocFile, key) if linked else None
        if doc is None or doc.deleted_at is not None or doc.client_id != req.client_id or doc.origin == 'internal':
            raise NotFound('Arquivo não encontrado.')
        path = storage.backend().local_path(files.FOLDER, doc.stored_name)
        if path is not None and not path.is_file():
            raise NotFound('O arquivo não foi encontrado no armazenamento. Avise o escritório.')
        if not actor.is_client and doc.sender_side == 'client' and doc.office_downloaded_at is None:
            doc.office_downloaded_at, doc.office_downloaded_by = clock.now(), actor.user_id
            live.announce(session, files.TOOL, doc.client_id, doc.id)
            live.announce(session, TOOL, doc.client_id, req.id)
        name = filetypes.download_name(doc.original_name, files._filetype(doc.mime))
        stored = doc.stored_name
        return files.Download(name, doc.mime, doc.size, path, lambda: storage.backend().open(files.FOLDER, stored))


def file_url(request_id: uuid.UUID | str, file_id: uuid.UUID | str) -> str:
    return f'/pedidos-documentos/{request_id}/arquivos/{file_id}'


# --------------------------------------------------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------------------------------------------------

def to_review_count(session: Session, actor: Actor) -> int:
    """Staff badge: answers waiting for the office's review."""
    if actor.is_client or not actor.can(TOOL):
        return 0
    return session.exec(select(func.count()).select_from(DocRequest)
                        .where(DocRequest.status.in_(TO_REVIEW))).one()


def client_pending_count(session: Session, actor: Actor) -> int:
    """Client badge: its requests waiting for an answer."""
    if not actor.is_client or actor.client_id is None:
        return 0
    return session.exec(select(func.count()).select_from(DocRequest)
                        .where(DocRequest.client_id == actor.client_id, DocRequest.status.in_(WAITING))).one()


def home_pending(actor: Actor, limit: int = HOME_LIMIT) -> HomePending:
    """The client home: its waiting requests, soonest due first, and how many there are (one query)."""
    _require_client(actor)
    today = clock.today()
    with unit(actor) as session:
        found = session.exec(select(DocRequest.id, DocRequest.title, DocRequest.due_date, DocRequest.status,
                                    DocRequest.competence, func.count().over())
                             .where(DocRequest.client_id == actor.client_id, DocRequest.status.in_(WAITING))
                             .order_by(DocRequest.due_date, DocRequest.created_at, DocRequest.id).limit(limit)).all()
    rows = [PendingItem(rid, title, comp, due, status, due < today) for rid, title, due, status, comp, _ in found]
    return HomePending(rows, found[0][5] if found else 0)


def missing_this_month(actor: Actor, limit: int = HOME_CLIENTS, *, today: date | None = None) -> MissingThisMonth:
    """The staff home: per client, the requests still waiting for the client whose due date is this month or
    earlier — how many, how many overdue, the first due date and the first few titles. ONE set-based query (window
    functions), the clients with the soonest due date first, at most `limit` clients."""
    require(actor, TOOL)
    today = today or clock.today()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    per_client = (DocRequest.client_id,)
    inner = (select(DocRequest.client_id.label('cid'), Client.name.label('name'), Client.sort_name.label('sort'),
                    DocRequest.title.label('title'), DocRequest.due_date.label('due'),
                    func.row_number().over(partition_by=per_client,
                                           order_by=(DocRequest.due_date, DocRequest.id)).label('rn'),
                    func.count().over(partition_by=per_client).label('n'),
                    func.sum(case((DocRequest.due_date < today, 1), else_=0)).over(partition_by=per_client)
                    .label('late'),
                    func.min(DocRequest.due_date).over(partition_by=per_client).label('first_due'))
             .join(Client, Client.id == DocRequest.client_id)
             .where(DocRequest.status.in_(WAITING), DocRequest.due_date <= last, Client.active == True)  # noqa: E712
             .subquery())
    ranked = (select(inner, func.dense_rank().over(order_by=(inner.c.first_due, inner.c.sort, inner.c.cid))
                     .label('pos'),
                     func.sum(case((inner.c.rn == 1, 1), else_=0)).over().label('clients'))
              .where(inner.c.rn <= 3).subquery())
    query = (select(ranked.c.cid, ranked.c.name, ranked.c.title, ranked.c.n, ranked.c.late, ranked.c.first_due,
                    ranked.c.clients).where(ranked.c.pos <= limit).order_by(ranked.c.pos, ranked.c.rn))
    with unit(actor) as session:
        found = session.exec(query).all()
    clients: dict[uuid.UUID, MissingClient] = {}
    for cid, name, title, n, late, first_due, _ in found:
        key = _uuid(cid)
        if key not in clients:
            clients[key] = MissingClient(key, name, int(n), int(late or 0), _as_date(first_due), [])
        clients[key].titles.append(title)
    return MissingThisMonth(list(clients.values()), int(found[0][6]) if found else 0, first)


# --------------------------------------------------------------------------------------------------------------------
# Internals: validation
# --------------------------------------------------------------------------------------------------------------------

def _require_read(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'read')


def _require_client(actor: Actor, level: str = 'read') -> None:
    if not actor.is_client or actor.client_id is None:
        raise PermissionDenied()
    require(actor, PORTAL_TOOL, level)


def _reminder_values(every, most, errors: dict) -> dict:
    """Every N days / at most M (blank: the office's defaults)."""
    out = {}
    for key, value, name in ((SETTING_EVERY, every, 'remind_every_days'), (SETTING_MAX, most, 'remind_max')):
        if value is None or (isinstance(value, str) and not value.strip()):
            out[name] = office_settings.get_int(key)
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            out[name] = int(office_settings.parse(key, value))
        except ValidationError as e:
            errors[name] = next(iter(e.errors.values()))
    return out


def _validate_request(title, due_date, description, every, most) -> dict:
    errors: dict[str, str] = {}
    values = {'title': _text(title, 'title', errors, label='o título do pedido', required=True, max_len=200),
              'description': _text(description, 'description', errors, max_len=2000, multiline=True)}
    due = _day(due_date, 'due_date', errors, label='o prazo')
    if due is not None and due < clock.today():
        errors['due_date'] = 'O prazo não pode ser uma data passada.'
    values['due_date'] = due
    values.update(_reminder_values(every, most, errors))
    if errors:
        raise ValidationError(errors)
    return values


def _validate_rule(title, due_day, description, every, most) -> dict:
    errors: dict[str, str] = {}
    values = {'title': _text(title, 'title', errors, label='o título do pedido', required=True, max_len=200),
              'description': _text(description, 'description', errors, max_len=2000, multiline=True)}
    if '{' in values['title'].replace(PLACEHOLDER, '') or '}' in values['title'].replace(PLACEHOLDER, ''):
        errors['title'] = f'Use só {PLACEHOLDER} entre chaves (o mês de referência).'
    if isinstance(due_day, float) and due_day.is_integer():
        due_day = int(due_day)
    text = str(due_day).strip() if isinstance(due_day, (int, str)) and not isinstance(due_day, bool) else ''
    if not text.isdigit() or not 1 <= int(text) <= MAX_DUE_DAY:
        errors['due_day'] = f'Informe um dia de 1 a {MAX_DUE_DAY}.'
    else:
        values['due_day'] = int(text)
    values.update(_reminder_values(every, most, errors))
    if errors:
        raise ValidationError(errors)
    return values


def _validate_comment(comment) -> str:
    errors: dict[str, str] = {}
    text = _text(comment, 'comment', errors, max_len=1000, multiline=True)
    if errors:
        raise ValidationError(errors)
    return text


def _state_message(status: str, verb: str) -> str:
    if status in WAITING:
        return f'Não há resposta do cliente para {verb}: o pedido ainda aguarda o cliente.'
    if status == 'aceito':
        return 'Este pedido já foi aceito.'
    if status == 'fechado':
        return 'Este pedido já foi encerrado.'
    return f'Não é possível {verb} este pedido agora.'


def _answer_state_message(status: str) -> str:
    if status in TO_REVIEW:
        return 'Este pedido já foi respondido. Aguarde a conferência do escritório.'
    if status == 'aceito':
        return 'Este pedido já foi respondido e aceito pelo escritório.'
    return 'Este pedido foi encerrado pelo escritório: não é preciso responder.'


# --------------------------------------------------------------------------------------------------------------------
# Internals: writing
# --------------------------------------------------------------------------------------------------------------------

async def _receive_template(uploads: Sequence) -> list[storage.Received]:
    uploads = list(uploads or ())
    if not uploads:
        return []
    if len(uploads) > 1:
        raise ValidationError('Anexe um único arquivo de modelo.', 'template')
    try:
        return await files._receive_all(uploads)
    except ValidationError as e:
        raise ValidationError(next(iter(e.errors.values())), 'template') from e


def _store_template(session: Session, actor: Actor, client: Client, received: list[storage.Received],
                    competence: str = '') -> uuid.UUID | None:
    if not received:
        return None
    folder = files._find_folder(session, client.id, TEMPLATE_FOLDER)
    if folder is None:
        folder = DocFolder(client_id=client.id, path=TEMPLATE_FOLDER, created_by=actor.user_id)
        session.add(folder)
        session.flush()
    r = received[0]
    doc = files._add_file(session, actor, client.id, folder, r, r.commit(), 'office',
                          {'note': 'Modelo de pedido de documentos', 'competence': competence})
    session.flush()
    live.announce(session, files.TOOL, client.id, doc.id)
    return doc.id


def _target_client(session: Session, client_id) -> Client:
    if client_id in (None, ''):
        raise ValidationError('Escolha o cliente.', 'client_id')
    try:
        client = session.get(Client, as_uuid(client_id))
    except NotFound:
        client = None
    if client is None:
        raise ValidationError('Cliente não encontrado.', 'client_id')
    if not client.active:
        raise ValidationError(f'O cliente {client.name} está inativo.', 'client_id')
    return client


def _create(actor: Actor, client_id, values: dict, received: list[storage.Received]) -> DocRequestRow:
    with unit(actor) as session:
        client = _target_client(session, client_id)
        template = _store_template(session, actor, client, received)
        req = DocRequest(client_id=client.id, template_file_id=template, created_by=actor.user_id, **values)
        session.add(req)
        session.flush()
        _tell_clients_of_new(session, [{'id': req.id, 'client_id': client.id, 'title': req.title,
                                        'due_date': req.due_date}])
        audit.record(session, actor, 'create', 'docrequest', req.id,
                     f'{client.name}: {req.title}, prazo {formatting.day(req.due_date)}')
        live.announce(session, TOOL, client.id, req.id)
        return _rows(session, [req.id], clock.today())[0]


def _create_rule(actor: Actor, client_id, values: dict, received: list[storage.Received]) -> RuleRow:
    with unit(actor) as session:
        client = _target_client(session, client_id)
        template = _store_template(session, actor, client, received)
        rule = DocRequestRule(client_id=client.id, template_file_id=template, created_by=actor.user_id, **values)
        session.add(rule)
        session.flush()
        audit.record(session, actor, 'create', 'docrequest_rule', rule.id,
                     f'{client.name}: {rule.title}, todo dia {rule.due_day}')
        _generate(session, clock.today(), rule_ids=[rule.id])
        live.announce(session, TOOL, client.id, rule.id)
        return _rule_rows(session, [rule.id])[0]


def _precheck_answer(actor: Actor, request_id, declared: int, with_files: bool) -> None:
    """Before streaming anything: the request is the client's and takes answers, the declared sizes fit the quota."""
    with unit(actor) as session:
        req = _request(session, request_id, actor)
        _check_answerable(req, with_files)
        files._check_quota(session, actor.client_id, declared)


def _check_answerable(req: DocRequest, with_files: bool) -> None:
    allowed = WAITING + TO_REVIEW if with_files else WAITING  # more files may follow an answer not yet reviewed
    if req.status not in allowed:
        raise ValidationError(_answer_state_message(req.status), '')


def _commit_answer(actor: Actor, request_id, received: list[storage.Received], comment: str) -> DocRequestRow:
    with unit(actor) as session:
        client = files._active_client(session, actor.client_id, lock=True)  # one client's uploads queue here (quota)
        req = _request(session, request_id, actor, lock=True)
        _check_answerable(req, True)
        files._check_quota(session, client.id, sum(r.size for r in received))
        fields = {'note': f'Pedido: {req.title}'[:500], 'competence': req.competence}
        docs = [files._add_file(session, actor, client.id, None, r, r.commit(), 'client', fields) for r in received]
        session.flush()
        session.add_all([DocRequestFile(request_id=req.id, file_id=d.id) for d in docs])
        req.status, req.answered_at, req.answered_by = 'respondido', clock.now(), actor.user_id
        if comment:
            req.answer_comment = comment
        names = ', '.join(d.original_name for d in docs)
        count = len(docs)
        title = f'{client.name} respondeu: {req.title}'
        body = (f'{count} arquivo{"s" if count != 1 else ""}: {names}'[:900]
                + (f'\nComentário: {comment}' if comment else ''))
        channels.tell(session, files.responsible_staff(session, client.id, TOOL), CATEGORY, title, body,
                      f'/pedidos-documentos?pedido={req.id}')
        audit.record(session, actor, 'update', 'docrequest', req.id, f'{req.title}: {count} arquivo(s): {names}'[:2000])
        live.announce(session, TOOL, client.id, req.id)
        live.announce(session, files.TOOL, client.id, docs[0].id)
        return _rows(session, [req.id], clock.today())[0]


def _request(session: Session, request_id, actor: Actor, *, lock: bool = False) -> DocRequest:
    """A request by id; a client login only its own client's (NotFound otherwise, like a missing one)."""
    try:
        key = as_uuid(request_id)
    except NotFound:
        raise NotFound('Pedido não encontrado.') from None
    query = scoped(select(DocRequest).where(DocRequest.id == key), DocRequest, actor)
    req = session.exec(query.with_for_update() if lock else query).first()
    if req is None:
        raise NotFound('Pedido não encontrado.')
    return req


def _tell_client(session: Session, req: DocRequest, title: str, body: str) -> None:
    channels.tell(session, notifications.client_users(session, req.client_id), CATEGORY, title, body,
                  f'/portal/documentos?pedido={req.id}')


def _tell_clients_of_new(session: Session, rows: list[dict]) -> None:
    """Tell the logins of each client of its new requests: one query for the logins, then every notification and
    e-mail together (`_tell_many`)."""
    by_client: dict[uuid.UUID, list[dict]] = {}
    for r in rows:
        by_client.setdefault(r['client_id'], []).append(r)
    entries = []
    for chunk in _chunks(list(by_client), 900):
        for uid, cid in session.exec(select(User.id, User.client_id).where(User.client_id.in_(chunk),
                                                                          User.active == True)).all():  # noqa: E712
            for r in by_client[cid]:
                entries.append((uid, f'Novo pedido de documentos: {r["title"]}',
                                f'Prazo: {formatting.day(r["due_date"])}. Envie pelo portal, em Pedidos de '
                                f'documentos, ou marque "nada a enviar".', f'/portal/documentos?pedido={r["id"]}'))
    _tell_many(session, entries)


def _tell_many(session: Session, entries: list[tuple[uuid.UUID, str, str, str]]) -> None:
    """Many notifications with different texts: (user id, title, body, link) each, in one insert, announced live once
    after commit, and an e-mail to each user whose channel for 'documentos' includes e-mail (services/channels:
    the login's own choice, else the office default). A few queries whatever the number of entries."""
    if not entries:
        return
    ids = list(dict.fromkeys(uid for uid, *_ in entries))
    chosen: dict[uuid.UUID, str] = {}
    emails: dict[uuid.UUID, str] = {}
    for chunk in _chunks(ids, 900):
        chosen.update(channels.channels(session, chunk, CATEGORY))
        emails.update(session.exec(select(User.id, User.email).where(User.id.in_(chunk),
                                                                    User.active == True)).all())  # noqa: E712
    stamp = clock.now()
    rows = [{'id': uuid.uuid4(), 'user_id': uid, 'category': CATEGORY, 'title': title[:200], 'body': body[:1000],
             'link': link[:300], 'created_at': stamp, 'read_at': None}
            for uid, title, body, link in entries if uid in emails]
    notifications.notify_rows(session, rows)
    base = get_settings().public_url
    mail.queue_many(session, [mail.render(emails[uid], title, [p for p in body.split('\n') if p],
                                          link=('Abrir no Conton', f'{base}{link}') if link else None)
                              for uid, title, body, link in entries
                              if chosen.get(uid) in ('email', 'both') and emails.get(uid)])


# --------------------------------------------------------------------------------------------------------------------
# Internals: reading
# --------------------------------------------------------------------------------------------------------------------

def _rows(session: Session, ids: list[uuid.UUID], today: date) -> list[DocRequestRow]:
    if not ids:
        return []
    answered_by, reviewed_by, created_by = aliased(User), aliased(User), aliased(User)
    counts = (select(DocRequestFile.request_id, func.count().label('n'))
              .join(DocFile, DocFile.id == DocRequestFile.file_id)
              .where(DocRequestFile.request_id.in_(ids), DocFile.deleted_at.is_(None))
              .group_by(DocRequestFile.request_id).subquery())
    query = (select(DocRequest, Client.name, Client.document, DocFile.original_name, answered_by.name,
                    reviewed_by.name, created_by.name, counts.c.n)
             .join(Client, Client.id == DocRequest.client_id)
             .outerjoin(DocFile, and_(DocFile.id == DocRequest.template_file_id, DocFile.deleted_at.is_(None)))
             .outerjoin(answered_by, answered_by.id == DocRequest.answered_by)
             .outerjoin(reviewed_by, reviewed_by.id == DocRequest.reviewed_by)
             .outerjoin(created_by, created_by.id == DocRequest.created_by)
             .outerjoin(counts, counts.c.request_id == DocRequest.id)
             .where(DocRequest.id.in_(ids)))
    out = []
    for r, name, document, template, answerer, reviewer, creator, n in in_id_order(list(session.exec(query).all()),
                                                                                     ids, key=lambda x: x[0].id):
        out.append(DocRequestRow(r.id, r.client_id, name, document or '', r.rule_id, r.competence, r.title,
                                 r.description, r.due_date, r.status, r.status in WAITING and r.due_date < today,
                                 r.template_file_id if template is not None else None, template or '',
                                 r.remind_every_days, r.remind_max, r.answered_at, answerer or '', r.answer_comment,
                                 r.reviewed_at, reviewer or '', r.return_reason, r.created_at, creator or '',
                                 r.closed_at, n or 0))
    return out


def _detail(session: Session, req: DocRequest) -> DocRequestDetail:
    found = session.exec(select(DocFile.id, DocFile.original_name, DocFile.size, DocFile.type_label,
                                DocFile.created_at)
                         .join(DocRequestFile, DocRequestFile.file_id == DocFile.id)
                         .where(DocRequestFile.request_id == req.id, DocFile.deleted_at.is_(None))
                         .order_by(DocFile.created_at, DocFile.original_name)).all()
    return DocRequestDetail(_rows(session, [req.id], clock.today())[0], [AnswerFile(*f) for f in found])


def _rule_rows(session: Session, ids: list[uuid.UUID]) -> list[RuleRow]:
    if not ids:
        return []
    last = (select(DocRequest.rule_id, func.max(DocRequest.competence).label('comp'))
            .where(DocRequest.rule_id.in_(ids)).group_by(DocRequest.rule_id).subquery())
    query = (select(DocRequestRule, Client.name, DocFile.original_name, last.c.comp)
             .join(Client, Client.id == DocRequestRule.client_id)
             .outerjoin(DocFile, and_(DocFile.id == DocRequestRule.template_file_id, DocFile.deleted_at.is_(None)))
             .outerjoin(last, last.c.rule_id == DocRequestRule.id)
             .where(DocRequestRule.id.in_(ids)))
    out = []
    for r, name, template, comp in in_id_order(list(session.exec(query).all()), ids, key=lambda x: x[0].id):
        out.append(RuleRow(r.id, r.client_id, name, r.title, r.description, r.due_day,
                           r.template_file_id if template is not None else None, template or '', r.active,
                           r.remind_every_days, r.remind_max, r.created_at, r.ended_at, comp or ''))
    return out


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --------------------------------------------------------------------------------------------------------------------
# Reminders (source 'docrequest')
# --------------------------------------------------------------------------------------------------------------------

def _due_reminders(session: Session, window: reminders.Window) -> list[reminders.Reminder]:
    """The waiting requests of active clients whose reminder moment falls in the window: one query for the
    requests, one for the time of day, one for the logins. Runs again inside the delivery transaction, so a request
    answered, closed, or of a client made inactive meanwhile is never reminded."""
    at = office_settings.get_time(SETTING_TIME, session)
    rows = session.exec(select(DocRequest.id, DocRequest.client_id, DocRequest.title, DocRequest.due_date,
                               DocRequest.status, DocRequest.created_at, DocRequest.reviewed_at,
                               DocRequest.remind_every_days, DocRequest.remind_max)
                        .join(Client, Client.id == DocRequest.client_id)
                        .where(DocRequest.status.in_(WAITING), DocRequest.remind_max > 0,
                               Client.active == True)).all()  # noqa: E712
    due: list[tuple] = []
    for rid, cid, title, due_date, status, created, reviewed, every, most in rows:
        anchor = reviewed if status == 'devolvido' and reviewed is not None else created
        for k, when in schedule(anchor, due_date, every, most, at):
            if window.start <= when <= window.end:
                due.append((rid, cid, title, due_date, k, when, f'{clock.local(anchor):%Y%m%dT%H%M%S}', most))
    if not due:
        return []
    logins: dict[uuid.UUID, list[uuid.UUID]] = {}
    for chunk in _chunks(list({d[1] for d in due}), 900):
        for uid, cid in session.exec(select(User.id, User.client_id).where(User.client_id.in_(chunk),
                                                                          User.active == True)).all():  # noqa: E712
            logins.setdefault(cid, []).append(uid)
    today = window.today
    out = []
    for rid, cid, title, due_date, k, when, period, most in due:
        if due_date > today:
            days = (due_date - today).days
            when_text = f'o prazo é {"amanhã" if days == 1 else formatting.day(due_date)}'
        elif due_date == today:
            when_text = 'o prazo é hoje'
        else:
            when_text = f'o prazo era {formatting.day(due_date)}'
        out.append(reminders.Reminder(
            ITEM_KIND, rid, f'r{k}', period, when, logins.get(cid, []), CATEGORY,
            f'Lembrete: envie {title}'[:200],
            f'Ainda não recebemos: {title}; {when_text}. Envie os arquivos pelo portal, em Pedidos de documentos, '
            f'ou marque "nada a enviar este mês". (Lembrete {k} de {most})',
            f'/portal/documentos?pedido={rid}'))
    return out


def _deliver_reminders(session: Session, due: list[reminders.Reminder], _window: reminders.Window) -> None:
    """Each reminder as each login chose to be told of Pedidos de documentos (drawer always, e-mail by channel)."""
    _tell_many(session, [(uid, r.title, reminders.late_text(r.body) if r.late else r.body, r.link)
                         for r in due for uid in dict.fromkeys(r.recipients)])


# texts describe the present ("ainda não recebemos"), so never late
reminders.register(reminders.Source(ITEM_KIND, due=_due_reminders, deliver=_deliver_reminders,
                                    every=timedelta(minutes=1), late_after=None))


__all__ = ['CATEGORY', 'FINAL', 'ITEM_KIND', 'PLACEHOLDER', 'PORTAL_TOOL', 'STATUS_FILTERS', 'STATUS_LABELS',
           'TO_REVIEW', 'TOOL', 'WAITING', 'AnswerFile', 'DocRequestDetail', 'DocRequestFilter', 'DocRequestPage',
           'DocRequestRow', 'HomePending', 'MissingClient', 'MissingThisMonth', 'PendingItem', 'PortalView',
           'ReminderSettings',
           'RulePage', 'RuleRow', 'accept', 'answer_files', 'answer_nothing', 'client_name', 'client_options',
           'client_pending_count', 'close', 'competence_of', 'create', 'create_now', 'create_rule',
           'create_rule_now', 'download', 'end_rule', 'file_url', 'generate_due', 'get', 'get_rule', 'home_pending',
           'missing_this_month', 'parse_competence', 'parse_filter', 'portal', 'previous_month', 'reminder_settings',
           'request_title', 'rules', 'save_reminder_settings', 'schedule', 'search', 'send_back', 'to_review_count',
           'update_rule']
