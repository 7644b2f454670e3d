"""Portal do cliente > Agenda: the events the office shares with this client and the obligations it made visible to
it, as a list of the next weeks (the default) or a month; the client's own iCal feed. Only that client's: the
services scope every read by the login's client, `?evento=<id>` of another client's event answers "Evento não
encontrado." (never telling it exists), and the page hears only its own client's changes, live."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import Request
from nicegui import ui

from .. import clock, formatting
from ..services import agenda, live, obligations
from ..services.errors import NotFound
from ..services.permissions import Actor
from . import widgets
from .common import action, page_title
from .frame import client_guard, esc, frame

VIEWS = {'lista': 'Próximos', 'mes': 'Mês'}
LIST_DAYS = 60


@dataclass(frozen=True)
class PortalView:
    mode: str  # lista | mes
    anchor: date

    @classmethod
    def from_query(cls, params) -> PortalView:
        try:
            anchor = date.fromisoformat(params.get('data', '')[:10])
        except ValueError:
            anchor = clock.today()
        mode = params.get('vista', 'lista')
        return cls(mode if mode in VIEWS else 'lista', anchor)

    def url(self, **changes) -> str:
        v = replace(self, **changes)
        query = {'vista': v.mode, 'data': v.anchor.isoformat()}
        return f'/portal/agenda?{urlencode(query)}'

    def range(self) -> tuple[date, date]:
        if self.mode == 'mes':
            start, end = widgets.month_grid(self.anchor.year, self.anchor.month)
            return start, end + timedelta(days=1)
        return self.anchor, self.anchor + timedelta(days=LIST_DAYS)


def load(actor: Actor, view: PortalView) -> tuple[list, list]:
    start, end = view.range()
    return (agenda.occurrences(actor, start, end), obligations.search(actor, start, end - timedelta(days=1)))


@ui.page('/portal/agenda')
def portal_agenda_page(request: Request) -> None:
    actor = client_guard('Agenda')
    if actor is None:
        return
    params = request.query_params
    view = PortalView.from_query(params)
    with frame(actor, 'Agenda'):
        page_title('Agenda', 'portal-agenda')
        PortalAgenda(actor, view, params.get('evento', ''), params.get('ocorrencia') or None)


class PortalAgenda:
    def __init__(self, actor: Actor, view: PortalView, event_id: str, occurrence: str | None) -> None:
        self.actor, self.view = actor, view
        with ui.row().classes('w-full items-center gap-2'):
            self.head = ui.html('').classes('col').mark('portal-agenda-head')
            ui.button('Meu calendário (iCal)', icon='rss_feed', on_click=lambda: widgets.open_feed_dialog(actor)) \
                .props('flat dense no-caps').mark('feed')
        if event_id:
            self.open_from_url(event_id, occurrence)
        self.region = ui.html('').classes('w-full').mark('portal-calendar')
        self.show(load(actor, view))
        live.subscribe(agenda.TOOL, actor, self.show, load=lambda a: load(a, self.view), key=('portal-agenda', view))
        ui.label('Os prazos e compromissos aparecem aqui assim que o escritório os registra. Os lembretes chegam '
                 'pelas notificações do portal e por e-mail.').classes('text-caption text-grey-8 q-mt-md')

    def show(self, data: tuple[list, list]) -> None:
        occs, dues = data
        v = self.view
        start, end = v.range()
        today = clock.today()
        if v.mode == 'mes':
            first = v.anchor.replace(day=1)
            prev, nxt = (first - timedelta(days=1)).replace(day=1), (first + timedelta(days=32)).replace(day=1)
            label = widgets.month_label(v.anchor)
        else:
            prev, nxt = v.anchor - timedelta(days=LIST_DAYS), v.anchor + timedelta(days=LIST_DAYS)
            label = f'{formatting.day(start)} a {formatting.day(end - timedelta(days=1))}'
        views = widgets.segmented_html([(text, v.url(mode=key), key == v.mode) for key, text in VIEWS.items()],
                                       'Visualização')
        nav = (f'<div class="nav"><a href="{esc(v.url(anchor=prev))}" aria-label="Anterior">‹</a>'
               f'<a href="{esc(v.url(anchor=today))}">Hoje</a>'
               f'<a href="{esc(v.url(anchor=nxt))}" aria-label="Próximo">›</a></div>')
        self.head.content = f'<div class="conton-agenda-bar">{views}{nav}<span class="label">{esc(label)}</span></div>'

        def occ_href(o: agenda.Occurrence) -> str:
            return f'{v.url()}&evento={o.event_id}&ocorrencia={o.occurrence:%Y%m%dT%H%M%SZ}'

        entries = (widgets.occurrence_entries(occs, occ_href, start=start, end=end, with_client=False)
                   + widgets.due_entries(dues, lambda day, item: v.url(mode='lista', anchor=day), group=False))
        entries.sort(key=lambda e: (e.day, e.due, e.time == '', e.time))
        if v.mode == 'mes':
            self.region.content = widgets.month_html(v.anchor.year, v.anchor.month, entries, today=today,
                                                     day_href=lambda day: v.url(mode='lista', anchor=day))
        else:
            self.region.content = widgets.days_html(entries, today=today,
                                                    empty='Nenhum compromisso ou prazo nas próximas semanas.')

    def open_from_url(self, event_id: str, occurrence: str | None) -> None:
        try:
            occ = agenda.occurrence(self.actor, event_id, occurrence)
        except NotFound:
            ui.label('Evento não encontrado.').classes('text-negative').mark('missing-event')
            return
        ui.timer(0.05, lambda: ui.navigate.history.replace(self.view.url()) or event_detail(occ), once=True)


@action
async def event_detail(occ: agenda.Occurrence) -> None:
    with ui.dialog() as dialog, ui.card().classes('w-full').style('max-width: 520px'):
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            ui.element('span').classes('conton-kind-dot').style(f'background:{occ.color}')
            ui.label(occ.title).classes('text-h6 col').mark('event-title')
        ui.label(f'{occ.kind_label} · {occ.when}').classes('text-subtitle1').mark('event-when')
        if occ.location:
            ui.label(f'Local: {occ.location}')
        if occ.description:
            ui.label(occ.description).style('white-space:pre-wrap')
        with ui.row().classes('w-full justify-end'):
            ui.button('Fechar', on_click=dialog.close).props('flat')
    dialog.open()
    await dialog
    dialog.delete()
