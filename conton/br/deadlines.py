"""Tax-deadline rules: when each obligation of a competência falls due, national rules only.

`due_date(code, 'MM/AAAA')` is the one function other code relies on: the catalogue's rule for `code`, national
holidays, no office data. The services build on `deadline(rule, competence, extra_holidays=..., override=...)`,
which takes the municipal/state holidays the office adds and a decree's new date (the override wins over the rule).

Competência: `'MM/AAAA'`, two-digit month. A monthly obligation's competência is its month; a quarterly one's is the
quarter's last month (03, 06, 09, 12); an annual one's is December of the base year (`'12/2025'` for the DEFIS of
2025, due in 2026). Any other month raises ValueError rather than guessing the period.

Payments use the payment calendar (31/12 has no banking service to the public), filings the default one; both
close on weekends, national holidays and Carnival Monday/Tuesday (see `conton.br.calendar`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .calendar import (
    clamp_day,
    is_business_day,
    last_business_day,
    next_business_day,
    nth_business_day,
    previous_business_day,
)

__all__ = [
    'CATALOGUE', 'Due', 'Kind', 'Periodicity', 'Rule', 'Shift', 'Sphere', 'deadline', 'due_date', 'iss_rule',
    'parse_competence',
]


class Sphere(StrEnum):
    FEDERAL = 'federal'
    ESTADUAL = 'estadual'
    MUNICIPAL = 'municipal'


class Periodicity(StrEnum):
    MENSAL = 'mensal'
    TRIMESTRAL = 'trimestral'
    ANUAL = 'anual'


class Kind(StrEnum):
    PAGAMENTO = 'pagamento'  # a guide is paid: payment calendar (31/12 closed)
    ENTREGA = 'entrega'  # a declaration is filed


class Due(StrEnum):
    DAY_OF_MONTH = 'dia'  # day `day` of the `months_after`-th following month (clamped to the month's length)
    NTH_BUSINESS_DAY = 'dia_util'  # the `day`-th business day of the `months_after`-th following month
    LAST_BUSINESS_DAY = 'ultimo_dia_util'  # last business day of the `months_after`-th following month
    DATE_OF_YEAR = 'data_anual'  # `day`/`month` of the year after the base year


class Shift(StrEnum):
    """What a due date that falls on a non-business day does. Only DAY_OF_MONTH and DATE_OF_YEAR can fall on one;
    the business-day rules say what they are by nature (the last business day antecipa, the N-th prorroga)."""
    ANTECIPA = 'antecipa'  # the previous business day
    PRORROGA = 'prorroga'  # the next business day
    MANTEM = 'mantem'  # stays on the date: an online declaration due "até dd/mm", weekends included


@dataclass(frozen=True)
class Rule:
    """One obligation of the catalogue and its due rule (see `Due` for what `day`, `months_after`, `month` mean)."""
    code: str
    name: str
    sphere: Sphere
    periodicity: Periodicity
    kind: Kind
    due: Due
    shift: Shift
    day: int = 0
    months_after: int = 1
    month: int = 0
    basis: str = ''  # legal basis, one line

    @property
    def payment(self) -> bool:
        return self.kind is Kind.PAGAMENTO


def due_date(code: str, competence: str) -> date:
    """National due date of obligation `code` for `competence` ('MM/AAAA'); ValueError for an unknown code or a
    malformed competência."""
    rule = CATALOGUE.get(code) if isinstance(code, str) else None
    if rule is None:
        raise ValueError(f'unknown obligation code: {code!r}')
    return deadline(rule, competence)


def deadline(rule: Rule, competence: str, *, extra_holidays: Collection[date] = (),
             override: date | None = None) -> date:
    """Due date of `rule` for `competence`, with `extra_holidays` (municipal/state) closed too; `override` (a decree's
    date for this obligation and competência) wins over the rule. The competência is checked either way."""
    year, month = parse_competence(competence)
    _check_period(rule, month)
    if override is not None:
        return override
    extra = frozenset(extra_holidays)
    if rule.due is Due.DATE_OF_YEAR:
        return _shifted(rule, clamp_day(year + 1, rule.month, rule.day), extra)
    due_year, due_month = divmod(year * 12 + month - 1 + rule.months_after, 12)
    due_month += 1
    if rule.due is Due.DAY_OF_MONTH:
        return _shifted(rule, clamp_day(due_year, due_month, rule.day), extra)
    if rule.due is Due.NTH_BUSINESS_DAY:
        return nth_business_day(due_year, due_month, rule.day, payment=rule.payment, extra=extra)
    return last_business_day(due_year, due_month, payment=rule.payment, extra=extra)


def parse_competence(competence: str) -> tuple[int, int]:
    """(year, month) of 'MM/AAAA'; ValueError for anything else ('1/2026', '2026-01', '13/2026', '')."""
    match = _COMPETENCE.fullmatch(competence) if isinstance(competence, str) else None
    if match is None or not 1 <= int(match[1]) <= 12:
        raise ValueError(f"competência must be 'MM/AAAA', got {competence!r}")
    return int(match[2]), int(match[1])


def iss_rule(day: int, shift: Shift, *, name: str = 'ISS', code: str = 'ISS') -> Rule:
    """The ISS of one municipality: day `day` of the following month, moved per the municipal law (LC 116/2003 leaves
    the due date to each municipality)."""
    if not 1 <= day <= 31:
        raise ValueError(f'day must be 1..31, got {day}')
    return Rule(code, name, Sphere.MUNICIPAL, Periodicity.MENSAL, Kind.PAGAMENTO, Due.DAY_OF_MONTH, Shift(shift),
                day=day, basis='Lei municipal do ISS (LC 116/2003)')


_COMPETENCE = re.compile(r'(\d{2})/(\d{4})', re.ASCII)
_PERIOD_END = {Periodicity.MENSAL: range(1, 13), Periodicity.TRIMESTRAL: (3, 6, 9, 12), Periodicity.ANUAL: (12,)}


def _check_period(rule: Rule, month: int) -> None:
    if month not in _PERIOD_END[rule.periodicity]:
        what = 'the last month of a quarter' if rule.periodicity is Periodicity.TRIMESTRAL else 'December'
        raise ValueError(f'{rule.code} is {rule.periodicity}: its competência is {what}, got month {month:02d}')


def _shifted(rule: Rule, d: date, extra: frozenset[date]) -> date:
    if rule.shift is Shift.MANTEM or is_business_day(d, payment=rule.payment, extra=extra):
        return d
    move = previous_business_day if rule.shift is Shift.ANTECIPA else next_business_day
    return move(d, payment=rule.payment, extra=extra)


def _rule(code: str, name: str, periodicity: Periodicity, kind: Kind, due: Due, shift: Shift, basis: str,
          **fields: int) -> Rule:
    return Rule(code, name, Sphere.FEDERAL, periodicity, kind, due, shift, basis=basis, **fields)


_M, _T, _A = Periodicity.MENSAL, Periodicity.TRIMESTRAL, Periodicity.ANUAL
_PAY, _FILE = Kind.PAGAMENTO, Kind.ENTREGA
_DAY, _NTH, _LAST, _DATE = Due.DAY_OF_MONTH, Due.NTH_BUSINESS_DAY, Due.LAST_BUSINESS_DAY, Due.DATE_OF_YEAR
_BEFORE, _AFTER, _KEEP = Shift.ANTECIPA, Shift.PRORROGA, Shift.MANTEM

CATALOGUE: dict[str, Rule] = {rule.code: rule for rule in (
    _rule('DAS', 'DAS / PGDAS-D (Simples Nacional)', _M, _PAY, _DAY, _AFTER,
          'LC 123/2006 art. 21 III; Resolução CGSN 140/2018 art. 40', day=20),
    _rule('DAS_MEI', 'DAS-MEI (SIMEI)', _M, _PAY, _DAY, _AFTER,
          'LC 123/2006 art. 18-A; Resolução CGSN 140/2018 art. 40', day=20),
    _rule('DAE_MEI', 'DAE do MEI com empregado (eSocial)', _M, _PAY, _DAY, _BEFORE,
          'LC 123/2006 art. 18-C; Lei 8.212/1991 art. 30 I b', day=20),
    _rule('FGTS', 'FGTS Digital', _M, _PAY, _DAY, _BEFORE,
          'Lei 8.036/1990 art. 15 (redação da Lei 14.438/2022)', day=20),
    _rule('DARF_INSS_IRRF', 'DARF INSS/IRRF (DCTFWeb)', _M, _PAY, _DAY, _BEFORE,
          'Lei 8.212/1991 art. 30 I b; Lei 11.196/2005 art. 70 I d', day=20),
    _rule('PIS_COFINS', 'PIS/COFINS', _M, _PAY, _DAY, _BEFORE,
          'Lei 10.637/2002 art. 10 e Lei 10.833/2003 art. 11 (redação da Lei 11.933/2009)', day=25),
    _rule('ESOCIAL', 'eSocial (eventos periódicos)', _M, _FILE, _DAY, _AFTER,
          'Manual de Orientação do eSocial (fechamento dos eventos periódicos)', day=15),
    _rule('EFD_REINF', 'EFD-Reinf', _M, _FILE, _DAY, _AFTER, 'IN RFB 2.043/2021', day=15),
    _rule('DCTFWEB', 'DCTFWeb (entrega)', _M, _FILE, _LAST, _BEFORE, 'IN RFB 2.005/2021 art. 19'),
    _rule('EFD_CONTRIBUICOES', 'EFD-Contribuições', _M, _FILE, _NTH, _AFTER, 'IN RFB 1.252/2012 art. 4º',
          day=10, months_after=2),
    _rule('IRPJ_CSLL', 'IRPJ/CSLL trimestral (quota única ou 1ª quota)', _T, _PAY, _LAST, _BEFORE,
          'Lei 9.430/1996 art. 5º caput e art. 28 (CSLL)'),
    _rule('IRPJ_CSLL_Q2', 'IRPJ/CSLL trimestral (2ª quota)', _T, _PAY, _LAST, _BEFORE,
          'Lei 9.430/1996 art. 5º § 1º e art. 28 (CSLL)', months_after=2),
    _rule('IRPJ_CSLL_Q3', 'IRPJ/CSLL trimestral (3ª quota)', _T, _PAY, _LAST, _BEFORE,
          'Lei 9.430/1996 art. 5º § 1º e art. 28 (CSLL)', months_after=3),
    _rule('DEFIS', 'DEFIS (Simples Nacional)', _A, _FILE, _DATE, _KEEP, 'Resolução CGSN 140/2018 art. 72',
          day=31, month=3),
    _rule('DASN_SIMEI', 'DASN-SIMEI', _A, _FILE, _DATE, _KEEP, 'Resolução CGSN 140/2018 art. 109',
          day=31, month=5),
)}
"""The national obligations, by code. ISS is per municipality: build its rule with `iss_rule`."""
