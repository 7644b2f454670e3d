"""A client's history: atendimentos, solicitações, pedidos de documentos, protocolos and files of one client together,
newest first, filterable by kind and period, paged on the server, and exported as a PDF per period.

A read model across tools: it reads their tables directly, in ONE statement per page — a UNION ALL of one small
SELECT per kind, each filtered by the client (and the period) on that table's own client index, ordered and paged
over the union, with the total as a window count — plus one statement for the counts per kind and one for the client.
Staff only (tool 'servicelog', read); each kind is included only when the actor may read its tool (a staff member
without Protocolos does not see the client's protocols here either). Files are those of Arquivos (origin ''), not a
request's attachments (they belong to the request's thread) nor deleted ones; deleted atendimentos are left out.

An atendimento has a day, not a moment: it is placed at noon (office time) of that day among the others.
"""
from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy import func, literal_column, union_all
from sqlmodel import Session, select

from .. import clock, formatting
from ..models import Client, ClientRequest, DocFile, DocRequest, Protocol, RequestCategory, RequestMessage, \
    ServiceRecord, User
from ..pdf.history import HistoryDoc, HistoryDocEntry, history_pdf
from . import files, protocols, servicelog
from .base import as_uuid, unit
from .errors import NotFound, PermissionDenied
from .permissions import Actor, require

TOOL = servicelog.TOOL
KINDS = {'atendimento': 'Atendimento', 'solicitacao': 'Solicitação', 'pedido': 'Pedido de documentos',
         'protocolo': 'Protocolo', 'arquivo': 'Arquivo'}
KIND_PLURALS = {'atendimento': 'Atendimentos', 'solicitacao': 'Solicitações', 'pedido': 'Pedidos de documentos',
                'protocolo': 'Protocolos', 'arquivo': 'Arquivos'}
KIND_TOOLS = {'atendimento': 'servicelog', 'solicitacao': 'requests', 'pedido': 'docrequests',
              'protocolo': 'protocols', 'arquivo': 'files'}
REQUEST_STATUS = {'aberta': 'Aberta', 'andamento': 'Em andamento', 'aguardando': 'Aguardando cliente',
                  'concluida': 'Concluída'}
DOCREQUEST_STATUS = {'pendente': 'Pendente', 'respondido': 'Respondido', 'nada': 'Nada a enviar', 'aceito': 'Aceito',
                     'devolvido': 'Devolvido', 'fechado': 'Fechado'}
SERVICE_STATUS = {'visivel': 'Visível ao cliente', 'interno': 'Interno'}
FILE_STATUS = {'office': 'Enviado pelo escritório', 'client': 'Enviado pelo cliente'}
MAX_PDF_ROWS = 5000


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    id: uuid.UUID
    at: datetime  # UTC (an atendimento: noon of its day, office time)
    title: str
    status: str
    code: str  # channel / category / competência / protocol kind / file type
    person: str  # staff member / assignee / sender
    number: int | None  # duration (min) / request number / file size
    count: int | None  # a request's messages
    day: date | None  # follow-up / due date
    note: str

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def when(self) -> str:
        """'05/03/2026' for an atendimento (a day), '05/03/2026 14:03' otherwise."""
        return formatting.day(self.at) if self.kind == 'atendimento' else formatting.when(self.at)

    @property
    def local_day(self) -> date:
        return clock.local(self.at).date()

    @property
    def status_key(self) -> str:
        if self.kind == 'protocolo':
            return protocols.effective_status(self.status, self.day)
        return self.status

    @property
    def status_label(self) -> str:
        labels = {'atendimento': SERVICE_STATUS, 'solicitacao': REQUEST_STATUS, 'pedido': DOCREQUEST_STATUS,
                  'protocolo': protocols.STATUS_LABELS, 'arquivo': FILE_STATUS}[self.kind]
        return labels.get(self.status_key, self.status_key)

    @property
    def title_text(self) -> str:
        return f'#{self.number} {self.title}' if self.kind == 'solicitacao' and self.number else self.title

    @property
    def detail(self) -> str:
        """The second line: what kind of thing it was, who, how long, until when."""
        parts: list[str] = []
        if self.kind == 'atendimento':
            parts = [servicelog.CHANNELS.get(self.code, self.code), self.person,
                     servicelog.duration_label(self.number or 0)]
            if self.day:
                parts.append(f'retorno {formatting.day(self.day)}')
            if self.note:
                parts.append(f'resultado: {self.note}')
        elif self.kind == 'solicitacao':
            parts = [self.code, f'responsável: {self.person}' if self.person else 'sem responsável']
            if self.count:
                parts.append(f'{self.count} mensage{"ns" if self.count != 1 else "m"}')
        elif self.kind == 'pedido':
            if self.code:
                parts.append(f'competência {formatting.competence(self.code)}')
            if self.day:
                parts.append(f'vence {formatting.day(self.day)}')
        elif self.kind == 'protocolo':
            parts = [protocols.KIND_LABELS.get(self.code, self.code)]
            if self.day:
                parts.append(f'vence {formatting.day(self.day)}')
        else:
            parts = [self.code, files.size_label(self.number or 0), self.person]
            if self.note:
                parts.append(self.note)
        return ' · '.join(p for p in parts if p)

    @property
    def url(self) -> str:
        return {'atendimento': f'/atendimentos?atendimento={self.id}',
                'solicitacao': f'/solicitacoes/{self.id}',
                'pedido': f'/pedidos-documentos?pedido={self.id}',
                'protocolo': f'/protocolos/{self.id}',
                'arquivo': files.download_url(self.id)}[self.kind]


@dataclass(frozen=True)
class HistoryPage:
    client_id: uuid.UUID
    client_name: str
    client_document: str
    rows: list[HistoryEntry]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]  # per kind, in the period (whatever kind is chosen)
    kinds: tuple[str, ...]  # the kinds this actor may see

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def kinds_for(actor: Actor) -> tuple[str, ...]:
    return tuple(k for k, tool in KIND_TOOLS.items() if actor.can(tool, 'read'))


def page(actor: Actor, client_id: uuid.UUID | str, *, kind: str = '', start: date | None = None,
         end: date | None = None, page: int = 1, per_page: int = 30) -> HistoryPage:
    """One page of the client's history. `kind` '' = every kind the actor may read; `start`/`end` office-local days,
    both inclusive. Three statements (the client, the page with its total, the counts per kind)."""
    allowed = _allowed(actor)
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    key = as_uuid(client_id)
    with unit(actor) as session:
        client = session.exec(select(Client.name, Client.document).where(Client.id == key)).first()
        if client is None:
            raise NotFound()
        chosen = (kind,) if kind in allowed else allowed
        rows, total = _page(session, key, chosen, start, end, (page - 1) * per_page, per_page)
        counts = _counts(session, key, allowed, start, end)
        if not rows and page > 1:
            matching = sum(counts.get(k, 0) for k in chosen)
            if matching:
                page = max(1, -(-matching // per_page))
                rows, total = _page(session, key, chosen, start, end, (page - 1) * per_page, per_page)
        return HistoryPage(key, client[0], client[1], rows, total, page, per_page, counts, allowed)


def pdf(actor: Actor, client_id: uuid.UUID | str, *, kind: str = '', start: date | None = None,
        end: date | None = None) -> tuple[str, bytes]:
    """The history of the period as a PDF (file name, bytes), at most MAX_PDF_ROWS entries, newest first. Blocking:
    from a route through run.io_bound. Read in one short transaction; drawn after it."""
    from .office import branding
    from ..models import Office
    allowed = _allowed(actor)
    key = as_uuid(client_id)
    with unit(actor) as session:
        client = session.exec(select(Client.name, Client.document).where(Client.id == key)).first()
        if client is None:
            raise NotFound()
        chosen = (kind,) if kind in allowed else allowed
        rows, total = _page(session, key, chosen, start, end, 0, MAX_PDF_ROWS)
        office = session.get(Office, 1)
        office_document = office.document if office else ''
    period = period_label(start, end)
    doc = HistoryDoc(
        office_name=branding().name, office_document=office_document, client_name=client[0],
        client_document=client[1], period=period,
        kinds=KIND_PLURALS[kind] if kind in allowed else 'Todos os tipos',
        entries=[HistoryDocEntry(r.when, r.kind_label, r.title_text, r.detail, r.status_label) for r in rows],
        total=total, printed=formatting.when(clock.now()))
    stamp = '-'.join(d.strftime('%Y%m%d') for d in (start, end) if d) or 'completo'
    return f'historico-{_slug(client[0])}-{stamp}.pdf', history_pdf(doc)


def period_label(start: date | None, end: date | None) -> str:
    if start and end:
        return f'{formatting.day(start)} a {formatting.day(end)}'
    if start:
        return f'a partir de {formatting.day(start)}'
    if end:
        return f'até {formatting.day(end)}'
    return 'Todo o período'


# --------------------------------------------------------------------------------------------------------------------
# The union
# --------------------------------------------------------------------------------------------------------------------

def _allowed(actor: Actor) -> tuple[str, ...]:
    if actor.is_client:
        raise PermissionDenied()
    require(actor, TOOL, 'read')
    return kinds_for(actor)


def _page(session: Session, client_id: uuid.UUID, kinds: tuple[str, ...], start: date | None, end: date | None,
          offset: int, limit: int) -> tuple[list[HistoryEntry], int]:
    if not kinds:
        return [], 0
    statement = _statement(_dialect(session), kinds, start is not None, end is not None, False, _shift())
    found = session.exec(statement, params={**_params(client_id, start, end), 'offset': offset, 'limit': limit}).all()
    rows = [HistoryEntry(r[0], r[1], _aware(r[2]), r[3] or '', r[4] or '', r[5] or '', r[6] or '', r[7], r[8], r[9],
                         r[10] or '') for r in found]
    return rows, (found[0][-1] if found else 0)


def _counts(session: Session, client_id: uuid.UUID, kinds: tuple[str, ...], start: date | None,
            end: date | None) -> dict[str, int]:
    if not kinds:
        return {}
    statement = _statement(_dialect(session), kinds, start is not None, end is not None, True, _shift())
    return {k: n for k, n in session.exec(statement, params=_params(client_id, start, end)).all()}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _shift() -> timedelta:
    """From a day's midnight to its noon in the office's time zone, in UTC (the office's current offset: Brazil has
    had no summer time since 2019)."""
    return timedelta(hours=12) - (clock.local(clock.now()).utcoffset() or timedelta(0))


def _params(client_id: uuid.UUID, start: date | None, end: date | None) -> dict:
    return {'client_id': client_id, 'start': start, 'end': end,
            'lo': _day_start(start) if start else None, 'hi': _day_start(end + timedelta(days=1)) if end else None}


@functools.lru_cache(maxsize=512)
def _statement(dialect: str, kinds: tuple[str, ...], has_start: bool, has_end: bool, narrow: bool,
               shift: timedelta):
    """The page statement (`narrow`: the counts per kind) for this set of kinds and period bounds, built once with
    bind parameters (client_id, start/end, lo/hi, offset/limit): building a five-SELECT union costs far more than
    running it on a client's few hundred rows, so the SQL expression (and SQLAlchemy's compiled form) is reused."""
    u = _union(dialect, kinds, has_start, has_end, narrow, shift).subquery('history')
    if narrow:
        return select(u.c.kind, func.count()).group_by(u.c.kind)
    return (select(*u.c, func.count().over()).order_by(u.c.at.desc(), u.c.kind, u.c.id)
            .offset(sa.bindparam('offset', type_=sa.Integer)).limit(sa.bindparam('limit', type_=sa.Integer)))


def _union(dialect: str, kinds: tuple[str, ...], has_start: bool, has_end: bool, narrow: bool, shift: timedelta):
    """UNION ALL of one SELECT per kind with the same columns: kind, id, at, title, status, code, person, number,
    count, day, note (`narrow`: kind and id only, for the counts)."""
    client = sa.bindparam('client_id')
    lo, hi = sa.bindparam('lo'), sa.bindparam('hi')

    def period(column):
        conds = []
        if has_start:
            conds.append(column >= lo)
        if has_end:
            conds.append(column < hi)
        return conds

    def columns(kind: str, id_, at, title, status, code, person, number, count, day, note):
        head = [literal_column(f"'{kind}'").label('kind'), id_.label('id')]
        if narrow:
            return head
        return head + [at.label('at'), title.label('title'), status.label('status'), code.label('code'),
                       person.label('person'), number.label('number'), count.label('count'), day.label('day'),
                       note.label('note')]

    parts = []
    no_text, no_int, no_day = sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.Date)
    if 'atendimento' in kinds:
        staff = User.__table__.alias('hs_staff')
        status = sa.case((ServiceRecord.visible_to_client == True, 'visivel'), else_='interno')  # noqa: E712
        query = select(*columns('atendimento', ServiceRecord.id, _noon(dialect, ServiceRecord.happened_on, shift),
                                ServiceRecord.subject, status, ServiceRecord.channel, staff.c.name,
                                ServiceRecord.duration_minutes, no_int, ServiceRecord.follow_up_on,
                                ServiceRecord.outcome))
        if not narrow:
            query = query.outerjoin(staff, staff.c.id == ServiceRecord.staff_id)
        conds = [ServiceRecord.client_id == client, ServiceRecord.deleted_at.is_(None)]
        if has_start:
            conds.append(ServiceRecord.happened_on >= sa.bindparam('start'))
        if has_end:
            conds.append(ServiceRecord.happened_on <= sa.bindparam('end'))
        parts.append(query.select_from(ServiceRecord).where(*conds))
    if 'solicitacao' in kinds:
        assignee = User.__table__.alias('hs_assignee')
        messages = (select(func.count()).where(RequestMessage.request_id == ClientRequest.id)
                    .correlate(ClientRequest).scalar_subquery())
        query = select(*columns('solicitacao', ClientRequest.id, ClientRequest.created_at, ClientRequest.subject,
                                ClientRequest.status, RequestCategory.name, assignee.c.name, ClientRequest.number,
                                messages, no_day, no_text))
        if not narrow:
            query = (query.select_from(ClientRequest)
                     .outerjoin(RequestCategory, RequestCategory.id == ClientRequest.category_id)
                     .outerjoin(assignee, assignee.c.id == ClientRequest.assignee_id))
        parts.append(query.select_from(ClientRequest).where(ClientRequest.client_id == client,
                                                           *period(ClientRequest.created_at)))
    if 'pedido' in kinds:
        parts.append(select(*columns('pedido', DocRequest.id, DocRequest.created_at, DocRequest.title,
                                     DocRequest.status, DocRequest.competence, no_text, no_int, no_int,
                                     DocRequest.due_date, DocRequest.answer_comment))
                     .select_from(DocRequest)
                     .where(DocRequest.client_id == client, *period(DocRequest.created_at)))
    if 'protocolo' in kinds:
        parts.append(select(*columns('protocolo', Protocol.id, Protocol.created_at, Protocol.title, Protocol.status,
                                     Protocol.kind, no_text, no_int, no_int, Protocol.due_date, Protocol.note))
                     .select_from(Protocol)
                     .where(Protocol.client_id == client, *period(Protocol.created_at)))
    if 'arquivo' in kinds:
        sender = User.__table__.alias('hs_sender')
        query = select(*columns('arquivo', DocFile.id, DocFile.created_at, DocFile.original_name, DocFile.sender_side,
                                DocFile.type_label, sender.c.name, sa.cast(DocFile.size, sa.BigInteger), no_int,
                                no_day, DocFile.note))
        if not narrow:
            query = query.select_from(DocFile).outerjoin(sender, sender.c.id == DocFile.sender_id)
        parts.append(query.select_from(DocFile).where(DocFile.client_id == client, DocFile.deleted_at.is_(None),
                                                      DocFile.origin == '', *period(DocFile.created_at)))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _noon(dialect: str, column, shift: timedelta):
    """Noon of a stored day (office time) as a UTC timestamp the other kinds' datetimes compare with."""
    if dialect == 'postgresql':
        return sa.cast(column, sa.DateTime) + sa.literal(shift, sa.Interval)
    return sa.type_coerce(func.datetime(column, f'{int(shift.total_seconds()):+d} seconds'), sa.DateTime)


def _day_start(day: date) -> datetime:
    """Office-local midnight of `day`, in UTC."""
    return datetime.combine(day, time(0), tzinfo=clock.tz()).astimezone(timezone.utc)


def _aware(value) -> datetime:
    if isinstance(value, str):  # SQLite, should a driver hand the text back
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _slug(name: str) -> str:
    from ..models.people import fold
    text = ''.join(ch if ch.isalnum() else '-' for ch in fold(name))
    return '-'.join(p for p in text.split('-') if p)[:40] or 'cliente'


__all__ = ['KINDS', 'KIND_PLURALS', 'HistoryEntry', 'HistoryPage', 'kinds_for', 'page', 'pdf', 'period_label']
