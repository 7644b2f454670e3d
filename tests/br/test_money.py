"""Money as people type it (pt-BR) read into exact integer centavos, and the centavos arithmetic of the finance tools."""

from __future__ import annotations

from datetime import date

import pytest

from conton.br.money import (
    INVALID_MONEY,
    NEGATIVE_MONEY,
    add_months,
    late_fees,
    monthly_dates,
    net_paid,
    parse_amount,
    parse_money,
    split_installments,
)


@pytest.mark.parametrize(('text', 'cents'), [
    ('1.234,56', 123456), ('R$ 1.234,56', 123456), ('R$\xa01.234,56', 123456), ('1234,56', 123456),
    ('1234.56', 123456), ('1234,5', 123450), ('0,01', 1), ('12', 1200), ('-5,00', -500), (' 10 ', 1000),
    ('1.000.000,00', 100000000), ('999.999.999.999,99', 99999999999999), (1234.56, 123456), (0.1, 10), (7, 700),
    ('9' * 40, 10**42 - 100),  # exact however large: no 28-digit rounding
])
def test_parse_money_reads_every_usual_form(text, cents) -> None:
    assert parse_money(text) == cents


@pytest.mark.parametrize('text', ['abc', '1,234.56', '1.23,45', '1,2,3', '12,345', 'R$', '1e5', 'nan', '9' * 101,
                                  float('inf'), float('nan'), True])
def test_parse_money_refuses_anything_else_in_portuguese(text) -> None:
    with pytest.raises(ValueError, match='^Valor inválido. Use o formato 1.234,56.$'):
        parse_money(text)


def test_parse_money_asks_for_a_value_when_empty() -> None:
    for empty in (None, ''):
        with pytest.raises(ValueError, match='^Informe um valor.$'):
            parse_money(empty)


def test_formatting_parse_money_is_the_same_function() -> None:
    from conton import formatting
    assert formatting.parse_money is parse_money


@pytest.mark.parametrize(('value', 'cents'), [(123456, 123456), (0, 0), ('1.234,56', 123456), (12.5, 1250)])
def test_parse_amount_takes_cents_text_or_float(value, cents) -> None:
    """An int from a form is already centavos (unlike parse_money, where 7 means R$ 7,00)."""
    assert parse_amount(value) == cents


@pytest.mark.parametrize('value', [True, False, [1], {'a': 1}, None, object(), '12,345'])
def test_parse_amount_refuses_forged_or_bad_values(value) -> None:
    with pytest.raises(ValueError) as error:
        parse_amount(value)
    assert str(error.value) == INVALID_MONEY


@pytest.mark.parametrize('value', [-1, '-0,01', -2.5])
def test_parse_amount_refuses_negatives(value) -> None:
    with pytest.raises(ValueError, match=f'^{NEGATIVE_MONEY}$'):
        parse_amount(value)


def test_split_installments_adds_up_with_the_remainder_first() -> None:
    assert split_installments(10000, 3) == [3334, 3333, 3333]
    assert split_installments(1, 4) == [1, 0, 0, 0]
    assert sum(split_installments(123457, 7)) == 123457
    for bad in ((100, 0), (100, True), (-1, 2), (1.5, 2)):
        with pytest.raises(ValueError):
            split_installments(*bad)


def test_monthly_dates_keep_the_day_where_the_month_has_it() -> None:
    assert monthly_dates(date(2026, 1, 31), 4) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                                   date(2026, 4, 30)]
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_late_fees_and_net_paid() -> None:
    fees = late_fees(100000, date(2026, 1, 10), date(2026, 1, 25), fine_bp=200, interest_bp_month=100)
    assert (fees.fine_cents, fees.interest_cents, fees.days_late, fees.total_cents) == (2000, 500, 15, 2500)
    assert late_fees(100000, date(2026, 1, 10), date(2026, 1, 10), 200, 100).total_cents == 0
    assert net_paid(100000, 1500, 2500) == 101000
