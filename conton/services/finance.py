"""Painel financeiro: received vs paid per month (last 12 months), open receivables and payables, overdue lists.

Five queries in all. The monthly series is read from `FinanceMonth` (12 × 2 small rows), kept on write: a flush hook
on every session turns each change to a charge's or a bill's paid part (status 'pago', payment day, amount) into
deltas added to its month, in the same transaction; bulk deletes of paid rows call `forget_deleted` first. It
replaced a group-by over every paid row of the last 12 months, the slowest part of the page (bench/finance.py).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, event, func, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from .. import clock
from ..br.money import add_months
from ..models import Bill, Charge, Client, FinanceMonth, Supplier
from .base import unit
from .permissions import Actor, require

MONTH_ABBR = ('jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez')
OVERDUE_LIMIT = 10


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    received_cents: int
    paid_cents: int

    @property
    def label(self) -> str:
        return f'{MONTH_ABBR[self.month - 1]}/{self.year % 100:02d}'

    @property
    def balance_cents(self) -> int:
        return self.received_cents - self.paid_cents


@dataclass(frozen=True)
class Overdue:
    id: uuid.UUID
    name: str  # client (receivables) or supplier (payables)
    description: str
    due_date: date
    amount_cents: int
    days_late: int


@dataclass(frozen=True)
class Totals:
    open_cents: int
    open_count: int
    overdue_cents: int
    overdue_count: int


@dataclass(frozen=True)
class Dashboard:
    months: list[Month]
    receivables: Totals
    payables: Totals
    overdue_receivables: list[Overdue]
    overdue_payables: list[Overdue]
    today: date

    @property
    def received_cents(self) -> int:
        return sum(m.received_cents for m in self.months)

    @property
    def paid_cents(self) -> int:
        return sum(m.paid_cents for m in self.months)


def _monthly(session: Session, start: date) -> dict[tuple[str, int, int], int]:
    """(side, year, month) -> total since `start`, from the summary kept on write."""
    rows = session.exec(select(FinanceMonth.side, FinanceMonth.month, FinanceMonth.total_cents)
                        .where(FinanceMonth.month >= start)).all()
    return {(side, month.year, month.month): int(total) for side, month, total in rows}


def _totals(session: Session, model, today: date) -> Totals:
    late = model.due_date < today
    row = session.exec(select(func.coalesce(func.sum(model.amount_cents), 0), func.count(),
                              func.coalesce(func.sum(case((late, model.amount_cents), else_=0)), 0),
                              func.coalesce(func.sum(case((late, 1), else_=0)), 0))
                       .where(model.status == 'aberto')).one()
    return Totals(*(int(v) for v in row))


def dashboard(actor: Actor, months: int = 12) -> Dashboard:
    require(actor, 'finance')
    today = clock.today()
    first = add_months(today.replace(day=1), -(months - 1))
    with unit(actor) as session:
        sums = _monthly(session, first)
        series = []
        for i in range(months):
            d = add_months(first, i)
            series.append(Month(d.year, d.month, sums.get(('received', d.year, d.month), 0),
                                sums.get(('paid', d.year, d.month), 0)))
        charges = session.exec(select(Charge.id, Client.name, Charge.description, Charge.due_date, Charge.amount_cents)
                               .join(Client, Client.id == Charge.client_id)
                               .where(Charge.status == 'aberto', Charge.due_date < today)
                               .order_by(Charge.due_date, Charge.id).limit(OVERDUE_LIMIT)).all()
        bills = session.exec(select(Bill.id, Supplier.name, Bill.description, Bill.due_date, Bill.amount_cents)
                             .outerjoin(Supplier, Supplier.id == Bill.supplier_id)
                             .where(Bill.status == 'aberto', Bill.due_date < today)
                             .order_by(Bill.due_date, Bill.id).limit(OVERDUE_LIMIT)).all()
        return Dashboard(
            series, _totals(session, Charge, today), _totals(session, Bill, today),
            [Overdue(i, n or '', d, due, a, (today - due).days) for i, n, d, due, a in charges],
            [Overdue(i, n or '', d, due, a, (today - due).days) for i, n, d, due, a in bills], today)


# --------------------------------------------------------------------------------------------------------------------
# The monthly summary, kept on write
# --------------------------------------------------------------------------------------------------------------------

# model -> (summary side, the column of the amount paid)
SIDES = {Charge: ('received', 'received_cents'), Bill: ('paid', 'paid_cents')}
_WATCHED = ('status', 'paid_date')
_keeping: ContextVar[bool] = ContextVar('keep_finance_months', default=True)


@contextmanager
def months_not_kept() -> Iterator[None]:
    """Tests only: today's services writing into a database at a revision before 0004 (no summary table there; 0004
    backfills it from the rows)."""
    token = _keeping.set(False)
    try:
        yield
    finally:
        _keeping.reset(token)


def paid_part(model, status: str | None, paid_date: date | None, cents: int | None) -> tuple[str, date, int] | None:
    """What a row adds to the summary: (side, month, amount) when it is paid, else None."""
    if status != 'pago' or paid_date is None:
        return None
    return SIDES[model][0], paid_date.replace(day=1), int(cents or 0)


def months_from_rows(session: Session) -> dict[tuple[str, date], tuple[int, int]]:
    """(side, month) -> (total, how many) computed from the rows themselves (what the summary must always equal):
    grouped by the payment day in SQL, folded into months here (no per-row date function on either backend)."""
    out: dict[tuple[str, date], tuple[int, int]] = {}
    for model, (side, column) in SIDES.items():
        amount = getattr(model, column)
        rows = session.exec(select(model.paid_date, func.coalesce(func.sum(amount), 0), func.count())
                            .where(model.status == 'pago', model.paid_date.is_not(None))
                            .group_by(model.paid_date)).all()
        for day, total, n in rows:
            key = (side, day.replace(day=1))
            cents, items = out.get(key, (0, 0))
            out[key] = (cents + int(total), items + int(n))
    return out


def stored_months(session: Session) -> dict[tuple[str, date], tuple[int, int]]:
    """The summary as stored (months whose rows were all undone are left at zero and skipped here)."""
    rows = session.exec(select(FinanceMonth)).all()
    return {(r.side, r.month): (r.total_cents, r.row_count) for r in rows if r.row_count or r.total_cents}


def rebuild_months(session: Session) -> None:
    """Recompute the whole summary from the rows (after a bulk load that bypassed the ORM, e.g. bench/seed.py)."""
    session.exec(FinanceMonth.__table__.delete())
    session.add_all(FinanceMonth(side=side, month=month, total_cents=total, row_count=n)
                    for (side, month), (total, n) in months_from_rows(session).items())
    session.flush()


def forget_deleted(session: Session, rows) -> None:
    """Before a bulk DELETE of charges or bills (which no flush sees): take the paid ones out of the summary."""
    if not _keeping.get():
        return
    deltas: dict[tuple[str, date], list[int]] = {}
    for row in rows:
        _add(deltas, paid_part(type(row), row.status, row.paid_date, getattr(row, SIDES[type(row)][1])), -1)
    _apply(session, deltas)


@event.listens_for(Session, 'before_flush')
def _keep_months(session: Session, _context, _instances) -> None:
    """Every flush that creates, changes or deletes a paid charge or bill moves its month's total, in the same
    transaction (so the summary commits or rolls back with the rows)."""
    if not _keeping.get():
        return
    deltas: dict[tuple[str, date], list[int]] = {}
    for obj in session.new:
        if type(obj) in SIDES:
            _add(deltas, _current(obj), +1)
    for obj in session.dirty:
        if type(obj) in SIDES and session.is_modified(obj, include_collections=False):
            before, after = _before(session, obj), _current(obj)
            if before != after:
                _add(deltas, before, -1)
                _add(deltas, after, +1)
    for obj in session.deleted:
        if type(obj) in SIDES:
            _add(deltas, _before(session, obj), -1)
    _apply(session, deltas)


def _current(obj) -> tuple[str, date, int] | None:
    model = type(obj)
    return paid_part(model, obj.status, obj.paid_date, getattr(obj, SIDES[model][1]))


def _before(session: Session, obj) -> tuple[str, date, int] | None:
    """The row's paid part as the database has it (from the attribute history; read back if it was not loaded)."""
    model = type(obj)
    state = inspect(obj)
    values = []
    for name in (*_WATCHED, SIDES[model][1]):
        history = state.attrs[name].history
        if history.deleted:
            values.append(history.deleted[0])
        elif history.unchanged:
            values.append(history.unchanged[0])
        elif not history.added:
            values.append(getattr(obj, name))
        else:  # set without the old value loaded: ask the database
            table = model.__table__
            row = session.connection().execute(
                select(table.c.status, table.c.paid_date, table.c[SIDES[model][1]]).where(table.c.id == obj.id)).first()
            return paid_part(model, *row) if row is not None else None
    return paid_part(model, *values)


def _add(deltas: dict[tuple[str, date], list[int]], part: tuple[str, date, int] | None, sign: int) -> None:
    if part is None:
        return
    side, month, cents = part
    entry = deltas.setdefault((side, month), [0, 0])
    entry[0] += sign * cents
    entry[1] += sign


def _apply(session: Session, deltas: dict[tuple[str, date], list[int]]) -> None:
    """One upsert per month touched (in key order, so two transactions never lock the same rows crosswise)."""
    table = FinanceMonth.__table__
    for (side, month), (cents, items) in sorted(deltas.items()):
        if not cents and not items:
            continue
        statement = _upsert(session)(table).values(side=side, month=month, total_cents=cents, row_count=items)
        statement = statement.on_conflict_do_update(
            index_elements=['side', 'month'], set_={'total_cents': table.c.total_cents + statement.excluded.total_cents,
                                                    'row_count': table.c.row_count + statement.excluded.row_count})
        session.connection().execute(statement)


def _upsert(session: Session):
    return {'postgresql': pg_insert, 'sqlite': sqlite_insert}[session.get_bind().dialect.name]
