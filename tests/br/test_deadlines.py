"""Tax deadlines: the published vectors, the Agenda Tributária of February 2026 and a whole-year table for 2026
written out by hand from the calendar (not from the code)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from conton.br.deadlines import CATALOGUE, Kind, Periodicity, Shift, Sphere, deadline, due_date, iss_rule
from tests.vectors import load

VECTORS = load('obligations')['due_dates']


@pytest.mark.parametrize(('case', 'expected'), VECTORS.items())
def test_published_vectors(case, expected):
    code, competence = case.split(' ')
    assert due_date(code, competence) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ('code', 'competence', 'expected'),
    [
        ('EFD_CONTRIBUICOES', '12/2025', date(2026, 2, 13)),
        ('EFD_REINF', '01/2026', date(2026, 2, 18)),  # 15th is a Sunday, 16-17 Carnival
        ('ESOCIAL', '01/2026', date(2026, 2, 18)),
        ('DAS', '01/2026', date(2026, 2, 20)),
        ('FGTS', '01/2026', date(2026, 2, 20)),
        ('DARF_INSS_IRRF', '01/2026', date(2026, 2, 20)),
        ('PIS_COFINS', '01/2026', date(2026, 2, 25)),
        ('DCTFWEB', '01/2026', date(2026, 2, 27)),
    ],
)
def test_agenda_tributaria_february_2026(code, competence, expected):
    assert due_date(code, competence) == expected


# 2026, written out by hand. Closed: weekends, 01/01, Carnival 16-17/02, Good Friday 03/04, 21/04, 01/05, 07/09,
# 12/10, 02/11, 15/11 (a Sunday), 20/11, 25/12, and 31/12 for payments only. Corpus Christi (04/06) is a business
# day (a federal "ponto facultativo", not a national holiday): it decides the EFD-Contribuições of 04/2026 (12/06).
# Monthly rows: one due date per month of 2026, January to December; the competência is the month before (12/2025
# to 11/2026), for EFD-Contribuições two months before (11/2025 to 10/2026).
MONTHLY_2026 = '''
DAS                20/01 20/02 20/03 20/04 20/05 22/06 20/07 20/08 21/09 20/10 23/11 21/12
DAS_MEI            20/01 20/02 20/03 20/04 20/05 22/06 20/07 20/08 21/09 20/10 23/11 21/12
DAE_MEI            20/01 20/02 20/03 20/04 20/05 19/06 20/07 20/08 18/09 20/10 19/11 18/12
FGTS               20/01 20/02 20/03 20/04 20/05 19/06 20/07 20/08 18/09 20/10 19/11 18/12
DARF_INSS_IRRF     20/01 20/02 20/03 20/04 20/05 19/06 20/07 20/08 18/09 20/10 19/11 18/12
PIS_COFINS         23/01 25/02 25/03 24/04 25/05 25/06 24/07 25/08 25/09 23/10 25/11 24/12
ESOCIAL            15/01 18/02 16/03 15/04 15/05 15/06 15/07 17/08 15/09 15/10 16/11 15/12
EFD_REINF          15/01 18/02 16/03 15/04 15/05 15/06 15/07 17/08 15/09 15/10 16/11 15/12
DCTFWEB            30/01 27/02 31/03 30/04 29/05 30/06 31/07 31/08 30/09 30/10 30/11 31/12
EFD_CONTRIBUICOES  15/01 13/02 13/03 15/04 15/05 12/06 14/07 14/08 15/09 15/10 16/11 14/12
ISS_10_ANTECIPA    09/01 10/02 10/03 10/04 08/05 10/06 10/07 10/08 10/09 09/10 10/11 10/12
ISS_5_PRORROGA     05/01 05/02 05/03 06/04 05/05 05/06 06/07 05/08 08/09 05/10 05/11 07/12
'''
MONTHS_BEFORE = {'EFD_CONTRIBUICOES': 2}
# Quarterly rows: the quarters closed in 12/2025, 03/2026, 06/2026 and 09/2026 (payments: the quota of the quarter
# closed in 09/2026 due in December falls on 30/12, 31/12 having no banking service).
QUARTERLY_2026 = '''
IRPJ_CSLL          30/01 30/04 31/07 30/10
IRPJ_CSLL_Q2       27/02 29/05 31/08 30/11
IRPJ_CSLL_Q3       31/03 30/06 30/09 30/12
'''
QUARTERS = ('12/2025', '03/2026', '06/2026', '09/2026')
ANNUAL_2026 = [
    ('DEFIS', '12/2025', date(2026, 3, 31)),
    ('DASN_SIMEI', '12/2025', date(2026, 5, 31)),  # a Sunday: an online declaration due "até 31 de maio"
]
ISS_RULES = {'ISS_10_ANTECIPA': iss_rule(10, Shift.ANTECIPA), 'ISS_5_PRORROGA': iss_rule(5, Shift.PRORROGA)}


def _table_2026() -> list[tuple[str, str, date]]:
    rows = []
    for line in MONTHLY_2026.strip().splitlines():
        code, *days = line.split()
        assert len(days) == 12, code
        for due_month, day in enumerate(days, start=1):
            year, month = divmod(2026 * 12 + due_month - 1 - MONTHS_BEFORE.get(code, 1), 12)
            rows.append((code, f'{month + 1:02d}/{year}', _day(day)))
    for line in QUARTERLY_2026.strip().splitlines():
        code, *days = line.split()
        rows.extend((code, quarter, _day(day)) for quarter, day in zip(QUARTERS, days, strict=True))
    return rows + ANNUAL_2026


def _day(text: str) -> date:
    day, month = text.split('/')
    return date(2026, int(month), int(day))


TABLE_2026 = _table_2026()


@pytest.mark.parametrize(('code', 'competence', 'expected'), TABLE_2026, ids=[f'{c} {m}' for c, m, _ in TABLE_2026])
def test_year_2026(code, competence, expected):
    if code in ISS_RULES:
        assert deadline(ISS_RULES[code], competence) == expected
    else:
        assert due_date(code, competence) == expected


def test_year_2026_covers_every_obligation_and_month():
    assert len(TABLE_2026) == 12 * 12 + 3 * 4 + 2
    assert {code for code, _, _ in TABLE_2026} == set(CATALOGUE) | set(ISS_RULES)
    for code in CATALOGUE:
        due = [d for c, _, d in TABLE_2026 if c == code]
        assert all(d.year == 2026 for d in due), code
        assert len(set(due)) == len(due), code


def test_payments_close_on_december_31_filings_do_not():
    assert due_date('DCTFWEB', '11/2026') == date(2026, 12, 31)  # a filing: 31/12/2026 is a Thursday
    assert due_date('IRPJ_CSLL_Q3', '09/2026') == date(2026, 12, 30)  # a payment on the last business day
    assert due_date('IRPJ_CSLL', '12/2026') == date(2027, 1, 29)
    ending_on_31 = iss_rule(31, Shift.PRORROGA)
    assert deadline(ending_on_31, '11/2026') == date(2027, 1, 4)  # 31/12 closed, 01/01, weekend
    assert deadline(ending_on_31, '10/2026') == date(2026, 11, 30)  # day 31 of November is its 30th


def test_municipal_holiday_moves_the_date():
    rule = iss_rule(10, Shift.ANTECIPA)
    assert deadline(rule, '02/2026') == date(2026, 3, 10)
    assert deadline(rule, '02/2026', extra_holidays={date(2026, 3, 10)}) == date(2026, 3, 9)
    assert deadline(CATALOGUE['DAS'], '01/2026', extra_holidays=[date(2026, 2, 20)]) == date(2026, 2, 23)
    assert deadline(CATALOGUE['FGTS'], '01/2026', extra_holidays=[date(2026, 2, 20)]) == date(2026, 2, 19)


def test_corpus_christi_is_a_business_day_unless_passed_in():
    rule = CATALOGUE['EFD_CONTRIBUICOES']
    assert deadline(rule, '04/2026') == date(2026, 6, 12)
    assert deadline(rule, '04/2026', extra_holidays={date(2026, 6, 4)}) == date(2026, 6, 15)
    assert deadline(CATALOGUE['DCTFWEB'], '04/2026', extra_holidays={date(2026, 5, 29)}) == date(2026, 5, 28)


def test_override_wins_over_the_rule():
    rule = CATALOGUE['DAS']
    assert deadline(rule, '04/2025') == date(2025, 5, 20)
    assert deadline(rule, '04/2025', override=date(2025, 5, 28)) == date(2025, 5, 28)  # moved by decree
    moved = deadline(rule, '04/2025', override=date(2025, 5, 31), extra_holidays={date(2025, 5, 20)})
    assert moved == date(2025, 5, 31)  # not moved again, even to a Saturday
    with pytest.raises(ValueError):
        deadline(rule, '13/2025', override=date(2025, 5, 28))


@pytest.mark.parametrize('code', ['XYZ', 'das', 'DAS ', '', 'ISS', None, 20])
def test_unknown_code(code):
    with pytest.raises(ValueError):
        due_date(code, '01/2026')


@pytest.mark.parametrize(
    'competence',
    ['13/2026', '00/2026', '2026-01', '1/2026', '', '01/26', '01/02026', ' 01/2026', '01/2026 ', '01/2026\n',
     '01-2026', '012026', '٠١/٢٠٢٦', None, 202601],
)
def test_malformed_competence(competence):
    with pytest.raises(ValueError):
        due_date('DAS', competence)


@pytest.mark.parametrize(('code', 'competence'), [('IRPJ_CSLL', '02/2026'), ('IRPJ_CSLL_Q3', '01/2026'),
                                                  ('DEFIS', '06/2025'), ('DASN_SIMEI', '01/2026')])
def test_quarterly_and_annual_competence_is_the_period_last_month(code, competence):
    with pytest.raises(ValueError):
        due_date(code, competence)


@pytest.mark.parametrize('day', [0, 32, -1])
def test_iss_rule_day_out_of_range(day):
    with pytest.raises(ValueError):
        iss_rule(day, Shift.PRORROGA)


# The catalogue as issue 9 specifies it: (sphere, periodicity, payment or filing, non-business day).
SPECIFIED = {
    'DAS': (Periodicity.MENSAL, Kind.PAGAMENTO, Shift.PRORROGA),
    'DAS_MEI': (Periodicity.MENSAL, Kind.PAGAMENTO, Shift.PRORROGA),
    'DAE_MEI': (Periodicity.MENSAL, Kind.PAGAMENTO, Shift.ANTECIPA),
    'FGTS': (Periodicity.MENSAL, Kind.PAGAMENTO, Shift.ANTECIPA),
    'DARF_INSS_IRRF': (Periodicity.MENSAL, Kind.PAGAMENTO, Shift.ANTECIPA),
    'PIS_COFINS': (Periodicity.MENSAL, Kind.PAGAMENTO, Shift.ANTECIPA),
    'ESOCIAL': (Periodicity.MENSAL, Kind.ENTREGA, Shift.PRORROGA),
    'EFD_REINF': (Periodicity.MENSAL, Kind.ENTREGA, Shift.PRORROGA),
    'DCTFWEB': (Periodicity.MENSAL, Kind.ENTREGA, Shift.ANTECIPA),
    'EFD_CONTRIBUICOES': (Periodicity.MENSAL, Kind.ENTREGA, Shift.PRORROGA),
    'IRPJ_CSLL': (Periodicity.TRIMESTRAL, Kind.PAGAMENTO, Shift.ANTECIPA),
    'IRPJ_CSLL_Q2': (Periodicity.TRIMESTRAL, Kind.PAGAMENTO, Shift.ANTECIPA),
    'IRPJ_CSLL_Q3': (Periodicity.TRIMESTRAL, Kind.PAGAMENTO, Shift.ANTECIPA),
    'DEFIS': (Periodicity.ANUAL, Kind.ENTREGA, Shift.MANTEM),
    'DASN_SIMEI': (Periodicity.ANUAL, Kind.ENTREGA, Shift.MANTEM),
}


def test_catalogue_as_specified():
    assert set(CATALOGUE) == set(SPECIFIED)
    for code, rule in CATALOGUE.items():
        assert rule.code == code
        assert (rule.periodicity, rule.kind, rule.shift) == SPECIFIED[code], code
        assert rule.sphere is Sphere.FEDERAL, code
        assert rule.name and rule.basis, code
    iss = iss_rule(10, 'antecipa')
    assert (iss.sphere, iss.periodicity, iss.kind, iss.shift) == (
        Sphere.MUNICIPAL, Periodicity.MENSAL, Kind.PAGAMENTO, Shift.ANTECIPA)


def test_rules_are_immutable():
    with pytest.raises(AttributeError):
        CATALOGUE['DAS'].day = 25  # type: ignore[misc]


def test_br_modules_import_no_service_model_page_or_nicegui():
    forbidden = ('conton.services', 'conton.models', 'conton.pages', 'conton.db', 'nicegui', 'sqlmodel')
    code = ('import importlib, pkgutil, sys, conton.br\n'
            "for m in pkgutil.iter_modules(conton.br.__path__): importlib.import_module('conton.br.' + m.name)\n"
            f'print(sorted(m for m in sys.modules if m.startswith({forbidden!r})))')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == '[]'
