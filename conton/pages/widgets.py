"""The shared page pieces every tool uses.

Pages import from here (and from `common`, `frame`, `listing`), never from another tool's page module.

- `segmented_html`: a bar of links (views, sections), the current one highlighted.
- `filter_html`: a GET filter form of labelled selects (classes of `listing.CSS`).
- `FieldError`: a message under a group of inputs that `common.Form.show` fills like an input's own.
- Calendar pieces (the Agenda and the portal's Agenda, the home's "próximos 7 dias"): `Entry`, `month_html`,
  `week_html`, `days_html`, escaped HTML in strings (see the frame's docstring on why).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from nicegui import ui

from .frame import esc
from .listing import select_html


def segmented_html(items: Iterable[tuple[str, str, bool]], label: str = '') -> str:
    """A bar of links, the current one highlighted: [(text, href, current)]."""
    current = ' class="on" aria-current="page"'
    links = ''.join(f'<a href="{esc(href)}"{current if on else ""}>{esc(text)}</a>' for text, href, on in items)
    aria = f' aria-label="{esc(label)}"' if label else ''
    return f'<nav class="conton-seg"{aria}>{links}</nav>'


def filter_html(path: str, selects: Iterable[tuple[str, str, dict[str, str], str]], *, hidden: dict | None = None,
                clear_url: str = '', button: str = 'Filtrar') -> str:
    """A GET form to `path` (the filters live in the URL): one select per (label, name, options, value), the
    `hidden` values kept, a submit button and a link that clears the filters."""
    fields = ''.join(f'<label><span>{esc(label)}</span>{select_html(name, options, value)}</label>'
                     for label, name, options, value in selects)
    kept = ''.join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in (hidden or {}).items() if v)
    clear = f'<a href="{esc(clear_url)}">Limpar</a>' if clear_url else ''
    return (f'<form method="get" action="{esc(path)}" class="conton-filter">{fields}{kept}'
            f'<button type="submit">{esc(button)}</button>{clear}</form>')


class FieldError(ui.label):
    """A message under a group of inputs (a list of reminders, a set of checkboxes): `Form.show` sets `error` on it
    as it does on an input, and `Form.clear_errors` clears it."""

    def __init__(self) -> None:
        super().__init__('')
        self.classes('conton-field-error')
        self.set_visibility(False)

    @property
    def error(self) -> str | None:
        return self.text or None

    @error.setter
    def error(self, message: str | None) -> None:
        self.text = message or ''
        self.set_visibility(bool(message))


# --------------------------------------------------------------------------------------------------------------------
# Calendar pieces
# --------------------------------------------------------------------------------------------------------------------

WEEK_HEADS = ('seg', 'ter', 'qua', 'qui', 'sex', 'sáb', 'dom')
TODAY = ' class="today"'


@dataclass(frozen=True)
class Entry:
    """One thing on a calendar day: an occurrence of an event or the due dates of an obligation. `color` is one of
    the tool's fixed colours (never user text); `due` draws it outlined (a deadline, not a meeting)."""
    day: date
    title: str
    color: str
    href: str
    time: str = ''  # '09:00–10:00' ('' = all day)
    sub: str = ''  # the second line in the lists (client, kind …)
    due: bool = False


def month_label(day: date) -> str:
    """'março de 2026'."""
    return format_date(day, "MMMM 'de' y", locale='pt_BR')


def day_label(day: date) -> str:
    """'segunda-feira, 5 de janeiro de 2026'."""
    return format_date(day, "EEEE, d 'de' MMMM 'de' y", locale='pt_BR')


def month_grid(year: int, month: int) -> tuple[date, date]:
    """First and last day (Monday .. Sunday) of the weeks that show a month."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    nxt = date(year + month // 12, month % 12 + 1, 1)
    end = nxt - timedelta(days=1)
    return start, end + timedelta(days=6 - end.weekday())


def month_html(year: int, month: int, entries: Iterable[Entry], *, today: date, day_href: Callable[[date], str],
               per_day: int = 4) -> str:
    """A month as a table of weeks (Monday first): each day with up to `per_day` chips and a '+N' link to it."""
    by_day = _by_day(entries)
    start, end = month_grid(year, month)
    heads = ''.join(f'<th scope="col">{d}</th>' for d in WEEK_HEADS)
    rows, day = [], start
    while day <= end:
        cells = []
        for _ in range(7):
            css = ' '.join(c for c in ('out' if day.month != month else '', 'today' if day == today else '') if c)
            items = by_day.get(day, [])
            chips = ''.join(_chip(e) for e in items[:per_day])
            more = (f'<a class="conton-more" href="{esc(day_href(day))}">+{len(items) - per_day} mais</a>'
                    if len(items) > per_day else '')
            klass = f' class="{css}"' if css else ''
            cells.append(f'<td{klass} data-day="{day.isoformat()}">'
                         f'<a class="n" href="{esc(day_href(day))}" aria-label="{esc(day_label(day))}">{day.day}</a>'
                         f'{chips}{more}</td>')
            day += timedelta(days=1)
        rows.append(f'<tr>{"".join(cells)}</tr>')
    return (f'<table class="conton-cal" aria-label="{esc(month_label(date(year, month, 1)))}"><thead><tr>{heads}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def week_html(first: date, entries: Iterable[Entry], *, today: date, day_href: Callable[[date], str]) -> str:
    """Seven days from `first`, one column each (stacked on a phone), every entry with its time."""
    by_day = _by_day(entries)
    cols = []
    for n in range(7):
        day = first + timedelta(days=n)
        chips = ''.join(_chip(e, with_time=True) for e in by_day.get(day, []))
        cols.append(f'<div{TODAY if day == today else ""} '
                    f'data-day="{day.isoformat()}"><h4><a href="{esc(day_href(day))}" style="color:inherit;'
                    f'text-decoration:none">{WEEK_HEADS[n]} {day:%d/%m}</a></h4>{chips}</div>')
    return f'<div class="conton-week">{"".join(cols)}</div>'


def days_html(entries: Iterable[Entry], *, today: date, empty: str = 'Nada marcado neste período.') -> str:
    """A list grouped by day (the 'próximos' view, the home's next 7 days): one full-width line per entry."""
    by_day = _by_day(entries)
    if not by_day:
        return f'<div class="conton-days"><div class="empty">{esc(empty)}</div></div>'
    parts = []
    for day in sorted(by_day):
        label = ('hoje, ' if day == today else 'amanhã, ' if day == today + timedelta(days=1) else '') + day_label(day)
        parts.append(f'<h4{TODAY if day == today else ""}>{esc(label)}</h4>')
        for e in by_day[day]:
            sub = f'<span>{esc(e.sub)}</span>' if e.sub else ''
            parts.append(f'<a class="item" href="{esc(e.href)}"><span class="dot{" due" if e.due else ""}" '
                         f'style="{_color(e)}"></span><span class="tm">{esc(e.time or "Dia todo")}</span>'
                         f'<span class="tx"><b>{esc(e.title)}</b>{sub}</span></a>')
    return f'<div class="conton-days">{"".join(parts)}</div>'


def _by_day(entries: Iterable[Entry]) -> dict[date, list[Entry]]:
    out: dict[date, list[Entry]] = {}
    for e in entries:
        out.setdefault(e.day, []).append(e)
    return out


def _chip(e: Entry, *, with_time: bool = False) -> str:
    text = f'{e.time.split("–")[0]} {e.title}' if e.time else e.title
    title = ' — '.join(x for x in (e.time or 'Dia todo', e.title, e.sub) if x)
    return (f'<a class="conton-chip{" due" if e.due else ""}" href="{esc(e.href)}" style="{_color(e)}" '
            f'title="{esc(title)}">{esc(text)}</a>')


def _color(e: Entry) -> str:
    color = e.color if e.color.startswith('#') and len(e.color) == 7 and e.color[1:].isalnum() else '#1565c0'
    return f'color:{color}' if e.due else f'background:{color}'
