"""The shared page pieces every tool uses.

Pages import from here (and from `common`, `frame`, `listing`), never from another tool's page module.

- `segmented_html`: a bar of links (views, sections), the current one highlighted.
- `filter_html`: a GET filter form of labelled selects (the filter bar of assets/conton.css).
- `FieldError`: a message under a group of inputs that `common.Form.show` fills like an input's own.
- `client_picker`: a client select that searches on the server as the user types (never every client).
- `status_badge` (a charge's or bill's situation), `confirm` (ask before acting), `facts_html` (label over
  value in sections: a client's, a supplier's registration), `pix_block` (PIX copia e cola and its QR code).
- The long lists (table or cards, GET filter bar, pager, list badge) are in `listing`, the list part of the
  widgets; the look of all of them is in assets/conton.css.
- `protocol_head_html`, `protocol_detail_html`: one protocol (Protocolos and the portal's Protocolos).
- `open_feed_dialog`: the login's own iCal feed address (generate, shown once; regenerate; revoke).
- Calendar pieces (the Agenda and the portal's Agenda, the home's "próximos 7 dias"): `Entry`, `month_html`,
  `week_html`, `days_html`, escaped HTML in strings (see the frame's docstring on why); `month_cells_html` and
  `week_cells_html` take each day's content from a function (the Agenda shows a busy day summed up), with
  `chip_html`, `occurrence_entry` and `due_summary_entry` ('N obrigações') for it.
"""
from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import format_date
from nicegui import run, ui

from .. import formatting
from ..services import files, ical, protocols
from ..services.errors import NotFound, ValidationError
from ..services.permissions import Actor
from ..uploads import file_upload
from .common import action
from .frame import esc
from .listing import Column, select_html, table_html
from .listing import badge as listing_badge


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


@lru_cache(maxsize=512)
def month_label(day: date) -> str:
    """'março de 2026' (babel formats are slow enough to count on a grid of 42 days: kept)."""
    return format_date(day, "MMMM 'de' y", locale='pt_BR')


@lru_cache(maxsize=2048)
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

    def cell(day: date) -> str:
        items = by_day.get(day, [])
        more = (f'<a class="conton-more" href="{esc(day_href(day))}">+{len(items) - per_day} mais</a>'
                if len(items) > per_day else '')
        return ''.join(chip_html(e) for e in items[:per_day]) + more
    return month_cells_html(year, month, cell, today=today, day_href=day_href)


def month_cells_html(year: int, month: int, cell: Callable[[date], str], *, today: date,
                     day_href: Callable[[date], str]) -> str:
    """The month's table of weeks with each day's content from `cell(day)` (HTML, already escaped)."""
    start, end = month_grid(year, month)
    heads = ''.join(f'<th scope="col">{d}</th>' for d in WEEK_HEADS)
    rows, day = [], start
    while day <= end:
        cells = []
        for _ in range(7):
            css = ' '.join(c for c in ('out' if day.month != month else '', 'today' if day == today else '') if c)
            klass = f' class="{css}"' if css else ''
            cells.append(f'<td{klass} data-day="{day.isoformat()}">'
                         f'<a class="n" href="{esc(day_href(day))}" aria-label="{esc(day_label(day))}">{day.day}</a>'
                         f'{cell(day)}</td>')
            day += timedelta(days=1)
        rows.append(f'<tr>{"".join(cells)}</tr>')
    return (f'<table class="conton-cal" aria-label="{esc(month_label(date(year, month, 1)))}"><thead><tr>{heads}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def week_html(first: date, entries: Iterable[Entry], *, today: date, day_href: Callable[[date], str]) -> str:
    """Seven days from `first`, one column each (stacked on a phone), every entry with its time."""
    by_day = _by_day(entries)
    return week_cells_html(first, lambda day: ''.join(chip_html(e, with_time=True) for e in by_day.get(day, [])),
                           today=today, day_href=day_href)


def week_cells_html(first: date, cell: Callable[[date], str], *, today: date, day_href: Callable[[date], str]) -> str:
    """The week's seven columns with each day's content from `cell(day)` (HTML, already escaped)."""
    cols = []
    for n in range(7):
        day = first + timedelta(days=n)
        cols.append(f'<div{TODAY if day == today else ""} '
                    f'data-day="{day.isoformat()}"><h4><a href="{esc(day_href(day))}" style="color:inherit;'
                    f'text-decoration:none">{WEEK_HEADS[n]} {day:%d/%m}</a></h4>{cell(day)}</div>')
    return f'<div class="conton-week">{"".join(cols)}</div>'


def days_html(entries: Iterable[Entry], *, today: date, empty: str = 'Nada marcado neste período.',
              after: str = '') -> str:
    """A list grouped by day (the 'próximos' view, the home's next 7 days): one full-width line per entry; `after`:
    HTML closing the list (a pager)."""
    by_day = _by_day(entries)
    if not by_day:
        return f'<div class="conton-days"><div class="empty">{esc(empty)}</div>{after}</div>'
    parts = []
    for day in sorted(by_day):
        label = ('hoje, ' if day == today else 'amanhã, ' if day == today + timedelta(days=1) else '') + day_label(day)
        parts.append(f'<h4{TODAY if day == today else ""}>{esc(label)}</h4>')
        parts.extend(day_item_html(e) for e in by_day[day])
    return f'<div class="conton-days">{"".join(parts)}{after}</div>'


def day_item_html(e: Entry) -> str:
    """One line of `days_html`."""
    sub = f'<span>{esc(e.sub)}</span>' if e.sub else ''
    return (f'<a class="item" href="{esc(e.href)}"><span class="dot{" due" if e.due else ""}" '
            f'style="{_color(e)}"></span><span class="tm">{esc(e.time or "Dia todo")}</span>'
            f'<span class="tx"><b>{esc(e.title)}</b>{sub}</span></a>')


def _by_day(entries: Iterable[Entry]) -> dict[date, list[Entry]]:
    out: dict[date, list[Entry]] = {}
    for e in entries:
        out.setdefault(e.day, []).append(e)
    return out


def chip_html(e: Entry, *, with_time: bool = False) -> str:
    """One entry as a calendar chip (month and week grids)."""
    text = f'{e.time.split("–")[0]} {e.title}' if e.time else e.title
    title = ' — '.join(x for x in (e.time or 'Dia todo', e.title, e.sub) if x)
    return (f'<a class="conton-chip{" due" if e.due else ""}" href="{esc(e.href)}" style="{_color(e)}" '
            f'title="{esc(title)}">{esc(text)}</a>')


def _color(e: Entry) -> str:
    color = e.color if e.color.startswith('#') and len(e.color) == 7 and e.color[1:].isalnum() else '#1565c0'
    return f'color:{color}' if e.due else f'background:{color}'


def occurrence_entries(occurrences: Iterable, href: Callable[[object], str], *, start: date, end: date,
                       with_client: bool = True) -> list[Entry]:
    """Entries of Agenda occurrences (services.agenda.Occurrence) on each day they cover within [start, end)."""
    out = []
    for o in occurrences:
        day, last = max(o.start_day, start), min(o.end_day, end - timedelta(days=1))
        link = href(o)
        while day <= last:
            out.append(occurrence_entry(o, day, link, with_client=with_client))
            day += timedelta(days=1)
    return out


def occurrence_entry(o, day: date, link: str, *, with_client: bool = True) -> Entry:
    """The entry of an Agenda occurrence on one of the days it covers."""
    sub = ' · '.join(x for x in (o.client_name if with_client else '', o.kind_label, o.location) if x)
    if o.all_day:
        time = ''
    elif day == o.start_day:
        time = f'{o.starts_at:%H:%M}–{o.ends_at:%H:%M}' if o.ends_at.date() == day else f'{o.starts_at:%H:%M}'
    else:
        time = 'continua'
    return Entry(day, o.title, o.color, link, time, sub)


DUE_COLOR, DONE_COLOR = '#c62828', '#2e7d32'


def due_entries(items: Iterable, href: Callable[[date, object], str], *, group: bool = True) -> list[Entry]:
    """Entries of obligation due dates (services.obligations.DueItem): with `group`, one per day and obligation
    ('DAS — 12 clientes'), so that a month of an office with hundreds of clients stays readable."""
    groups: dict[tuple, list] = {}
    for item in items:
        groups.setdefault((item.due_date, item.obligation_id) if group else (item.due_date, item.key), []).append(item)
    out = []
    for (day, _), found in groups.items():
        first = found[0]
        done = all(i.done for i in found)
        if len(found) == 1:
            title = f'{"✓ " if done else ""}{first.name} — {first.client_name}'
            sub = f'Competência {first.competence_label} · {first.status_label}' + (
                ' · data prorrogada' if first.overridden else '')
        else:
            open_ = sum(1 for i in found if not i.done)
            title = f'{"✓ " if done else ""}{first.name} — {len(found)} clientes'
            sub = f'Competência {first.competence_label} · ' + (f'{open_} em aberto' if open_ else 'todos feitos')
        out.append(Entry(day, title, DONE_COLOR if done else DUE_COLOR, href(day, first), '', sub, due=True))
    return out


def due_group_entries(groups: Iterable, href: Callable[[date, object], str]) -> list[Entry]:
    """Entries of obligation due dates counted per day and obligation (services.obligations.DueGroup, what the
    Agenda loads for its views): the same chips as `due_entries` with `group`, without a row per client."""
    out = []
    for g in groups:
        if g.count == 1:
            title = f'{"✓ " if g.done else ""}{g.name} — {g.client_name or "1 cliente"}'
            sub = f'Competência {g.competence_label} · {g.status_label}' + (
                ' · data prorrogada' if g.overridden else '')
        else:
            title = f'{"✓ " if g.done else ""}{g.name} — {g.count} clientes'
            sub = f'Competência {g.competence_label} · ' + (f'{g.open} em aberto' if g.open else 'todos feitos')
        out.append(Entry(g.due_date, title, DONE_COLOR if g.done else DUE_COLOR, href(g.due_date, g), '', sub,
                         due=True))
    return out


def due_summary_entry(day: date, groups, href: str) -> Entry:
    """A day's obligation due dates in one chip ('37 obrigações', 12 em aberto), for a grid cell with more
    obligations than it can list; `href`: that day's list."""
    total = sum(g.count for g in groups)
    still = sum(g.open for g in groups)
    names = ', '.join(dict.fromkeys(g.name for g in groups))
    title = f'{"✓ " if not still else ""}{total} obrigaç{"ão" if total == 1 else "ões"}'
    sub = (f'{still} em aberto' if still else 'todas feitas') + f' · {names}'
    return Entry(day, title, DONE_COLOR if not still else DUE_COLOR, href, '', sub, due=True)


# --------------------------------------------------------------------------------------------------------------------
# The iCal feed of the login
# --------------------------------------------------------------------------------------------------------------------

FEED_NOTE = ('O Google Agenda e o Outlook atualizam calendários assinados só a cada algumas horas (às vezes uma vez '
             'por dia) e ignoram os alarmes do arquivo: os lembretes vêm do próprio Conton, pelas notificações e '
             'por e-mail.')


@action
async def open_feed_dialog(actor: Actor) -> None:
    """The login's secret calendar address: generated on demand and shown once (only its hash is kept), regenerated
    (the old one stops working) or revoked."""
    from ..config import get_settings
    base = get_settings().public_url.rstrip('/')
    with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 560px'):
        ui.label('Meu calendário (iCal)').classes('text-h6')
        ui.label('Assine este endereço no Google Agenda, no Outlook ou no celular para ver ali a sua agenda e os '
                 'prazos.').classes('text-body2')
        state = ui.label('').classes('text-body2 text-weight-medium').mark('feed-status')
        shown = ui.column().classes('w-full gap-1')
        ui.label(FEED_NOTE).classes('text-caption text-grey-8').mark('feed-note')
        with ui.row().classes('w-full items-center gap-2'):
            make = ui.button('Gerar endereço', icon='link').props('unelevated no-caps').mark('feed-generate')
            drop = ui.button('Revogar', icon='link_off').props('outline color=negative no-caps').mark('feed-revoke')
            ui.space()
            ui.button('Fechar', on_click=dialog.close).props('flat')

    def refresh() -> None:
        info = ical.status(actor)
        state.text = (f'Endereço ativo, gerado em {formatting.when(info.created_at)}.' if info
                      else 'Nenhum endereço ativo.')
        make.text = 'Gerar novo endereço' if info else 'Gerar endereço'
        drop.set_visibility(info is not None)

    @action
    def generate() -> None:
        token = ical.create_token(actor)
        url = base + ical.feed_path(token)
        shown.clear()
        with shown:
            ui.input('Endereço do calendário', value=url).props('readonly outlined dense').classes('w-full') \
                .mark('feed-url')
            ui.label('Copie agora: por segurança ele não será mostrado de novo. Gerar outro desativa este.') \
                .classes('text-caption text-negative')
            ui.button('Copiar', icon='content_copy', on_click=lambda: ui.clipboard.write(url)) \
                .props('flat dense no-caps')
        refresh()

    @action
    def revoke() -> None:
        ical.revoke(actor)
        shown.clear()
        refresh()
        ui.notify('Endereço revogado: os calendários que o assinavam deixam de recebê-lo.', type='positive')

    make.on_click(generate)
    drop.on_click(revoke)
    refresh()
    dialog.open()
    await dialog
    dialog.delete()


# --------------------------------------------------------------------------------------------------------------------
# Status badge, confirm dialog, facts (label over value), PIX (Recebimentos, Pagamentos, the client's Financeiro,
# Clientes, Meus Dados do cliente)
# --------------------------------------------------------------------------------------------------------------------

STATUS_COLORS = {'aberto': 'blue-7', 'vencido': 'negative', 'pago': 'positive', 'cancelado': 'grey-6'}


def status_badge(status: str, label: str) -> ui.badge:
    """A charge's or bill's situation in a detail (in a list: `listing.badge`, the same colours in CSS)."""
    return ui.badge(label, color=STATUS_COLORS.get(status, 'grey-6'))


async def confirm(question: str, yes: str) -> bool:
    """Ask before something that cannot simply be undone; True when `yes` was pressed."""
    with ui.dialog() as dialog, ui.card().style('max-width: 420px'):
        ui.label(question)
        with ui.row().classes('w-full justify-end'):
            ui.button('Voltar', on_click=dialog.close).props('flat')
            ui.button(yes, on_click=lambda: dialog.submit(True)).props('unelevated').mark('confirm-yes')
    result = await dialog
    dialog.delete()
    return bool(result)


def client_picker(options: Callable[[str, str | None], dict[str, str]], *, label: str = 'Cliente',
                  value: str | None = None, initial: dict[str, str] | None = None, clearable: bool = True,
                  on_change: Callable | None = None) -> ui.select:
    """A client select that searches on the server, never loading every client: `options(text, chosen)` returns at
    most a page of {id: label} matching the typed name or CPF/CNPJ, plus the chosen one (a service's
    `client_options`). `initial` is what it shows before it is opened (default: nothing but the chosen client, as
    the caller knows it), so a page pays no query for it; the first page of clients loads when the list opens."""
    picker = ui.select(dict(initial or {}), label=label, value=value, with_input=True, clearable=clearable) \
        .props('outlined dense options-dense input-debounce=300')

    def load(text: str) -> None:
        picker.set_options(options(text[:100], picker.value or None), value=picker.value)

    picker.on('popup-show', action(lambda: load('')))
    picker.on('input-value', action(lambda e: load(e.args if isinstance(e.args, str) else '')))
    if on_change is not None:
        picker.on_value_change(on_change)
    return picker


def facts_html(sections: Iterable[tuple[str, Iterable[tuple[str, str]]]], wide: Iterable[str] = ()) -> str:
    """Label/value pairs in titled sections (a section without any value is left out); a section named in `wide`
    spans the whole width. Escaped here."""
    wide = set(wide)
    parts = []
    for title, facts in sections:
        shown = [(k, v) for k, v in facts if v]
        if not shown:
            continue
        parts.append(f'<div class="conton-section">{esc(title)}</div><div class="conton-facts">')
        for label, value in shown:
            key = f'<div class="k">{esc(label)}</div>' if label else ''
            cls = 'f wide' if title in wide else 'f'
            parts.append(f'<div class="{cls}">{key}<div class="v">{esc(value)}</div></div>')
        parts.append('</div>')
    return ''.join(parts)


def pix_block(actor: Actor, charge_id, payload: str, problem: str) -> None:
    """PIX copia e cola with a copy button and the QR code (drawn off the event loop once shown)."""
    if not payload:
        if problem:
            ui.label(problem).classes('text-caption text-grey-8').mark('pix-problem')
        return
    with ui.row().classes('w-full items-start gap-3').mark('pix'):
        qr = ui.image('').classes('w-36 h-36 shrink-0').props('alt="QR Code PIX" no-spinner')
        with ui.column().classes('col gap-1').style('min-width:220px'):
            ui.label('PIX copia e cola').classes('text-weight-medium')
            ui.label(payload).classes('conton-pix-code w-full').mark('pix-code')

            def copy() -> None:
                ui.clipboard.write(payload)
                ui.notify('Código PIX copiado.', type='positive')
            ui.button('Copiar código', icon='content_copy', on_click=copy).props('outline dense no-caps') \
                .mark('pix-copy')

    async def load_qr() -> None:
        from ..services import receivables
        try:
            code = await run.io_bound(receivables.pix_code, actor, charge_id)
        except (NotFound, ValidationError):
            code = None
        if qr.is_deleted:
            return  # the dialog was closed meanwhile
        if code is None:  # not available, or the app is stopping
            qr.set_visibility(False)
            return
        qr.set_source('data:image/png;base64,' + base64.b64encode(code.png).decode())
    ui.timer(0.01, action(load_qr), once=True)


def client_facts_html(c, *, internal: bool) -> str:
    """A client's registration (services.clients' read model) as facts in sections: the client page, its printable
    record and the portal's Meus dados. `internal` adds what only the office sees."""
    from ..services import clients
    person = c.kind == 'PF'
    phones = ' · '.join(formatting.phone(p) for p in (c.phone, c.phone2) if p)
    sections = [
        ('Identificação', [
            ('Tipo', clients.KINDS.get(c.kind, c.kind)),
            ('CPF' if person else 'CNPJ', formatting.document(c.document)),
            ('Nome' if person else 'Razão social', c.name),
            ('Nome fantasia', '' if person else c.trade_name),
            ('Regime tributário', c.tax_regime),
        ]),
        ('Contato', [('E-mail', c.email), ('Telefones', phones)]),
        ('Endereço', [('', address(c))]),
        ('Honorários', [('Honorários mensais', formatting.money(c.fee_cents)),
                        ('Vencimento', f'todo dia {c.due_day}')]),
    ]
    if internal:
        sections.append(('Controle', [('Situação', 'Ativo' if c.active else 'Inativo'),
                                      ('Cadastrado em', formatting.day(c.created_at)),
                                      ('Alterado em', formatting.when(c.updated_at) if c.updated_at else '')]))
        if c.notes:
            sections.append(('Observações', [('', c.notes)]))
    return facts_html(sections, wide=('Endereço', 'Observações'))


def address(c) -> str:
    """A client's or supplier's address on one line."""
    first = ', '.join(p for p in (c.street, c.number) if p)
    place = '/'.join(p for p in (c.city, c.uf) if p)
    parts = [p for p in (first, c.complement, c.district, place) if p]
    if c.cep:
        parts.append(f'CEP {formatting.cep(c.cep)}')
    return ' – '.join(parts)


# --------------------------------------------------------------------------------------------------------------------
# Protocolos: the head and the detail of one protocol (the office's page and the portal's), from services.protocols'
# read models; documents link to the protocol's download route, the receipt to its PDF route (conton/downloads.py).
# --------------------------------------------------------------------------------------------------------------------

def protocol_head_html(p, *, client: bool) -> str:
    """Title, number (and the client, for the office) and the status badge of a ProtocolRow."""
    who = f'<div class="sub">{esc(p.client_name)}</div>' if client else ''
    return (f'<div class="conton-protocol-head"><div class="t"><h1>{esc(p.title)}</h1>'
            f'<span class="n">Protocolo nº {esc(p.number)}</span>{who}</div>'
            f'{listing_badge(p.status, p.status_label)}</div>')


def protocol_detail_html(detail, *, staff: bool) -> str:
    """Facts, documents and the event log of a ProtocolDetail; the IPs are for the office's eyes only."""
    p = detail.protocol
    viewed = ''
    if p.viewed_at:
        viewed = formatting.when(p.viewed_at) + (f' por {p.viewed_by_name}' if p.viewed_by_name else '')
        if staff and p.viewed_ip:
            viewed += f' (IP {p.viewed_ip})'
    confirmed = ''
    if p.receiver_name:
        confirmed = f'Entregue em mãos a {p.receiver_name} em {formatting.day(p.delivered_on)}'
    elif p.confirmed_at:
        confirmed = formatting.when(p.confirmed_at)
    sections = [
        ('Documento', [('Tipo', p.kind_label), ('Competência', formatting.competence(p.competence)),
                       ('Vencimento', formatting.day(p.due_date)),
                       ('Valor', formatting.money(p.amount_cents) if p.amount_cents is not None else '')]),
        ('Entrega', [('Enviado em', formatting.when(p.created_at)),
                     ('Visualizado', viewed or ('ainda não aberto' if p.status != 'cancelado' else '')),
                     ('Recebimento confirmado', confirmed),
                     ('Motivo do cancelamento', p.cancel_reason)]),
        ('Observação', [('', p.note)]),
    ]
    return ('<div class="conton-section">Documentos</div>' + _protocol_files_html(detail)
            + facts_html(sections, wide=('Observação',))
            + '<div class="conton-section">Histórico</div>' + _protocol_events_html(detail, staff=staff))


def _protocol_files_html(detail) -> str:
    pid = detail.protocol.id
    rows = ([f'<a class="open" href="{esc(protocols.download_url(pid, f.id))}">{esc(f.name)}</a>'
             f'<div class="small">{esc(f.type_label)}</div>', esc(files.size_label(f.size)),
             f'<code class="conton-hash" title="{esc(f.sha256)}">{esc(f.sha256[:16])}…</code>']
            for f in detail.files)
    columns = (Column('Arquivo', 'first wrap', labelled=False), Column('Tamanho', 'nw'),
               Column('SHA-256', 'nw hide-sm'))
    return table_html(columns, rows, 'Nenhum documento.')


def _protocol_events_html(detail, *, staff: bool) -> str:
    rows = []
    for e in detail.events:
        who = e.user_name + (f' · IP {e.ip}' if staff and e.ip else '')
        rows.append([esc(formatting.when(e.at)), esc(e.label), esc(who), esc(e.detail)])
    columns = (Column('Quando', 'nw'), Column('Evento', 'first', labelled=False), Column('Quem', 'wrap'),
               Column('Detalhe', 'wrap'))
    return table_html(columns, rows, 'Nenhum evento.')


# --------------------------------------------------------------------------------------------------------------------
# Solicitações: the head and the thread of one request (the office's page and the portal's), from services.requests'
# read models; attachments link to the document route (conton/downloads.py), which checks the actor's right again.
# --------------------------------------------------------------------------------------------------------------------

def request_head_html(r, *, staff: bool) -> str:
    """Number, subject, category, the client (for the office) and the status badge of a RequestRow."""
    from .listing import badge
    who = f'<div class="sub"><a href="/clientes/{esc(r.client_id)}">{esc(r.client_name)}</a></div>' if staff else ''
    assignee = f' · Responsável: {esc(r.assignee_name)}' if staff and r.assignee_name else ''
    label = 'Aguardando você' if not staff and r.status == 'aguardando' else r.status_label
    return (f'<div class="conton-request-head"><div class="t"><h1>{esc(r.subject)}</h1>'
            f'<span class="n">Solicitação {esc(r.label)} · {esc(r.category)} · aberta em '
            f'{esc(formatting.day(r.created_at))}{assignee}</span>{who}</div>{badge(r.status, label)}</div>')


def request_thread_html(messages, *, staff: bool) -> str:
    """The messages oldest first: author, side, time, the text (escaped, line breaks kept) and the attachments; an
    internal note (only ever given to staff by the service) is marked as such."""
    parts = []
    for m in messages:
        side = 'Escritório' if m.author_side == 'office' else 'Cliente'
        tag = '<span class="tag">Nota interna — o cliente não vê</span>' if m.internal else ''
        files_html = ''.join(f'<a class="att" href="{esc(a.url)}"><span class="material-icons" aria-hidden="true">'
                             f'attach_file</span>{esc(a.name)} <span class="sz">({esc(a.size_label)})</span></a>'
                             for a in m.attachments)
        css = 'msg internal' if m.internal else f'msg {"office" if m.author_side == "office" else "client"}'
        parts.append(f'<article class="{css}"><div class="h"><b>{esc(m.author_name)}</b>'
                     f'<span class="side">{side}</span><span class="when">{esc(formatting.when(m.created_at))}</span>'
                     f'{tag}</div><div class="b">{esc(m.body)}</div>'
                     + (f'<div class="files">{files_html}</div>' if files_html else '') + '</article>')
    if not parts:
        parts.append('<p class="text-grey-7">Nenhuma mensagem.</p>')
    return f'<div class="conton-thread">{"".join(parts)}</div>'


class AttachmentPicker:
    """Files chosen for a message: the upload goes up as soon as they are picked (with the browser's progress), the
    files wait here until the message is sent, and the service checks size and type by content then. `files` is
    what the service gets; `clear()` after sending."""

    def __init__(self, max_bytes: int, max_files: int) -> None:
        self.files: list = []
        self.upload = file_upload(label='Anexar arquivos', multiple=True, auto_upload=True, max_file_size=max_bytes,
                                  max_files=max_files, on_upload=self._added, on_rejected=self._rejected) \
            .props('flat bordered color=primary no-thumbnails hide-upload-btn').classes('w-full conton-files-upload') \
            .mark('attach')
        with ui.row().classes('items-center gap-2'):
            self.names = ui.label('').classes('text-caption text-grey-8').mark('attached')
            self.clear_button = ui.button('Tirar anexos', on_click=self.clear).props('flat dense no-caps size=sm')
        self.clear_button.set_visibility(False)
        self.error = FieldError().mark('attach-error')
        self.limit = max_bytes

    def _added(self, e) -> None:
        self.files.append(e.file)
        self._show()

    def _rejected(self) -> None:
        from ..services import files
        self.error.error = f'Arquivo não aceito pelo navegador: o limite é {files.size_label(self.limit)} por arquivo.'

    def _show(self) -> None:
        self.names.text = ('Anexos: ' + ', '.join(f.name for f in self.files)) if self.files else ''
        self.clear_button.set_visibility(bool(self.files))

    def clear(self) -> None:
        self.files = []
        self.upload.reset()
        self.error.error = None
        self._show()
