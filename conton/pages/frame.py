"""The app shell: header with logo, name and menu; the notification drawer; the page guard."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import groupby

from nicegui import ui

from .. import formatting
from ..services import notifications, office
from ..services.permissions import Actor
from .common import action, current_actor, not_found

HEAD = '''<style>
.conton-card-grid {display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:16px;width:100%}
.conton-table {width:100%;overflow-x:auto}
.conton-notif-unread {background:#e3f2fd}
body {overflow-x:hidden}
@media (max-width: 599px) {.conton-card-grid {grid-template-columns:repeat(2,1fr);gap:10px}}
</style>'''


def guard(tool: str | None = None, level: str = 'read', *, title: str = '') -> Actor | None:
    """Start a page: the logged-in actor, or None after redirecting to /login or rendering 'no access'."""
    actor = current_actor()
    if actor is None:
        ui.navigate.to('/login')
        return None
    if tool is not None and not actor.can(tool, level):
        with frame(actor, title or 'Sem acesso'):
            not_found()
        return None
    return actor


def client_guard(title: str = '') -> Actor | None:
    """A page of the client portal: only client logins."""
    actor = current_actor()
    if actor is None:
        ui.navigate.to('/login')
        return None
    if not actor.is_client:
        with frame(actor, title or 'Sem acesso'):
            not_found()
        return None
    return actor


@contextmanager
def frame(actor: Actor, title: str) -> Iterator[ui.column]:
    brand = office.branding()
    ui.page_title(f'{title} · {brand.name}')
    ui.add_head_html(HEAD)
    ui.colors(primary='#1565c0')
    tools = actor.tools()
    drawer_state = NotificationDrawer(actor)

    with ui.left_drawer(value=False).classes('bg-grey-1').props('overlay behavior=mobile width=260') as menu_drawer:
        with ui.list().classes('w-full'):
            _menu_item('Início', 'home', '/')
            for group, items in groupby(tools, key=lambda t: t.group):
                if group:
                    ui.item_label(group).props('header').classes('text-bold')
                for t in items:
                    _menu_item(t.label, t.icon, t.route)
            ui.item_label('Ajuda').props('header').classes('text-bold')
            _menu_item('Ajuda', 'help_outline', '/ajuda')

    with ui.header(elevated=True).classes('items-center q-px-md q-py-xs gap-2 bg-primary text-white no-wrap'):
        ui.button(icon='menu', on_click=menu_drawer.toggle).props('flat round color=white').classes('lt-md') \
            .mark('menu-toggle')
        with ui.link(target='/').classes('row items-center no-wrap gap-2 text-white no-underline'):
            if brand.has_logo:
                ui.image(f'/logo?v={brand.version}').classes('w-10 h-10 rounded bg-white').props('fit=contain')
            ui.label(brand.name).classes('text-subtitle1 text-weight-medium ellipsis').style('max-width: 40vw')
        with ui.row().classes('gt-sm items-center gap-0 no-wrap'):
            ui.button('Início', on_click=lambda: ui.navigate.to('/')).props('flat color=white no-caps')
            for group, items in groupby(tools, key=lambda t: t.group):
                items = list(items)
                if not group:
                    for t in items:
                        ui.button(t.label, on_click=lambda t=t: ui.navigate.to(t.route)) \
                            .props('flat color=white no-caps')
                    continue
                with ui.button(group).props('flat color=white no-caps icon-right=expand_more'):
                    with ui.menu():
                        for t in items:
                            ui.menu_item(t.label, on_click=lambda t=t: ui.navigate.to(t.route))
            if actor.is_client:
                ui.button('Suporte', on_click=lambda: ui.navigate.to('/ajuda')).props('flat color=white no-caps')
            else:
                ui.button('Ajuda', on_click=lambda: ui.navigate.to('/ajuda')).props('flat color=white no-caps')
        ui.space()
        with ui.button(icon='notifications', on_click=lambda: drawer.toggle()) \
                .props('flat round color=white').mark('bell'):
            drawer_state.badge = ui.badge('', color='red').props('floating rounded')
        with ui.button(icon='account_circle').props('flat round color=white').mark('user-menu'):
            with ui.menu():
                ui.menu_item(actor.name).props('disable')
                ui.menu_item('Meu perfil', on_click=lambda: ui.navigate.to('/perfil'))
                ui.menu_item('Trocar senha', on_click=lambda: ui.navigate.to('/perfil#senha'))
                ui.separator()
                ui.menu_item('Sair', on_click=lambda: ui.navigate.to('/sair'))

    with ui.right_drawer(value=None).classes('bg-grey-1 q-pa-none').props('width=320 bordered') as drawer:
        drawer_state.build()

    with ui.column().classes('w-full q-pa-md gap-3 max-w-screen-xl mx-auto') as body:
        yield body


def _menu_item(label: str, icon: str, route: str) -> None:
    with ui.item(on_click=lambda: ui.navigate.to(route)).props('clickable'):
        with ui.item_section().props('avatar'):
            ui.icon(icon)
        with ui.item_section():
            ui.item_label(label)


class NotificationDrawer:
    """Per-tab state of the drawer: filled once from the database, then updated from the live event."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        data = notifications.drawer(actor)
        self.counts = data.counts
        self.items = data.items
        self.category: str | None = None
        self.badge: ui.badge | None = None
        notifications.changed.subscribe(self.on_new)

    def build(self) -> None:
        self.view()

    @ui.refreshable_method
    def view(self) -> None:
        total = sum(self.counts.values())
        if self.badge is not None:
            self.badge.text = str(total)
            self.badge.set_visibility(total > 0)
        with ui.row().classes('w-full items-center justify-between q-px-md q-pt-md'):
            ui.label('Notificações').classes('text-h6')
            ui.button('Marcar todas', on_click=self.read_all).props('flat dense no-caps color=primary size=sm') \
                .set_visibility(total > 0)
        with ui.row().classes('w-full q-px-sm gap-1'):
            for key, label in notifications.CATEGORY_LABELS.items():
                count = self.counts.get(key, 0)
                chip = ui.chip(label, icon=notifications.CATEGORY_ICONS[key], selectable=True,
                               selected=self.category == key, on_click=lambda k=key: self.select(k)) \
                    .props('dense outline' if self.category != key else 'dense color=primary text-color=white') \
                    .mark(f'cat-{key}')
                if count:
                    with chip:
                        ui.badge(str(count), color='red').props('floating rounded')
        shown = [i for i in self.items if self.category in (None, i.category)]
        with ui.list().classes('w-full').props('separator'):
            if not shown:
                ui.item_label('Nenhuma notificação.').classes('q-pa-md text-grey-7')
            for item in shown[:30]:
                with ui.item(on_click=lambda i=item: self.open(i)).props('clickable') \
                        .classes('' if item.read else 'conton-notif-unread').mark('notification'):
                    with ui.item_section().props('avatar'):
                        ui.icon(notifications.CATEGORY_ICONS[item.category], color='primary')
                    with ui.item_section():
                        ui.item_label(item.title).classes('text-weight-medium' if not item.read else '')
                        if item.body:
                            ui.item_label(item.body).props('caption lines=2')
                        ui.item_label(f'{notifications.CATEGORY_LABELS[item.category]} · '
                                      f'{formatting.when(item.created_at)}').props('caption')

    def on_new(self, items: list[notifications.Item]) -> None:
        mine = [i for i in items if i.user_id == self.actor.user_id]
        if not mine:
            return
        for item in mine:
            self.counts[item.category] = self.counts.get(item.category, 0) + 1
        self.items = sorted(mine, key=lambda i: i.created_at, reverse=True) + self.items
        self.view.refresh()
        ui.notify(mine[0].title, type='info', position='top-right')

    def select(self, category: str) -> None:
        self.category = None if self.category == category else category
        self.view.refresh()

    @action
    def open(self, item: notifications.Item) -> None:
        if not item.read:
            notifications.mark_read(self.actor, item.id)
            self._mark_local(lambda i: i.id == item.id)
        if item.link:
            ui.navigate.to(item.link)

    @action
    def read_all(self) -> None:
        notifications.mark_all_read(self.actor, self.category)
        self._mark_local(lambda i: self.category in (None, i.category))

    def _mark_local(self, match) -> None:
        self.items = [replace(i, read=True) if match(i) else i for i in self.items]
        self.counts = notifications.unread_counts(self.actor)
        self.view.refresh()
