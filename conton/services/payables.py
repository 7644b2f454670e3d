"""Pagamentos: the office's bills to its suppliers. List with filters and totals, new bill (single, installments or
monthly recurrence), baixa and its undo, cancel, delete, attachment, PDF/CSV export and the due-date alerts.

Status stored: aberto | pago | cancelado. 'vencido' is derived (aberto and due before today), never stored.

Monthly recurrence: creating a recurring bill creates the occurrences of the next 12 months at once, in one group
(installment_no = 1..12, installment_count = how many the series has created so far). A daily job
(`extend_recurrences`) keeps every series that is still recurring 12 months ahead, numbering on from
installment_count, so an occurrence deleted on its own is never re-created. Deleting "this and the following"
occurrences ends the series.
"""
from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, or_
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlmodel import Session, select

from .. import clock, formatting
from ..br.money import (  # MAX_INSTALLMENTS, net_paid: the page's input max and its 'Valor pago' too
    MAX_INSTALLMENTS, add_months, net_paid, split_installments)
from ..config import get_settings
from ..db import after_commit
from ..models import AlertSent, Bill, Supplier, User
from ..models.people import fold
from . import audit, finance, live, mail, notifications, storage  # finance: the paid-per-month summary's flush hook
from . import channels, reminders
from .base import as_uuid, in_id_order, unit
from .errors import NotFound, ValidationError
from .form_input import day as _day, installments as _installments, money as _money, text as _text
from .permissions import Actor, require
from .validation import normalize_document

log = logging.getLogger(__name__)

TOOL = 'payables'
ATTACHMENT_FOLDER = 'bills'
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
RECURRENCE_MONTHS = 12  # a monthly series is kept this many months ahead
ALERT_DAYS = 3  # "due soon" = due within this many days
ALERT_KEEP_DAYS = 60  # reminder records of bills older than this are pruned by the sweep
PDF_MAX_ROWS = 2000  # reportlab needs ~5 ms a row; the CSV has no limit

STATUS_LABELS = {'aberto': 'Pendente', 'vencido': 'Vencido', 'pago': 'Pago', 'cancelado': 'Cancelado'}
STATUS_FILTERS = {'': 'Todos', 'pendente': 'Pendente', 'vencido': 'Vencido', 'aberto': 'Em aberto (pendente e vencido)',
                  'pago': 'Pago', 'cancelado': 'Cancelado'}
DATE_FIELDS = {'vencimento': 'Vencimento', 'pagamento': 'Pagamento'}
REPEAT_LABELS = {'unica': 'Única', 'parcelas': 'Parcelada', 'mensal': 'Recorrente (mensal)'}
DELETE_SCOPES = ('only', 'following', 'group')


# --------------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------------

@dataclass
class BillFilter:
    status: str = ''  # key of STATUS_FILTERS
    supplier: str = ''  # supplier name or CPF/CNPJ (masked or not)
    date_field: str = 'vencimento'  # vencimento | pagamento
    start: date | None = None
    end: date | None = None

    @classmethod
    def current_month(cls, today: date | None = None) -> BillFilter:
        today = today or clock.today()
        first = today.replace(day=1)
        return cls(start=first, end=add_months(first, 1) - timedelta(days=1))


@dataclass(frozen=True)
class BillRow:
    id: uuid.UUID
    description: str
    category: str
    supplier_id: uuid.UUID | None
    supplier_name: str
    supplier_document: str
    amount_cents: int
    issue_date: date
    due_date: date
    status: str  # aberto | vencido | pago | cancelado (vencido derived)
    paid_date: date | None
    discount_cents: int
    addition_cents: int
    paid_cents: int | None
    group_id: uuid.UUID | None
    installment_no: int | None
    installment_count: int | None
    recurrence: str
    attachment_name: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def parcel(self) -> str:
        """'2/3' for an installment, 'mensal' for an occurrence of a recurrence, '' otherwise."""
        if self.group_id is None or self.installment_no is None:
            return ''
        if self.recurrence:
            return 'mensal'
        return f'{self.installment_no}/{self.installment_count}'

    @property
    def in_group(self) -> bool:
        return self.group_id is not None

    @property
    def has_attachment(self) -> bool:
        return bool(self.attachment_name)


@dataclass
class BillPage:
    rows: list[BillRow]
    total: int  # bills matching the filter
    amount_cents: int  # sum of their amounts
    paid_cents: int  # sum paid (of the paid ones)
    open_cents: int  # sum of the open ones (pendente + vencido)
    page: int = 1
    per_page: int = 25
    filter: BillFilter = field(default_factory=BillFilter)


# The columns a list row needs: selected as plain columns (no ORM objects), fast for the CSV of 50,000 bills.
_ROW_COLUMNS = (Bill.id, Bill.description, Bill.category, Bill.supplier_id, Supplier.name, Supplier.document,
                Bill.amount_cents, Bill.issue_date, Bill.due_date, Bill.status, Bill.paid_date, Bill.discount_cents,
                Bill.addition_cents, Bill.paid_cents, Bill.group_id, Bill.installment_no, Bill.installment_count,
                Bill.recurrence, Bill.attachment_name)


def _rows_query():
    return select(*_ROW_COLUMNS).outerjoin(Supplier, Supplier.id == Bill.supplier_id)


def _row(values, today: date) -> BillRow:
    values = list(values)
    values[4], values[5] = values[4] or '', values[5] or ''
    if values[9] == 'aberto' and values[8] < today:
        values[9] = 'vencido'
    return BillRow(*values)


def _bill_row(bill: Bill, today: date) -> BillRow:
    return _row([getattr(bill, c.key) if c.class_ is Bill else None for c in _ROW_COLUMNS], today)


def _conditions(filt: BillFilter, today: date) -> list:
    conds = []
    status = filt.status
    if status == 'pendente':
        conds += [Bill.status == 'aberto', Bill.due_date >= today]
    elif status == 'vencido':
        conds += [Bill.status == 'aberto', Bill.due_date < today]
    elif status in ('aberto', 'pago', 'cancelado'):
        conds.append(Bill.status == status)
    elif status:
        raise ValidationError('Situação inválida.', 'status')
    elif filt.date_field != 'pagamento':
        conds.append(Bill.status.in_(('aberto', 'pago', 'cancelado')))  # lets ix_bill_status_due serve a range
    column = Bill.paid_date if filt.date_field == 'pagamento' else Bill.due_date
    if filt.start:
        conds.append(column >= filt.start)
    if filt.end:
        conds.append(column <= filt.end)
    text = (filt.supplier or '').strip()
    if text:
        conds.append(Bill.supplier_id.in_(select(Supplier.id).where(_supplier_match(text, Supplier.sort_name))))
    return conds


def _supplier_match(text: str, folded_column):
    """Accent- and case-blind match on a folded name column, or on the CPF/CNPJ (masked or not)."""
    matches = [folded_column.like(f'%{fold(text)}%')]
    digits = normalize_document(text)
    if digits and any(c.isdigit() for c in digits):
        matches.append(Supplier.document.like(f'%{digits}%'))
    return or_(*matches)


def _order(filt: BillFilter) -> tuple:
    if filt.date_field == 'pagamento':
        return Bill.paid_date, Bill.due_date, Bill.id
    return Bill.due_date, Bill.description, Bill.id


def search(actor: Actor, filt: BillFilter | None = None, *, page: int = 1, per_page: int = 25) -> BillPage:
    """One page of the bills matching the filter, with the count and sums of every match (three queries)."""
    require(actor, TOOL)
    filt = filt or BillFilter.current_month()
    today = clock.today()
    per_page = max(1, min(int(per_page), 200))
    with unit(actor) as session:
        conds = _conditions(filt, today)
        total, amount, paid, open_ = session.exec(
            select(func.count(), func.coalesce(func.sum(Bill.amount_cents), 0),  # count(*): index-only
                   func.coalesce(func.sum(case((Bill.status == 'pago', Bill.paid_cents), else_=0)), 0),
                   func.coalesce(func.sum(case((Bill.status == 'aberto', Bill.amount_cents), else_=0)), 0))
            .where(*conds)).one()
        pages = max(1, -(-total // per_page))
        page = max(1, min(int(page), pages))
        # the page's ids first (index-only: ix_bill_status_due), then just those rows
        ids = session.exec(select(Bill.id).where(*conds).order_by(*_order(filt))
                           .offset((page - 1) * per_page).limit(per_page)).all()
        rows = session.exec(_rows_query().where(Bill.id.in_(ids))).all() if ids else []
        rows = in_id_order(rows, ids)
        return BillPage([_row(r, today) for r in rows], total, int(amount), int(paid), int(open_),
                        page, per_page, filt)


@dataclass(frozen=True)
class ExportRow:
    due_date: date
    description: str
    parcel: str
    supplier_name: str
    supplier_document: str
    category: str
    amount_cents: int
    status: str  # with 'vencido' derived
    paid_date: date | None
    discount_cents: int
    addition_cents: int
    paid_cents: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _export_rows(session: Session, filt: BillFilter, limit: int | None = None) -> list[ExportRow]:
    """The rows of an export: only printable columns (no ids to convert), fast for 50,000 bills."""
    today = clock.today()
    query = (select(Bill.due_date, Bill.description, Bill.installment_no, Bill.installment_count, Bill.recurrence,
                    Supplier.name, Supplier.document, Bill.category, Bill.amount_cents, Bill.status, Bill.paid_date,
                    Bill.discount_cents, Bill.addition_cents, Bill.paid_cents)
             .outerjoin(Supplier, Supplier.id == Bill.supplier_id)
             .where(*_conditions(filt, today)).order_by(*_order(filt)))
    if limit:
        query = query.limit(limit)
    rows = []
    for due, desc, no, count, recurrence, name, doc, category, amount, status, paid, disc, add, paid_cents \
            in session.exec(query).all():
        parcel = '' if no is None else 'mensal' if recurrence else f'{no}/{count}'
        if status == 'aberto' and due < today:
            status = 'vencido'
        rows.append(ExportRow(due, desc, parcel, name or '', doc or '', category, amount, status, paid, disc, add,
                              paid_cents))
    return rows


def get(actor: Actor, bill_id: uuid.UUID | str) -> BillRow:
    require(actor, TOOL)
    with unit(actor) as session:
        found = session.exec(_rows_query().where(Bill.id == as_uuid(bill_id))).first()
        if found is None:
            raise NotFound('Conta não encontrada.')
        return _row(found, clock.today())


def get_many(actor: Actor, bill_ids: Sequence[uuid.UUID | str]) -> list[BillRow]:
    """Several bills in one query (the selection of the list), in due-date order; NotFound if any is missing."""
    require(actor, TOOL)
    ids = list(dict.fromkeys(as_uuid(i) for i in bill_ids))
    with unit(actor) as session:
        rows = session.exec(_rows_query().where(Bill.id.in_(ids)).order_by(Bill.due_date, Bill.id)).all()
        if len(rows) != len(ids):
            raise NotFound('Conta não encontrada.')
        today = clock.today()
        return [_row(r, today) for r in rows]


def supplier_options(actor: Actor, text: str = '', *, include: uuid.UUID | str | None = None,
                     limit: int = 50) -> dict[str, str]:
    """Active suppliers matching a name or CPF/CNPJ (for the searchable select): {id: 'Name — document'}."""
    require(actor, TOOL)
    with unit(actor) as session:
        query = select(Supplier.id, Supplier.name, Supplier.document).where(Supplier.active == True)  # noqa: E712
        text = (text or '').strip()
        if text:
            query = query.where(_supplier_match(text, Supplier.search_text))
        rows = list(session.exec(query.order_by(Supplier.sort_name).limit(limit)).all())
        if include:
            key = as_uuid(include)
            if all(r[0] != key for r in rows):
                rows += session.exec(select(Supplier.id, Supplier.name, Supplier.document)
                                     .where(Supplier.id == key)).all()
        return {str(i): f'{n} — {formatting.document(d)}' for i, n, d in rows}


def categories(actor: Actor) -> list[str]:
    """Categories in use (bills and suppliers), for suggestions."""
    require(actor, TOOL)
    with unit(actor) as session:
        bills = session.exec(select(Bill.category).where(Bill.category != '').distinct().limit(200)).all()
        suppliers = session.exec(select(Supplier.category).where(Supplier.category != '').distinct().limit(200)).all()
        return sorted(set(bills) | set(suppliers), key=str.lower)


# --------------------------------------------------------------------------------------------------------------------
# Input parsing (values come straight from the form; every bad field is reported at once)
# --------------------------------------------------------------------------------------------------------------------


def _supplier(session: Session, value, errors: dict) -> Supplier | None:
    if value in (None, ''):
        return None
    try:
        supplier = session.get(Supplier, as_uuid(value))
    except NotFound:
        supplier = None
    if supplier is None:
        errors['supplier_id'] = 'Fornecedor não encontrado.'
    return supplier


# --------------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------------

async def save_attachment(actor: Actor, file) -> storage.Stored:
    """Store an uploaded bill document (PDF or image, ≤ 10 MB, checked by content). ValidationError field 'file'."""
    require(actor, TOOL, 'write')
    return await storage.save_upload(file, folder=ATTACHMENT_FOLDER, max_bytes=ATTACHMENT_MAX_BYTES,
                                     allowed=storage.IMAGES_AND_PDF)


def discard_attachment(actor: Actor, stored: storage.Stored | None) -> None:
    """Remove an uploaded file that was never attached to a bill (the form was closed)."""
    require(actor, TOOL, 'write')
    if stored is None or stored.folder != ATTACHMENT_FOLDER:
        return
    with unit(actor) as session:
        used = session.exec(select(func.count()).select_from(Bill).where(Bill.attachment_file == stored.name)).one()
    if not used:
        storage.remove(ATTACHMENT_FOLDER, stored.name)


def create(actor: Actor, *, description: str, amount, due_date, supplier_id=None, category: str = '',
           issue_date=None, repeat: str = 'unica', installments=1, attachment: storage.Stored | None = None
           ) -> list[uuid.UUID]:
    """New bill: once ('unica'), in N monthly installments ('parcelas', the amount split exactly) or recurring
    monthly ('mensal', 12 occurrences now, kept 12 months ahead by a daily job). Returns the ids created."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    description = _text(description, 'description', errors, label='a descrição', required=True)
    category = _text(category, 'category', errors, max_len=60)
    cents = _money(amount, 'amount', errors)
    if cents is not None and cents <= 0:
        errors['amount'] = 'Informe um valor maior que zero.'
    due = _day(due_date, 'due_date', errors, label='o vencimento')
    issue = _day(issue_date, 'issue_date', errors, required=False) or clock.today()
    if repeat not in REPEAT_LABELS:
        errors['repeat'] = 'Escolha única, parcelada ou recorrente.'
    n = _installments(installments, errors) if repeat != 'mensal' else 1
    if repeat == 'unica' and n > 1:
        repeat = 'parcelas'
    if attachment is not None and attachment.folder != ATTACHMENT_FOLDER:
        errors['file'] = 'Anexo inválido.'
    with unit(actor) as session:
        supplier = _supplier(session, supplier_id, errors)
        if errors:
            raise ValidationError(errors)
        if not category and supplier is not None:
            category = supplier.category
        group_id = uuid.uuid4() if n > 1 or repeat == 'mensal' else None
        if repeat == 'mensal':
            amounts, count = [cents] * RECURRENCE_MONTHS, RECURRENCE_MONTHS
        else:
            amounts, count = split_installments(cents, n), n
        bills = []
        for i, part in enumerate(amounts):
            bill = Bill(supplier_id=supplier.id if supplier else None, description=description, category=category,
                        amount_cents=part, issue_date=issue, due_date=add_months(due, i, due.day), group_id=group_id,
                        installment_no=i + 1 if group_id else None, installment_count=count if group_id else None,
                        recurrence='mensal' if repeat == 'mensal' else '')
            if attachment is not None:
                bill.attachment_file, bill.attachment_name, bill.attachment_mime = \
                    attachment.name, attachment.original_name, attachment.mime
            bills.append(bill)
        session.add_all(bills)
        session.flush()
        kind = {'unica': '', 'parcelas': f' em {n} parcelas' if n > 1 else '', 'mensal': ' recorrente mensal'}[repeat]
        audit.record(session, actor, 'create', 'bill', bills[0].id,
                     f'{description}{kind}: {formatting.money(cents)}, vencimento {formatting.day(due)}')
        live.announce(session, TOOL, item_id=bills[0].id)
        return [b.id for b in bills]


def _open_bill(session: Session, bill_id) -> Bill:
    bill = session.get(Bill, as_uuid(bill_id))
    if bill is None:
        raise NotFound('Conta não encontrada.')
    return bill


def update(actor: Actor, bill_id: uuid.UUID | str, *, description: str, amount, due_date, supplier_id=None,
           category: str = '', issue_date=None) -> uuid.UUID:
    """Edit an open bill (a paid one must have its baixa undone first)."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    description = _text(description, 'description', errors, label='a descrição', required=True)
    category = _text(category, 'category', errors, max_len=60)
    cents = _money(amount, 'amount', errors)
    if cents is not None and cents <= 0:
        errors['amount'] = 'Informe um valor maior que zero.'
    due = _day(due_date, 'due_date', errors, label='o vencimento')
    issue = _day(issue_date, 'issue_date', errors, required=False)
    with unit(actor) as session:
        bill = _open_bill(session, bill_id)
        if bill.status != 'aberto':
            raise ValidationError('Só é possível editar uma conta em aberto. '
                                  'Estorne a baixa ou reabra a conta antes.')
        supplier = _supplier(session, supplier_id, errors)
        if errors:
            raise ValidationError(errors)
        bill.description, bill.category, bill.amount_cents, bill.due_date = description, category, cents, due
        bill.supplier_id = supplier.id if supplier else None
        if issue:
            bill.issue_date = issue
        audit.record(session, actor, 'update', 'bill', bill.id,
                     f'{description}: {formatting.money(cents)}, vencimento {formatting.day(due)}')
        live.announce(session, TOOL, item_id=bill.id)
        return bill.id


def set_attachment(actor: Actor, bill_id: uuid.UUID | str, attachment: storage.Stored | None) -> None:
    """Attach (or with None remove) the bill's document; the old file goes once no bill refers to it."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        bill = _open_bill(session, bill_id)
        old = bill.attachment_file
        if attachment is not None:
            if attachment.folder != ATTACHMENT_FOLDER:
                raise ValidationError('Anexo inválido.', 'file')
            bill.attachment_file, bill.attachment_name, bill.attachment_mime = \
                attachment.name, attachment.original_name, attachment.mime
        else:
            bill.attachment_file = bill.attachment_name = bill.attachment_mime = ''
        session.flush()
        _remove_unused_files(session, [old] if old and old != bill.attachment_file else [])
        audit.record(session, actor, 'update', 'bill', bill.id,
                     f'anexo {"incluído" if attachment else "removido"}: {bill.description}')
        live.announce(session, TOOL, item_id=bill.id)


def pay(actor: Actor, bill_id: uuid.UUID | str, *, paid_date, discount='', addition='', paid='') -> BillRow:
    """Baixa: payment date (not in the future, not before the issue date), discount, juros/multa and the amount paid
    (amount - discount + juros/multa when left blank)."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    when = _day(paid_date, 'paid_date', errors, label='a data do pagamento')
    discount_cents = _money(discount, 'discount', errors, required=False) or 0
    addition_cents = _money(addition, 'addition', errors, required=False) or 0
    paid_cents = _money(paid, 'paid', errors, required=False)
    with unit(actor) as session:
        bill = _open_bill(session, bill_id)
        if bill.status != 'aberto':
            raise ValidationError('Esta conta não está em aberto.' if bill.status == 'cancelado'
                                  else 'Esta conta já foi paga.')
        if when is not None:
            if when > clock.today():
                errors['paid_date'] = 'A data do pagamento não pode ser no futuro.'
            elif when < bill.issue_date:
                errors['paid_date'] = (f'A data do pagamento não pode ser anterior à emissão '
                                       f'({formatting.day(bill.issue_date)}).')
        if 'discount' not in errors and discount_cents > bill.amount_cents + addition_cents:
            errors['discount'] = 'O desconto não pode ser maior que o valor da conta.'
        if errors:
            raise ValidationError(errors)
        if paid_cents is None:
            paid_cents = net_paid(bill.amount_cents, discount_cents, addition_cents)
        bill.status, bill.paid_date, bill.paid_cents = 'pago', when, paid_cents
        bill.discount_cents, bill.addition_cents = discount_cents, addition_cents
        audit.record(session, actor, 'payment', 'bill', bill.id,
                     f'{bill.description}: pago {formatting.money(paid_cents)} em {formatting.day(when)}')
        live.announce(session, TOOL, item_id=bill.id)
        return _bill_row(bill, clock.today())


def undo_payment(actor: Actor, bill_id: uuid.UUID | str) -> None:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        bill = _open_bill(session, bill_id)
        if bill.status != 'pago':
            raise ValidationError('Esta conta não está paga.')
        detail = f'{bill.description}: estorno do pagamento de {formatting.money(bill.paid_cents)} ' \
                 f'em {formatting.day(bill.paid_date)}'
        bill.status, bill.paid_date, bill.paid_cents, bill.discount_cents, bill.addition_cents = \
            'aberto', None, None, 0, 0
        audit.record(session, actor, 'undo_payment', 'bill', bill.id, detail)
        live.announce(session, TOOL, item_id=bill.id)


def cancel(actor: Actor, bill_id: uuid.UUID | str) -> None:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        bill = _open_bill(session, bill_id)
        if bill.status != 'aberto':
            raise ValidationError('Só é possível cancelar uma conta em aberto.' if bill.status == 'pago'
                                  else 'Esta conta já está cancelada.')
        bill.status = 'cancelado'
        audit.record(session, actor, 'update', 'bill', bill.id, f'{bill.description}: cancelada')
        live.announce(session, TOOL, item_id=bill.id)


def reopen(actor: Actor, bill_id: uuid.UUID | str) -> None:
    """A cancelled bill back to open."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        bill = _open_bill(session, bill_id)
        if bill.status != 'cancelado':
            raise ValidationError('Esta conta não está cancelada.')
        bill.status = 'aberto'
        audit.record(session, actor, 'update', 'bill', bill.id, f'{bill.description}: reaberta')
        live.announce(session, TOOL, item_id=bill.id)


def delete(actor: Actor, bill_ids: Sequence[uuid.UUID | str], scope: str = 'only') -> int:
    """Delete bills. scope 'only': just these; 'group': also every other installment/occurrence of their groups;
    'following': also the later ones of their groups (and a recurrence stops there). Returns how many deleted."""
    require(actor, TOOL, 'write')
    if scope not in DELETE_SCOPES:
        raise ValidationError('Escolha o que excluir.', 'scope')
    ids = list(dict.fromkeys(as_uuid(i) for i in bill_ids))
    if not ids:
        raise ValidationError('Selecione ao menos uma conta.')
    with unit(actor) as session:
        chosen = session.exec(select(Bill).where(Bill.id.in_(ids))).all()
        if len(chosen) != len(ids):
            raise NotFound('Conta não encontrada.')
        targets = {b.id: b for b in chosen}
        if scope == 'group':
            groups = {b.group_id for b in chosen if b.group_id}
            if groups:
                for b in session.exec(select(Bill).where(Bill.group_id.in_(groups))).all():
                    targets[b.id] = b
        elif scope == 'following':
            for b in chosen:
                if b.group_id:
                    later = session.exec(select(Bill).where(Bill.group_id == b.group_id,
                                                            Bill.installment_no > (b.installment_no or 0))).all()
                    targets.update({x.id: x for x in later})
            groups = {b.group_id for b in chosen if b.group_id and b.recurrence}
            if groups:
                session.exec(sql_update(Bill).where(Bill.group_id.in_(groups), Bill.id.not_in(list(targets)))
                             .values(recurrence=''))
        files = {b.attachment_file for b in targets.values() if b.attachment_file}
        for b in targets.values():
            audit.record(session, actor, 'delete', 'bill', b.id, f'{b.description}: '
                         f'{formatting.money(b.amount_cents)}, vencimento {formatting.day(b.due_date)}')
        session.exec(sql_delete(AlertSent).where(AlertSent.item_kind == 'bill', AlertSent.item_id.in_(list(targets))))
        finance.forget_deleted(session, targets.values())  # a bulk delete: no flush sees these rows go
        session.exec(sql_delete(Bill).where(Bill.id.in_(list(targets))))
        _remove_unused_files(session, files)
        live.announce(session, TOOL)
        return len(targets)


def _remove_unused_files(session: Session, files) -> None:
    """After commit, remove attachment files no bill refers to any more."""
    files = {f for f in files if f}
    if not files:
        return
    used = set(session.exec(select(Bill.attachment_file).where(Bill.attachment_file.in_(files))).all())
    unused = files - used
    if unused:
        after_commit(session, lambda: [storage.remove(ATTACHMENT_FOLDER, f) for f in unused])


def attachment(actor: Actor, bill_id: uuid.UUID | str) -> tuple[str, str, bytes]:
    """(file name, mime type, content) of a bill's document, for a download after the permission check."""
    require(actor, TOOL)
    with unit(actor) as session:
        bill = _open_bill(session, bill_id)
        name, mime, stored = bill.attachment_name, bill.attachment_mime, bill.attachment_file
    if not stored:
        raise NotFound('Esta conta não tem anexo.')
    try:
        data = storage.read(ATTACHMENT_FOLDER, stored)
    except FileNotFoundError as e:
        raise NotFound('O arquivo do anexo não foi encontrado.') from e
    return storage.safe_display_name(name, 'anexo'), mime or 'application/octet-stream', data


# --------------------------------------------------------------------------------------------------------------------
# Print / export
# --------------------------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ['Vencimento', 'Descrição', 'Parcela', 'Fornecedor', 'CPF/CNPJ', 'Categoria', 'Valor', 'Situação',
                  'Pagamento', 'Desconto', 'Juros/multa', 'Valor pago']


def _filter_caption(filt: BillFilter) -> str:
    parts = [f'Situação: {STATUS_FILTERS.get(filt.status, "Todos")}']
    if filt.start or filt.end:
        label = DATE_FIELDS.get(filt.date_field, 'Vencimento').lower()
        if filt.start and filt.end:
            parts.append(f'{label} de {formatting.day(filt.start)} a {formatting.day(filt.end)}')
        elif filt.start:
            parts.append(f'{label} a partir de {formatting.day(filt.start)}')
        else:
            parts.append(f'{label} até {formatting.day(filt.end)}')
    if filt.supplier:
        parts.append(f'fornecedor: {filt.supplier.strip()}')
    return '; '.join(parts)


def _csv_cell(value: str) -> str:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    return f"'{value}" if value[:1] in ('=', '+', '-', '@', '\t', '\r') else value


def _plain_number(cents: int | None) -> str:
    """123456 -> '1234,56' (pt-BR decimal comma, no thousands separator: what spreadsheets parse)."""
    if cents is None:
        return ''
    sign = '-' if cents < 0 else ''
    whole, rest = divmod(abs(cents), 100)
    return f'{sign}{whole},{rest:02d}'


def _plain_day(value: date | None) -> str:
    return f'{value.day:02d}/{value.month:02d}/{value.year}' if value else ''


def export_csv(actor: Actor, filt: BillFilter) -> bytes:
    """Every bill matching the filter: ';'-separated, UTF-8 with BOM, pt-BR numbers (1234,56) and dates."""
    require(actor, TOOL)
    with unit(actor) as session:
        rows = _export_rows(session, filt)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=';', lineterminator='\r\n')
    writer.writerow(EXPORT_COLUMNS)
    num, day = _plain_number, _plain_day
    for r in rows:
        paid = r.status == 'pago'
        writer.writerow([day(r.due_date), _csv_cell(r.description), r.parcel, _csv_cell(r.supplier_name),
                         formatting.document(r.supplier_document), _csv_cell(r.category), num(r.amount_cents),
                         r.status_label, day(r.paid_date), num(r.discount_cents) if paid else '',
                         num(r.addition_cents) if paid else '', num(r.paid_cents) if paid else ''])
    return ('\ufeff' + out.getvalue()).encode('utf-8')


def export_pdf(actor: Actor, filt: BillFilter) -> bytes:
    """The filtered list as a printable PDF (at most PDF_MAX_ROWS rows; the totals always cover every match)."""
    from .. import pdf
    require(actor, TOOL)
    with unit(actor) as session:
        rows = _export_rows(session, filt, limit=PDF_MAX_ROWS)
    summary = search(actor, filt, page=1, per_page=1)
    columns = ['Vencimento', 'Descrição', 'Parcela', 'Fornecedor', 'Categoria', 'Valor', 'Situação', 'Pagamento',
               'Valor pago']
    body = [[formatting.day(r.due_date), r.description, r.parcel, r.supplier_name, r.category,
             pdf.money(r.amount_cents), r.status_label, formatting.day(r.paid_date),
             pdf.money(r.paid_cents) if r.status == 'pago' and r.paid_cents is not None else ''] for r in rows]
    footer = (f'{_filter_caption(filt)}. {summary.total} conta{"s" if summary.total != 1 else ""}; '
              f'valor {pdf.money(summary.amount_cents)}; pago {pdf.money(summary.paid_cents)}; '
              f'em aberto {pdf.money(summary.open_cents)}.')
    if summary.total > len(rows):
        footer += f' Mostrando as primeiras {len(rows)}; exporte em CSV para a lista completa.'
    return pdf.table_pdf('Contas a pagar', columns, body, footer=footer)


# --------------------------------------------------------------------------------------------------------------------
# Home badge, recurrence job and alerts (no actor: run by the scheduler)
# --------------------------------------------------------------------------------------------------------------------

def attention_count(session: Session, today: date | None = None) -> int:
    """Open bills overdue or due within ALERT_DAYS days (badge of the Pagamentos tile)."""
    today = today or clock.today()
    return session.exec(select(func.count()).select_from(Bill).where(
        Bill.status == 'aberto', Bill.due_date <= today + timedelta(days=ALERT_DAYS))).one()


def extend_recurrences(today: date | None = None) -> int:
    """Keep every monthly series RECURRENCE_MONTHS months ahead. Returns how many bills were created."""
    today = today or clock.today()
    horizon = add_months(today.replace(day=1), RECURRENCE_MONTHS)  # first day after the kept window
    created = 0
    with unit() as session:
        due_groups = session.exec(select(Bill.group_id).where(Bill.recurrence == 'mensal')
                                  .group_by(Bill.group_id)
                                  .having(func.max(Bill.due_date) < add_months(horizon, -1))).all()
        if not due_groups:
            return 0
        series = session.exec(select(Bill).where(Bill.group_id.in_(due_groups))
                              .order_by(Bill.group_id, Bill.installment_no.desc())).all()
        by_group: dict[uuid.UUID, list[Bill]] = {}
        for bill in series:
            by_group.setdefault(bill.group_id, []).append(bill)
        for group_id, bills in by_group.items():
            latest = bills[0]  # highest number still present: the template
            anchor_day = max(b.due_date.day for b in bills)
            count = max(b.installment_count or b.installment_no or 0 for b in bills)
            new = []
            number = count + 1
            while True:
                due = add_months(latest.due_date, number - (latest.installment_no or 0), anchor_day)
                if due >= horizon:
                    break
                new.append(Bill(supplier_id=latest.supplier_id, description=latest.description,
                                category=latest.category, amount_cents=latest.amount_cents, issue_date=today,
                                due_date=due, group_id=group_id, installment_no=number, recurrence='mensal'))
                number += 1
            if new:
                session.add_all(new)
                session.exec(sql_update(Bill).where(Bill.group_id == group_id).values(installment_count=number - 1))
                for b in new:
                    b.installment_count = number - 1
                created += len(new)
                live.announce(session, TOOL)
    return created


@dataclass(frozen=True)
class _AlertItem:
    id: uuid.UUID
    description: str
    supplier: str
    amount_cents: int
    due_date: date
    level: str


def _alert_line(item: _AlertItem) -> str:
    supplier = f' — {item.supplier}' if item.supplier else ''
    return (f'{item.description}{supplier}: {formatting.money(item.amount_cents)}, '
            f'vencimento {formatting.day(item.due_date)}')


def _alert_texts(level: str, items: list[_AlertItem], today: date) -> tuple[str, str, str]:
    """(title, body, link) of one digest notification."""
    total = formatting.money(sum(i.amount_cents for i in items))
    if level == 'overdue':
        link = '/pagamentos?status=vencido'
        if len(items) == 1:
            return f'Conta a pagar vencida: {items[0].description}', _alert_line(items[0]), link
        return f'{len(items)} contas a pagar vencidas', f'Total {total}.', link
    link = f'/pagamentos?status=pendente&ate={(today + timedelta(days=ALERT_DAYS)).isoformat()}'
    if len(items) == 1:
        days = (items[0].due_date - today).days
        when = {0: 'vence hoje', 1: 'vence amanhã'}.get(days, f'vence em {days} dias')
        return f'Conta a pagar {when}: {items[0].description}', _alert_line(items[0]), link
    return f'{len(items)} contas a pagar vencem em até {ALERT_DAYS} dias', f'Total {total}.', link


def sweep_alerts(today: date | None = None) -> int:
    """Alert admins and staff with access to Pagamentos about open bills due within ALERT_DAYS days ('due_soon') and
    overdue ones ('overdue'): one live notification and one e-mail per recipient and level, listing the bills not yet
    alerted today. A source of the reminder engine (kind 'bill', period = the day), which records each (bill, level,
    day) in the transaction that notifies, so it is alerted exactly once, also across a restart or with two sweeps at
    once. Set-based: a handful of queries whatever the number of bills. Returns bills alerted."""
    return reminders.sweep(['bill'], today=today)['bill']


def _due_alerts(session: Session, window: reminders.Window) -> list[reminders.Reminder]:
    """The bills owed an alert today (open, due within ALERT_DAYS days or overdue, not alerted today at this level)."""
    today = window.today
    level = case((Bill.due_date < today, 'overdue'), else_='due_soon')
    found = session.exec(select(Bill.id, Bill.description, Supplier.name, Bill.amount_cents, Bill.due_date, level)
                         .outerjoin(Supplier, Supplier.id == Bill.supplier_id)
                         .where(Bill.status == 'aberto', Bill.due_date <= today + timedelta(days=ALERT_DAYS),
                                ~reminders.sent('bill', Bill.id, level=level, period=today.isoformat()))
                         .order_by(Bill.due_date, Bill.description)).all()
    due_at = window.day_start()
    return [reminders.Reminder('bill', i, lv, today.isoformat(), due_at, data=_AlertItem(i, d, s or '', a, due, lv))
            for i, d, s, a, due, lv in found]


def _deliver_alerts(session: Session, due: list[reminders.Reminder], window: reminders.Window) -> None:
    """One digest per level: a notification to each recipient and an e-mail to each address."""
    today = window.today
    items = [r.data for r in due]
    recipients = notifications.staff_users(session, TOOL)
    wanting = list(channels.wants_email(session, recipients, 'pagamentos'))  # their channel includes e-mail
    emails = session.exec(select(User.email).where(User.id.in_(wanting))).all() if wanting else []
    base = get_settings().public_url
    for lv in ('overdue', 'due_soon'):
        chosen = [i for i in items if i.level == lv]
        if not chosen:
            continue
        title, body, link = _alert_texts(lv, chosen, today)
        notifications.notify(session, recipients, 'pagamentos', title, body, link)
        lines = [_alert_line(i) for i in chosen[:50]]
        if len(chosen) > 50:
            lines.append(f'… e mais {len(chosen) - 50}.')
        intro = ('Estas contas a pagar estão vencidas e ainda sem baixa:' if lv == 'overdue'
                 else f'Estas contas a pagar vencem em até {ALERT_DAYS} dias:')
        total = formatting.money(sum(i.amount_cents for i in chosen))
        for address in emails:
            mail.queue(session, address, title, [intro, *lines, f'Total: {total}.'],
                       link=('Abrir Pagamentos', f'{base}{link}'))


# a daily digest describes the present ("vence em 2 dias"), so it is never late; swept every 5 minutes
reminders.register(reminders.Source('bill', due=_due_alerts, deliver=_deliver_alerts, every=timedelta(minutes=5),
                                    late_after=None, keep_days=ALERT_KEEP_DAYS))


def parse_filter(status: str = '', supplier: str = '', date_field: str = '', start: str = '', end: str = '',
                 *, default_month: bool = False) -> BillFilter:
    """A filter from URL/form text (dates ISO or dd/mm/aaaa); bad values are dropped rather than refused."""
    if default_month:
        return BillFilter.current_month()

    def day(text: str) -> date | None:
        try:
            return formatting.parse_day(text)
        except ValueError:
            return None
    return BillFilter(status=status if status in STATUS_FILTERS else '', supplier=(supplier or '')[:100],
                      date_field=date_field if date_field in DATE_FIELDS else 'vencimento', start=day(start),
                      end=day(end))

