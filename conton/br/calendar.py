"""Brazilian business days for bank and tax deadlines.

National public holidays come from the `holidays` package (category 'public'). That package keeps Carnival in its
'optional' category, yet banks (FEBRABAN calendar) and tax deadlines treat Carnival Monday and Tuesday as
non-business days, so they are added here, computed from Easter (independent of the package's holiday names).
Corpus Christi is not a national holiday (a federal "ponto facultativo"; a municipal holiday in many cities): it is
a business day here, and a city that keeps it passes it in `extra`.

Two calendars: the default one (filings, and anything that is not a payment) and the payment calendar
(`payment=True`), which also closes on 31/12, when banks do not serve the public. Municipal and state holidays are
not known to this module: callers pass them in `extra` (any collection of dates).
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    'is_business_day', 'next_business_day', 'previous_business_day', 'nth_business_day', 'last_business_day',
    'clamp_day', 'holidays_for', 'easter', 'warm',
]


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def holidays_for(year: int) -> frozenset[date]:
    """National non-business days of `year` (weekdays and weekends alike): public holidays + Carnival Mon/Tue."""
    public = holidays.country_holidays('BR', years=year, categories=('public',))
    days = {day for day in public if day.year == year}
    sunday = easter(year)
    days.add(sunday - timedelta(days=48))  # Carnival Monday
    days.add(sunday - timedelta(days=47))  # Carnival Tuesday
    return frozenset(days)


def warm(today: date | None = None) -> None:
    """Compute last, this and next year's holidays now (at start-up): the `holidays` package imports its country
    module on first use, which blocked the event loop ~250 ms (more under load) in the first save of a process."""
    year = (today or date.today()).year
    for y in (year - 1, year, year + 1):
        holidays_for(y)


def is_business_day(d: date, *, payment: bool = False, extra: Collection[date] = ()) -> bool:
    """True on Monday..Friday that are not national holidays, Carnival Monday/Tuesday nor one of `extra`; with
    `payment`, 31/12 is not a business day either."""
    if d.weekday() >= 5 or d in holidays_for(d.year) or d in extra:
        return False
    return not (payment and (d.month, d.day) == (12, 31))


def next_business_day(d: date, *, payment: bool = False, extra: Collection[date] = ()) -> date:
    """`d` itself when it is a business day, else the next one."""
    while not is_business_day(d, payment=payment, extra=extra):
        d += timedelta(days=1)
    return d


def previous_business_day(d: date, *, payment: bool = False, extra: Collection[date] = ()) -> date:
    """`d` itself when it is a business day, else the previous one."""
    while not is_business_day(d, payment=payment, extra=extra):
        d -= timedelta(days=1)
    return d


def nth_business_day(year: int, month: int, n: int, *, payment: bool = False, extra: Collection[date] = ()) -> date:
    """The `n`-th business day (1-based) of the month; ValueError when the month has fewer."""
    if n < 1:
        raise ValueError(f'n must be at least 1, got {n}')
    d = clamp_day(year, month, 1)
    count = 0
    while d.month == month:
        if is_business_day(d, payment=payment, extra=extra):
            count += 1
            if count == n:
                return d
        d += timedelta(days=1)
    raise ValueError(f'{month:02d}/{year} has only {count} business days, not {n}')


def last_business_day(year: int, month: int, *, payment: bool = False, extra: Collection[date] = ()) -> date:
    """The month's last business day (not its last weekday: holidays count)."""
    return previous_business_day(clamp_day(year, month, 31), payment=payment, extra=extra)


def clamp_day(year: int, month: int, day: int) -> date:
    """date(year, month, day) with `day` clamped to the month's length (31 in February -> 28 or 29)."""
    if not 1 <= month <= 12:
        raise ValueError(f'month must be 1..12, got {month}')
    if day < 1:
        raise ValueError(f'day must be at least 1, got {day}')
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
