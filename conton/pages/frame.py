"""The app shell: header with logo, name and menu; the notification bell and drawer; the page guard.

The shell is on every page, so it is two `ui.html` elements of server-rendered HTML (every piece of text escaped
here) with plain links, and no Quasar layout component: the menus, the quick-access grid and the notification list
are HTML, the drawer opens by CSS. A NiceGUI element costs ~0.3 ms and ~5 KiB per tab; a 150-element shell made
every page 8x slower than a bare page (bench/). Clicking a notification goes through /notificacao/<id>, which marks
it read.
"""
from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from .. import formatting
from ..services import notifications, office
from ..services.base import end_render, rendering_as
from ..services.permissions import Actor, grouped
from ..web import STYLESHEET_LINK
from .common import current_actor, not_found


def page_actor() -> Actor | None:
    """The logged-in actor at the start of a page render, read in full from the database; the rest of this render's
    service calls take it as checked (services.base.rendering_as) until the frame closes."""
    actor = current_actor()
    if actor is not None:
        rendering_as(actor)
    return actor


def guard(tool: str | None = None, level: str = 'read', *, title: str = '') -> Actor | None:
    """Start a page: the logged-in actor, or None after redirecting to /login or rendering 'no access'."""
    actor = page_actor()
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
    actor = page_actor()
    if actor is None:
        ui.navigate.to('/login')
        return None
    if not actor.is_client:
        with frame(actor, title or 'Sem acesso'):
            not_found()
        return None
    return actor


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def icon(name: str) -> str:
    return f'<i class="material-icons notranslate" aria-hidden="true">{esc(name)}</i>'


def _top_html(actor: Actor, brand: office.Branding) -> str:
    """The header's menus and brand, the same for every login with the same tools: built once per (tool set,
    branding) and kept in memory. A permission change gives another tool set (another key); saving the office's name
    or logo gives another Branding (office.reset_cache), so neither needs the cache emptied."""
    key = (actor.is_client, tuple(t.key for t in actor.tools()), brand)
    cached = _TOP_CACHE.get(key)
    if cached is None:
        if len(_TOP_CACHE) >= 256:  # a handful of permission sets in practice; never grow without bound
            _TOP_CACHE.clear()
        logo = f'<img src="/logo?v={brand.version}" alt="">' if brand.has_logo else ''
        cached = _TOP_CACHE[key] = (
            f'{_phone_menu_html(actor)}<a class="conton-brand" href="/">{logo}<span>{esc(brand.name)}</span></a>'
            f'<div class="gt-sm">{_nav_html(actor)}</div><div class="conton-grow"></div>')
    return cached


_TOP_CACHE: dict[tuple, str] = {}  # shared by every tab on purpose: it holds nothing of any one login


def _nav_html(actor: Actor) -> str:
    parts = ['<nav class="conton-nav"><a href="/">Início</a>']
    for group, items in grouped(actor.tools()):
        if not group:
            parts += [f'<a href="{esc(t.route)}">{esc(t.label)}</a>' for t in items]
            continue
        links = ''.join(f'<a href="{esc(t.route)}">{esc(t.label)}</a>' for t in items)
        parts.append(f'<div class="conton-dd"><span tabindex="0">{esc(group)} ▾</span>'
                     f'<div class="conton-dd-menu">{links}</div></div>')
    parts.append(f'<a href="/ajuda">{"Suporte" if actor.is_client else "Ajuda"}</a></nav>')
    return ''.join(parts)


def _phone_menu_html(actor: Actor) -> str:
    """The menu on a phone: a dropdown panel of the same links (no drawer element needed)."""
    parts = ['<details class="conton-side lt-md"><summary aria-label="Menu">', icon('menu'),
             '</summary><div class="panel">',
             f'<a href="/">{icon("home")}Início</a>']
    for group, items in grouped(actor.tools()):
        if group:
            parts.append(f'<div class="group">{esc(group)}</div>')
        parts += [f'<a href="{esc(t.route)}">{icon(t.icon)}{esc(t.label)}</a>' for t in items]
    parts.append(f'<div class="group">Ajuda</div><a href="/ajuda">{icon("help_outline")}'
                 f'{"Suporte" if actor.is_client else "Ajuda"}</a>')
    parts.append(f'<a href="/perfil">{icon("account_circle")}Meu perfil</a>')
    parts.append(_post_html('/sair', f'{icon("logout")}Sair'))
    return ''.join(parts) + '</div></details>'


def _user_html(actor: Actor) -> str:
    return (f'<div class="conton-dd conton-nav"><span tabindex="0" aria-label="Usuário">{icon("account_circle")}</span>'
            f'<div class="conton-dd-menu right"><div class="who">{esc(actor.name)}<br>{esc(actor.email)}</div>'
            f'<a href="/perfil">Meu perfil</a><a href="/perfil#senha">Trocar senha</a>{_post_html("/sair", "Sair")}'
            '</div></div>')


def _post_html(action: str, content: str, css: str = '') -> str:
    """What changes state (log out, mark read) is a POST, never a link: a small form whose button looks like one.
    `content` is HTML, already escaped."""
    css = f' class="{esc(css)}"' if css else ''
    return (f'<form method="post" action="{esc(action)}" class="conton-post">'
            f'<button type="submit"{css}>{content}</button></form>')


@contextmanager
def frame(actor: Actor, title: str) -> Iterator[None]:
    """The shell is two HTML elements and no Quasar layout component (no q-header, q-drawer or q-btn: together they
    cost a page ~2 ms and ~20 KiB per tab, bench/). The header is fixed and never changes; the second element holds
    the bell (shown in the header's right corner) and the notification drawer, and is the only part a live push
    rewrites. The drawer opens and closes with a checkbox in the header, by CSS alone (assets/conton.css): open on a
    wide screen and closed on a phone unless toggled, with no round trip to the server."""
    brand = office.branding()
    ui.page_title(f'{title} · {brand.name}')
    ui.add_head_html(STYLESHEET_LINK)  # assets/conton.css: every page's look, print included
    notes = NotificationDrawer(actor)
    ui.html(f'<input type="checkbox" id="conton-notes-open" class="conton-notes-open" aria-label="Notificações">'
            f'<header class="conton-header no-print">{_top_html(actor, brand)}{_user_html(actor)}</header>') \
        .classes('conton-shell').mark('top-bar')
    notes.build()
    try:
        yield None  # the page's own content goes into NiceGUI's content column (styled by assets/conton.css)
    finally:
        end_render()  # what runs after the render (handlers, timers, live pushes) checks the login again


def tiles_html(tiles) -> str:
    """The quick-access grid: one link per tool, with a red count where something is pending."""
    parts = []
    for tile in tiles:
        count = (f'<span class="conton-count" title="{esc(f"{tile.badge} {tile.hint}")}">{tile.badge}</span>'
                 if tile.badge else '')
        parts.append(f'<a class="conton-tile" href="{esc(tile.tool.route)}">{count}{icon(tile.tool.icon)}'
                     f'<span>{esc(tile.tool.label)}</span></a>')
    return f'<div class="conton-grid">{"".join(parts)}</div>'


class NotificationDrawer:
    """Per-tab state of the drawer: filled once from the database, then updated from the live event.

    The list is grouped by the seven categories (each with its unread count) and rendered as HTML; a click on an
    item goes through /notificacao/<id>, which marks it read and opens what it points to.
    """

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        data = notifications.drawer(actor)
        self.counts = data.counts
        self.items = data.items
        notifications.subscribe(actor, self.on_new)  # only this login's; its session re-checked at every push

    def build(self) -> None:
        self.element = ui.html('').classes('conton-shell').mark('notifications')
        self.render()

    def render(self) -> None:
        total = sum(self.counts.values())
        count = f'<span class="n">{total}</span>' if total else ''
        self.element.content = (f'<label for="conton-notes-open" class="conton-bell no-print{" unread" if total else ""}"'
                                f' title="Notificações">{icon("notifications")}{count}</label>'
                                f'<aside class="conton-drawer conton-notes no-print">'
                                f'{notes_html(self.items, self.counts)}</aside>')

    def on_new(self, items: list[notifications.Item]) -> None:
        mine = [i for i in items if i.user_id == self.actor.user_id]  # (the hub hands over only these)
        if not mine:
            return
        for item in mine:
            self.counts[item.category] = self.counts.get(item.category, 0) + 1
        self.items = sorted(mine, key=lambda i: i.created_at, reverse=True) + self.items
        self.render()
        ui.notify(mine[0].title, type='info', position='top-right')


def notes_html(items: list[notifications.Item], counts: dict[str, int]) -> str:
    """The drawer's content: a title, then one group per category (unread count in the heading)."""
    total = sum(counts.values())
    read_all = _post_html('/notificacoes/lidas', 'Marcar todas como lidas', 'all') if total else ''
    parts = [f'<div class="conton-drawer-title">Notificações{read_all}</div>']
    for key, label in notifications.CATEGORY_LABELS.items():
        group = [i for i in items if i.category == key]
        unread = counts.get(key, 0)
        badge = f'<span class="n">{unread}</span>' if unread else ''
        parts.append(f'<details{" open" if unread else ""}><summary>{icon(notifications.CATEGORY_ICONS[key])}'
                     f'<span class="l">{esc(label)}</span>{badge}</summary>')
        if not group:
            parts.append('<div class="empty">Nenhuma notificação.</div>')
        for item in group[:10]:
            body = f'<span class="c">{esc(item.body)}</span>' if item.body else ''
            parts.append(_post_html(f'/notificacao/{item.id}',
                                    f'<span><span class="t">{esc(item.title)}</span>{body}'
                                    f'<span class="c">{esc(formatting.when(item.created_at))}</span></span>',
                                    '' if item.read else 'unread'))
        parts.append('</details>')
    return ''.join(parts)
