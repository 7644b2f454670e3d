"""Money: parsing what people type and the arithmetic shared by Pagamentos and Recebimentos. Pure functions on
integer centavos (no database, no UI).

- `parse_money(text)`: '1.234,56', 'R$ 1.234,56', '1234.56', 1234.56 -> cents, exactly, however large.
- `parse_amount(value)`: a form's amount (cents as int, or text/float as above), never negative; ValueError with the
  field's Portuguese message. (`services.form_input.money` adds "required" and the maximum, into the errors dict.)

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
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = ['parse_money', 'parse_amount', 'INVALID_MONEY', 'NEGATIVE_MONEY', 'split_installments', 'add_months',
           'monthly_dates', 'LateFees', 'late_fees', 'net_paid', 'BOLETO_MAX_CENTS', 'MAX_AMOUNT_CENTS',
           'MAX_INSTALLMENTS']

MAX_INSTALLMENTS = 120
BOLETO_MAX_CENTS = 99_999_999_99  # R$ 99.999.999,99: the boleto's value field has 10 digits
MAX_AMOUNT_CENTS = 999_999_999_99  # R$ 999.999.999,99: a bill, a payment, a discount
INVALID_MONEY = 'Valor inválido. Use o formato 1.234,56.'
NEGATIVE_MONEY = 'O valor não pode ser negativo.'


def parse_money(text: str | float | int | None) -> int:
    """'1.234,56', 'R$ 1.234,56', '1234.56', 1234.56 -> cents, exactly however large (the caller checks its maximum).
    Raises ValueError on anything else."""
    if text is None or text == '':
        raise ValueError('Informe um valor.')
    if isinstance(text, bool):
        raise ValueError(INVALID_MONEY)
    if isinstance(text, int):
        return text * 100
    if isinstance(text, float):
        if not math.isfinite(text):
            raise ValueError(INVALID_MONEY)
        return _exact_cents(Decimal(str(text)))
    s = str(text).replace('R$', '').replace('\xa0', '').replace(' ', '').strip()
    if len(s) > 100:  # no form sends that; a number this long would only cost time
        raise ValueError(INVALID_MONEY)
    if re.fullmatch(r'-?\d{1,3}(\.\d{3})+(,\d{1,2})?|-?\d+(,\d{1,2})?', s):
        s = s.replace('.', '').replace(',', '.')
    elif not re.fullmatch(r'-?\d+(\.\d{1,2})?', s):
        raise ValueError(INVALID_MONEY)
    return _exact_cents(Decimal(s))


def parse_amount(value: object) -> int:
    """A form's amount -> cents: an int is already cents; text ('1.234,56', 'R$ 1.234,56', '1234.56') or a float is
    read by `parse_money`. Never negative. Anything else (a forged event: true/false, a list, a dict...) and every
    bad value raises ValueError with the message the field shows."""
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ValueError(INVALID_MONEY)
    cents = value if isinstance(value, int) else parse_money(value)
    if cents < 0:
        raise ValueError(NEGATIVE_MONEY)
    return cents


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


def _exact_cents(value: Decimal) -> int:
    """Reais -> cents (half-even on a third decimal place), with as many digits as the value has: the default
    28-digit context would round a huge value, or fail on it."""
    with localcontext() as context:
        context.prec = max(28, value.adjusted() + 5)
        context.Emax = max(context.Emax, value.adjusted() + 5)
        try:
            return int((value * 100).quantize(Decimal('1')))
        except InvalidOperation as e:
            raise ValueError(INVALID_MONEY) from e


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
