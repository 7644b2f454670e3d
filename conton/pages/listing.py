"""The list part of the page widgets (pages/widgets.py holds the rest): the one idiom for every long list.

Server-rendered pieces of the long lists (Recebimentos, Pagamentos, Clientes, Fornecedores): the filter bar (a plain
GET form), the totals, the table (`table_html`: a table on a desktop, one card per row on a phone), the pager
(`pager_html`: links) and the list badge, all escaped HTML in a couple of ui.html elements; the look is in
assets/conton.css.

Why this idiom and not `ui.refreshable` + `ui.pagination` (which E-mails and Auditoria used until issue 8's end):
- Speed. A NiceGUI element costs ~0.5 ms at render and is kept per tab; these strings cost next to nothing, so the
  default views of Recebimentos and Pagamentos stay within 2x of a bare page (bench/finance.py, README "Decisions
  worth knowing"). A refreshable list rebuilds elements on every filter change and pushes them over the websocket.
- The filters and the page live in the URL (a GET form, pager links): reload, back, a bookmark or a notification
  link show the same list, with no JavaScript state to keep in sync (`ui.navigate.history.replace`).
- One look: the same table-or-cards markup for every list, on a phone too; a live view refreshes the region by
  replacing one HTML string (`content`), one query per event.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from .. import formatting
from .frame import esc


@dataclass(frozen=True)
class Column:
    """A column of `table_html`. On a phone each row is a card: the `first` cell is its title, the `st` cell (a
    badge) sits in its top-right corner, and every other cell reads 'label: value' (`labelled=False`: the value
    alone)."""
    label: str
    cls: str = ''  # any of: first, st, num (right-aligned on a desktop), nw (no wrap), wrap, hide-sm (not on a phone)
    labelled: bool = True


def table_html(columns: Sequence[Column], rows: Iterable[Sequence[str]], empty: str = '') -> str:
    """A list as one escaped `conton-fin` table (the look and the phone cards are in CSS). Each row holds one HTML
    cell per column, escaped by the caller; `empty` is the text of a list with no rows."""
    head = ''.join(f'<th{_classes(c.cls, ("num", "hide-sm"))}>{esc(c.label)}</th>' for c in columns)
    cells = [(_classes(c.cls) + (f' data-label="{esc(c.label)}"' if c.labelled and c.label else ''))
             for c in columns]
    body = [f'<tr>{"".join(f"<td{attrs}>{cell}</td>" for attrs, cell in zip(cells, row, strict=True))}</tr>'
            for row in rows]
    if not body and empty:
        body.append(f'<tr><td colspan="{len(columns)}" class="empty">{esc(empty)}</td></tr>')
    return f'<table class="conton-fin"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _classes(cls: str, keep: tuple[str, ...] | None = None) -> str:
    names = [n for n in cls.split() if keep is None or n in keep]
    return f' class="{" ".join(names)}"' if names else ''


def iso(day: date | None) -> str:
    return day.isoformat() if day else ''


def select_html(name: str, options: dict[str, str], value: str) -> str:
    opts = ''.join(f'<option value="{esc(k)}"{" selected" if k == value else ""}>{esc(v)}</option>'
                   for k, v in options.items())
    return f'<select name="{esc(name)}">{opts}</select>'


DATE_LABELS = {'de': 'De', 'ate': 'Até'}


MAX_PAGE = 100_000  # far past any real list; keeps OFFSET (page x rows a page) well inside SQL's 64-bit integers


def page_number(value) -> int:
    """The page asked for: `?pagina=N` from the query parameters (a mapping), or N itself (the URL parameter as
    text, a pager's event value). 1..MAX_PAGE; anything that is not a whole number gives 1. Past the end, the
    finance and directory services answer with the last page; E-mails and Auditoria show an empty one."""
    if hasattr(value, 'get'):
        value = value.get('pagina', '1')
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return max(1, min(value, MAX_PAGE))
    text = value.strip() if isinstance(value, str) else ''
    if not (text.isascii() and text.isdigit()):
        return 1
    digits = text.lstrip('0')
    return MAX_PAGE if len(digits) > 9 else max(1, min(int(digits or '0'), MAX_PAGE))  # never int() of 5,000 digits


def bad_dates(params) -> dict[str, str]:
    """The period fields of a list URL that were typed but are not dates: {'de'|'ate': what was typed}."""
    bad = {}
    for name in DATE_LABELS:
        raw = (params.get(name) or '').strip()[:20]
        try:
            formatting.parse_day(raw)
        except ValueError:
            bad[name] = raw
    return bad


def _date_html(name: str, day: date | None, bad: dict[str, str]) -> str:
    """A dd/mm/aaaa text field (a native date input would follow the browser's locale, e.g. mm/dd/yyyy)."""
    value = bad.get(name, formatting.day(day))
    invalid = ' aria-invalid="true" class="bad"' if name in bad else ''
    return (f'<label class="date"><span>{DATE_LABELS[name]}</span>'
            f'<input type="text" name="{name}" value="{esc(value)}" '
            f'inputmode="numeric" maxlength="10" placeholder="dd/mm/aaaa" autocomplete="off"{invalid}></label>')


def dates_html(start: date | None, end: date | None, bad: dict[str, str]) -> str:
    """The 'De' and 'Até' fields of a filter form (names `de` and `ate`)."""
    return _date_html('de', start, bad) + _date_html('ate', end, bad)


def date_errors_html(bad: dict[str, str], start: date | None = None, end: date | None = None) -> str:
    """Under a filter form: which period field is not a date, or that the period ends before it starts."""
    errors = [f'Data inválida em “{DATE_LABELS[name]}”: use dd/mm/aaaa. A lista abaixo não usa esta data.'
              for name in bad]
    if start and end and start > end:
        errors.append('A data final (“Até”) é anterior à inicial (“De”). A lista abaixo não usa a data final.')
    return ''.join(f'<div class="conton-filter-error" role="alert">{esc(e)}</div>' for e in errors)


def text_html(name: str, label: str, value: str, placeholder: str = '') -> str:
    """A search field of a filter form (it takes the free width)."""
    hint = f' placeholder="{esc(placeholder)}"' if placeholder else ''
    return (f'<label class="grow"><span>{esc(label)}</span><input type="search" name="{esc(name)}" '
            f'value="{esc(value)}" maxlength="100"{hint}></label>')


def form_html(path: str, fields: str, clear_url: str = '', button: str = 'Filtrar', hidden: dict | None = None) -> str:
    """A GET form to `path` holding `fields` (HTML from text_html, select_html, dates_html), a submit button and a
    link that clears the filters."""
    kept = ''.join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in (hidden or {}).items() if v)
    clear = f'<a href="{esc(clear_url)}">Limpar</a>' if clear_url else ''
    return (f'<form method="get" action="{esc(path)}" class="conton-filter">{kept}{fields}'
            f'<button type="submit">{esc(button)}</button>{clear}</form>')


def total_html(total: int, one: str = 'registro', many: str = 'registros') -> str:
    return f'<div class="conton-totals"><span>{total} {one if total == 1 else many}</span></div>'


def filter_html(path: str, status_options: dict, status: str, who_name: str, who_label: str, who: str,
                date_options: dict, date_field: str, start: date | None, end: date | None, month_url: str,
                bad: dict[str, str] | None = None) -> str:
    """The filter bar: a GET form to the same page (the filters live in the URL). A period field that is not a
    date is shown as typed, outlined, with a message; the list is filtered without it."""
    bad = bad or {}
    errors = ''.join(f'<div class="conton-filter-error" role="alert">Data inválida em “{DATE_LABELS[name]}”: '
                     f'use dd/mm/aaaa. A lista abaixo não usa esta data.</div>' for name in bad)
    return (f'<form method="get" action="{esc(path)}" class="conton-filter">'
            f'<label><span>Situação</span>{select_html("status", status_options, status)}</label>'
            f'<label class="grow"><span>{esc(who_label)}</span><input type="search" name="{esc(who_name)}" '
            f'value="{esc(who)}" maxlength="100"></label>'
            f'<label><span>Data de</span>{select_html("data", date_options, date_field)}</label>'
            f'{_date_html("de", start, bad)}{_date_html("ate", end, bad)}'
            f'<button type="submit">Filtrar</button><a href="{esc(month_url)}">Mês atual</a></form>{errors}')


def url(path: str, query: dict, **extra) -> str:
    return f'{path}?{urlencode({**query, **{k: v for k, v in extra.items() if v}})}'


def pager_html(path: str, query: dict, page: int, pages: int) -> str:
    """Links to the other pages (first, last and a window around the current one)."""
    if pages <= 1:
        return ''
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    parts = []
    if page > 1:
        parts.append(f'<a href="{esc(url(path, query, pagina=page - 1))}" aria-label="Anterior">‹</a>')
    last = 0
    for n in shown:
        if n - last > 1:
            parts.append('<span class="gap">…</span>')
        parts.append(f'<span class="cur">{n}</span>' if n == page
                     else f'<a href="{esc(url(path, query, pagina=n))}">{n}</a>')
        last = n
    if page < pages:
        parts.append(f'<a href="{esc(url(path, query, pagina=page + 1))}" aria-label="Próxima">›</a>')
    return f'<nav class="conton-pager" aria-label="Páginas">{"".join(parts)}</nav>'


def badge(status: str, label: str) -> str:
    return f'<span class="conton-badge {esc(status)}">{esc(label)}</span>'
