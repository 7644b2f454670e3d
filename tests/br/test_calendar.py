"""Business days: weekends, national holidays and Carnival Monday/Tuesday are not business days."""

from __future__ import annotations

from datetime import date

import pytest

from conton.br.calendar import (
    clamp_day,
    easter,
    holidays_for,
    is_business_day,
    last_business_day,
    next_business_day,
    nth_business_day,
    previous_business_day,
)


@pytest.mark.parametrize(
    ('year', 'sunday'), [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
                         (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25))],
)
def test_easter(year, sunday):
    assert easter(year) == sunday


@pytest.mark.parametrize(
    'day',
    [
        date(2026, 1, 1),  # Confraternização Universal
        date(2026, 2, 16),  # Carnival Monday (optional category in `holidays`)
        date(2026, 2, 17),  # Carnival Tuesday
        date(2025, 3, 3),
        date(2025, 3, 4),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 21),  # Tiradentes
        date(2026, 5, 1),
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 2),
        date(2025, 11, 20),  # Consciência Negra (national since 2024)
        date(2026, 12, 25),
        date(2026, 2, 14),  # Saturday
        date(2026, 2, 15),  # Sunday
    ],
)
def test_non_business_days(day):
    assert not is_business_day(day)


@pytest.mark.parametrize('day', [date(2026, 2, 18), date(2026, 2, 13), date(2026, 11, 5), date(2026, 12, 24)])
def test_business_days(day):
    assert is_business_day(day)  # Ash Wednesday and Christmas Eve are business days


def test_next_and_previous_business_day():
    assert next_business_day(date(2026, 2, 14)) == date(2026, 2, 18)  # Saturday before Carnival -> Ash Wednesday
    assert previous_business_day(date(2026, 2, 17)) == date(2026, 2, 13)
    assert next_business_day(date(2026, 4, 3)) == date(2026, 4, 6)  # Good Friday -> Monday
    assert previous_business_day(date(2026, 4, 5)) == date(2026, 4, 2)
    assert next_business_day(date(2026, 12, 31)) == date(2026, 12, 31)
    assert next_business_day(date(2027, 1, 1)) == date(2027, 1, 4)
    business = date(2026, 11, 5)
    assert next_business_day(business) == business == previous_business_day(business)


def test_holidays_for_contains_carnival_only_once_per_year():
    days = holidays_for(2026)
    assert {date(2026, 2, 16), date(2026, 2, 17)} <= days
    assert date(2026, 2, 18) not in days
    assert all(day.year == 2026 for day in days)


@pytest.mark.parametrize(
    ('args', 'expected'),
    [
        ((2024, 2, 31), date(2024, 2, 29)),
        ((2025, 2, 31), date(2025, 2, 28)),
        ((2026, 4, 31), date(2026, 4, 30)),
        ((2026, 1, 31), date(2026, 1, 31)),
        ((2026, 6, 10), date(2026, 6, 10)),
    ],
)
def test_clamp_day(args, expected):
    assert clamp_day(*args) == expected


@pytest.mark.parametrize('args', [(2026, 13, 1), (2026, 0, 1), (2026, 2, 0)])
def test_clamp_day_invalid(args):
    with pytest.raises(ValueError):
        clamp_day(*args)


def test_december_31_closed_for_payments_only():
    last = date(2026, 12, 31)  # a Thursday
    assert is_business_day(last)
    assert not is_business_day(last, payment=True)
    assert previous_business_day(last, payment=True) == date(2026, 12, 30)
    assert next_business_day(last, payment=True) == date(2027, 1, 4)
    assert last_business_day(2026, 12) == last
    assert last_business_day(2026, 12, payment=True) == date(2026, 12, 30)
    assert is_business_day(date(2026, 12, 30), payment=True)


def test_corpus_christi_is_a_business_day_nationally():
    assert is_business_day(date(2026, 6, 4))
    assert not is_business_day(date(2026, 6, 4), extra={date(2026, 6, 4)})


def test_extra_holidays_close_a_day():
    municipal = {date(2026, 1, 20)}  # São Sebastião (Rio de Janeiro)
    assert is_business_day(date(2026, 1, 20))
    assert not is_business_day(date(2026, 1, 20), extra=municipal)
    assert next_business_day(date(2026, 1, 20), extra=municipal) == date(2026, 1, 21)
    assert previous_business_day(date(2026, 1, 20), extra=municipal) == date(2026, 1, 19)
    assert nth_business_day(2026, 1, 13) == date(2026, 1, 20)
    assert nth_business_day(2026, 1, 13, extra=municipal) == date(2026, 1, 21)


@pytest.mark.parametrize(
    ('year', 'month', 'n', 'expected'),
    [
        (2026, 1, 1, date(2026, 1, 2)),  # 01/01 closed
        (2026, 2, 10, date(2026, 2, 13)),
        (2026, 2, 11, date(2026, 2, 18)),  # Carnival skipped
        (2026, 4, 3, date(2026, 4, 6)),  # Good Friday skipped
        (2026, 2, 18, date(2026, 2, 27)),  # the month's last
    ],
)
def test_nth_business_day(year, month, n, expected):
    assert nth_business_day(year, month, n) == expected


@pytest.mark.parametrize('n', [0, -1, 19])
def test_nth_business_day_out_of_range(n):
    with pytest.raises(ValueError):
        nth_business_day(2026, 2, n)  # February 2026 has 18 business days


@pytest.mark.parametrize(
    ('year', 'month', 'expected'),
    [
        (2026, 1, date(2026, 1, 30)),  # 31st a Saturday
        (2026, 2, date(2026, 2, 27)),
        (2024, 2, date(2024, 2, 29)),
        (2026, 5, date(2026, 5, 29)),  # 31st a Sunday
        (2026, 10, date(2026, 10, 30)),
        (2026, 11, date(2026, 11, 30)),
    ],
)
def test_last_business_day(year, month, expected):
    assert last_business_day(year, month) == expected


def test_services_calendar_br_still_exports_the_same_functions():
    from conton.br import calendar
    from conton.services import calendar_br
    for name in calendar.__all__:
        assert getattr(calendar_br, name) is getattr(calendar, name)


def test_warm_computes_the_years_around_today_once() -> None:
    from conton.br import calendar
    calendar.holidays_for.cache_clear()
    calendar.warm(date(2026, 6, 1))
    info = calendar.holidays_for.cache_info()
    assert info.currsize == 3 and info.misses == 3
    assert date(2027, 1, 1) in calendar.holidays_for(2027) and calendar.holidays_for.cache_info().hits == 1
