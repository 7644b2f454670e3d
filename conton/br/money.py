"""Money arithmetic shared by Pagamentos and Recebimentos. Pure functions on integer centavos (no database, no UI).

- `split_installments(total, n)`: split an amount in N parts that add up exactly; the cents remainder goes on the
  first part (R$ 100,00 in 3 -> 33,34 + 33,33 + 33,33).
- `monthly_dates(first, n)`: the due dates of N monthly parcels, keeping the day of the month of the first one where
  the month has it (31/01 -> 28/02 -> 31/03).
- `late_fees(amount, due, paid, fine_bp, interest_bp_month)`: multa and juros of a late payment.
- `net_paid(amount, discount, addition)`: the amount paid after discount and juros/multa.
- `BOLETO_MAX_CENTS` (a charge: what a boleto's 10-digit value field holds) and `MAX_AMOUNT_CENTS` (any other
  amount): the largest amounts a form accepts, far below the 64-bit columns' limit even when summed.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = ['split_installments', 'add_months', 'monthly_dates', 'LateFees', 'late_fees', 'net_paid',
           'BOLETO_MAX_CENTS', 'MAX_AMOUNT_CENTS', 'MAX_INSTALLMENTS']

MAX_INSTALLMENTS = 120
BOLETO_MAX_CENTS = 99_999_999_99  # R$ 99.999.999,99: the boleto's value field has 10 digits
MAX_AMOUNT_CENTS = 999_999_999_99  # R$ 999.999.999,99: a bill, a payment, a discount


def split_installments(total_cents: int, n: int) -> list[int]:
    """`n` integer parts of `total_cents` that add up to it exactly; the remainder cents go on the first part.

    >>> split_installments(10000, 3)
    [3334, 3333, 3333]
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f'installments must be a positive integer, got {n!r}')
    if isinstance(total_cents, bool) or not isinstance(total_cents, int) or total_cents < 0:
        raise ValueError(f'total must be a non-negative integer of cents, got {total_cents!r}')
    base, remainder = divmod(total_cents, n)
    return [base + remainder] + [base] * (n - 1)


def add_months(start: date, months: int, day: int | None = None) -> date:
    """`start` moved by `months` calendar months, on `day` (default: start's day) clamped to the month's length."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day or start.day, calendar.monthrange(year, month)[1]))


def monthly_dates(first: date, n: int) -> list[date]:
    """Due dates of `n` monthly parcels starting at `first`, each on first's day where the month has it."""
    return [add_months(first, i, first.day) for i in range(n)]


@dataclass(frozen=True)
class LateFees:
    fine_cents: int  # multa (once)
    interest_cents: int  # juros (pro rata die)
    days_late: int

    @property
    def total_cents(self) -> int:
        return self.fine_cents + self.interest_cents


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal('1'), rounding=ROUND_HALF_UP))


def late_fees(amount_cents: int, due: date, paid: date, fine_bp: int = 0, interest_bp_month: int = 0) -> LateFees:
    """Multa (`fine_bp` basis points of the amount, once) and juros (`interest_bp_month` per month, pro rata die over
    30-day months) for a payment on `paid` of an amount due on `due`. Nothing when paid on or before the due date."""
    days = (paid - due).days
    if days <= 0 or amount_cents <= 0:
        return LateFees(0, 0, max(days, 0))
    amount = Decimal(amount_cents)
    fine = _round(amount * fine_bp / Decimal(10000))
    interest = _round(amount * interest_bp_month / Decimal(10000) * days / Decimal(30))
    return LateFees(fine, interest, days)


def net_paid(amount_cents: int, discount_cents: int = 0, addition_cents: int = 0) -> int:
    """Amount paid: amount - discount + juros/multa."""
    return amount_cents - discount_cents + addition_cents
