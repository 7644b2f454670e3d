"""Recebimentos: what clients owe the office. Monthly generation of honorários, one-off charges (with installments),
list with filters and totals, baixa with recibo (and its undo), cancel, boleto (FEBRABAN) and static PIX per charge,
the client's own view (portal Financeiro) and the due-date alerts.

Status stored: aberto | pago | cancelado. 'vencido' is derived (aberto and due before today), never stored.

Who may do what:
- staff/admin: `receivables` read (list, detail, boleto, recibo, PIX) or write (everything else);
- a client login: only its own client's charges and recibos (`portal_finance`), through `scoped`/`get_scoped`, never
  cancelled charges nor cancelled recibos. Another client's id is NotFound, like a missing one.

Alerts (`sweep_alerts`, run every few minutes by a job): a charge due within ALERT_DAYS days is reminded to the
client once ('due_soon', with the boleto PDF and the PIX copia e cola in the e-mail; not on the day it was issued,
when the client was just told about it); an overdue charge is reminded to the client and to the staff with access to
Recebimentos ('overdue') on the first sweep after the due date and again every OVERDUE_REPEAT_DAYS days while it
stays open. Charges are a source of the reminder engine (services/reminders.py): each (charge, level, day) is
recorded in the same transaction as the notifications and e-mails, so each is delivered exactly once, also across a
restart.
"""
from __future__ import annotations

import logging
import re
import time as _time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import and_, case, exists, func, insert, or_
from sqlmodel import Session, select

from .. import clock, formatting
from ..br import boleto, pix
from ..br.money import (  # MAX_INSTALLMENTS, net_paid: the page's input max and its 'Valor recebido' too
    BOLETO_MAX_CENTS, MAX_INSTALLMENTS, add_months, net_paid, split_installments)
from ..config import get_settings
from ..db import after_commit
from ..models import Charge, Client, Notification, Office, Receipt, User
from ..models.people import fold
from . import audit, calendar_br, finance, live, mail, notifications  # finance: summary flush hook
from . import channels, reminders
from .base import as_uuid, get_scoped, in_id_order, scoped, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .form_input import day as _day, installments as _installments, money as _money, text as _text, too_large
from .permissions import Actor, require
from .validation import normalize_document

__all__ = ['split_installments', 'due_date_for', 'search', 'get', 'create', 'generate_month', 'generate_due', 'pay',
           'undo_payment', 'cancel', 'reopen', 'boleto_pdf', 'receipt_pdf', 'pix_code', 'portal', 'sweep_alerts']

log = logging.getLogger(__name__)

TOOL = 'receivables'
PORTAL_TOOL = 'portal_finance'
ALERT_DAYS = 3  # "due soon" = due within this many days
OVERDUE_REPEAT_DAYS = 7  # an open overdue charge is reminded again after this many days
ALERT_BATCH = 500  # charges alerted per sweep at most (the rest go in the next run, minutes later)
ALERT_PDF_SECONDS = 20.0  # boletos drawn per sweep (~0.1 s each); due-soon reminders past it wait for the next run
ALERT_KEEP_DAYS = 60  # reminder records of charges older than this are pruned by the sweep
PORTAL_PAID_LIMIT = 36

KINDS = {'honorarios': 'Honorários', 'avulso': 'Avulsa'}
STATUS_LABELS = {'aberto': 'Pendente', 'vencido': 'Vencido', 'pago': 'Pago', 'cancelado': 'Cancelado'}
STATUS_FILTERS = {'': 'Todos', 'pendente': 'Pendente', 'vencido': 'Vencido', 'aberto': 'Em aberto (pendente e vencido)',
                  'pago': 'Pago', 'cancelado': 'Cancelado'}
DATE_FIELDS = {'vencimento': 'Vencimento', 'pagamento': 'Pagamento'}
PAYMENT_FORMS = {'boleto': 'Boleto', 'pix': 'PIX', 'transferencia': 'Transferência', 'dinheiro': 'Dinheiro'}
STORED_STATUSES = ('aberto', 'pago', 'cancelado')
REGISTRATION_NOTE = ('O boleto só pode ser pago depois de registrado no banco: registre a cobrança no seu banco '
                     '(internet banking ou arquivo de remessa) antes de enviá-lo ao cliente.')

# --------------------------------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------------------------------

def due_date_for(competence: str, due_day: int) -> date:
    """The due date of a month's honorários: the client's day in that month (31 -> the month's last day), moved to the
    next business day when it falls on a weekend or a national holiday (Carnival included)."""
    year, month = _competence_parts(competence)
    return calendar_br.next_business_day(calendar_br.clamp_day(year, month, max(1, min(int(due_day or 1), 31))))


def parse_competence(value: str | None) -> str:
    """'11/2026', '2026-11' or '11-2026' -> '2026-11'; ValidationError otherwise."""
    text = (value or '').strip()
    m = re.fullmatch(r'(\d{4})-(\d{1,2})', text) or None
    if m:
        year, month = int(m[1]), int(m[2])
    else:
        m = re.fullmatch(r'(\d{1,2})[/-](\d{4})', text)
        if not m:
            raise ValidationError('Competência inválida. Use mm/aaaa (por exemplo 11/2026).', 'competence')
        month, year = int(m[1]), int(m[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValidationError('Competência inválida. Use mm/aaaa (por exemplo 11/2026).', 'competence')
    return f'{year:04d}-{month:02d}'


def _competence_parts(competence: str) -> tuple[int, int]:
    year, month = parse_competence(competence).split('-')
    return int(year), int(month)


def competence_of(day: date) -> str:
    return f'{day.year:04d}-{day.month:02d}'


def pix_txid(charge_id: uuid.UUID) -> str:
    """The txid that identifies a charge in its PIX code: 'CT' + the first 20 hex digits of its id (22 characters)."""
    return 'CT' + charge_id.hex[:20].upper()


def honorarios_description(competence: str) -> str:
    return f'Honorários contábeis — competência {formatting.competence(competence)}'


# --------------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------------

@dataclass
class ChargeFilter:
    status: str = ''  # key of STATUS_FILTERS
    client: str = ''  # client name or CPF/CNPJ (masked or not)
    date_field: str = 'vencimento'  # vencimento | pagamento
    start: date | None = None
    end: date | None = None

    @classmethod
    def current_month(cls, today: date | None = None) -> ChargeFilter:
        today = today or clock.today()
        first = today.replace(day=1)
        return cls(start=first, end=add_months(first, 1) - timedelta(days=1))


@dataclass(frozen=True)
class ChargeRow:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    client_document: str
    kind: str
    competence: str | None
    description: str
    amount_cents: int
    issue_date: date
    due_date: date
    status: str  # aberto | vencido | pago | cancelado (vencido derived)
    paid_date: date | None
    received_cents: int | None
    discount_cents: int
    addition_cents: int
    payment_form: str
    nosso_numero: int | None
    installment_no: int | None
    installment_count: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in ('aberto', 'vencido')

    @property
    def parcel(self) -> str:
        return f'{self.installment_no}/{self.installment_count}' if self.installment_no and self.installment_count \
            else ''

    @property
    def title(self) -> str:
        return f'{self.description} — parcela {self.parcel}' if self.parcel else self.description

    @property
    def payment_form_label(self) -> str:
        return PAYMENT_FORMS.get(self.payment_form, self.payment_form)


@dataclass
class ChargePage:
    rows: list[ChargeRow]
    total: int  # charges matching the filter
    amount_cents: int  # sum of their amounts
    received_cents: int  # sum received (of the paid ones)
    open_cents: int  # sum of the open ones (pendente + vencido)
    page: int = 1
    per_page: int = 25
    filter: ChargeFilter = field(default_factory=ChargeFilter)


@dataclass(frozen=True)
class ReceiptInfo:
    id: uuid.UUID
    number: int
    amount_cents: int
    paid_date: date
    payment_form: str
    cancelled: bool


@dataclass(frozen=True)
class ChargeDetail:
    charge: ChargeRow
    receipts: list[ReceiptInfo]  # newest first; at most one not cancelled
    pix_payload: str  # '' when the office has no usable PIX key (see pix_problem)
    pix_problem: str
    boleto_missing: list[str]  # what Meus Dados lacks for a boleto ([] = ready)
    fine_bp: int
    interest_bp_month: int
    nosso_numero: str = ''  # as the boleto prints it (br.boleto.nosso_numero_impresso); '' before the first boleto

    @property
    def receipt(self) -> ReceiptInfo | None:
        return next((r for r in self.receipts if not r.cancelled), None)


_ROW_COLUMNS = (Charge.id, Charge.client_id, Client.name, Client.document, Charge.kind, Charge.competence,
                Charge.description, Charge.amount_cents, Charge.issue_date, Charge.due_date, Charge.status,
                Charge.paid_date, Charge.received_cents, Charge.discount_cents, Charge.addition_cents,
                Charge.payment_form, Charge.nosso_numero, Charge.installment_no, Charge.installment_count)


def _row_of(values, today: date) -> ChargeRow:
    """A ChargeRow from a row of _ROW_COLUMNS (plain columns: no ORM instance to build)."""
    values = list(values)
    values[2], values[3] = values[2] or '', values[3] or ''
    if values[10] == 'aberto' and values[9] < today:
        values[10] = 'vencido'
    return ChargeRow(*values)


def _row(charge: Charge, client_name: str | None, client_document: str | None, today: date) -> ChargeRow:
    """A ChargeRow from a loaded charge and its client's name and document."""
    values = [getattr(charge, c.key) for c in _ROW_COLUMNS[:2]] + [client_name, client_document] + \
        [getattr(charge, c.key) for c in _ROW_COLUMNS[4:]]
    return _row_of(values, today)


def _client_match(text: str):
    """Clients whose name, trade name, e-mail or CPF/CNPJ contains `text` (accents and case ignored)."""
    matches = [Client.search_text.like(f'%{fold(text)}%')]
    digits = normalize_document(text)
    if digits and any(c.isdigit() for c in digits):
        matches.append(Client.document.like(f'%{digits}%'))
    return or_(*matches)


def _conditions(filt: ChargeFilter, today: date) -> list:
    conds = []
    status = filt.status
    if status == 'pendente':
        conds += [Charge.status == 'aberto', Charge.due_date >= today]
    elif status == 'vencido':
        conds += [Charge.status == 'aberto', Charge.due_date < today]
    elif status in STORED_STATUSES:
        conds.append(Charge.status == status)
    elif status:
        raise ValidationError('Situação inválida.', 'status')
    elif filt.date_field != 'pagamento':
        conds.append(Charge.status.in_(STORED_STATUSES))  # lets ix_charge_status_due serve a due-date range
    column = Charge.paid_date if filt.date_field == 'pagamento' else Charge.due_date
    if filt.start:
        conds.append(column >= filt.start)
    if filt.end:
        conds.append(column <= filt.end)
    if filt.date_field == 'pagamento' and not (filt.start or filt.end):
        conds.append(Charge.paid_date.is_not(None))
    text = (filt.client or '').strip()
    if text:
        conds.append(Charge.client_id.in_(select(Client.id).where(_client_match(text))))
    return conds


def _order(filt: ChargeFilter) -> tuple:
    if filt.date_field == 'pagamento':
        return Charge.paid_date, Charge.due_date, Charge.id
    return Charge.due_date, Client.sort_name, Charge.id


def search(actor: Actor, filt: ChargeFilter | None = None, *, page: int = 1, per_page: int = 25) -> ChargePage:
    """One page of the charges matching the filter, with the count and sums of every match (three queries)."""
    require(actor, TOOL)
    filt = filt or ChargeFilter.current_month()
    today = clock.today()
    per_page = max(1, min(int(per_page), 200))
    with unit(actor) as session:
        conds = _conditions(filt, today)
        total, amount, received, open_ = session.exec(
            select(func.count(), func.coalesce(func.sum(Charge.amount_cents), 0),  # count(*): index-only
                   func.coalesce(func.sum(case((Charge.status == 'pago', Charge.received_cents), else_=0)), 0),
                   func.coalesce(func.sum(case((Charge.status == 'aberto', Charge.amount_cents), else_=0)), 0))
            .where(*conds)).one()
        pages = max(1, -(-total // per_page))
        page = max(1, min(int(page), pages))
        # the page's ids first (index-only: ix_charge_status_due + ix_client_id_sort), then just those rows
        ids = session.exec(select(Charge.id).join(Client, Client.id == Charge.client_id).where(*conds)
                           .order_by(*_order(filt)).offset((page - 1) * per_page).limit(per_page)).all()
        rows = session.exec(select(*_ROW_COLUMNS).join(Client, Client.id == Charge.client_id)
                            .where(Charge.id.in_(ids))).all() if ids else []
        rows = in_id_order(rows, ids)
        return ChargePage([_row_of(r, today) for r in rows], total, int(amount), int(received), int(open_),
                          page, per_page, filt)


def parse_filter(status: str = '', client: str = '', date_field: str = '', start: str = '', end: str = '',
                 *, default_month: bool = False) -> ChargeFilter:
    """A filter from URL/form text (dates ISO or dd/mm/aaaa); bad values are dropped rather than refused."""
    if default_month:
        return ChargeFilter.current_month()

    def day(text: str) -> date | None:
        try:
            return formatting.parse_day(text)
        except ValueError:
            return None
    return ChargeFilter(status=status if status in STATUS_FILTERS else '', client=(client or '')[:100],
                        date_field=date_field if date_field in DATE_FIELDS else 'vencimento', start=day(start),
                        end=day(end))


def _require_view(actor: Actor) -> None:
    """Staff with at least read on Recebimentos, or a client login (scoped to its own client)."""
    require(actor, PORTAL_TOOL if actor.is_client else TOOL)


def _charge(session: Session, charge_id, actor: Actor | None = None) -> Charge:
    """A charge by id; for a client login only its own client's and never a cancelled one (NotFound otherwise).
    Without an actor (the staff's write paths, permission already checked) the row is locked until commit, so two
    simultaneous baixas of one charge cannot both pass the status check."""
    try:
        if actor is not None:
            charge = get_scoped(session, Charge, charge_id, actor)
        else:
            charge = session.exec(select(Charge).where(Charge.id == as_uuid(charge_id)).with_for_update()).first()
    except NotFound:
        charge = None
    if charge is None or (actor is not None and actor.is_client and charge.status == 'cancelado'):
        raise NotFound('Cobrança não encontrada.')
    return charge


def get(actor: Actor, charge_id: uuid.UUID | str) -> ChargeDetail:
    """A charge with its recibos, its PIX code and whether a boleto can be made (staff or its own client)."""
    _require_view(actor)
    today = clock.today()
    with unit(actor) as session:
        charge = _charge(session, charge_id, actor)
        client = session.get(Client, charge.client_id)
        query = select(Receipt).where(Receipt.charge_id == charge.id)
        if actor.is_client:
            query = query.where(Receipt.cancelled_at.is_(None))
        receipts = session.exec(query.order_by(Receipt.number.desc())).all()
        office = _office(session)
        row = _row(charge, client.name, client.document, today)
        payload, problem = _pix_for(office, charge) if row.is_open else ('', '')
        return ChargeDetail(row, [ReceiptInfo(r.id, r.number, r.amount_cents, r.paid_date,
                                              PAYMENT_FORMS.get(r.payment_form, r.payment_form),
                                              r.cancelled_at is not None) for r in receipts],
                            payload, problem, boleto_settings_missing(office), office.fine_bp, office.interest_bp_month,
                            _nosso_numero_shown(office, charge.nosso_numero))


def client_options(actor: Actor, text: str = '', *, include: uuid.UUID | str | None = None,
                   limit: int = 50) -> dict[str, str]:
    """Active clients matching a name or CPF/CNPJ (for the searchable select): {id: 'Name — document'}."""
    require(actor, TOOL)
    with unit(actor) as session:
        query = select(Client.id, Client.name, Client.document).where(Client.active == True)  # noqa: E712
        text = (text or '').strip()
        if text:
            query = query.where(_client_match(text))
        rows = list(session.exec(query.order_by(Client.sort_name).limit(limit)).all())
        if include:
            key = as_uuid(include)
            if all(r[0] != key for r in rows):
                rows += session.exec(select(Client.id, Client.name, Client.document).where(Client.id == key)).all()
        return {str(i): f'{n} — {formatting.document(d)}' for i, n, d in rows}


# --------------------------------------------------------------------------------------------------------------------
# The client's Financeiro
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaidItem:
    charge: ChargeRow
    receipt_id: uuid.UUID | None
    receipt_number: int | None


@dataclass
class PortalView:
    open: list[ChargeRow]
    paid: list[PaidItem]
    open_cents: int
    overdue_count: int
    boleto_ready: bool  # the office's bank settings allow a boleto
    pix_ready: bool  # the office has a PIX key


def portal(actor: Actor) -> PortalView:
    """The client's open charges (oldest due first) and its latest paid ones with their recibos (two queries)."""
    if not actor.is_client:
        raise PermissionDenied()
    require(actor, PORTAL_TOOL)
    today = clock.today()
    with unit(actor) as session:
        base = select(Charge, Client.name, Client.document).join(Client, Client.id == Charge.client_id)
        open_rows = session.exec(scoped(base.where(Charge.status == 'aberto'), Charge, actor)
                                 .order_by(Charge.due_date, Charge.id)).all()
        paid_rows = session.exec(
            scoped(select(Charge, Client.name, Client.document, Receipt.id, Receipt.number)
                   .join(Client, Client.id == Charge.client_id)
                   .outerjoin(Receipt, and_(Receipt.charge_id == Charge.id, Receipt.cancelled_at.is_(None)))
                   .where(Charge.status == 'pago'), Charge, actor)
            .order_by(Charge.paid_date.desc(), Charge.due_date.desc()).limit(PORTAL_PAID_LIMIT)).all()
        office = _office(session) if open_rows else None
        ready = office is not None and not boleto_settings_missing(office)
        pix_ready = office is not None and bool((office.pix_key or '').strip())
    opened = [_row(c, n, d, today) for c, n, d in open_rows]
    return PortalView(opened, [PaidItem(_row(c, n, d, today), rid, number) for c, n, d, rid, number in paid_rows],
                      sum(r.amount_cents for r in opened), sum(r.status == 'vencido' for r in opened), ready,
                      pix_ready)


# --------------------------------------------------------------------------------------------------------------------
# Input parsing (values come straight from the form; every bad field is reported at once)
# --------------------------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------------------------
# Creating charges
# --------------------------------------------------------------------------------------------------------------------

def create(actor: Actor, *, client_id, description: str, amount, due_date, installments=1, issue_date=None,
           notify: bool = True) -> list[uuid.UUID]:
    """A one-off charge ('avulso'), in N monthly installments when N > 1 (the amount split exactly, the remainder
    cents on the first; due dates on the first one's day, moved to the next business day). The client's logins are
    notified and e-mailed (with the first parcel's boleto when the bank settings are complete, and its PIX code).
    Returns the ids created."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    description = _text(description, 'description', errors, label='a descrição', required=True)
    cents = _money(amount, 'amount', errors, maximum=None)  # the boleto's maximum, per installment: below
    if cents is not None and cents <= 0:
        errors['amount'] = 'Informe um valor maior que zero.'
    due = _day(due_date, 'due_date', errors, label='o vencimento')
    issue = _day(issue_date, 'issue_date', errors, required=False) or clock.today()
    if due is not None and due < issue:
        errors['due_date'] = f'O vencimento não pode ser anterior à emissão ({formatting.day(issue)}).'
    n = _installments(installments, errors)
    if cents is not None and cents > 0 and 'installments' not in errors and cents < n:
        errors['installments'] = 'Cada parcela precisa ter ao menos R$ 0,01.'
    if cents is not None and 'amount' not in errors:
        _check_boleto_maximum(cents, 1 if 'installments' in errors else n, errors)
    with unit(actor) as session:
        client = None
        if client_id in (None, ''):
            errors['client_id'] = 'Escolha o cliente.'
        else:
            try:
                client = session.get(Client, as_uuid(client_id))
            except NotFound:
                client = None
            if client is None:
                errors['client_id'] = 'Cliente não encontrado.'
            elif not client.active:
                errors['client_id'] = 'Este cliente está inativo.'
        if errors:
            raise ValidationError(errors)
        group_id = uuid.uuid4() if n > 1 else None
        charges = [Charge(client_id=client.id, kind='avulso', description=description, amount_cents=part,
                          issue_date=issue, due_date=calendar_br.next_business_day(add_months(due, i, due.day)),
                          group_id=group_id, installment_no=i + 1 if group_id else None,
                          installment_count=n if group_id else None)
                   for i, part in enumerate(split_installments(cents, n))]
        session.add_all(charges)
        session.flush()
        audit.record(session, actor, 'create', 'charge', charges[0].id,
                     f'{client.name}: {description}{f" em {n} parcelas" if n > 1 else ""}, '
                     f'{formatting.money(cents)}, vencimento {formatting.day(charges[0].due_date)}')
        if notify:
            _announce_new(session, client, charges)
        live.announce(session, TOOL, client.id, charges[0].id)
        return [c.id for c in charges]


def _check_boleto_maximum(cents: int, n: int, errors: dict[str, str]) -> None:
    """Every charge must fit a boleto: each installment at most R$ 99.999.999,99."""
    if split_installments(cents, n)[0] <= BOLETO_MAX_CENTS:
        return
    if n == 1:
        errors['amount'] = too_large(BOLETO_MAX_CENTS)
    else:
        errors['amount'] = (f'Valor máximo: {formatting.money(BOLETO_MAX_CENTS)} por parcela '
                            f'({formatting.money(BOLETO_MAX_CENTS * n)} em {n} parcelas).')


def _logins(session: Session, client_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(id, e-mail) of the client's active portal logins."""
    return list(session.exec(select(User.id, User.email).where(User.client_id == client_id,
                                                               User.active == True)).all())  # noqa: E712


def _announce_new(session: Session, client: Client, charges: list[Charge]) -> None:
    """Tell the client's logins about new charges: a live notification and an e-mail with the first one's boleto
    (when the bank settings are complete) and PIX code."""
    users = _logins(session, client.id)
    first = charges[0]
    total = sum(c.amount_cents for c in charges)
    if len(charges) == 1:
        title = f'Nova cobrança: {first.description}'
        body = f'{formatting.money(first.amount_cents)}, vencimento {formatting.day(first.due_date)}'
    else:
        title = f'Nova cobrança em {len(charges)} parcelas: {first.description}'
        body = (f'Total {formatting.money(total)}; 1ª parcela {formatting.money(first.amount_cents)}, '
                f'vencimento {formatting.day(first.due_date)}')
    link = f'/portal/financeiro?cobranca={first.id}'
    notifications.notify(session, [u for u, _ in users], 'recebimentos', title, body, link)
    # the logins that want Recebimentos by e-mail (their channel); the client's own address when it has no login
    addresses = channels.email_addresses(session, users, 'recebimentos') if users else \
        ([client.email] if client.email else [])
    if not addresses:
        return
    office = _office(session)
    info = _office_info(office)
    lines = []
    try:
        office, nosso = _reserve_nosso_numero(session, first)  # the number now; the boleto drawn after commit
    except ValidationError:
        nosso = None
    if len(charges) > 1:
        lines.append('Parcelas: ' + '; '.join(f'{c.installment_no}/{c.installment_count} '
                                              f'{formatting.money(c.amount_cents)} em {formatting.day(c.due_date)}'
                                              for c in charges[:12]) + ('…' if len(charges) > 12 else '.'))
    paragraphs = [f'Olá, {client.name}.',
                  f'{info.name} registrou uma nova cobrança para você: {first.description}, '
                  f'{formatting.money(first.amount_cents)}, vencimento {formatting.day(first.due_date)}.',
                  *lines, *_payment_paragraphs(office, first, nosso is not None)]
    _mail_after_commit(session, addresses, title, paragraphs, ('Abrir o portal', _portal_url(first.id)),
                       lambda: _boleto_attachment(office, first, client, nosso))


def _mail_after_commit(session: Session, addresses: list[str], subject: str, paragraphs: list[str],
                       link: tuple[str, str], draw: Callable[[], list[tuple[str, str, bytes]]]) -> None:
    """Queue e-mails whose attachments are PDFs without drawing them in the caller's transaction (which may hold the
    office row lock, taken for a nosso número or a recibo number): after its commit, draw them (no transaction
    open), then queue the e-mails in a second short one. Should that step fail, what was committed stays and the
    failure is logged; the documents are in the portal and 'Enviar ao cliente' sends a charge again."""
    def queue() -> None:
        try:
            attachments = draw()
            with unit() as mail_session:
                for address in dict.fromkeys(addresses):
                    mail.queue(mail_session, address, subject, paragraphs, link=link, attachments=attachments)
        except Exception:  # noqa: BLE001  (committed already: log it, never undo or hide the saved work)
            log.exception('e-mail "%s" not queued', subject)
    after_commit(session, queue)


def generate_month(actor: Actor, competence: str, *, client_id: uuid.UUID | str | None = None) -> int:
    """Create the honorários charges of `competence` ('YYYY-MM' or 'mm/aaaa') for every active client with
    honorários (or only `client_id`) that does not have one yet. Running it again creates nothing new. Returns how
    many were created."""
    require(actor, TOOL, 'write')
    comp = parse_competence(competence)
    with unit(actor) as session:
        created = _generate(session, comp, client_id=as_uuid(client_id) if client_id else None)
        if created:
            audit.record(session, actor, 'generate', 'charge', '',
                         f'honorários da competência {formatting.competence(comp)}: {created} cobrança(s)')
        return created


def generate_due(today: date | None = None) -> int:
    """The scheduled generation (no actor): this month's honorários for clients registered before the month began.
    Idempotent, so it runs every hour and a server that was down on the 1st catches up. Returns how many created."""
    today = today or clock.today()
    first = today.replace(day=1)
    before = datetime.combine(first, time.min, tzinfo=clock.tz()).astimezone(timezone.utc)
    with unit() as session:
        created = _generate(session, competence_of(today), registered_before=before)
        if created:
            audit.record(session, None, 'generate', 'charge', '', f'honorários da competência '
                         f'{formatting.competence(competence_of(today))}: {created} cobrança(s) (automático)',
                         email='sistema')
        return created


def _generate(session: Session, comp: str, *, client_id: uuid.UUID | None = None,
              registered_before: datetime | None = None) -> int:
    """Set-based: one query for the clients still missing a charge, one multi-row insert, one query for their
    logins. ON CONFLICT DO NOTHING keeps a concurrent run from failing or duplicating."""
    year, month = _competence_parts(comp)
    first = date(year, month, 1)
    issue = min(clock.today(), first)
    has_charge = exists().where(Charge.client_id == Client.id, Charge.competence == comp, Charge.kind == 'honorarios')
    query = select(Client.id, Client.fee_cents, Client.due_day).where(
        Client.active == True, Client.fee_cents > 0, ~has_charge)  # noqa: E712
    if client_id is not None:
        query = query.where(Client.id == client_id)
    if registered_before is not None:
        query = query.where(Client.created_at < registered_before)
    missing = session.exec(query).all()
    if not missing:
        return 0
    due_by_day = {d: due_date_for(comp, d) for d in {row[2] for row in missing}}
    description = honorarios_description(comp)
    stamp = clock.now()
    rows = [{'id': uuid.uuid4(), 'client_id': cid, 'kind': 'honorarios', 'competence': comp,
             'description': description, 'amount_cents': fee, 'issue_date': issue, 'due_date': due_by_day[day],
             'status': 'aberto', 'discount_cents': 0, 'addition_cents': 0, 'payment_form': '', 'created_at': stamp}
            for cid, fee, day in missing]
    statement = _insert_ignore(session, Charge, ['client_id', 'competence', 'kind'])
    session.exec(statement, params=rows)
    # who really got a new charge (a concurrent run may have created some of them first)
    ids = [r['id'] for r in rows]
    created = set()
    for chunk in _chunks(ids, 900):
        created.update(session.exec(select(Charge.id).where(Charge.id.in_(chunk))).all())
    new_rows = [r for r in rows if r['id'] in created]
    by_client = {r['client_id']: r for r in new_rows}
    for r in new_rows:
        live.announce(session, TOOL, r['client_id'], r['id'])
    users = []
    for chunk in _chunks(list(by_client), 900):
        users += session.exec(select(User.id, User.client_id).where(User.client_id.in_(chunk),
                                                                    User.active == True)).all()  # noqa: E712
    entries = []
    for uid, cid in users:
        r = by_client[cid]
        entries.append((uid, f'Nova cobrança: honorários {formatting.competence(comp)}',
                        f'{formatting.money(r["amount_cents"])}, vencimento {formatting.day(r["due_date"])}',
                        f'/portal/financeiro?cobranca={r["id"]}'))
    _notify_each(session, 'recebimentos', entries)
    return len(new_rows)


def _insert_ignore(session: Session, model, keys: list[str]):
    dialect = session.get_bind().dialect.name
    if dialect == 'postgresql':
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(model).on_conflict_do_nothing(index_elements=keys)
    if dialect == 'sqlite':
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert
        return sqlite_insert(model).on_conflict_do_nothing(index_elements=keys)
    return insert(model)


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _notify_each(session: Session, category: str, entries: list[tuple[uuid.UUID, str, str, str]]) -> None:
    """Many notifications with different texts in one go: (user id, title, body, link) each, announced live once
    after commit (notifications.notify takes one text for every recipient)."""
    if not entries:
        return
    rows = [Notification(user_id=uid, category=category, title=title[:200], body=body[:1000], link=link[:300])
            for uid, title, body, link in entries]
    session.add_all(rows)
    items = [notifications.Item(n.id, n.user_id, n.category, n.title, n.body, n.link, n.created_at, False)
             for n in rows]
    live.announce_notes(session, items)  # with the transaction's live changes, after commit


# --------------------------------------------------------------------------------------------------------------------
# Baixa, recibo, cancel
# --------------------------------------------------------------------------------------------------------------------

def pay(actor: Actor, charge_id: uuid.UUID | str, *, paid_date, received='', discount='', addition='',
        payment_form: str = '') -> uuid.UUID:
    """Baixa: payment date (not in the future, not before the issue date), amount received (amount - discount +
    juros/multa when left blank; more than zero), discount, juros/multa and the form of payment. Issues the recibo
    with the next number (the office row locked while it is taken) and tells the client. Returns the recibo id."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    when = _day(paid_date, 'paid_date', errors, label='a data do pagamento')
    discount_cents = _money(discount, 'discount', errors, required=False) or 0
    addition_cents = _money(addition, 'addition', errors, required=False) or 0
    received_cents = _money(received, 'received', errors, required=False)
    if payment_form not in PAYMENT_FORMS:
        errors['payment_form'] = 'Escolha a forma de pagamento.'
    with unit(actor) as session:
        charge = _charge(session, charge_id)
        if charge.status != 'aberto':
            raise ValidationError('Esta cobrança está cancelada.' if charge.status == 'cancelado'
                                  else 'Esta cobrança já foi paga.')
        if when is not None:
            if when > clock.today():
                errors['paid_date'] = 'A data do pagamento não pode ser no futuro.'
            elif when < charge.issue_date:
                errors['paid_date'] = (f'A data do pagamento não pode ser anterior à emissão '
                                       f'({formatting.day(charge.issue_date)}).')
        if 'discount' not in errors and discount_cents > charge.amount_cents + addition_cents:
            errors['discount'] = 'O desconto não pode ser maior que o valor da cobrança.'
        if received_cents is None and 'received' not in errors:
            received_cents = net_paid(charge.amount_cents, discount_cents, addition_cents)
        if received_cents is not None and received_cents <= 0 and 'received' not in errors:
            errors['received'] = 'O valor recebido deve ser maior que zero.'
        if errors:
            raise ValidationError(errors)
        office = session.exec(select(Office).where(Office.id == 1).with_for_update()).first()
        if office is None:
            office = Office(id=1)
            session.add(office)
            session.flush()
        number = office.next_receipt_number
        office.next_receipt_number = number + 1
        client = session.get(Client, charge.client_id)
        charge.status, charge.paid_date, charge.received_cents = 'pago', when, received_cents
        charge.discount_cents, charge.addition_cents, charge.payment_form = discount_cents, addition_cents, payment_form
        receipt = Receipt(number=number, charge_id=charge.id, client_id=charge.client_id, amount_cents=received_cents,
                          refers_to=_refers_to(charge), payment_form=payment_form, paid_date=when)
        session.add(receipt)
        session.flush()
        audit.record(session, actor, 'payment', 'charge', charge.id,
                     f'{client.name}: {charge.description} recebido {formatting.money(received_cents)} em '
                     f'{formatting.day(when)} ({PAYMENT_FORMS[payment_form]}), recibo nº {number}')
        _announce_payment(session, office, client, charge, receipt)
        live.announce(session, TOOL, charge.client_id, charge.id)
        return receipt.id


def _refers_to(charge: Charge) -> str:
    """What a recibo refers to, e.g. 'honorários contábeis — competência 10/2026'."""
    if charge.kind == 'honorarios' and charge.competence:
        return f'honorários contábeis — competência {formatting.competence(charge.competence)}'
    text = charge.description
    if charge.installment_no and charge.installment_count:
        text += f' — parcela {charge.installment_no}/{charge.installment_count}'
    return text


def _announce_payment(session: Session, office: Office, client: Client, charge: Charge, receipt: Receipt) -> None:
    users = _logins(session, client.id)
    title = 'Pagamento recebido — recibo disponível'
    body = f'{charge.description}: {formatting.money(receipt.amount_cents)} em {formatting.day(receipt.paid_date)}, ' \
           f'recibo nº {receipt.number:06d}'
    notifications.notify(session, [u for u, _ in users], 'recebimentos', title, body, '/portal/financeiro')
    addresses = channels.email_addresses(session, users, 'recebimentos')
    if not addresses:
        return
    info = _office_info(office)
    _mail_after_commit(
        session, addresses, title,
        [f'Olá, {client.name}.', f'Recebemos o seu pagamento de {formatting.money(receipt.amount_cents)} '
         f'referente a {receipt.refers_to}, em {formatting.day(receipt.paid_date)}. Obrigado!',
         f'O recibo nº {receipt.number:06d} está em anexo e também no portal.'],
        ('Abrir o portal', _portal_url(None)),
        lambda: [(_receipt_filename(receipt), 'application/pdf', recibo_bytes(info, client, receipt))])


def undo_payment(actor: Actor, charge_id: uuid.UUID | str) -> None:
    """Estorno: the charge goes back to open and its recibo is marked cancelled (its number is never reused)."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        charge = _charge(session, charge_id)
        if charge.status != 'pago':
            raise ValidationError('Esta cobrança não está paga.')
        numbers = []
        for receipt in session.exec(select(Receipt).where(Receipt.charge_id == charge.id,
                                                          Receipt.cancelled_at.is_(None))).all():
            receipt.cancelled_at = clock.now()
            numbers.append(receipt.number)
        detail = (f'{charge.description}: estorno do recebimento de {formatting.money(charge.received_cents)} em '
                  f'{formatting.day(charge.paid_date)}; recibo nº {", ".join(map(str, numbers)) or "—"} cancelado')
        charge.status, charge.paid_date, charge.received_cents = 'aberto', None, None
        charge.discount_cents, charge.addition_cents, charge.payment_form = 0, 0, ''
        audit.record(session, actor, 'undo_payment', 'charge', charge.id, detail)
        live.announce(session, TOOL, charge.client_id, charge.id)


def cancel(actor: Actor, charge_id: uuid.UUID | str) -> None:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        charge = _charge(session, charge_id)
        if charge.status != 'aberto':
            raise ValidationError('Só é possível cancelar uma cobrança em aberto. Estorne a baixa antes.'
                                  if charge.status == 'pago' else 'Esta cobrança já está cancelada.')
        charge.status = 'cancelado'
        audit.record(session, actor, 'update', 'charge', charge.id, f'{charge.description}: cancelada')
        live.announce(session, TOOL, charge.client_id, charge.id)


def reopen(actor: Actor, charge_id: uuid.UUID | str) -> None:
    """A cancelled charge back to open."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        charge = _charge(session, charge_id)
        if charge.status != 'cancelado':
            raise ValidationError('Esta cobrança não está cancelada.')
        charge.status = 'aberto'
        audit.record(session, actor, 'update', 'charge', charge.id, f'{charge.description}: reaberta')
        live.announce(session, TOOL, charge.client_id, charge.id)


def send_to_client(actor: Actor, charge_id: uuid.UUID | str) -> int:
    """E-mail the charge again to the client's logins (boleto when possible, PIX code). Returns how many addresses."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        charge = _charge(session, charge_id)
        if charge.status != 'aberto':
            raise ValidationError('Só é possível enviar uma cobrança em aberto.')
        client = session.get(Client, charge.client_id)
        addresses = list(dict.fromkeys(session.exec(select(User.email).where(
            User.client_id == client.id, User.active == True)).all()))  # noqa: E712
        if not addresses and client.email:
            addresses = [client.email]
        if not addresses:
            raise ValidationError('Este cliente não tem e-mail cadastrado nem acesso ao portal.')
        office = _office(session)
        try:
            office, nosso = _reserve_nosso_numero(session, charge)  # a short transaction: the boleto drawn after it
        except ValidationError:
            nosso = None
    attachments = _boleto_attachment(office, charge, client, nosso)
    subject = f'Cobrança: {charge.description}'
    parcel = f' (parcela {charge.installment_no}/{charge.installment_count})' if charge.installment_no else ''
    paragraphs = [f'Olá, {client.name}.',
                  f'Segue a cobrança {charge.description}{parcel}, {formatting.money(charge.amount_cents)}, '
                  f'vencimento {formatting.day(charge.due_date)}.',
                  *_payment_paragraphs(office, charge, bool(attachments))]
    with unit(actor) as session:  # the second short transaction: the e-mails and their audit line
        for address in addresses:
            mail.queue(session, address, subject, paragraphs, link=('Abrir o portal', _portal_url(charge.id)),
                       attachments=attachments)
        audit.record(session, actor, 'email', 'charge', charge.id, f'{charge.description}: enviada a '
                     f'{", ".join(addresses)}')
    return len(addresses)


# --------------------------------------------------------------------------------------------------------------------
# Documents: boleto, recibo, PIX
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfficeInfo:
    name: str  # trade name or legal name
    legal_name: str
    document: str
    address: str
    place: str  # 'Recife/PE'
    accountant_name: str
    accountant_crc: str
    logo_path: str | None


def _office(session: Session) -> Office:
    return session.get(Office, 1) or Office(id=1)


def _office_info(office: Office) -> OfficeInfo:
    from . import office as office_service
    brand = office_service.branding()
    street = ', '.join(p for p in (office.street, office.number) if p)
    if office.complement:
        street = f'{street} {office.complement}'.strip()
    city = '/'.join(p for p in (office.city, office.uf) if p)
    parts = [p for p in (street, office.district, city, f'CEP {formatting.cep(office.cep)}' if office.cep else '') if p]
    crc = ''
    number = (office.crc_number or '').strip()
    if number:  # '012345/O-1' with UF 'PE' -> 'CRC-PE 012345/O-1'; '1SP123456/O-5' already names its UF
        uf = (office.crc_uf or '').strip().upper()
        crc = f'CRC-{uf} {number}' if uf and uf not in number.upper() else f'CRC {number}'
    return OfficeInfo(office.trade_name or office.legal_name or brand.name, office.legal_name or office.trade_name
                      or brand.name, formatting.document(office.document), ' - '.join(parts), city or office.city,
                      office.accountant_name, crc, str(brand.logo_path) if brand.logo_path else None)


def boleto_settings_missing(office: Office) -> list[str]:
    """What Meus Dados lacks for a boleto of the office's bank (labels in Portuguese; [] when complete)."""
    from . import office as office_service
    return office_service.boleto_settings_missing(office)


def _missing_message(missing: list[str]) -> str:
    listed = missing[0] if len(missing) == 1 else ', '.join(missing[:-1]) + ' e ' + missing[-1]
    return f'Para gerar o boleto, complete em Meus Dados > Boletos: {listed}. Nenhum boleto foi gerado.'


def _boleto_codes(office: Office, nosso: int, charge: Charge) -> tuple[str, str]:
    """(44-digit barcode, nosso número as printed) of a charge; ValidationError when the settings do not fit."""
    bank = office.bank_code.strip()
    fields = dict(agencia=office.agencia, conta=office.conta, carteira=office.carteira, convenio=office.convenio,
                  nosso_numero=str(nosso))
    try:
        code = boleto.barcode(bank, charge.due_date, charge.amount_cents, boleto.campo_livre(bank, **fields))
        printed = boleto.nosso_numero_impresso(bank, **fields)
    except ValueError as e:
        log.info('boleto not built: %s', e)
        raise ValidationError(f'Os dados bancários de Meus Dados não conferem com o layout de boleto do '
                              f'{boleto.SUPPORTED_BANKS.get(bank, "banco")}: confira agência, conta, carteira e '
                              f'código do beneficiário. Nenhum boleto foi gerado.') from e
    return code, printed


def _nosso_numero_shown(office: Office, nosso: int | None) -> str:
    """A charge's nosso número as its boleto prints it ('' before a boleto was made); the bare sequence when the
    current bank settings no longer fit the layout."""
    if nosso is None:
        return ''
    try:
        return boleto.nosso_numero_impresso(office.bank_code.strip(), agencia=office.agencia, conta=office.conta,
                                            carteira=office.carteira, convenio=office.convenio,
                                            nosso_numero=str(nosso))
    except ValueError:
        return str(nosso)


def _reserve_nosso_numero(session: Session, charge: Charge) -> tuple[Office, int]:
    """The charge's nosso número, taking the office's next one (row locked) the first time. Checks the settings first:
    nothing is consumed when they are incomplete or do not fit the bank's layout."""
    office = _office(session)
    missing = boleto_settings_missing(office)
    if missing:
        raise ValidationError(_missing_message(missing), 'boleto')
    if charge.nosso_numero is not None:
        return office, charge.nosso_numero
    locked = session.exec(select(Office).where(Office.id == 1).with_for_update()).first() or office
    number = locked.next_nosso_numero
    _boleto_codes(locked, number, charge)  # refuse before consuming the number
    locked.next_nosso_numero = number + 1
    charge.nosso_numero = number
    return locked, number


def _boleto_attachment(office: Office, charge: Charge, client: Client,
                       nosso: int | None) -> list[tuple[str, str, bytes]]:
    """The boleto as an e-mail attachment, or none when it cannot be drawn (the e-mail goes with the PIX code)."""
    if nosso is None:
        return []
    try:
        return [(_boleto_filename(charge), 'application/pdf', _boleto_bytes(office, charge, client, nosso))]
    except ValidationError:
        return []


def _boleto_bytes(office: Office, charge: Charge, client: Client, nosso: int) -> bytes:
    """Draw the boleto (no database)."""
    from .. import pdf
    code, printed = _boleto_codes(office, nosso, charge)
    info = _office_info(office)
    payload, _ = _pix_for(office, charge)
    instructions = _instructions(office, charge.amount_cents)
    conta = office.conta + (f'-{office.conta_dv}' if office.conta_dv else '')
    code_field = office.convenio if office.bank_code in ('104', '033') or (office.bank_code == '001' and
                                                                            not office.agencia) else conta
    agencia_codigo = ' / '.join(p for p in (office.agencia, code_field) if p)
    client_street = ', '.join(p for p in (client.street, client.number) if p)
    client_city = '/'.join(p for p in (client.city, client.uf) if p)
    payer_address = ' - '.join(p for p in (client_street, client.district, client_city,
                                           f'CEP {formatting.cep(client.cep)}' if client.cep else '') if p)
    parcel = f' — parcela {charge.installment_no}/{charge.installment_count}' if charge.installment_no else ''
    demo = f'{charge.description}{parcel}.'
    doc = pdf.BoletoDoc(office_name=info.legal_name, office_document=info.document, office_address=info.address,
                        payer_name=client.name, payer_document=formatting.document(client.document),
                        payer_address=payer_address, bank_code=office.bank_code,
                        bank_name=boleto.SUPPORTED_BANKS[office.bank_code], agencia_codigo=agencia_codigo,
                        carteira=office.carteira, nosso_numero=printed, documento=charge.id.hex[:10].upper(),
                        issue_date=charge.issue_date, due_date=charge.due_date, amount_cents=charge.amount_cents,
                        barcode44=code, instructions=instructions, demonstrativo=demo, pix_payload=payload or None,
                        office_logo_path=info.logo_path, processing_date=clock.today())
    return pdf.boleto_pdf(doc)


def _instructions(office: Office, amount_cents: int) -> list[str]:
    lines = []
    if office.fine_bp:
        fine = round(Decimal(amount_cents) * office.fine_bp / 10000)
        lines.append(f'Após o vencimento, cobrar multa de {formatting.percent_bp(office.fine_bp)} '
                     f'({formatting.money(int(fine))}).')
    if office.interest_bp_month:
        per_day = round(Decimal(amount_cents) * office.interest_bp_month / 10000 / 30)
        lines.append(f'Após o vencimento, cobrar juros de {formatting.percent_bp(office.interest_bp_month)} ao mês '
                     f'({formatting.money(int(per_day))} por dia de atraso).')
    lines += [line.strip() for line in (office.instructions or '').splitlines() if line.strip()][:3]
    return lines


def _pix_for(office: Office, charge: Charge) -> tuple[str, str]:
    """(copia e cola, '') for a charge, or ('', why not) when the office's PIX settings are missing or wrong."""
    if not (office.pix_key or '').strip():
        return '', 'O escritório não cadastrou uma chave PIX.'
    name = office.legal_name or office.trade_name
    try:
        return pix.payload(office.pix_key, name or 'Escritorio', office.city or '', charge.amount_cents,
                           pix_txid(charge.id)), ''
    except ValueError as e:
        return '', f'PIX indisponível: {e}.'


def boleto_pdf(actor: Actor, charge_id: uuid.UUID | str) -> tuple[str, bytes]:
    """(file name, PDF) of an open charge's boleto, for staff or for the charge's own client. The first time, the
    charge gets the office's next nosso número. Incomplete bank settings: ValidationError naming what is missing,
    nothing generated and no number consumed."""
    _require_view(actor)
    with unit(actor) as session:
        charge = _charge(session, charge_id, actor)
        if charge.status != 'aberto':
            raise ValidationError('Só há boleto para cobranças em aberto.' if charge.status == 'cancelado'
                                  else 'Esta cobrança já foi paga.')
        client = session.get(Client, charge.client_id)
        try:
            office, nosso = _reserve_nosso_numero(session, charge)
        except ValidationError:
            if actor.is_client:
                raise ValidationError(BOLETO_UNAVAILABLE) from None
            raise
    # committed: the office row is unlocked before the PDF is drawn (drawn on demand, never stored: it is cheap and
    # always shows the charge and the office as they are now)
    try:
        return _boleto_filename(charge), _boleto_bytes(office, charge, client, nosso)
    except ValidationError:
        if actor.is_client:
            raise ValidationError(BOLETO_UNAVAILABLE) from None
        raise


BOLETO_UNAVAILABLE = ('O boleto desta cobrança ainda não está disponível: o escritório precisa completar os dados '
                      'bancários. Use o PIX ou fale com o escritório.')


def _boleto_filename(charge: Charge) -> str:
    return f'boleto-{charge.due_date.isoformat()}-{charge.id.hex[:8]}.pdf'


def receipt_pdf(actor: Actor, receipt_id: uuid.UUID | str) -> tuple[str, bytes]:
    """(file name, PDF) of a recibo, for staff or for its own client (a client never gets a cancelled one)."""
    _require_view(actor)
    with unit(actor) as session:
        try:
            receipt = get_scoped(session, Receipt, receipt_id, actor)
        except NotFound:
            receipt = None
        if receipt is None or (actor.is_client and receipt.cancelled_at is not None):
            raise NotFound('Recibo não encontrado.')
        if receipt.cancelled_at is not None:
            raise ValidationError(f'O recibo nº {receipt.number:06d} foi cancelado (baixa estornada em '
                                  f'{formatting.when(receipt.cancelled_at)}).')
        client = session.get(Client, receipt.client_id)
        info = _office_info(_office(session))
    return _receipt_filename(receipt), recibo_bytes(info, client, receipt)


def recibo_bytes(info: OfficeInfo, client: Client, receipt: Receipt) -> bytes:
    from .. import pdf
    from ..br import extenso
    doc = pdf.ReciboDoc(number=receipt.number, office_name=info.legal_name, office_document=info.document,
                        office_address=info.address, client_name=client.name,
                        client_document=formatting.document(client.document), amount_cents=receipt.amount_cents,
                        refers_to=receipt.refers_to, payment_form=PAYMENT_FORMS.get(receipt.payment_form,
                                                                                    receipt.payment_form),
                        place=info.place or '—', date=receipt.paid_date, accountant_name=info.accountant_name or
                        info.legal_name, accountant_crc=info.accountant_crc,
                        amount_words=extenso.reais(Decimal(receipt.amount_cents) / 100),
                        office_logo_path=info.logo_path)
    return pdf.recibo_pdf(doc)


def _receipt_filename(receipt: Receipt) -> str:
    return f'recibo-{receipt.number:06d}.pdf'


@dataclass(frozen=True)
class PixCode:
    payload: str
    png: bytes
    amount_cents: int
    due_date: date


def pix_code(actor: Actor, charge_id: uuid.UUID | str) -> PixCode:
    """The PIX copia e cola and its QR (PNG) of an open charge, for staff or its own client."""
    from .. import pdf
    _require_view(actor)
    with unit(actor) as session:
        charge = _charge(session, charge_id, actor)
        if charge.status != 'aberto':
            raise ValidationError('Esta cobrança não está em aberto.')
        payload, problem = _pix_for(_office(session), charge)
    if not payload:
        raise ValidationError(problem)
    return PixCode(payload, pdf.pix_qr_png(payload, box_size=6), charge.amount_cents, charge.due_date)


def _payment_paragraphs(office: Office, charge: Charge, with_boleto: bool) -> list[str]:
    lines = []
    if with_boleto:
        lines.append('O boleto está em anexo.')
    payload, _ = _pix_for(office, charge)
    if payload:
        lines += ['Para pagar com PIX, copie o código abaixo ("PIX copia e cola") e cole no aplicativo do seu banco:',
                  payload]
    lines.append('Você também encontra esta cobrança no portal, em Financeiro.')
    return lines


def _portal_url(charge_id: uuid.UUID | None) -> str:
    base = get_settings().public_url
    return f'{base}/portal/financeiro' + (f'?cobranca={charge_id}' if charge_id else '')


# --------------------------------------------------------------------------------------------------------------------
# Home badges
# --------------------------------------------------------------------------------------------------------------------

def overdue_count(session: Session, today: date | None = None) -> int:
    """Open charges past their due date (badge of the Recebimentos tile)."""
    today = today or clock.today()
    return session.exec(select(func.count()).select_from(Charge).where(Charge.status == 'aberto',
                                                                        Charge.due_date < today)).one()


def client_open_count(session: Session, actor: Actor) -> int:
    """The client's own open charges (badge of its Financeiro tile); 0 for anyone but a client login."""
    if not actor.is_client or actor.client_id is None:
        return 0
    return session.exec(scoped(select(func.count()).select_from(Charge).where(Charge.status == 'aberto'),
                               Charge, actor)).one()


# --------------------------------------------------------------------------------------------------------------------
# Alerts (no actor: run by the scheduler)
# --------------------------------------------------------------------------------------------------------------------

@dataclass
class _Alert:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    client_email: str
    description: str
    parcel: str
    amount_cents: int
    due_date: date
    level: str
    attachment: tuple[str, str, bytes] | None = None
    pix: str = ''


def _pending_alerts(today: date):
    """Conditions of the charges that are owed an alert today, and the level of each."""
    level = case((Charge.due_date < today, 'overdue'), else_='due_soon')
    soon_sent = reminders.sent('charge', Charge.id, level='due_soon')
    overdue_sent = reminders.sent('charge', Charge.id, level='overdue',
                                  since_day=today - timedelta(days=OVERDUE_REPEAT_DAYS - 1))
    conds = [Charge.status == 'aberto', Charge.due_date <= today + timedelta(days=ALERT_DAYS),
             or_(and_(Charge.due_date >= today, Charge.issue_date < today, ~soon_sent),
                 and_(Charge.due_date < today, ~overdue_sent))]
    return conds, level


def sweep_alerts(today: date | None = None) -> int:
    """Remind clients of charges due within ALERT_DAYS days and clients and staff of overdue ones (see the module
    docstring). A source of the reminder engine (kind 'charge', period = the day); set-based: a handful of queries
    whatever the number of charges; at most ALERT_BATCH charges per run.

    Three steps, so that no write transaction stays open while PDFs are drawn: (1) pick the charges; (2) give the
    due-soon ones a nosso número (a short transaction) and draw their boletos (outside any); (3) in one transaction,
    re-check that each is still open and not alerted, record them, write the notifications and the e-mails.
    Returns how many charges alerted."""
    return reminders.sweep(['charge'], today=today)['charge']


def _due_alerts(session: Session, window: reminders.Window) -> list[reminders.Reminder]:
    """Step 1 (and the re-check of step 3): the charges owed an alert today, the first ALERT_BATCH by due date."""
    today = window.today
    conds, level = _pending_alerts(today)
    found = session.exec(select(Charge.id, Charge.client_id, Client.name, Client.email, Charge.description,
                                Charge.installment_no, Charge.installment_count, Charge.amount_cents, Charge.due_date,
                                level)
                         .join(Client, Client.id == Charge.client_id)
                         .where(*conds, Client.active == True)  # noqa: E712
                         .order_by(Charge.due_date, Charge.id).limit(ALERT_BATCH)).all()
    due_at = window.day_start()
    return [reminders.Reminder('charge', cid, lv, today.isoformat(), due_at,
                               data=_Alert(cid, client_id, name, email or '', description,
                                           f'{number}/{count}' if number else '', amount, due, lv))
            for cid, client_id, name, email, description, number, count, amount, due, lv in found]


def _prepare_alerts(due: list[reminders.Reminder], _window: reminders.Window) -> list[reminders.Reminder]:
    """Step 2: the PIX code of each charge; for the due-soon ones a nosso número and the boleto, drawn outside any
    transaction within ALERT_PDF_SECONDS (those past it wait for the next run)."""
    with unit() as session:
        office = _office(session)
        boleto_ready = not boleto_settings_missing(office)
        charges: dict[uuid.UUID, Charge] = {}
        for chunk in _chunks([r.item_id for r in due], 900):
            charges.update((c.id, c) for c in session.exec(select(Charge).where(Charge.id.in_(chunk))).all())
        clients = {c.client_id for c in charges.values()}
        client_rows = {c.id: c for c in session.exec(select(Client).where(Client.id.in_(list(clients)))).all()}
        to_draw = []
        for r in due:
            alert, charge = r.data, charges.get(r.item_id)
            if charge is None:
                continue
            alert.pix = _pix_for(office, charge)[0]
            if alert.level == 'due_soon' and boleto_ready:
                try:
                    office, nosso = _reserve_nosso_numero(session, charge)
                    to_draw.append((alert, charge, nosso))
                except ValidationError:
                    pass
        session.flush()
        session.expunge_all()
    started = _time.monotonic()
    deferred = set()
    for alert, charge, nosso in to_draw:
        if _time.monotonic() - started > ALERT_PDF_SECONDS:
            deferred.add(alert.id)
            continue
        try:
            alert.attachment = (_boleto_filename(charge), 'application/pdf',
                                _boleto_bytes(office, charge, client_rows[charge.client_id], nosso))
        except (ValidationError, ValueError):
            log.exception('boleto of charge %s not drawn for its alert', charge.id)
    return [r for r in due if r.item_id in charges and r.item_id not in deferred]


def _deliver_alerts(session: Session, due: list[reminders.Reminder], window: reminders.Window) -> None:
    _deliver(session, [r.data for r in due], window.today)


# texts describe the present ("vence em 2 dias"), so never late; one batch per run, every 5 minutes
reminders.register(reminders.Source('charge', due=_due_alerts, prepare=_prepare_alerts, deliver=_deliver_alerts,
                                    every=timedelta(minutes=5), late_after=None, keep_days=ALERT_KEEP_DAYS,
                                    batch=ALERT_BATCH, max_per_sweep=ALERT_BATCH))


def _alert_line(a: _Alert) -> str:
    parcel = f' (parcela {a.parcel})' if a.parcel else ''
    return f'{a.description}{parcel}: {formatting.money(a.amount_cents)}, vencimento {formatting.day(a.due_date)}'


def _deliver(session: Session, alerts: list[_Alert], today: date) -> None:
    by_client: dict[uuid.UUID, list[_Alert]] = {}
    for a in alerts:
        by_client.setdefault(a.client_id, []).append(a)
    logins: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for chunk in _chunks(list(by_client), 900):
        for uid, email, cid in session.exec(select(User.id, User.email, User.client_id).where(
                User.client_id.in_(chunk), User.active == True)).all():  # noqa: E712
            logins.setdefault(cid, []).append((uid, email))
    by_mail = channels.wants_email(session, [uid for users in logins.values() for uid, _ in users], 'recebimentos')
    entries = []
    for cid, items in by_client.items():
        users = logins.get(cid, [])
        # the logins whose channel includes e-mail; the client's own address when it has no login
        addresses = (list(dict.fromkeys(e for uid, e in users if uid in by_mail)) if users
                     else [items[0].client_email] if items[0].client_email else [])
        for lv in ('overdue', 'due_soon'):
            chosen = [a for a in items if a.level == lv]
            if not chosen:
                continue
            title, body = _client_alert_texts(lv, chosen, today)
            link = f'/portal/financeiro?cobranca={chosen[0].id}' if len(chosen) == 1 else '/portal/financeiro'
            entries += [(uid, title, body, link) for uid, _ in users]
            paragraphs = [f'Olá, {chosen[0].client_name}.',
                          'Estas cobranças estão vencidas e ainda constam em aberto:' if lv == 'overdue'
                          else f'Lembrete: estas cobranças vencem em até {ALERT_DAYS} dias:']
            attachments = []
            for a in chosen:
                paragraphs.append(_alert_line(a))
                if a.pix:
                    paragraphs.append(f'PIX copia e cola: {a.pix}')
                if a.attachment:
                    attachments.append(a.attachment)
            if attachments:
                paragraphs.append('O boleto está em anexo.' if len(attachments) == 1
                                  else 'Os boletos estão em anexo.')
            if lv == 'overdue':
                paragraphs.append('Se você já pagou, desconsidere esta mensagem. Pagamentos após o vencimento podem '
                                  'ter multa e juros.')
            for address in addresses:
                mail.queue(session, address, title, paragraphs, link=('Abrir o portal', _portal_url(
                    chosen[0].id if len(chosen) == 1 else None)), attachments=attachments)
    _notify_each(session, 'recebimentos', entries)
    overdue = [a for a in alerts if a.level == 'overdue']
    if overdue:
        staff = notifications.staff_users(session, TOOL)
        if staff:
            title, body, link = _staff_alert_texts(overdue)
            notifications.notify(session, staff, 'recebimentos', title, body, link)
            base = get_settings().public_url
            lines = [f'{a.client_name} — {_alert_line(a)}' for a in overdue[:50]]
            if len(overdue) > 50:
                lines.append(f'… e mais {len(overdue) - 50}.')
            total = formatting.money(sum(a.amount_cents for a in overdue))
            wanting = list(channels.wants_email(session, staff, 'recebimentos'))
            for address in (session.exec(select(User.email).where(User.id.in_(wanting))).all() if wanting else []):
                mail.queue(session, address, title, ['Estas cobranças estão vencidas e ainda sem baixa:', *lines,
                                                     f'Total: {total}.'],
                           link=('Abrir Recebimentos', f'{base}{link}'))


def _client_alert_texts(level: str, items: list[_Alert], today: date) -> tuple[str, str]:
    total = formatting.money(sum(a.amount_cents for a in items))
    if level == 'overdue':
        if len(items) == 1:
            return f'Cobrança vencida: {items[0].description}', _alert_line(items[0])
        return f'{len(items)} cobranças vencidas', f'Total {total}.'
    if len(items) == 1:
        days = (items[0].due_date - today).days
        when = {0: 'vence hoje', 1: 'vence amanhã'}.get(days, f'vence em {days} dias')
        return f'Cobrança {when}: {items[0].description}', _alert_line(items[0])
    return f'{len(items)} cobranças vencem em até {ALERT_DAYS} dias', f'Total {total}.'


def _staff_alert_texts(items: list[_Alert]) -> tuple[str, str, str]:
    if len(items) == 1:
        a = items[0]
        return f'Cobrança vencida: {a.client_name}', _alert_line(a), f'/recebimentos?cobranca={a.id}'
    total = formatting.money(sum(a.amount_cents for a in items))
    return f'{len(items)} cobranças vencidas', f'Total {total}.', '/recebimentos?status=vencido'
