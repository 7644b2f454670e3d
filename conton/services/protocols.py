"""Protocolos: formal delivery of documents to a client, with proof of receipt.

Staff (tool 'protocols') send a protocol — type, competência, due date and amount (optional), note, one or more files
taken from the client's Arquivos or uploaded with it — and the client's logins are told. The first opening or download
by a login of that client records "Visualizado" (when, which login, IP as seen through the proxy); staff opening it
records nothing. The client may then "Confirmar recebimento"; a delivery on paper is recorded by staff (receiver and
date); staff may cancel with a reason. Every step is appended to the protocol's event log, printed on the receipt PDF.

Statuses stored: enviado, visualizado, confirmado, cancelado; "vencido sem visualização" is an 'enviado' protocol
whose due date has passed (`effective_status`), so it needs no job to become true.

Reminders (services/reminders.py, kind 'protocol'): to the client's logins for a protocol still unopened 3 days and 1
day before its due date, and to the client's responsible staff member (or every staff member with Protocolos) when it
is still unopened on the due date. Each exactly once.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from nicegui import run
from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from .. import clock, formatting
from ..br.money import parse_money
from ..models import Client, DocFile, Protocol, ProtocolEvent, ProtocolFile, User
from ..models.documents import PROTOCOL_KINDS
from ..models.people import fold
from ..pdf.protocol import ProtocolDoc, ProtocolDocEvent, ProtocolDocFile, protocol_pdf
from . import audit, channels, files, filetypes, live, notifications, reminders, storage
from .base import as_uuid, get_scoped, in_id_order, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .money import MAX_AMOUNT_CENTS
from .permissions import Actor, require

TOOL, PORTAL_TOOL = 'protocols', 'portal_protocols'
ITEM_KIND = 'protocol'
KIND_LABELS = {'guia': 'Guia de imposto', 'folha': 'Folha de pagamento', 'contrato': 'Contrato',
               'declaracao': 'Declaração', 'outro': 'Outro'}
STATUS_LABELS = {'enviado': 'Enviado', 'visualizado': 'Visualizado', 'confirmado': 'Confirmado',
                 'vencido': 'Vencido sem visualização', 'cancelado': 'Cancelado'}
EVENT_LABELS = {'created': 'Protocolo enviado', 'emailed': 'Aviso enviado por e-mail', 'viewed': 'Visualizado',
                'downloaded': 'Documento baixado', 'confirmed': 'Recebimento confirmado',
                'delivered': 'Entregue em mãos', 'cancelled': 'Cancelado'}
CLIENT_LEADS = (('d3', 3), ('d1', 1))  # (level, days before the due date) for the client's logins
REMIND_AT = time(9, 0)  # office-local hour of the reminders
UPLOAD_FOLDER = 'Protocolos'  # where files uploaded with a protocol go in the client's Arquivos


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProtocolRow:
    id: uuid.UUID
    number: str  # short, for people: the first 8 hex digits of the id, upper-case
    client_id: uuid.UUID
    client_name: str
    kind: str
    kind_label: str
    title: str
    competence: str  # 'AAAA-MM' or ''
    due_date: date | None
    amount_cents: int | None
    note: str
    status: str  # enviado | visualizado | confirmado | vencido | cancelado (effective)
    status_label: str
    created_at: datetime
    viewed_at: datetime | None
    viewed_by_name: str
    viewed_ip: str
    confirmed_at: datetime | None
    receiver_name: str
    delivered_on: date | None
    cancel_reason: str
    file_count: int

    @property
    def url(self) -> str:
        return staff_url(self.id)

    @property
    def portal_url(self) -> str:
        return portal_url(self.id)


@dataclass(frozen=True)
class EventRow:
    kind: str
    label: str
    at: datetime
    user_name: str
    ip: str
    detail: str


@dataclass(frozen=True)
class ProtocolDetail:
    protocol: ProtocolRow
    files: list[files.FileRow]
    events: list[EventRow]


@dataclass(frozen=True)
class ProtocolPage:
    rows: list[ProtocolRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --------------------------------------------------------------------------------------------------------------------
# Sending, viewing, confirming, cancelling
# --------------------------------------------------------------------------------------------------------------------

async def create(actor: Actor, *, client_id: uuid.UUID | str, kind: str, title: str = '', competence: str = '',
                 due_date: date | str | None = None, amount: str | int | None = '', note: str = '',
                 file_ids: Iterable[uuid.UUID | str] = (), uploads: Sequence = ()) -> ProtocolRow:
    """Send a protocol with files from the client's Arquivos (`file_ids`) and/or uploaded now (`uploads`: NiceGUI
    uploads, stored in the client's 'Protocolos' folder). The client's logins are told (drawer, and e-mail as each
    chose); all or nothing."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    if not client_id:
        errors['client_id'] = 'Escolha o cliente.'
    try:
        values = _validate(kind, title, competence, due_date, amount, note)
    except ValidationError as e:
        errors.update(e.errors)
    ids = list(dict.fromkeys(as_uuid(f) for f in file_ids))
    if not ids and not uploads:
        errors['files'] = 'Anexe pelo menos um documento.'
    if errors:  # every bad field at once, before any upload is received
        raise ValidationError(errors)
    received = await files._receive_all(uploads) if uploads else []
    try:
        return await run.io_bound(_create, actor, as_uuid(client_id), values, ids, received)
    except BaseException:
        for r in received:
            r.discard()
        raise


def view(actor: Actor, protocol_id: uuid.UUID | str, ip: str = '') -> ProtocolDetail:
    """Open a protocol: a client login's first opening records "Visualizado" (once); staff record nothing."""
    _require_read(actor)
    with unit(actor) as session:
        protocol = get_scoped(session, Protocol, protocol_id, actor)
        if actor.is_client:
            _mark_viewed(session, actor, protocol, ip or actor.ip)
        return _detail(session, protocol)


def get(actor: Actor, protocol_id: uuid.UUID | str) -> ProtocolDetail:
    """Read without recording anything (lists, refreshes)."""
    _require_read(actor)
    with unit(actor) as session:
        return _detail(session, get_scoped(session, Protocol, protocol_id, actor))


def confirm(actor: Actor, protocol_id: uuid.UUID | str, ip: str = '') -> ProtocolRow:
    """'Confirmar recebimento' by a login of the client (it counts as an opening too)."""
    if not actor.is_client:
        raise PermissionDenied()
    require(actor, PORTAL_TOOL, 'write')
    with unit(actor) as session:
        protocol = get_scoped(session, Protocol, protocol_id, actor)
        if protocol.status == 'cancelado':
            raise ValidationError('Este protocolo foi cancelado pelo escritório.', '')
        if protocol.status == 'confirmado':
            return _row(session, protocol)
        _mark_viewed(session, actor, protocol, ip or actor.ip)
        protocol.status, protocol.confirmed_at, protocol.confirmed_by = 'confirmado', clock.now(), actor.user_id
        _event(session, protocol, 'confirmed', actor, ip or actor.ip)
        channels.tell(session, _staff_for(session, protocol.client_id), 'protocolos',
                      f'Recebimento confirmado: {protocol.title}', f'{_client_name(session, protocol)}',
                      staff_url(protocol.id))
        live.announce(session, TOOL, protocol.client_id, protocol.id)
        return _row(session, protocol)


def deliver_manually(actor: Actor, protocol_id: uuid.UUID | str, *, receiver_name: str,
                     delivered_on: date | str | None) -> ProtocolRow:
    """A delivery on paper: who received it and when; the protocol counts as confirmed."""
    require(actor, TOOL, 'write')
    name = ' '.join((receiver_name or '').split())
    errors = {}
    if not name:
        errors['receiver_name'] = 'Informe quem recebeu.'
    elif len(name) > 120:
        errors['receiver_name'] = 'Nome longo demais (até 120 caracteres).'
    try:
        day = delivered_on if isinstance(delivered_on, date) else formatting.parse_day(delivered_on)
    except ValueError as e:
        errors['delivered_on'] = str(e)
        day = None
    if day is None and 'delivered_on' not in errors:
        errors['delivered_on'] = 'Informe a data da entrega.'
    elif day is not None and day > clock.today():
        errors['delivered_on'] = 'A data da entrega não pode estar no futuro.'
    if errors:
        raise ValidationError(errors)
    with unit(actor) as session:
        protocol = get_scoped(session, Protocol, protocol_id, actor)
        if protocol.status in ('cancelado', 'confirmado'):
            raise ValidationError('Este protocolo já foi ' + ('cancelado.' if protocol.status == 'cancelado'
                                                                else 'confirmado.'), '')
        protocol.status, protocol.receiver_name, protocol.delivered_on = 'confirmado', name, day
        protocol.confirmed_at, protocol.confirmed_by = clock.now(), actor.user_id
        _event(session, protocol, 'delivered', actor, actor.ip, f'recebido por {name} em {day:%d/%m/%Y}')
        audit.record(session, actor, 'update', 'protocol', protocol.id, f'entregue em mãos a {name}')
        live.announce(session, TOOL, protocol.client_id, protocol.id)
        return _row(session, protocol)


def cancel(actor: Actor, protocol_id: uuid.UUID | str, reason: str) -> ProtocolRow:
    require(actor, TOOL, 'write')
    text = ' '.join((reason or '').split())
    if not text:
        raise ValidationError('Informe o motivo do cancelamento.', 'reason')
    if len(text) > 500:
        raise ValidationError('Motivo longo demais (até 500 caracteres).', 'reason')
    with unit(actor) as session:
        protocol = get_scoped(session, Protocol, protocol_id, actor)
        if protocol.status == 'cancelado':
            raise ValidationError('Este protocolo já foi cancelado.', '')
        protocol.status, protocol.cancel_reason = 'cancelado', text
        protocol.cancelled_at, protocol.cancelled_by = clock.now(), actor.user_id
        _event(session, protocol, 'cancelled', actor, actor.ip, text[:300])
        channels.tell(session, notifications.client_users(session, protocol.client_id), 'protocolos',
                      f'Protocolo cancelado: {protocol.title}', text, portal_url(protocol.id))
        audit.record(session, actor, 'update', 'protocol', protocol.id, f'cancelado: {text}')
        live.announce(session, TOOL, protocol.client_id, protocol.id)
        return _row(session, protocol)


def record_client_download(session: Session, actor: Actor, file_id: uuid.UUID, ip: str) -> None:
    """Inside files.download for a client login: every open protocol of its client holding this file records the
    download, and "Visualizado" if it was not yet."""
    query = (select(Protocol).join(ProtocolFile, ProtocolFile.protocol_id == Protocol.id)
             .where(ProtocolFile.file_id == file_id, Protocol.client_id == actor.client_id,
                    Protocol.status != 'cancelado'))
    for protocol in session.exec(query).all():
        _mark_viewed(session, actor, protocol, ip)
        name = session.exec(select(DocFile.original_name).where(DocFile.id == file_id)).one()
        _event(session, protocol, 'downloaded', actor, ip, name[:300])
        live.announce(session, TOOL, protocol.client_id, protocol.id)


def download(actor: Actor, protocol_id: uuid.UUID | str, file_id: uuid.UUID | str, ip: str = '') -> files.Download:
    """A document of a protocol, for the streaming route (downloads.py): staff with Protocolos (Arquivos not needed)
    or a login of the protocol's client; NotFound for a file that is not in this protocol, or a protocol that is not
    the actor's. A client login's download records "Visualizado" (once) and a download event."""
    _require_read(actor)
    fid = as_uuid(file_id)
    with unit(actor) as session:
        protocol = get_scoped(session, Protocol, protocol_id, actor)
        doc = session.exec(select(DocFile).join(ProtocolFile, ProtocolFile.file_id == DocFile.id)
                           .where(ProtocolFile.protocol_id == protocol.id, DocFile.id == fid,
                                  DocFile.client_id == protocol.client_id)).first()
        if doc is None or doc.deleted_at is not None:
            raise NotFound()
        path = storage.backend().local_path(files.FOLDER, doc.stored_name)
        if path is not None and not path.is_file():
            raise NotFound('O arquivo não foi encontrado no armazenamento. Avise o escritório.')
        if actor.is_client:
            record_client_download(session, actor, doc.id, ip or actor.ip)
        name = filetypes.download_name(doc.original_name, files._filetype(doc.mime))
        stored = doc.stored_name
        return files.Download(name, doc.mime, doc.size, path, lambda: storage.backend().open(files.FOLDER, stored))


def download_url(protocol_id: uuid.UUID | str, file_id: uuid.UUID | str) -> str:
    return f'/protocolos/{protocol_id}/documentos/{file_id}'


def receipt_url(protocol_id: uuid.UUID | str) -> str:
    return f'/protocolos/{protocol_id}/recibo.pdf'


def staff_url(protocol_id: uuid.UUID | str) -> str:
    return f'/protocolos/{protocol_id}'


def portal_url(protocol_id: uuid.UUID | str) -> str:
    return f'/portal/protocolos/{protocol_id}'


# --------------------------------------------------------------------------------------------------------------------
# Lists and the receipt
# --------------------------------------------------------------------------------------------------------------------

def search(actor: Actor, *, client_id: uuid.UUID | str | None = None, status: str = '', text: str = '',
           kind: str = '', pending: bool = False, page: int = 1, per_page: int = 30) -> ProtocolPage:
    """One page of protocols, newest first; a client login sees its own. `status`: an effective status ('vencido':
    unopened past its due date); `pending`: not confirmed nor cancelled, by due date (staff's "pendentes"). Two
    queries: the page of ids with the total, then its rows."""
    _require_read(actor)
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    today = clock.today()
    conds = []
    if actor.is_client:
        conds.append(Protocol.client_id == actor.client_id)
    elif client_id:
        conds.append(Protocol.client_id == as_uuid(client_id))
    if status == 'vencido':
        conds += [Protocol.status == 'enviado', Protocol.due_date < today]
    elif status == 'enviado':
        conds += [Protocol.status == 'enviado', or_(Protocol.due_date.is_(None), Protocol.due_date >= today)]
    elif status in STATUS_LABELS:
        conds.append(Protocol.status == status)
    if kind in KIND_LABELS:
        conds.append(Protocol.kind == kind)
    if pending:
        conds.append(Protocol.status.in_(('enviado', 'visualizado')))
    words = fold(text)
    if words:
        pattern = f'%{files._like(words)}%'
        conds.append(or_(Protocol.search_text.like(pattern, escape='\\'),  # both sides folded: 'declaracao' finds
                         Client.sort_name.like(pattern, escape='\\')))   # 'Declaração', and 'DECLARAÇÃO' finds it too
    order = ((Protocol.due_date.is_(None), Protocol.due_date, Protocol.id) if pending
             else (Protocol.created_at.desc(), Protocol.id))
    with unit(actor) as session:
        found = session.exec(select(Protocol.id, func.count().over()).join(Client, Client.id == Protocol.client_id)
                             .where(*conds).order_by(*order).offset((page - 1) * per_page).limit(per_page)).all()
        ids = [r[0] for r in found]
        rows = _rows(session, ids)
    return ProtocolPage(rows, found[0][1] if found else 0, page, per_page)


def client_options(actor: Actor, text: str = '', *, include: uuid.UUID | str | None = None,
                   limit: int = 30) -> dict[str, str]:
    """Active clients matching a name, trade name, e-mail or CPF/CNPJ, for the searchable picker of a new protocol
    (at most `limit`, never the whole directory; plus `include`, the one already chosen): {id: 'Name — document'}."""
    require(actor, TOOL, 'write')
    from .receivables import _client_match
    text = ' '.join((text or '').split())[:100]
    with unit(actor) as session:
        query = select(Client.id, Client.name, Client.document).where(Client.active == True)  # noqa: E712
        if text:
            query = query.where(_client_match(text))
        rows = list(session.exec(query.order_by(Client.sort_name, Client.id).limit(limit)).all())
        if include:
            key = as_uuid(include)
            if all(r[0] != key for r in rows):
                rows += session.exec(select(Client.id, Client.name, Client.document)
                                     .where(Client.id == key, Client.active == True)).all()  # noqa: E712
    return {str(i): f'{n} — {formatting.document(d)}' for i, n, d in rows}


def client_files(actor: Actor, client_id: uuid.UUID | str, text: str = '', *,
                 include: Iterable[uuid.UUID | str] = (), limit: int = 30) -> list[files.FileRow]:
    """The client's Arquivos a new protocol may take (for staff with Protocolos write; Arquivos not needed): newest
    first, matching `text` in the name, at most `limit`, plus the ones already chosen (`include`)."""
    require(actor, TOOL, 'write')
    cid = as_uuid(client_id)
    words = fold(text or '')[:100]
    chosen = [as_uuid(i) for i in include]
    with unit(actor) as session:
        mine = [DocFile.client_id == cid, DocFile.deleted_at.is_(None), DocFile.origin == '']  # its Arquivos files
        conds = list(mine)
        if words:
            conds.append(DocFile.search_name.like(f'%{files._like(words)}%', escape='\\'))
        ids = list(session.exec(select(DocFile.id).where(*conds).order_by(DocFile.created_at.desc(), DocFile.id)
                                .limit(limit)).all())
        if chosen:
            ids += [i for i in session.exec(select(DocFile.id).where(DocFile.id.in_(chosen), *mine)).all()
                    if i not in ids]
        return files._rows(session, ids)


@dataclass(frozen=True)
class Counts:
    pending: int  # not confirmed nor cancelled
    overdue: int  # unopened past the due date


def counts(actor: Actor) -> Counts:
    """The numbers on the list's views (a client login: its own)."""
    _require_read(actor)
    with unit(actor) as session:
        return Counts(_count(session, actor, pending=True), _count(session, actor, overdue=True))


def overdue_count(session: Session, actor: Actor) -> int:
    """The staff home badge: unopened past the due date. Inside the caller's unit of work (services/home.py)."""
    return _count(session, actor, overdue=True) if actor.can(TOOL, 'read') and not actor.is_client else 0


def open_count(session: Session, actor: Actor) -> int:
    """The client home badge: its protocols not yet confirmed nor cancelled."""
    return _count(session, actor, pending=True) if actor.is_client and actor.can(PORTAL_TOOL, 'read') else 0


def _count(session: Session, actor: Actor, *, pending: bool = False, overdue: bool = False) -> int:
    conds = []
    if actor.is_client:
        conds.append(Protocol.client_id == actor.client_id)
    if pending:
        conds.append(Protocol.status.in_(('enviado', 'visualizado')))
    if overdue:
        conds += [Protocol.status == 'enviado', Protocol.due_date < clock.today()]
    return int(session.exec(select(func.count()).select_from(Protocol).where(*conds)).one())


def client_name(actor: Actor, client_id: uuid.UUID | str) -> str:
    """The name of the client a staff list is filtered by (NotFound for an unknown id)."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        name = session.exec(select(Client.name).where(Client.id == as_uuid(client_id))).first()
    if name is None:
        raise NotFound()
    return name


def overdue(actor: Actor, *, page: int = 1, per_page: int = 30) -> ProtocolPage:
    """Staff: protocols unopened past their due date."""
    require(actor, TOOL, 'read')
    return search(actor, status='vencido', page=page, per_page=per_page)


def pending(actor: Actor, *, page: int = 1, per_page: int = 30) -> ProtocolPage:
    """Staff: protocols not confirmed nor cancelled, soonest due first."""
    require(actor, TOOL, 'read')
    return search(actor, pending=True, page=page, per_page=per_page)


def receipt_pdf(actor: Actor, protocol_id: uuid.UUID | str) -> tuple[str, bytes]:
    """The printable receipt (file name, PDF bytes): documents with their SHA-256, and every event. Blocking: from a
    page through run.io_bound. The data is read in a short transaction, the PDF drawn after it."""
    from .office import branding
    from ..models import Office
    detail = get(actor, protocol_id)
    with unit(actor) as session:
        client = session.get(Client, detail.protocol.client_id)
        office = session.get(Office, 1)
        office_document = office.document if office else ''
    p = detail.protocol
    doc = ProtocolDoc(
        number=p.number, office_name=branding().name, office_document=office_document, client_name=client.name,
        client_document=client.document, title=p.title, kind_label=p.kind_label, status_label=p.status_label,
        created=formatting.when(p.created_at), competence=formatting.competence(p.competence), due_date=p.due_date,
        amount_cents=p.amount_cents, note=p.note,
        files=[ProtocolDocFile(f.name, files.size_label(f.size), f.sha256) for f in detail.files],
        events=[ProtocolDocEvent(formatting.when(e.at), e.label, e.user_name, e.ip, e.detail) for e in detail.events],
        printed=formatting.when(clock.now()))
    return f'protocolo-{p.number}.pdf', protocol_pdf(doc)


def effective_status(status: str, due_date: date | None, today: date | None = None) -> str:
    if status == 'enviado' and due_date is not None and due_date < (today or clock.today()):
        return 'vencido'
    return status


# --------------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------------

def _require_read(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'read')


def _validate(kind, title, competence, due_date, amount, note) -> dict:
    errors: dict[str, str] = {}
    values: dict = {}
    if kind not in PROTOCOL_KINDS:
        errors['kind'] = 'Escolha o tipo do documento.'
    title = ' '.join((title or '').split()) or KIND_LABELS.get(kind, '')
    if len(title) > 200:
        errors['title'] = 'Título longo demais (até 200 caracteres).'
    values['title'] = title
    try:
        values['competence'] = files.parse_competence(competence)
    except ValidationError as e:
        errors.update(e.errors)
    try:
        values['due_date'] = due_date if isinstance(due_date, date) or due_date is None else \
            formatting.parse_day(due_date)
    except ValueError as e:
        errors['due_date'] = str(e)
    if amount in (None, ''):
        values['amount_cents'] = None
    else:
        try:
            cents = parse_money(amount)
            if cents <= 0 or cents > MAX_AMOUNT_CENTS:
                raise ValueError('Valor fora do limite.')
            values['amount_cents'] = cents
        except ValueError as e:
            errors['amount'] = str(e)
    note = (note or '').strip()
    if len(note) > 1000:
        errors['note'] = 'Observação longa demais (até 1.000 caracteres).'
    values['note'] = note
    if errors:
        raise ValidationError(errors)
    values['kind'] = kind
    return values


def _create(actor: Actor, client_id: uuid.UUID, values: dict, file_ids: list[uuid.UUID],
            received: list[storage.Received]) -> ProtocolRow:
    with unit(actor) as session:
        client = files._active_client(session, client_id)
        docs = list(session.exec(select(DocFile).where(DocFile.id.in_(file_ids), DocFile.client_id == client.id,
                                                       DocFile.deleted_at.is_(None), DocFile.origin == '')
                                 ).all()) if file_ids else []  # Arquivos files only, never a request's attachment
        if len(docs) != len(file_ids):
            raise NotFound('Documento não encontrado entre os arquivos deste cliente.')
        docs.sort(key=lambda d: file_ids.index(d.id))
        if received:
            folder = files._find_folder(session, client.id, UPLOAD_FOLDER)
            if folder is None:
                from ..models import DocFolder
                folder = DocFolder(client_id=client.id, path=UPLOAD_FOLDER, created_by=actor.user_id)
                session.add(folder)
                session.flush()
            fields = {'note': '', 'competence': values['competence']}
            docs += [files._add_file(session, actor, client.id, folder, r, r.commit(), 'office', fields)
                     for r in received]
        protocol = Protocol(client_id=client.id, created_by=actor.user_id, search_text=fold(values['title'])[:200],
                            **values)
        session.add(protocol)
        session.flush()
        session.add_all([ProtocolFile(protocol_id=protocol.id, file_id=d.id, position=n) for n, d in enumerate(docs)])
        _event(session, protocol, 'created', actor, actor.ip, f'{len(docs)} documento(s)')
        body = _summary(protocol)
        queued = channels.tell(session, notifications.client_users(session, client.id), 'protocolos',
                               f'Novo protocolo: {protocol.title}', body, portal_url(protocol.id))
        if queued:
            _event(session, protocol, 'emailed', actor, '', f'aviso para {queued} contato(s)')
        audit.record(session, actor, 'create', 'protocol', protocol.id, f'{client.name}: {protocol.title}')
        live.announce(session, TOOL, client.id, protocol.id)
        if received:
            live.announce(session, files.TOOL, client.id, docs[-1].id)
        session.flush()
        return _row(session, protocol)


def _summary(protocol: Protocol) -> str:
    parts = [KIND_LABELS[protocol.kind]]
    if protocol.competence:
        parts.append(f'competência {formatting.competence(protocol.competence)}')
    if protocol.due_date:
        parts.append(f'vencimento {protocol.due_date:%d/%m/%Y}')
    if protocol.amount_cents is not None:
        parts.append(formatting.money(protocol.amount_cents))
    return ' · '.join(parts)


def _mark_viewed(session: Session, actor: Actor, protocol: Protocol, ip: str) -> None:
    """Only a login of the protocol's own client, only once."""
    if not actor.is_client or actor.client_id != protocol.client_id or protocol.viewed_at is not None:
        return
    if protocol.status == 'cancelado':
        return
    protocol.viewed_at, protocol.viewed_by, protocol.viewed_ip = clock.now(), actor.user_id, (ip or '')[:64]
    if protocol.status == 'enviado':
        protocol.status = 'visualizado'
    _event(session, protocol, 'viewed', actor, ip)
    live.announce(session, TOOL, protocol.client_id, protocol.id)


def _event(session: Session, protocol: Protocol, kind: str, actor: Actor | None, ip: str, detail: str = '') -> None:
    session.add(ProtocolEvent(protocol_id=protocol.id, kind=kind, at=clock.now(),
                              user_id=actor.user_id if actor else None, user_name=(actor.name if actor else '')[:120],
                              ip=(ip or '')[:64], detail=detail[:300]))


def _client_name(session: Session, protocol: Protocol) -> str:
    return session.exec(select(Client.name).where(Client.id == protocol.client_id)).one()


def _staff_for(session: Session, client_id: uuid.UUID) -> list[uuid.UUID]:
    return files.responsible_staff(session, client_id, TOOL)


def _row(session: Session, protocol: Protocol) -> ProtocolRow:
    return _rows(session, [protocol.id])[0]


def _rows(session: Session, ids: list[uuid.UUID]) -> list[ProtocolRow]:
    if not ids:
        return []
    counts = (select(ProtocolFile.protocol_id, func.count().label('n')).where(ProtocolFile.protocol_id.in_(ids))
              .group_by(ProtocolFile.protocol_id).subquery())
    query = (select(Protocol, Client.name, User.name, counts.c.n)
             .join(Client, Client.id == Protocol.client_id)
             .outerjoin(User, User.id == Protocol.viewed_by)
             .outerjoin(counts, counts.c.protocol_id == Protocol.id)
             .where(Protocol.id.in_(ids)))
    today = clock.today()
    out = []
    for p, client_name, viewer, n in in_id_order(list(session.exec(query).all()), ids, key=lambda r: r[0].id):
        status = effective_status(p.status, p.due_date, today)
        out.append(ProtocolRow(p.id, p.id.hex[:8].upper(), p.client_id, client_name, p.kind, KIND_LABELS[p.kind],
                               p.title, p.competence, p.due_date, p.amount_cents, p.note, status,
                               STATUS_LABELS[status], p.created_at, p.viewed_at, viewer or '', p.viewed_ip,
                               p.confirmed_at, p.receiver_name, p.delivered_on, p.cancel_reason, n or 0))
    return out


def _detail(session: Session, protocol: Protocol) -> ProtocolDetail:
    session.flush()
    file_ids = list(session.exec(select(ProtocolFile.file_id).where(ProtocolFile.protocol_id == protocol.id)
                                 .order_by(ProtocolFile.position)).all())
    events = session.exec(select(ProtocolEvent).where(ProtocolEvent.protocol_id == protocol.id)
                          .order_by(ProtocolEvent.at, ProtocolEvent.id)).all()
    return ProtocolDetail(_row(session, protocol), files._rows(session, file_ids),
                          [EventRow(e.kind, EVENT_LABELS.get(e.kind, e.kind), e.at, e.user_name, e.ip, e.detail)
                           for e in events])


# --------------------------------------------------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------------------------------------------------

def _moment(day: date) -> datetime:
    return reminders.day_start(day) + timedelta(hours=REMIND_AT.hour, minutes=REMIND_AT.minute)


def _due_reminders(session: Session, window: reminders.Window) -> list[reminders.Reminder]:
    """Unopened protocols ('enviado') whose reminder moment falls in the window: one query for the protocols, one
    for the client logins, one for the staff."""
    first = clock.local(window.start).date()
    last = window.today + timedelta(days=max(d for _, d in CLIENT_LEADS))
    rows = session.exec(select(Protocol.id, Protocol.client_id, Protocol.title, Protocol.due_date,
                               Protocol.created_at, Client.name)
                        .join(Client, Client.id == Protocol.client_id)
                        .where(Protocol.status == 'enviado', Protocol.due_date.is_not(None),
                               and_(Protocol.due_date >= first, Protocol.due_date <= last))).all()
    if not rows:
        return []
    client_ids = list({r[1] for r in rows})
    logins: dict[uuid.UUID, list[uuid.UUID]] = {}
    for uid, cid in session.exec(select(User.id, User.client_id).where(User.client_id.in_(client_ids),
                                                                      User.active == True)).all():  # noqa: E712
        logins.setdefault(cid, []).append(uid)
    staff_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    out: list[reminders.Reminder] = []
    for pid, cid, title, due, created, client_name in rows:
        link = portal_url(pid)
        for level, days in CLIENT_LEADS:
            moment = _moment(due - timedelta(days=days))
            if window.start <= moment <= window.end and moment >= created:
                when = 'amanhã' if days == 1 else f'em {days} dias'
                out.append(reminders.Reminder(
                    ITEM_KIND, pid, level, '', moment, logins.get(cid, []), 'protocolos',
                    f'Protocolo não aberto vence {when}: {title}',
                    f'O documento "{title}" vence em {due:%d/%m/%Y} e ainda não foi aberto.', link))
        moment = _moment(due)
        if window.start <= moment <= window.end:
            if cid not in staff_of:
                staff_of[cid] = files.responsible_staff(session, cid, TOOL)
            recipients = staff_of[cid]
            out.append(reminders.Reminder(
                ITEM_KIND, pid, 'due', '', moment, recipients, 'protocolos',
                f'Protocolo vence hoje sem visualização: {title}',
                f'{client_name} ainda não abriu "{title}", que vence hoje ({due:%d/%m/%Y}).',
                staff_url(pid)))
    return out


def _deliver_reminders(session: Session, due: list[reminders.Reminder], _window: reminders.Window) -> None:
    """Each reminder as the recipients chose to be told of Protocolos (drawer row always, e-mail by channel)."""
    for r in due:
        channels.tell(session, r.recipients, r.category, r.title, reminders.late_text(r.body) if r.late else r.body,
                      r.link)


reminders.register(reminders.Source(ITEM_KIND, due=_due_reminders, deliver=_deliver_reminders,
                                    every=timedelta(minutes=5)))


__all__ = ['EVENT_LABELS', 'KIND_LABELS', 'STATUS_LABELS', 'Counts', 'EventRow', 'ProtocolDetail', 'ProtocolPage',
           'ProtocolRow', 'cancel', 'client_files', 'client_name', 'client_options', 'confirm', 'counts', 'create',
           'deliver_manually', 'download', 'download_url', 'effective_status', 'get', 'open_count', 'overdue',
           'overdue_count', 'pending', 'portal_url', 'receipt_pdf', 'receipt_url', 'record_client_download', 'search',
           'staff_url', 'view']
