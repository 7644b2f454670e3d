"""Parsing of values as they come from a form, collecting one Portuguese message per bad field in `errors`
(so a service reports every bad field at once). Shared by the services that take money, dates and counts."""
from __future__ import annotations

from datetime import date, time

from .. import formatting
from ..br.money import MAX_AMOUNT_CENTS, MAX_INSTALLMENTS, parse_amount
from . import validation
from .errors import ValidationError


def money(value, field: str, errors: dict, *, required: bool = True, label: str = 'o valor',
          maximum: int | None = MAX_AMOUNT_CENTS) -> int | None:
    """'1.234,56' / 1234.56 / cents (int) -> cents, never negative, at most `maximum` (None: the caller checks it,
    e.g. per installment)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = f'Informe {label}.'
        return None
    try:
        cents = parse_amount(value)  # pure: refuses forged values, bad text and negatives with the field's message
    except ValueError as e:
        errors[field] = str(e)
        return None
    if maximum is not None and cents > maximum:
        errors[field] = too_large(maximum)
        return None
    return cents


def too_large(maximum: int) -> str:
    """The message for an amount over `maximum` cents: 'Valor máximo: R$ 99.999.999,99.'"""
    return f'Valor máximo: {formatting.money(maximum)}.'


def day(value, field: str, errors: dict, *, required: bool = True, label: str = 'a data') -> date | None:
    """A date, or 'dd/mm/aaaa' / ISO text."""
    if isinstance(value, date):
        return value
    if value is not None and not isinstance(value, str):  # a forged event: a number, list, dict...
        errors[field] = 'Data inválida. Use dd/mm/aaaa.'
        return None
    try:
        parsed = formatting.parse_day(value)
    except ValueError as e:
        errors[field] = str(e)
        return None
    if parsed is None and required:
        errors[field] = f'Informe {label}.'
    return parsed


def hour(value, field: str, errors: dict, *, required: bool = True) -> time | None:
    """'14:30' / a time -> the time of day (minutes only)."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = 'Informe a hora.'
        return None
    if not isinstance(value, str):
        errors[field] = 'Hora inválida. Use hh:mm.'
        return None
    try:
        hours, minutes = value.strip().split(':')[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        errors[field] = 'Hora inválida. Use hh:mm.'
        return None


def text(value, field: str, errors: dict, *, label: str = '', required: bool = False, max_len: int = 200,
         multiline: bool = False) -> str:
    """validation.text (anything but a str, or control characters: the field's message), into `errors`."""
    try:
        return validation.text(value, field, label, required=required, max_len=max_len, multiline=multiline)
    except ValidationError as e:
        errors.update(e.errors)
        return ''


def installments(value, errors: dict) -> int:
    """Number of installments, 1..MAX_INSTALLMENTS (1 when the value is bad; the error says why)."""
    if value in (None, ''):
        errors['installments'] = 'Informe ao menos 1 parcela.'
        return 1
    try:
        n = value if isinstance(value, int) else int(float(value))
    except (TypeError, ValueError):
        errors['installments'] = 'Número de parcelas inválido.'
        return 1
    if n < 1:
        errors['installments'] = 'Informe ao menos 1 parcela.'
        return 1
    if n > MAX_INSTALLMENTS:
        errors['installments'] = f'No máximo {MAX_INSTALLMENTS} parcelas.'
        return 1
    return n
