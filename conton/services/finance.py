"""Painel financeiro: received vs paid per month (last 12 months), open receivables and payables, overdue lists.

Six queries in all; the monthly series group by the payment day in SQL and are folded into months in Python (no
per-row date function, so an index on (status, paid_date, amount) can answer it alone).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, select

from .. import clock
from ..models import Bill, Charge, Client, Supplier
from .base import unit
from .money import add_months
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


def _monthly(session: Session, model, amount_column, start: date) -> dict[tuple[int, int], int]:
    """Sums per (year, month) of what was paid since `start`. Grouped by the day in SQL (an index can serve it; no
    per-row date function) and folded into months here: at most ~366 rows come back."""
    rows = session.exec(select(model.paid_date, func.coalesce(func.sum(amount_column), 0))
                        .where(model.status == 'pago', model.paid_date >= start)
                        .group_by(model.paid_date)).all()
    out: dict[tuple[int, int], int] = {}
    for day, total in rows:
        key = (day.year, day.month)
        out[key] = out.get(key, 0) + int(total)
    return out


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
        received = _monthly(session, Charge, Charge.received_cents, first)
        paid = _monthly(session, Bill, Bill.paid_cents, first)
        series = []
        for i in range(months):
            d = add_months(first, i)
            key = (d.year, d.month)
            series.append(Month(d.year, d.month, received.get(key, 0), paid.get(key, 0)))
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
