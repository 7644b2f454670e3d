"""Agenda (staff): the office's calendar in month, week and list ("próximos") views, with the obligations' due dates
of every client; the event dialog (recurrence, reminders, one occurrence / this and following / the whole series);
the iCal feed route.

The grids and lists are escaped HTML (pages/widgets.py); each event links to `?evento=<id>&ocorrencia=<start>`,
which opens its dialog on load (also the target of notifications). Filters live in the URL (a GET form). Without
`?vista=` a wide screen shows the month and a phone (< 600 px) the list, decided by CSS: both are rendered, which
costs a few strings. Every write goes through services.agenda, whose announcements refresh open tabs live.

At the size of a large office (5,000 events, 4,000 due dates a month) a page does the work of what it shows: a
month day lists up to MONTH_CHIPS events or says 'N eventos', many obligations on a day make one 'N obrigações'
chip, a week day shows WEEK_CHIPS and '+N mais', the list pages on the server (LIST_PAGE lines). The loads are kept
by services/readcache until a write to their tables, and a view's HTML while its load is the same object.

The Obrigações pages live here too (one module per tool): `/agenda/obrigacoes` (the due dates per client, mark done
with an optional PDF, undo), `/agenda/obrigacoes/catalogo` (obligations, overrides by decree, extra holidays) and
`/agenda/obrigacoes/cliente/<id>` (a client's obligations, linked from its page).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, run, ui

from .. import clock, downloads, formatting
from ..services import agenda, ical, live, obligations, readcache
from ..services.agenda import KIND_COLORS, KINDS
from ..services.errors import AuthExpired, NotFound, PermissionDenied, ValidationError
from ..services.permissions import Actor
from ..uploads import file_upload
from . import listing, widgets
from .common import Form, action, date_input, page_title
from .frame import esc, frame, guard
from .widgets import FieldError

VIEWS = {'mes': 'Mês', 'semana': 'Semana', 'lista': 'Próximos'}
LIST_DAYS = 30
LIST_PAGE = 30  # lines of the list view per page
AUTO_LIST = 10  # lines of the automatic view's list (a phone's first screen), then a link to the list view
MONTH_CHIPS = 3  # a day of the month lists up to this many events; a busier day says 'N eventos' (its list)
WEEK_CHIPS = 6  # a day of the week lists its first events up to this many, then '+N mais' (its list)
DUE_CHIPS = 2  # obligation chips a day shows one by one; more make one chip 'N obrigações' for that day's list
SECTIONS = (('Calendário', '/agenda', 'calendario'), ('Obrigações', '/agenda/obrigacoes', 'obrigacoes'),
            ('Catálogo e feriados', '/agenda/obrigacoes/catalogo', 'catalogo'))


# --------------------------------------------------------------------------------------------------------------------
# The calendar page
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class View:
    """What the page shows, from the URL: the view, the day it is anchored on, and the filters."""
    mode: str  # '' (month on a wide screen, list on a phone) | mes | semana | lista
    anchor: date
    owner: str
    client: str
    kind: str
    page: int = 1  # of the list view (LIST_PAGE entries a page)

    @classmethod
    def from_query(cls, params) -> View:
        mode = params.get('vista', '')
        try:
            anchor = date.fromisoformat(params.get('data', '')[:10])
        except ValueError:
            anchor = clock.today()
        kind = params.get('tipo', '')
        return cls(mode if mode in VIEWS else '', anchor, _uuid_text(params.get('responsavel', '')),
                   _uuid_text(params.get('cliente', '')), kind if kind in KINDS else '', listing.page_number(params))

    def query(self, **changes) -> dict:
        """The view's URL parameters; a change of anything but the page goes back to the first page."""
        v = replace(self, **{'page': 1, **changes})
        return {k: val for k, val in (('vista', v.mode), ('data', v.anchor.isoformat()), ('responsavel', v.owner),
                                      ('cliente', v.client), ('tipo', v.kind),
                                      ('pagina', v.page if v.page > 1 else '')) if val}

    def url(self, **changes) -> str:
        query = self.query(**changes)
        return '/agenda' + (f'?{urlencode(query)}' if query else '')

    def month_range(self) -> tuple[date, date]:
        start, end = widgets.month_grid(self.anchor.year, self.anchor.month)
        return start, end + timedelta(days=1)

    def week_range(self) -> tuple[date, date]:
        start = self.anchor - timedelta(days=self.anchor.weekday())
        return start, start + timedelta(days=7)

    def list_range(self) -> tuple[date, date]:
        return self.anchor, self.anchor + timedelta(days=LIST_DAYS)


def load(actor: Actor, view: View) -> agenda.CalendarView:
    """The occurrences and due dates of the view's ranges (the month and the list for the automatic view), in one
    service call."""
    ranges = {'mes': view.month_range(), 'semana': view.week_range(), 'lista': view.list_range()}
    chosen = {mode: ranges[mode] for mode in ([view.mode] if view.mode else ['mes', 'lista'])}
    return agenda.calendar(actor, chosen, owner_id=view.owner or None, client_id=view.client or None, kind=view.kind)


@ui.page('/agenda')
def agenda_page(request: Request) -> None:
    actor = guard('agenda', title='Agenda')
    if actor is None:
        return
    params = request.query_params
    view = View.from_query(params)
    with frame(actor, 'Agenda'):
        page_title('Agenda', 'agenda')
        Calendar(actor, view, params)


_REGIONS: OrderedDict[tuple, tuple[agenda.CalendarView, str]] = OrderedDict()


class Calendar:
    """Per-tab state: the view, the elements that show it, the dialog."""

    def __init__(self, actor: Actor, view: View, params) -> None:
        self.actor, self.view = actor, view
        self.writable = actor.can('agenda', 'write')
        data = load(actor, view)
        head, region = self.html(data)
        self.head = ui.html(head).classes('w-full').mark('agenda-head')  # with the sections' links
        bar = sections_bar(actor, 'calendario', links=False)
        with bar:
            client_filter(actor, view.client, data.client, lambda value: view.url(client=value), before=bar)
            if self.writable:
                ui.button('Novo evento', icon='add', on_click=lambda: self.edit(None)) \
                    .props('unelevated no-caps').mark('new-event')
        self.region = ui.html(region).classes('w-full').mark('calendar')
        live.subscribe(agenda.TOOL, actor, self.show, load=self.fetch, key=('agenda', view))
        if params.get('evento'):
            self.open_from_url(params.get('evento', ''), params.get('ocorrencia') or None)

    def fetch(self, actor: Actor) -> agenda.CalendarView:
        return load(actor, self.view)

    def show(self, data: agenda.CalendarView) -> None:
        self.head.content, self.region.content = self.html(data)

    def html(self, data: agenda.CalendarView) -> tuple[str, str]:
        """The head's and the region's HTML, kept per view while its data is the same object (agenda.calendar
        keeps one until a write): the tabs showing a view, and its reloads, share one rendering."""
        key = (self.view, clock.today())
        hit = _REGIONS.get(key)
        if hit is not None and hit[0] is data:
            _REGIONS.move_to_end(key)
            return hit[1]
        base = self.occurrence_base()

        def occ_href(o: agenda.Occurrence) -> str:
            return f'{base}{o.event_id}&ocorrencia={o.occurrence:%Y%m%dT%H%M%SZ}'
        html = (self.head_html(data), render(data, self.view, occ_href, self.due_href, self.day_href))
        _REGIONS[key] = (data, html)
        while len(_REGIONS) > 32:
            _REGIONS.popitem(last=False)
        return html

    def head_html(self, data: agenda.CalendarView) -> str:
        v = self.view
        staff = data.staff
        step = {'semana': timedelta(days=7), 'lista': timedelta(days=LIST_DAYS)}.get(v.mode)
        if step:
            prev, nxt = v.anchor - step, v.anchor + step
        else:
            first = v.anchor.replace(day=1)
            prev, nxt = (first - timedelta(days=1)).replace(day=1), (first + timedelta(days=32)).replace(day=1)
        mode = v.mode or 'mes'
        if mode == 'mes':
            label = widgets.month_label(v.anchor)
        else:
            start, end = v.week_range() if mode == 'semana' else v.list_range()
            label = f'{formatting.day(start)} a {formatting.day(end - timedelta(days=1))}'

        def bar(current: str) -> str:
            return widgets.segmented_html([(text, v.url(mode=key), key == current) for key, text in VIEWS.items()],
                                          'Visualização')
        # without ?vista= the screen's width chooses (month or list, see render): so does the bar's highlight
        views = (bar(v.mode) if v.mode else f'<span class="conton-auto-month">{bar("mes")}</span>'
                                             f'<span class="conton-auto-list">{bar("lista")}</span>')
        nav = (f'<div class="nav"><a href="{esc(v.url(anchor=prev))}" aria-label="Anterior">‹</a>'
               f'<a href="{esc(v.url(anchor=clock.today()))}">Hoje</a>'
               f'<a href="{esc(v.url(anchor=nxt))}" aria-label="Próximo">›</a></div>')
        filters = widgets.filter_html('/agenda', [
            ('Funcionário', 'responsavel', {'': 'Todos', **staff}, v.owner),
            ('Tipo', 'tipo', {'': 'Todos', **KINDS}, v.kind)],
            hidden={'vista': v.mode, 'data': v.anchor.isoformat(), 'cliente': v.client},
            clear_url=View(v.mode, v.anchor, '', '', '').url())
        return (f'<div style="margin-bottom:8px">{sections_html("calendario")}</div>'
                f'<div class="conton-agenda-bar">{views}{nav}<span class="label">{esc(label)}</span>'
                f'</div><div style="margin-top:8px">{filters}</div>')

    # ---- links ----------------------------------------------------------------------------------------------

    def occurrence_base(self) -> str:
        """'/agenda?…&evento=': a grid links hundreds of occurrences, each one the same query and its own key."""
        query = self.view.query()
        return '/agenda?' + (f'{urlencode(query)}&' if query else '') + 'evento='

    def due_href(self, day: date, item: obligations.DueGroup | None) -> str:
        return listing.url('/agenda/obrigacoes', {'de': day.isoformat(), 'ate': day.isoformat()},
                           obrigacao=str(item.obligation_id) if item is not None else '',
                           responsavel=self.view.owner, cliente=self.view.client)

    def day_href(self, day: date) -> str:
        return self.view.url(mode='lista', anchor=day)

    def clean_url(self) -> None:
        ui.navigate.history.replace(self.view.url())

    # ---- the dialog -------------------------------------------------------------------------------------------

    def open_from_url(self, event_id: str, occurrence: str | None) -> None:
        try:
            agenda.occurrence(self.actor, event_id, occurrence)
        except NotFound:
            ui.label('Evento não encontrado.').classes('text-negative').mark('missing-event') \
                .move(self.head.parent_slot.parent, target_index=2)
            return
        ui.timer(0.05, lambda: self.clean_url() or self.edit(event_id, occurrence), once=True)

    def refresh(self) -> None:
        self.show(load(self.actor, self.view))

    async def edit(self, event_id: str | None, occurrence: str | None = None) -> None:
        await event_dialog(self.actor, event_id, occurrence, on_saved=self.refresh, day=self.view.anchor)


def render(data: agenda.CalendarView, view: View, occ_href, due_href, day_href) -> str:
    """The region's HTML: the view chosen, or month and list with CSS choosing by the screen's width. The work is
    that of what is shown, whatever the size of the office: a grid day shows its first few events and the
    obligations due (one chip 'N obrigações' when they are many) with a '+N mais' link to that day's list; the
    list shows one page of LIST_PAGE lines."""
    today = clock.today()
    out = []
    for mode, part in data.parts.items():
        if mode == 'mes':
            body = widgets.month_cells_html(view.anchor.year, view.anchor.month,
                                            _day_cell(part, MONTH_CHIPS, occ_href, due_href, day_href),
                                            today=today, day_href=day_href)
        elif mode == 'semana':
            body = widgets.week_cells_html(part.start, _day_cell(part, WEEK_CHIPS, occ_href, due_href, day_href,
                                                                 week=True), today=today, day_href=day_href)
        else:
            body = _list_page(part, view, occ_href, due_href, today)
        css = {'mes': 'conton-auto-month', 'lista': 'conton-auto-list'}[mode] if not view.mode else ''
        out.append(f'<div class="{css}" data-view="{mode}">{body}</div>')
    legend = ''.join(f'<span style="display:inline-flex;align-items:center;gap:4px;margin-right:12px">'
                     f'<span class="conton-kind-dot" style="background:{KIND_COLORS[k]}"></span>{esc(label)}</span>'
                     for k, label in KINDS.items())
    return ''.join(out) + f'<div class="text-caption text-grey-8" style="margin-top:8px">{legend}' \
                          f'<span>Contorno: vencimento de obrigação</span></div>'


def _day_cell(part: agenda.CalendarPart, limit: int, occ_href, due_href, day_href, *, week: bool = False):
    """cell(day) of a grid: the day's events as chips (the day's own order), then its obligations (one by one up
    to DUE_CHIPS, else one chip 'N obrigações' for that day's list). A month day with more than `limit` events
    says 'N eventos' instead (a link to the day's list); a week day shows its first `limit` and '+N mais'."""
    def cell(day: date) -> str:
        occs = part.days.get(day, ())
        groups = part.due_days.get(day, ())
        if len(groups) > DUE_CHIPS:
            dues = [widgets.due_summary_entry(day, groups, due_href(day, None))]
        else:
            dues = widgets.due_group_entries(groups, due_href)
        more = ''
        if len(occs) > limit and not week:
            shown = ()
            more = f'<a class="conton-more" href="{esc(day_href(day))}">{len(occs)} eventos</a>'
        elif len(occs) > limit:
            shown = occs[:limit]
            more = f'<a class="conton-more" href="{esc(day_href(day))}">+{len(occs) - limit} mais</a>'
        else:
            shown = occs
        chips = ''.join(widgets.chip_html(widgets.occurrence_entry(o, day, occ_href(o)), with_time=week)
                        for o in shown)
        return chips + (more if not week else '') + ''.join(widgets.chip_html(e, with_time=week) for e in dues) \
            + (more if week else '')
    return cell


def _list_page(part: agenda.CalendarPart, view: View, occ_href, due_href, today: date) -> str:
    """The 'próximos' list, one page of LIST_PAGE lines (AUTO_LIST in the automatic view, then a link to the list
    view): each day's events, then its obligations counted per obligation."""
    days = sorted(set(part.days) | set(part.due_days))
    total = sum(len(part.days.get(d, ())) + len(part.due_days.get(d, ())) for d in days)
    size = LIST_PAGE if view.mode == 'lista' else AUTO_LIST
    pages = max(1, -(-total // size))
    page = min(view.page, pages) if view.mode == 'lista' else 1
    skip, left, entries = (page - 1) * size, size, []
    for day in days:
        if left <= 0:
            break
        occs, groups = part.days.get(day, ()), part.due_days.get(day, ())
        if skip >= len(occs) + len(groups):
            skip -= len(occs) + len(groups)
            continue
        items = [*occs[skip:skip + left], *groups[max(0, skip - len(occs)):max(0, skip + left - len(occs))]]
        skip = 0
        left -= len(items)
        for item in items:
            if isinstance(item, agenda.Occurrence):
                entries.append(widgets.occurrence_entry(item, day, occ_href(item)))
            else:
                entries.extend(widgets.due_group_entries((item,), due_href))
    if view.mode != 'lista':
        after = (f'<a class="conton-more" style="margin-top:6px" href="{esc(view.url(mode="lista"))}">Ver todos os '
                 f'{total} itens</a>' if total > size else '')
    else:
        after = (f'<div class="text-caption text-grey-8" style="margin:6px 0">{total} itens · página {page} de '
                 f'{pages}</div>' + listing.pager_html('/agenda', view.query(), page, pages)) if pages > 1 else ''
    return widgets.days_html(entries, today=today, empty='Nada marcado nos próximos dias.', after=after)


def client_filter(actor: Actor, chosen: str, names: dict[str, str], url_for, *, before: ui.element) -> None:
    """The Cliente filter of a list: a server-side search (widgets.client_picker) that opens `url_for(id)`, the
    filter kept in the URL like the GET form's (which carries it as a hidden field). The picker gets its own row
    just above `before`; without a client chosen, a button (in the caller's row) builds it when clicked (a select
    is the page's dearest element, and most visits do not filter by client)."""
    def picker() -> ui.select:
        with ui.row().classes('w-full items-center gap-2').style('margin-top:4px') as row:
            made = widgets.client_picker(lambda text, value: agenda.client_options(actor, text, include=value),
                                         label='Cliente (nome ou CPF/CNPJ)', value=chosen or None,
                                         initial={chosen: names[chosen]} if chosen in names else {},
                                         on_change=lambda e: ui.navigate.to(url_for(e.value or '')))
            made.classes('col-12 col-sm-6').mark('client-filter')
        row.move(before.parent_slot.parent, target_index=before.parent_slot.children.index(before))
        return made
    if chosen:
        with before.parent_slot:
            picker()
        return

    def open_picker() -> None:
        with before.parent_slot:
            made = picker()
        button.delete()
        made.run_method('showPopup')
    button = ui.button('Filtrar por cliente', icon='person_search', on_click=open_picker) \
        .props('outline dense no-caps').mark('client-filter-open')


def sections_html(current: str) -> str:
    return widgets.segmented_html([(text, href, key == current) for text, href, key in SECTIONS], 'Agenda')


def sections_bar(actor: Actor, current: str, *, links: bool = True) -> ui.row:
    """Calendário | Obrigações | Catálogo (unless the page puts `sections_html` in its own HTML: one element
    less), and the iCal feed of this login (at the row's end: a page adds its own buttons to the returned row)."""
    with ui.row().classes('w-full items-center gap-2 q-mb-sm') as row:
        if links:
            ui.html(sections_html(current))
        ui.button('Meu calendário (iCal)', icon='rss_feed', on_click=lambda: widgets.open_feed_dialog(actor)) \
            .props('flat dense no-caps').classes('q-ml-auto').style('order:1').mark('feed')
    return row


# --------------------------------------------------------------------------------------------------------------------
# The event dialog
# --------------------------------------------------------------------------------------------------------------------

LEADS = {**{str(k): v for k, v in agenda.LEAD_PRESETS.items()}, 'custom': 'Personalizado'}
ENDS = {'never': 'Sem fim', 'until': 'Até uma data', 'count': 'Número de vezes'}
SCOPES = {'one': 'Só esta ocorrência', 'following': 'Esta e as seguintes', 'all': 'Todas da série'}


@action
async def event_dialog(actor: Actor, event_id: str | None, occurrence: str | None = None, *, on_saved=None,
                       day: date | None = None) -> None:
    """Create (no id) or edit an event. For an occurrence of a series, the fields start with that occurrence's
    values, and the scope says what changes: only it, it and those after it, or the whole series."""
    writable = actor.can('agenda', 'write')
    detail = agenda.get(actor, event_id) if event_id else None
    occ = agenda.occurrence(actor, event_id, occurrence) if event_id else None
    staff = agenda.staff_options(actor)
    recurring = bool(detail and detail.recurrence)
    starts = occ.starts_at if occ else None
    ends = occ.ends_at if occ else None
    rule = detail.recurrence if detail else None
    with ui.dialog().props('persistent') as dialog, ui.card().classes('w-full').style('max-width: 640px'):
        with ui.row().classes('w-full items-center no-wrap'):
            ui.label('Editar evento' if detail else 'Novo evento').classes('text-h6 col')
            if rule:
                ui.label(rule.label).classes('text-caption text-grey-8').mark('rule-label')
        form = Form()
        title = form.add('title', ui.input('Título', value=occ.title if occ else '')
                         .props('outlined dense maxlength=200 autofocus').classes('w-full').mark('ev-title'))
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            kind = form.add('kind', ui.select(KINDS, value=detail.kind if detail else 'evento', label='Tipo')
                            .props('outlined dense').classes('col').mark('ev-kind'))
            dot = ui.element('span').classes('conton-kind-dot')
            all_day = ui.checkbox('Dia todo', value=bool(detail and detail.all_day)).mark('ev-all-day')
        with ui.row().classes('w-full no-wrap gap-2'):
            start_day = form.add('start_day', date_input('Início', starts.date() if starts else day or clock.today())
                                 .props('outlined dense').classes('col').mark('ev-start-day'))
            start_time = form.add('start_time', ui.input('Hora', value=f'{starts:%H:%M}' if starts else '09:00')
                                  .props('outlined dense mask="##:##" inputmode=numeric').classes('col')
                                  .mark('ev-start-time'))
        with ui.row().classes('w-full no-wrap gap-2'):
            last_day = (occ.end_day if occ and occ.all_day else ends.date() if ends else None)
            end_day = form.add('end_day', date_input('Fim (outro dia)',
                                                     last_day if occ and last_day != occ.start_day else None)
                               .props('outlined dense').classes('col').mark('ev-end-day'))
            end_time = form.add('end_time', ui.input('Hora de término', value=f'{ends:%H:%M}' if ends else '10:00')
                                .props('outlined dense mask="##:##" inputmode=numeric').classes('col')
                                .mark('ev-end-time'))
        series = ui.column().classes('w-full gap-2')
        with series:
            with ui.row().classes('w-full gap-2'):  # stacked on a phone
                owner = form.add('owner_id', ui.select(staff, label='Responsável',
                                                       value=str(detail.owner_id if detail else actor.user_id)
                                                       if str(detail.owner_id if detail else actor.user_id) in staff
                                                       else None)
                                 .props('outlined dense').classes('col-12 col-sm').mark('ev-owner'))
                chosen = str(detail.client_id) if detail and detail.client_id else None
                client = form.add('client_id', widgets.client_picker(
                    lambda text, value: agenda.client_options(actor, text, include=value), label='Cliente (opcional)',
                    value=chosen, initial={chosen: detail.client_name} if chosen else {})
                    .classes('col-12 col-sm').mark('ev-client'))
            shared = ui.checkbox('Compartilhar com o cliente (aparece na agenda do portal dele)',
                                 value=bool(detail.shared) if detail else True).mark('ev-shared')
            form.add('shared', FieldError())
        location = form.add('location', ui.input('Local', value=occ.location if occ else '')
                            .props('outlined dense maxlength=200').classes('w-full'))
        description = form.add('description', ui.textarea('Descrição', value=occ.description if occ else '')
                               .props('outlined dense autogrow maxlength=4000').classes('w-full'))
        with series:
            rec = RecurrenceInputs(form, rule)
            reminders = ReminderInputs(form, staff, detail.reminders if detail else (agenda.ReminderSpec(15),))
        scope = None
        if recurring:
            scope = ui.radio(SCOPES, value='one').props('inline').mark('ev-scope')
            scope_note = ui.label('Só esta ocorrência: muda título, descrição, local e horário; o resto vale '
                                  'para a série.').classes('text-caption text-grey-8')
        with ui.row().classes('w-full items-center gap-2'):
            if detail and writable:
                ui.button('Excluir', icon='delete', on_click=lambda: delete()).props('flat color=negative no-caps') \
                    .mark('ev-delete')
            ui.space()
            ui.button('Cancelar', on_click=dialog.close).props('flat')
            if writable:
                ui.button('Salvar', on_click=lambda: save()).props('unelevated').mark('ev-save')

    def paint() -> None:
        dot.style(f'background:{KIND_COLORS.get(kind.value, "#1565c0")}')
        timed = not all_day.value
        start_time.set_visibility(timed)
        end_time.set_visibility(timed)
        shared.set_visibility(bool(client.value))
        one = scope is not None and scope.value == 'one'
        series.set_visibility(not one)
        if scope is not None:
            scope_note.set_visibility(one)
        rec.paint()
    for element in (kind, all_day, client):
        element.on_value_change(lambda _: paint())
    if scope is not None:
        scope.on_value_change(lambda _: paint())
    paint()

    def values() -> dict:
        data = dict(title=title.value, kind=kind.value, all_day=all_day.value, start_day=start_day.value,
                    start_time=start_time.value, end_day=end_day.value or None, end_time=end_time.value,
                    owner_id=owner.value, client_id=client.value or None,
                    shared=bool(shared.value and client.value), location=location.value,
                    description=description.value, recurrence=rec.value(), reminders=reminders.value())
        if scope is not None and scope.value == 'all' and occ and detail:
            # the whole series: the dates shown are this occurrence's; move the series' own by the same change
            shown = formatting.parse_day(start_day.value) if _is_day(start_day.value) else None
            if shown is not None:
                delta = shown - occ.start_day
                data['start_day'] = detail.starts_at.date() + delta
                if data['end_day'] and _is_day(data['end_day']):
                    data['end_day'] = formatting.parse_day(data['end_day']) - occ.start_day + detail.starts_at.date()
        return data

    @action
    async def save() -> None:
        data = values()
        if detail:
            chosen = scope.value if scope is not None else 'all'
            done = await form.submit(lambda: agenda.update(actor, detail.id, scope=chosen,
                                                           occurrence=occ.occurrence if occ else None, **data))
        else:
            done = await form.submit(lambda: agenda.create(actor, **data))
        if done is None:
            return
        dialog.close()
        ui.notify('Evento salvo.', type='positive')
        if on_saved:
            on_saved()

    @action
    async def delete() -> None:
        with ui.dialog() as confirm, ui.card():
            ui.label(f'Excluir “{detail.title}”?').classes('text-h6')
            which = ui.radio(SCOPES, value='one').mark('del-scope') if recurring else None
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancelar', on_click=lambda: confirm.submit(False)).props('flat')
                ui.button('Excluir', on_click=lambda: confirm.submit(True)).props('unelevated color=negative') \
                    .mark('del-confirm')
        ok = await confirm
        chosen = which.value if which is not None else 'all'
        confirm.delete()
        if not ok:
            return
        agenda.delete(actor, detail.id, scope=chosen, occurrence=occ.occurrence if occ else None)
        dialog.close()
        ui.notify('Evento excluído.', type='positive')
        if on_saved:
            on_saved()

    dialog.open()
    await dialog
    dialog.delete()


class RecurrenceInputs:
    """Repetition: none, daily, weekly on chosen days, monthly on day N / on the Nth weekday / on the last business
    day, yearly; every N; ending on a date, after N times, or never. Field messages: recurrence_*."""

    def __init__(self, form: Form, rule: agenda.Recurrence | None) -> None:
        r = rule
        with ui.column().classes('w-full gap-1'):
            with ui.row().classes('w-full no-wrap gap-2'):
                self.freq = form.add('recurrence_freq', ui.select({'': 'Não se repete', **agenda.FREQUENCIES},
                                                                  value=r.freq if r else '', label='Repetição')
                                     .props('outlined dense').classes('col').mark('ev-freq'))
                self.interval = form.add('recurrence_interval', ui.number('A cada', value=r.interval if r else 1,
                                                                          min=1, max=99, format='%d')
                                         .props('outlined dense').style('width:90px'))
            self.weekdays = form.add('recurrence_weekdays', ui.select(dict(enumerate(agenda.WEEKDAYS)), multiple=True,
                                                                      value=list(r.weekdays) if r else [],
                                                                      label='Dias da semana')
                                     .props('outlined dense use-chips').classes('w-full').mark('ev-weekdays'))
            self.day = form.add('recurrence_day', ui.number('Dia do mês (31 = último dia)', min=1, max=31,
                                                            value=r.day if r else None, format='%d')
                                .props('outlined dense').classes('w-full'))
            with ui.row().classes('w-full no-wrap gap-2') as self.nth_row:
                self.nth = form.add('recurrence_nth', ui.select(agenda.NTH_LABELS, value=r.nth if r and r.nth else 1,
                                                                label='Qual').props('outlined dense').classes('col'))
                self.weekday = form.add('recurrence_weekday', ui.select(dict(enumerate(agenda.WEEKDAYS)),
                                                                        value=r.weekday if r and r.weekday is not None
                                                                        else 0, label='Dia da semana')
                                        .props('outlined dense').classes('col'))
            with ui.row().classes('w-full items-center no-wrap gap-2') as self.end_row:
                mode = 'until' if r and r.until else 'count' if r and r.count else 'never'
                self.end = form.add('recurrence_end', ui.select(ENDS, value=mode, label='Termina')
                                    .props('outlined dense').classes('col').mark('ev-end-mode'))
                self.until = form.add('recurrence_until', date_input('Até', r.until if r else None)
                                      .props('outlined dense').classes('col').mark('ev-until'))
                self.count = form.add('recurrence_count', ui.number('Vezes', value=r.count if r else None, min=1,
                                                                    max=agenda.MAX_COUNT, format='%d')
                                      .props('outlined dense').classes('col').mark('ev-count'))
        for element in (self.freq, self.end):
            element.on_value_change(lambda _: self.paint())

    def paint(self) -> None:
        f = self.freq.value or ''
        self.interval.set_visibility(bool(f))
        self.weekdays.set_visibility(f == 'weekly')
        self.day.set_visibility(f == 'monthly_day')
        self.nth_row.set_visibility(f == 'monthly_nth')
        self.end_row.set_visibility(bool(f))
        self.until.set_visibility(self.end.value == 'until')
        self.count.set_visibility(self.end.value == 'count')

    def value(self) -> dict | None:
        f = self.freq.value or ''
        if not f:
            return None
        data = {'freq': f, 'interval': _whole(self.interval.value) or 1}
        if f == 'weekly':
            data['weekdays'] = list(self.weekdays.value or [])
        elif f == 'monthly_day':
            data['day'] = _whole(self.day.value)
        elif f == 'monthly_nth':
            data['nth'], data['weekday'] = self.nth.value, self.weekday.value
        data['end'] = self.end.value  # "Até uma data" without a date gets its message, not a series without end
        if self.end.value == 'until':
            data['until'] = self.until.value or None
        elif self.end.value == 'count':
            data['count'] = _whole(self.count.value) if self.count.value not in (None, '') else None
        return data


class ReminderInputs:
    """The reminders of an event: each with its lead time (presets or custom minutes), by drawer and/or e-mail, to
    the owner, chosen staff and (shared events) the client's logins. Field message: reminders."""

    def __init__(self, form: Form, staff: dict[str, str], specs) -> None:
        self.staff = staff
        self.rows: list[dict] = []
        ui.label('Lembretes').classes('text-subtitle2')
        self.box = ui.column().classes('w-full gap-2').mark('ev-reminders')
        form.add('reminders', FieldError())
        ui.button('Adicionar lembrete', icon='add_alarm', on_click=lambda: self.add(None)) \
            .props('flat dense no-caps').mark('ev-add-reminder')
        for spec in specs:
            self.add(spec)

    def add(self, spec: agenda.ReminderSpec | None) -> None:
        preset = spec is None or spec.lead_minutes in agenda.LEAD_PRESETS
        lead = str(spec.lead_minutes) if spec and preset else ('custom' if spec else '15')
        with self.box, ui.column().classes('conton-reminder gap-1') as card:
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                lead_el = ui.select(LEADS, value=lead, label='Quando').props('outlined dense').classes('col') \
                    .mark('rem-lead')
                minutes = ui.number('Minutos antes', value=spec.lead_minutes if spec and not preset else None,
                                    format='%d').props('outlined dense').classes('col').mark('rem-minutes')
                ui.button(icon='close', on_click=lambda: self.remove(row)).props('flat dense round') \
                    .tooltip('Remover lembrete')
            with ui.row().classes('w-full items-center gap-x-3 gap-y-0'):
                drawer = ui.checkbox('Notificação', value=spec.drawer if spec else True)
                email = ui.checkbox('E-mail', value=spec.email if spec else False).mark('rem-email')
                owner = ui.checkbox('Ao responsável', value=spec.to_owner if spec else True)
                client = ui.checkbox('Ao cliente', value=spec.to_client if spec else False).mark('rem-client')
            others = ui.select(self.staff, multiple=True, label='Outros funcionários',
                               value=[str(s) for s in spec.staff_ids if str(s) in self.staff] if spec else []) \
                .props('outlined dense use-chips').classes('w-full')
        row = {'card': card, 'lead': lead_el, 'minutes': minutes, 'drawer': drawer, 'email': email, 'owner': owner,
               'client': client, 'others': others}
        minutes.set_visibility(lead == 'custom')
        lead_el.on_value_change(lambda e: minutes.set_visibility(e.value == 'custom'))
        self.rows.append(row)

    def remove(self, row: dict) -> None:
        self.rows.remove(row)
        row['card'].delete()

    def value(self) -> list[dict]:
        out = []
        for r in self.rows:
            custom = r['lead'].value == 'custom'
            out.append({'lead': 'custom' if custom else int(r['lead'].value),
                        'minutes': _whole(r['minutes'].value) if custom else None, 'drawer': r['drawer'].value,
                        'email': r['email'].value, 'to_owner': r['owner'].value, 'to_client': r['client'].value,
                        'staff_ids': list(r['others'].value or [])})
        return out


# --------------------------------------------------------------------------------------------------------------------
# Obrigações: the due dates per client
# --------------------------------------------------------------------------------------------------------------------

LISTS = {'': 'Do mês', 'hoje': 'Vencem hoje', 'semana': 'Vencem esta semana', 'vencidas': 'Vencidas',
         'atrasadas': 'Feitas com atraso'}
PER_PAGE = 25  # a month of a large office is 4,000 due dates: pages of the list, never all of it
DUE_COLUMNS = (listing.Column('Obrigação', 'first'), listing.Column('Cliente'), listing.Column('Competência', 'nw'),
               listing.Column('Vencimento', 'nw'), listing.Column('Responsável'), listing.Column('Situação', 'st'),
               listing.Column(''))
STATUS_BADGES = {'pendente': 'aberto', 'hoje': 'aberto', 'vencido': 'vencido', 'feito': 'pago',
                 'feito_atraso': 'cancelado'}


@dataclass(frozen=True)
class DueView:
    """The due list from the URL: which list, the month (or a day range from the calendar), the filters, the page."""
    which: str
    month: str  # 'AAAA-MM'
    start: date | None
    end: date | None
    responsible: str
    client: str
    obligation: str
    page: int

    @classmethod
    def from_query(cls, params) -> DueView:
        which = params.get('lista', '')
        month = params.get('mes', '')
        try:
            first = date.fromisoformat(f'{month}-01')
        except ValueError:
            first = clock.today().replace(day=1)
        start = end = None
        try:
            start = date.fromisoformat(params.get('de', '')[:10])
            end = date.fromisoformat(params.get('ate', '')[:10])
        except ValueError:
            start = end = None
        if start and end and end < start:
            start = end = None
        return cls(which if which in LISTS else '', f'{first:%Y-%m}', start, end,
                   _uuid_text(params.get('responsavel', '')), _uuid_text(params.get('cliente', '')),
                   _uuid_text(params.get('obrigacao', '')), listing.page_number(params))

    def query(self) -> dict:
        q = {'lista': self.which, 'mes': self.month, 'responsavel': self.responsible, 'cliente': self.client,
             'obrigacao': self.obligation}
        if self.start and self.end and not self.which:
            q.update(de=self.start.isoformat(), ate=self.end.isoformat())
        return {k: v for k, v in q.items() if v}

    def url(self, **extra) -> str:
        return listing.url('/agenda/obrigacoes', self.query(), **extra)

    def first_day(self) -> date:
        return date.fromisoformat(f'{self.month}-01')


def load_dues(actor: Actor, v: DueView) -> list[obligations.DueItem]:
    filters = dict(client_id=v.client or None, responsible_id=v.responsible or None, obligation_id=v.obligation or None)
    first = v.first_day()
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if v.which == 'hoje':
        return obligations.due_today(actor, **filters)
    if v.which == 'semana':
        return obligations.due_this_week(actor, **filters)
    if v.which == 'vencidas':
        return obligations.overdue(actor, **filters)
    if v.which == 'atrasadas':
        return obligations.done_late(actor, first, last, **filters)
    if v.start and v.end:
        return obligations.search(actor, v.start, v.end, **filters)
    return obligations.month(actor, first.year, first.month, **filters)


@ui.page('/agenda/obrigacoes')
def obligations_page(request: Request) -> None:
    actor = guard('agenda', title='Obrigações')
    if actor is None:
        return
    view = DueView.from_query(request.query_params)
    with frame(actor, 'Obrigações'):
        page_title('Obrigações', 'agenda')
        DueList(actor, view, request.query_params.get('item', ''))


class DueList:
    def __init__(self, actor: Actor, view: DueView, item: str) -> None:
        self.actor, self.view = actor, view
        self.writable = actor.can('agenda', 'write')
        self.staff = agenda.staff_options(actor)
        self.clients = agenda.client_options(actor, include=view.client, limit=0) if view.client else {}
        self.obligations = {str(o.id): o.name for o in obligations.catalogue(actor, include_inactive=False)}
        # the page's HTML is computed again only after a write to the tables it reads (a month is 4,000 items)
        key = (view, clock.today(), self.writable, actor.client_id)
        head, table = readcache.memo('agenda.due_page', key, obligations.DUE_TABLES,
                                     lambda: self.html(load_dues(actor, view)))
        self.head = ui.html(head).classes('w-full').mark('dues-head')  # with the sections' links
        bar = sections_bar(actor, 'obrigacoes', links=False)
        with bar:
            client_filter(actor, view.client, self.clients, lambda value: replace(view, client=value, page=1).url(),
                          before=bar)
        self.table = ui.html(table).classes('w-full conton-table').mark('dues')
        live.subscribe(agenda.TOOL, actor, self.show, load=lambda a: load_dues(a, self.view), key=('dues', view))
        if item:
            self.open_from_url(item)

    def show(self, items: list[obligations.DueItem]) -> None:
        self.head.content, self.table.content = self.html(items)

    def html(self, items: list[obligations.DueItem]) -> tuple[str, str]:
        """The head's (lists, month, filters) and the table's HTML: the totals and one page of PER_PAGE rows."""
        v = self.view
        first = v.first_day()
        prev = (first - timedelta(days=1)).replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        lists = widgets.segmented_html([(text, listing.url('/agenda/obrigacoes', {**v.query(), 'lista': key, 'de': '',
                                                                                   'ate': ''}), key == v.which)
                                        for key, text in LISTS.items()], 'Listas')
        if v.which in ('', 'atrasadas') and not (v.start and v.end):
            def at(day: date) -> str:
                return esc(replace(v, month=f'{day:%Y-%m}', page=1).url())
            nav = (f'<div class="nav"><a href="{at(prev)}" aria-label="Mês anterior">‹</a>'
                   f'<a href="{at(clock.today())}">Mês atual</a><a href="{at(nxt)}" aria-label="Próximo mês">›</a>'
                   f'</div><span class="label">{esc(widgets.month_label(first))}</span>')
        elif v.start and v.end:
            span = formatting.day(v.start) + ('' if v.start == v.end else f' a {formatting.day(v.end)}')
            nav = f'<span class="label">Vencimento {esc(span)}</span>'
        else:
            nav = ''
        filters = widgets.filter_html('/agenda/obrigacoes', [
            ('Responsável', 'responsavel', {'': 'Todos', **self.staff}, v.responsible),
            ('Obrigação', 'obrigacao', {'': 'Todas', **self.obligations}, v.obligation)],
            hidden={'lista': v.which, 'mes': v.month, 'cliente': v.client,
                    'de': listing.iso(v.start) if not v.which else '',
                    'ate': listing.iso(v.end) if not v.which else ''},
            clear_url=listing.url('/agenda/obrigacoes', {'lista': v.which, 'mes': v.month}))
        late = sum(1 for i in items if i.status == 'vencido')
        done = sum(1 for i in items if i.done)
        totals = (f'<div class="conton-totals"><span><b>{len(items)}</b> vencimento{"s" if len(items) != 1 else ""}'
                  f'</span><span>Feitos: <b>{done}</b></span><span>Vencidos: <b>{late}</b></span></div>')
        head = (f'<div style="margin-bottom:8px">{sections_html("obrigacoes")}</div>'
                f'<div class="conton-agenda-bar">{lists}{nav}</div><div style="margin-top:8px">{filters}</div>')
        pages = max(1, -(-len(items) // PER_PAGE))
        page = min(v.page, pages)
        shown = items[(page - 1) * PER_PAGE:page * PER_PAGE]
        rows = []
        for i in shown:
            key = f'{i.client_id}/{i.obligation_id}/{i.competence}'
            due = esc(formatting.day(i.due_date)) + ('<div class="small">prorrogada</div>' if i.overridden else '')
            action_text = 'Ver' if i.done else ('Marcar feito' if self.writable else 'Ver')
            rows.append((f'<a class="open" href="{esc(v.url(item=key, pagina=page if page > 1 else None))}">'
                         f'{esc(i.name)}</a>', esc(i.client_name), esc(i.competence_label), due,
                         esc(i.responsible_name or '—'), listing.badge(STATUS_BADGES[i.status], i.status_label),
                         f'<a class="open" href="{esc(v.url(item=key))}">{esc(action_text)}</a>'))
        return head, (totals + listing.table_html(DUE_COLUMNS, rows, 'Nenhum vencimento nesta lista.')
                      + listing.pager_html('/agenda/obrigacoes', v.query(), page, pages))

    def refresh(self) -> None:
        self.show(load_dues(self.actor, self.view))

    def open_from_url(self, item: str) -> None:
        parts = item.split('/')
        if len(parts) != 3:
            ui.label('Vencimento não encontrado.').classes('text-negative').mark('missing-item')
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace(self.view.url()) or
                 due_dialog(self.actor, *parts, on_saved=self.refresh), once=True)


@action
async def due_dialog(actor: Actor, client_id: str, obligation_id: str, competence: str, *, on_saved=None) -> None:
    """One client's obligation for one competência: its due date (overridden or not), done or not; mark it done
    (who and when are recorded; optional "sem movimento", note and guide/receipt PDF) or undo it."""
    item = obligations.due_for(actor, client_id, obligation_id, competence)
    writable = actor.can('agenda', 'write')
    stored: dict = {}
    with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 560px'):
        ui.label(f'{item.name} — {item.client_name}').classes('text-h6').mark('due-title')
        ui.label(f'Competência {item.competence_label} · vencimento {formatting.day(item.due_date)}') \
            .classes('text-subtitle1')
        if item.overridden:
            note = f': {item.override_note}' if item.override_note else '.'
            ui.label(f'Data prorrogada por ato oficial (a regra dava {formatting.day(item.rule_date)}){note}') \
                .classes('text-caption text-primary').mark('due-override')
        ui.label(item.status_label).classes('text-weight-medium').mark('due-status')
        if item.done:
            ui.label(f'Feito em {formatting.when(item.done_at)} por {item.done_by_name or "—"}'
                     + (' · sem movimento' if item.no_movement else '') + '.').mark('due-done')
            with ui.row().classes('w-full items-center gap-2'):
                if item.has_file:  # a GET route checked by the actor's rights, never the websocket
                    href = due_file_path(item.client_id, item.obligation_id, item.competence)
                    ui.button('Guia / comprovante', icon='download') \
                        .props(f'outline no-caps href="{href}" target="_blank"').mark('due-file')
                ui.space()
                if writable:
                    ui.button('Desfazer', icon='undo', on_click=lambda: undo()).props('flat color=negative no-caps') \
                        .mark('due-undo')
                ui.button('Fechar', on_click=dialog.close).props('flat')
        else:
            if writable:
                no_movement = ui.checkbox('Sem movimento').mark('due-no-movement')
                form = Form()
                note = form.add('note', ui.textarea('Observação (opcional)')
                                .props('outlined dense autogrow maxlength=500').classes('w-full'))
                upload_state = ui.label('Guia ou comprovante (PDF ou imagem, até 10 MB), opcional:') \
                    .classes('text-caption text-grey-8')

                async def uploaded(e) -> None:
                    try:
                        stored['file'] = await obligations.save_file(actor, e.file)
                    except Exception as error:  # noqa: BLE001  (a refused file: say so; the mark can go without it)
                        stored.pop('file', None)
                        upload_state.text = str(error) or 'Arquivo recusado.'
                        upload_state.classes(replace='text-caption text-negative')
                        return
                    upload_state.text = f'Arquivo anexado: {stored["file"].original_name}'
                    upload_state.classes(replace='text-caption text-positive')
                file_upload(on_upload=action(uploaded), auto_upload=True, max_file_size=obligations.FILE_MAX_BYTES) \
                    .props('accept=".pdf,image/*" flat bordered').classes('w-full').mark('due-upload')
            with ui.row().classes('w-full items-center gap-2'):
                ui.space()
                ui.button('Fechar', on_click=dialog.close).props('flat')
                if writable:
                    ui.button('Marcar como feito', icon='task_alt', on_click=lambda: mark()) \
                        .props('unelevated no-caps').mark('due-mark')

    @action
    async def mark() -> None:
        done = await form.submit(lambda: obligations.mark_done(actor, client_id, obligation_id, competence,
                                                               no_movement=no_movement.value, note=note.value,
                                                               file=stored.get('file')))
        if done is None:
            return
        dialog.close()
        ui.notify(f'{item.name} de {item.client_name} marcado como feito.', type='positive')
        if on_saved:
            on_saved()

    @action
    async def undo() -> None:
        obligations.undo_done(actor, client_id, obligation_id, competence)
        dialog.close()
        ui.notify('Marcação desfeita.', type='positive')
        if on_saved:
            on_saved()

    dialog.open()
    await dialog
    dialog.delete()


DUE_FILE_PREFIX = '/agenda/obrigacoes/guia'


def due_file_path(client_id, obligation_id, competence: str) -> str:
    """The address of a done mark's guide or receipt (served by `due_file`)."""
    return f'{DUE_FILE_PREFIX}/{client_id}/{obligation_id}/{competence}'


@app.get(DUE_FILE_PREFIX + '/{client_id}/{obligation_id}/{competence}')
async def due_file(client_id: str, obligation_id: str, competence: str, request: Request) -> Response:
    """The guide or receipt attached to a done mark, for the browser's login: staff with Agenda, or a login of that
    client when the obligation is visible to it (services.obligations.file_of decides); 404 for anything else, the
    login page for a browser without one. An attachment (≤ 10 MB, type checked by content when stored), nosniff."""
    from ..web import login_url, request_ip
    from .common import session_actor
    actor = session_actor(request_ip(request))
    if actor is None:
        return RedirectResponse(login_url(request.url.path), status_code=303)
    try:
        name, mime, data = await run.io_bound(obligations.file_of, actor, client_id, obligation_id, competence)
    except AuthExpired:
        return RedirectResponse('/login', status_code=303)
    except (NotFound, PermissionDenied, ValidationError):
        return PlainTextResponse('Arquivo não encontrado.', status_code=404, headers={'Cache-Control': 'no-store'})
    return Response(data, media_type=mime or 'application/octet-stream', headers={
        'Content-Disposition': downloads.content_disposition(name or 'guia.pdf'), 'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store', 'Content-Security-Policy': "default-src 'none'; sandbox"})


# --------------------------------------------------------------------------------------------------------------------
# Obrigações: the catalogue, overrides by decree, extra holidays
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/agenda/obrigacoes/catalogo')
def catalogue_page(request: Request) -> None:
    actor = guard('agenda', title='Catálogo de obrigações')
    if actor is None:
        return
    params = request.query_params
    with frame(actor, 'Catálogo de obrigações'):
        page_title('Catálogo de obrigações', 'agenda')
        Catalogue(actor, params)


class Catalogue:
    def __init__(self, actor: Actor, params) -> None:
        self.actor = actor
        self.writable = actor.can('agenda', 'write')
        sections_bar(actor, 'catalogo')
        ui.label('Obrigações').classes('text-h6')
        if self.writable:
            ui.button('Nova obrigação', icon='add', on_click=lambda: self.edit_obligation(None)) \
                .props('unelevated no-caps').mark('new-obligation')
        self.obligations = ui.html('').classes('w-full conton-table').mark('catalogue')
        ui.label('Prorrogações (datas movidas por ato oficial)').classes('text-h6 q-mt-md')
        if self.writable:
            ui.button('Nova prorrogação', icon='event_busy', on_click=lambda: self.new_override()) \
                .props('outline no-caps').mark('new-override')
        self.overrides = ui.html('').classes('w-full conton-table').mark('overrides')
        ui.label('Feriados municipais e estaduais').classes('text-h6 q-mt-md')
        ui.label('Os feriados nacionais e o Carnaval já estão no calendário; acrescente os da sua cidade e do seu '
                 'estado (e os dos municípios dos clientes).').classes('text-caption text-grey-8')
        if self.writable:
            ui.button('Novo feriado', icon='add', on_click=lambda: self.new_holiday()) \
                .props('outline no-caps').mark('new-holiday')
        self.holidays = ui.html('').classes('w-full conton-table').mark('holidays')
        self.refresh()
        live.subscribe(agenda.TOOL, actor, lambda _: self.refresh())
        for key, handler in (('editar', self.edit_obligation), ('remover_prorrogacao', self.remove_override),
                             ('remover_feriado', self.remove_holiday)):
            if params.get(key) and self.writable:
                value = params.get(key)
                ui.timer(0.05, lambda h=handler, x=value: ui.navigate.history.replace('/agenda/obrigacoes/catalogo')
                         or h(x), once=True)

    def refresh(self) -> None:
        rows = []
        self.rows = obligations.catalogue(self.actor)
        for o in self.rows:
            name = (f'<a class="open" href="/agenda/obrigacoes/catalogo?editar={esc(o.id)}">{esc(o.name)}</a>'
                    if self.writable else esc(o.name))
            rows.append((name, esc(o.code), esc(obligations.SPHERES[o.sphere]),
                         esc(obligations.PERIODICITIES[o.periodicity]), esc(obligations.KINDS[o.kind]),
                         esc(o.rule_label), 'Ativa' if o.active else 'Inativa'))
        self.obligations.content = listing.table_html(_columns('Obrigação', 'Código', 'Esfera', 'Periodicidade',
                                                               'Tipo', 'Vencimento', 'Situação'), rows,
                                                      'Nenhuma obrigação.')
        orows = []
        for o in obligations.overrides(self.actor):
            remove = (f'<a class="open" href="/agenda/obrigacoes/catalogo?remover_prorrogacao={esc(o.id)}">Remover</a>'
                      if self.writable else '')
            orows.append((esc(o.code), esc(formatting.competence(o.competence)),
                          esc(o.client_name or 'Todos os clientes'), esc(formatting.day(o.due_date)), esc(o.note),
                          remove))
        self.overrides.content = listing.table_html(_columns('Obrigação', 'Competência', 'Para', 'Nova data', 'Nota',
                                                             ''), orows, 'Nenhuma prorrogação.')
        hrows = []
        for h in obligations.holidays(self.actor):
            remove = (f'<a class="open" href="/agenda/obrigacoes/catalogo?remover_feriado={esc(h.id)}">Remover</a>'
                      if self.writable else '')
            where = ' / '.join(x for x in (h.city, h.uf) if x) or 'Cidade do escritório (todos os clientes)'
            hrows.append((esc(formatting.day(h.day)), esc(h.name), esc(obligations.HOLIDAY_SCOPES[h.scope]),
                          esc(where), remove))
        self.holidays.content = listing.table_html(_columns('Data', 'Feriado', 'Tipo', 'Onde', ''), hrows,
                                                   'Nenhum feriado acrescentado.')

    @action
    async def edit_obligation(self, obligation_id: str | None) -> None:
        ob = next((o for o in self.rows if str(o.id) == obligation_id), None) if obligation_id else None
        if obligation_id and ob is None:
            raise NotFound()
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 560px'):
            ui.label('Editar obrigação' if ob else 'Nova obrigação').classes('text-h6')
            form = Form()
            with ui.row().classes('w-full no-wrap gap-2'):
                code = form.add('code', ui.input('Código', value=ob.code if ob else '').props('outlined dense')
                                .classes('col').mark('ob-code'))
                name = form.add('name', ui.input('Nome', value=ob.name if ob else '').props('outlined dense')
                                .classes('col-8').mark('ob-name'))
            with ui.row().classes('w-full no-wrap gap-2'):
                sphere = form.add('sphere', ui.select(obligations.SPHERES, value=ob.sphere if ob else 'federal',
                                                      label='Esfera').props('outlined dense').classes('col'))
                periodicity = form.add('periodicity', ui.select(obligations.PERIODICITIES, label='Periodicidade',
                                                                value=ob.periodicity if ob else 'mensal')
                                       .props('outlined dense').classes('col'))
                kind = form.add('kind', ui.select(obligations.KINDS, value=ob.kind if ob else 'pagamento',
                                                  label='Tipo').props('outlined dense').classes('col'))
            with ui.row().classes('w-full no-wrap gap-2'):
                rule = form.add('due_rule', ui.select(obligations.DUE_RULES, value=ob.due_rule if ob else 'dia',
                                                      label='Regra').props('outlined dense').classes('col')
                                .mark('ob-rule'))
                shift = form.add('shift', ui.select(obligations.SHIFTS, value=ob.shift if ob else 'prorroga',
                                                    label='Em dia não útil').props('outlined dense').classes('col'))
            with ui.row().classes('w-full no-wrap gap-2'):
                day = form.add('day', ui.number('Dia', value=ob.day if ob else 20, format='%d')
                               .props('outlined dense').classes('col').mark('ob-day'))
                months_after = form.add('months_after', ui.number('Meses após a competência', format='%d',
                                                                  value=ob.months_after if ob else 1)
                                        .props('outlined dense').classes('col'))
                month = form.add('month', ui.number('Mês (data fixa)', value=ob.month if ob else 0, format='%d')
                                 .props('outlined dense').classes('col'))
            basis = form.add('basis', ui.input('Base legal (opcional)', value=ob.basis if ob else '')
                             .props('outlined dense').classes('w-full'))
            active = ui.checkbox('Ativa', value=ob.active if ob else True) if ob else None
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                save = ui.button('Salvar').props('unelevated').mark('ob-save')

        @action
        async def do_save() -> None:
            fields = dict(code=code.value, name=name.value, sphere=sphere.value, periodicity=periodicity.value,
                          kind=kind.value, due_rule=rule.value, shift=shift.value, day=_whole(day.value),
                          months_after=_whole(months_after.value), month=_whole(month.value), basis=basis.value)
            if ob:
                done = await form.submit(lambda: obligations.update_obligation(self.actor, ob.id, **fields) or True)
                if done and active is not None and active.value != ob.active:
                    obligations.set_obligation_active(self.actor, ob.id, active.value)
            else:
                done = await form.submit(lambda: obligations.create_obligation(self.actor, **fields))
            if done:
                dialog.close()
                ui.notify('Obrigação salva.', type='positive')
                self.refresh()
        save.on_click(do_save)
        dialog.open()
        await dialog
        dialog.delete()

    @action
    async def new_override(self) -> None:
        options = {str(o.id): f'{o.name} ({o.code})' for o in self.rows if o.active}
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 520px'):
            ui.label('Nova prorrogação').classes('text-h6')
            ui.label('Quando um ato oficial move um vencimento, a nova data vale acima da regra e aparece como '
                     'prorrogada.').classes('text-caption text-grey-8')
            form = Form()
            ob = form.add('obligation_id', ui.select(options, label='Obrigação').props('outlined dense')
                          .classes('w-full').mark('ov-obligation'))
            with ui.row().classes('w-full no-wrap gap-2'):
                comp = form.add('competence', ui.input('Competência (mm/aaaa)').props('outlined dense mask="##/####"')
                                .classes('col').mark('ov-competence'))
                due = form.add('due_date', date_input('Nova data').props('outlined dense').classes('col')
                               .mark('ov-date'))
            client = form.add('client_id', widgets.client_picker(
                lambda text, value: agenda.client_options(self.actor, text, include=value),
                label='Para (vazio: todos os clientes)').classes('w-full').mark('ov-client'))
            note = form.add('note', ui.input('Nota (ex.: Portaria nº …)').props('outlined dense maxlength=500')
                            .classes('w-full').mark('ov-note'))
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                save = ui.button('Salvar').props('unelevated').mark('ov-save')

        @action
        async def do_save() -> None:
            if not ob.value:
                ob.error = 'Escolha a obrigação.'
                return
            done = await form.submit(lambda: obligations.set_override(self.actor, ob.value, comp.value, due.value,
                                                                      client_id=client.value or None,
                                                                      note=note.value))
            if done:
                dialog.close()
                ui.notify('Prorrogação salva.', type='positive')
                self.refresh()
        save.on_click(do_save)
        dialog.open()
        await dialog
        dialog.delete()

    @action
    async def new_holiday(self) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 520px'):
            ui.label('Novo feriado').classes('text-h6')
            form = Form()
            with ui.row().classes('w-full no-wrap gap-2'):
                day = form.add('day', date_input('Data').props('outlined dense').classes('col').mark('hol-day'))
                scope = form.add('scope', ui.select(obligations.HOLIDAY_SCOPES, value='municipal', label='Tipo')
                                 .props('outlined dense').classes('col'))
            name = form.add('name', ui.input('Nome').props('outlined dense maxlength=120').classes('w-full')
                            .mark('hol-name'))
            with ui.row().classes('w-full no-wrap gap-2'):
                city = form.add('city', ui.input('Município (vazio: cidade do escritório)').props('outlined dense')
                                .classes('col'))
                uf = form.add('uf', ui.input('UF').props('outlined dense maxlength=2').style('width:80px'))
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                save = ui.button('Salvar').props('unelevated').mark('hol-save')

        @action
        async def do_save() -> None:
            done = await form.submit(lambda: obligations.add_holiday(self.actor, day.value, name.value,
                                                                     scope=scope.value, uf=uf.value, city=city.value))
            if done:
                dialog.close()
                ui.notify('Feriado acrescentado.', type='positive')
                self.refresh()
        save.on_click(do_save)
        dialog.open()
        await dialog
        dialog.delete()

    @action
    async def remove_override(self, override_id: str) -> None:
        if await widgets.confirm('Remover esta prorrogação? O vencimento volta a seguir a regra.', 'Remover'):
            obligations.remove_override(self.actor, override_id)
            ui.notify('Prorrogação removida.', type='positive')
            self.refresh()

    @action
    async def remove_holiday(self, holiday_id: str) -> None:
        if await widgets.confirm('Remover este feriado?', 'Remover'):
            obligations.remove_holiday(self.actor, holiday_id)
            ui.notify('Feriado removido.', type='positive')
            self.refresh()


# --------------------------------------------------------------------------------------------------------------------
# Obrigações of one client (linked from the client's page)
# --------------------------------------------------------------------------------------------------------------------

@ui.page('/agenda/obrigacoes/cliente/{client_id}')
def client_obligations_page(client_id: str) -> None:
    actor = guard('agenda', title='Obrigações do cliente')
    if actor is None:
        return
    with frame(actor, 'Obrigações do cliente'):
        key = _uuid_text(client_id)
        clients = agenda.client_options(actor, include=key, limit=0) if key else {}
        if key not in clients:
            page_title('Obrigações do cliente', 'agenda')
            ui.label('Cliente não encontrado.').classes('text-negative').mark('missing-client')
            return
        page_title(f'Obrigações — {clients[key]}', 'agenda')
        ClientObligations(actor, key)


class ClientObligations:
    def __init__(self, actor: Actor, client_id: str) -> None:
        self.actor, self.client_id = actor, client_id
        self.writable = actor.can('agenda', 'write')
        sections_bar(actor, '')
        if self.writable:
            with ui.row().classes('w-full items-center gap-2'):
                ui.button('Aplicar padrões do regime', icon='playlist_add_check',
                          on_click=lambda: self.defaults()).props('unelevated no-caps').mark('assign-defaults')
                ui.button('Adicionar obrigação', icon='add', on_click=lambda: self.edit(None)) \
                    .props('outline no-caps').mark('assign-one')
        self.list = ui.column().classes('w-full gap-2').mark('assignments')
        self.refresh()
        live.subscribe(agenda.TOOL, actor, lambda _: self.refresh())

    def refresh(self) -> None:
        self.rows = obligations.assignments(self.actor, self.client_id)
        self.list.clear()
        with self.list:
            if not self.rows:
                ui.label('Este cliente ainda não tem obrigações. Aplique os padrões do regime ou adicione uma a '
                         'uma.').classes('text-grey-7')
            for a in self.rows:
                with ui.card().props('flat bordered').classes('w-full q-pa-sm'):
                    with ui.row().classes('w-full items-center no-wrap gap-2'):
                        with ui.column().classes('col gap-0').style('min-width:0'):
                            ui.label(a.name).classes('text-weight-medium')
                            ui.label(f'Responsável: {a.responsible_name or "—"} · lembrar {a.remind_days} dia(s) '
                                     f'antes · desde {formatting.competence(a.since)}'
                                     + (' · visível ao cliente' if a.visible_to_client else '')) \
                                .classes('text-caption text-grey-8')
                        if self.writable:
                            ui.button('Editar', on_click=lambda a=a: self.edit(a)).props('flat dense no-caps') \
                                .mark(f'edit-{a.code}')

    @action
    async def defaults(self) -> None:
        staff = agenda.staff_options(self.actor)
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 480px'):
            ui.label('Aplicar padrões do regime').classes('text-h6')
            employees = ui.checkbox('O cliente tem funcionários (FGTS, eSocial, DCTFWeb, INSS/IRRF)')
            responsible = ui.select({'': '—', **staff}, value='', label='Responsável').props('outlined dense') \
                .classes('w-full')
            visible = ui.checkbox('Mostrar ao cliente no portal')
            with ui.row().classes('w-full justify-end gap-2'):
                ui.button('Cancelar', on_click=lambda: dialog.submit(False)).props('flat')
                ui.button('Aplicar', on_click=lambda: dialog.submit(True)).props('unelevated').mark('defaults-apply')
        ok = await dialog
        dialog.delete()
        if not ok:
            return
        created = obligations.assign_defaults(self.actor, self.client_id, with_employees=employees.value,
                                              responsible_id=responsible.value or None,
                                              visible_to_client=visible.value)
        ui.notify(f'{len(created)} obrigação(ões) acrescentada(s).' if created else
                  'Nada a acrescentar: o cliente já tem as obrigações do seu regime.', type='positive')
        self.refresh()

    @action
    async def edit(self, row: obligations.AssignmentRow | None) -> None:
        staff = agenda.staff_options(self.actor)
        have = {a.obligation_id for a in self.rows}
        options = {str(o.id): f'{o.name} ({o.code})' for o in obligations.catalogue(self.actor, include_inactive=False)
                   if o.id not in have}
        with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 480px'):
            ui.label(row.name if row else 'Adicionar obrigação').classes('text-h6')
            form = Form()
            ob = None if row else form.add('obligation_id', ui.select(options, label='Obrigação', with_input=True)
                                           .props('outlined dense').classes('w-full').mark('as-obligation'))
            responsible = form.add('responsible_id', ui.select({'': '—', **staff}, label='Responsável',
                                                               value=str(row.responsible_id) if row and
                                                               row.responsible_id else '')
                                   .props('outlined dense').classes('w-full'))
            with ui.row().classes('w-full no-wrap gap-2'):
                days = form.add('remind_days', ui.number('Lembrar dias antes', value=row.remind_days if row else 3,
                                                         format='%d').props('outlined dense').classes('col'))
                since = form.add('since', ui.input('Desde a competência (mm/aaaa)',
                                                   value=formatting.competence(row.since) if row else '')
                                 .props('outlined dense mask="##/####"').classes('col'))
            visible = ui.checkbox('Mostrar ao cliente no portal', value=row.visible_to_client if row else False)
            remind_client = ui.checkbox('Lembrar também o cliente', value=row.remind_client if row else False)
            with ui.row().classes('w-full items-center gap-2'):
                if row:
                    ui.button('Remover', on_click=lambda: remove()).props('flat color=negative no-caps') \
                        .mark('as-remove')
                ui.space()
                ui.button('Cancelar', on_click=dialog.close).props('flat')
                save = ui.button('Salvar').props('unelevated').mark('as-save')

        @action
        async def do_save() -> None:
            fields = dict(responsible_id=responsible.value or None, visible_to_client=visible.value,
                          remind_days=_whole(days.value) if days.value is not None else -1,
                          remind_client=remind_client.value, since=since.value or None)
            if row:
                done = await form.submit(lambda: obligations.update_assignment(self.actor, row.id, **fields) or True)
            else:
                if not ob.value:
                    ob.error = 'Escolha a obrigação.'
                    return
                done = await form.submit(lambda: obligations.assign(self.actor, self.client_id, ob.value, **fields))
            if done:
                dialog.close()
                ui.notify('Obrigação do cliente salva.', type='positive')
                self.refresh()

        @action
        async def remove() -> None:
            obligations.unassign(self.actor, row.id)
            dialog.close()
            ui.notify('Obrigação removida deste cliente.', type='positive')
            self.refresh()
        save.on_click(do_save)
        dialog.open()
        await dialog
        dialog.delete()


# --------------------------------------------------------------------------------------------------------------------
# The iCal feed (public: the secret token is the key; see web.PUBLIC_PREFIXES)
# --------------------------------------------------------------------------------------------------------------------

@app.get('/agenda/ical/{token}.ics')
async def ical_feed(token: str) -> Response:
    try:
        body = await run.io_bound(ical.feed, token)
    except NotFound:
        return PlainTextResponse('Calendário não encontrado.', status_code=404, headers={'Cache-Control': 'no-store'})
    return Response(body, media_type='text/calendar; charset=utf-8',
                    headers={'Cache-Control': 'private, max-age=300', 'X-Content-Type-Options': 'nosniff',
                             'Content-Disposition': 'inline; filename="agenda.ics"'})


# --------------------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------------------

def _columns(*labels: str) -> tuple[listing.Column, ...]:
    """Columns of a small table: the first is the card's title on a phone, the others read 'label: value'."""
    return tuple(listing.Column(label, 'first' if n == 0 else '') for n, label in enumerate(labels))


def _uuid_text(value: str) -> str:
    import uuid
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return ''


def _whole(value) -> int | None:
    if value is None or value == '':
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _is_day(value) -> bool:
    try:
        return formatting.parse_day(value) is not None
    except ValueError:
        return False

