"""Helpers every page uses: the acting user, the action wrapper that turns service errors into messages,
forms that show errors next to their fields, and small widgets."""
from __future__ import annotations

import functools
import html
import inspect
import logging
import secrets
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

from nicegui import app, context, ui
from starlette.requests import Request

from .. import formatting
from ..services import auth
from ..services.base import end_render
from ..services.errors import AuthExpired, NotFound, PermissionDenied, ServiceError, Throttled, ValidationError
from ..services.permissions import Actor

log = logging.getLogger(__name__)
APOLOGY = 'Desculpe, algo deu errado. Tente de novo; se persistir, avise o suporte.'


def client_ip() -> str:
    try:
        request = context.client.request
    except Exception:  # noqa: BLE001  (no request in this context)
        return ''
    return request.client.host if request and request.client else ''


def safe_target(value: object, default: str = '/') -> str:
    """A path on this site to send a browser to (after login, back from a form), or `default`.

    Browsers read a backslash as `/` and drop tabs and newlines anywhere in a URL, so `/\\evil.example` and
    `/<TAB>/evil.example` both lead off-site: normalise first, then refuse a scheme, a host or a leading `//` (also
    once percent-decoded, in case the value is decoded again on its way) and any other control character."""
    if not isinstance(value, str):
        return default
    text = _normalised(value)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text) or _off_site(text) or _off_site(_normalised(unquote(text))):
        return default
    return text


def _normalised(url: str) -> str:
    return url.replace('\\', '/').translate({9: None, 10: None, 13: None})


def _off_site(url: str) -> bool:
    parts = urlsplit(url)
    return not url.startswith('/') or url.startswith('//') or bool(parts.scheme or parts.netloc)


TICKET_SECONDS = 60


@dataclass(frozen=True)
class _Ticket:
    uid: str
    sv: int
    target: str
    browser: str  # the session id of the browser that logged in: the ticket is worth nothing in another browser
    expires: float


_tickets: dict[str, _Ticket] = {}  # server memory on purpose: one-time, short-lived, bound to one browser


def login_session(actor: Actor, target: str = '/') -> None:
    """Log this browser in. A login happens over the websocket, which cannot set a cookie, so the browser is sent to
    /entrar/<ticket> (web.py): that request drops the old storage, gets a NEW session id and redirects to `target`.
    A cookie copied before the login therefore never opens the logged-in session."""
    now = time.monotonic()
    for key in [k for k, t in _tickets.items() if t.expires < now]:
        del _tickets[key]
    ticket = secrets.token_urlsafe(32)
    _tickets[ticket] = _Ticket(str(actor.user_id), actor.session_version, safe_target(target), _browser_id(),
                               now + TICKET_SECONDS)
    ui.navigate.to(f'/entrar/{ticket}')


def redeem_ticket(ticket: str, browser: str | None) -> dict[str, Any] | None:
    """The storage of the login a ticket stands for (and where to go), once; None if spent, stale or not this
    browser's."""
    grant = _tickets.pop(ticket, None)
    if grant is None or grant.expires < time.monotonic() or not browser or grant.browser != browser:
        return None
    return {'uid': grant.uid, 'sv': grant.sv, 'seen': time.time(), 'target': grant.target}


async def new_session(request: Request, data: dict[str, Any] | None = None) -> None:
    """Give the browser of this HTTP request a new session id, with `data` as its only storage.

    NiceGUI keys `app.storage.user` by `request.session['id']` (in Starlette's signed cookie, set again on this
    response). The old storage is emptied, not removed: tabs still open on the old id find no login in it (and go to
    /login at their next action); NiceGUI prunes it once no tab uses it."""
    storages = app.storage._users  # noqa: SLF001  (NiceGUI has no public call to rotate the session id)
    old = request.session.get('id')
    if old in storages:
        storages[old].clear()
    fresh = str(uuid.uuid4())
    request.session['id'] = fresh
    await app.storage._create_user_storage(fresh)  # noqa: SLF001
    if data:
        storages[fresh].update(data)


def session_actor(ip: str = '') -> Actor | None:
    """The login this browser holds, re-checked against the database and the idle clock, or None (an ended login is
    cleared). Pages (through current_actor) and the HTTP routes that act for a user share it."""
    storage = app.storage.user
    if 'uid' not in storage:
        return None
    if auth.idle_expired(storage.get('seen')):
        storage.clear()
        return None
    actor = auth.load_actor(storage.get('uid'), storage.get('sv'), ip)
    if actor is None:
        storage.clear()
        return None
    if time.time() - storage.get('seen', 0) > 60:  # the idle clock needs no finer grain; spare the writes
        storage['seen'] = time.time()
    return actor


def current_actor() -> Actor | None:
    """Load the acting user from the database (never trust more than the id kept in storage)."""
    actor = session_actor(client_ip())
    if actor is None:
        return None
    try:
        _tab_login[context.client] = app.storage.user['uid']
    except RuntimeError:  # no page (e.g. its element was just deleted)
        pass
    return actor


def _browser_id() -> str:
    try:
        request = context.client.request
    except RuntimeError:
        return ''
    return request.session.get('id', '') if request is not None else ''


_tab_login: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tab (Client) -> login id it was built for


def check_session() -> None:
    """An action on a page built for a login: the browser must still hold that login (no logout or other login in
    another tab) and must not have been idle too long. The action counts as activity for the idle clock."""
    end_render()  # an action is never part of a page render, even in the task that rendered it (tests)
    try:
        expected = _tab_login.get(context.client)
        storage = app.storage.user if expected else None
    except RuntimeError:  # no UI context
        return
    if storage is None:
        return  # a public page
    if storage.get('uid') != expected or auth.idle_expired(storage.get('seen')):
        raise AuthExpired()
    if time.time() - storage.get('seen', 0) > 60:
        storage['seen'] = time.time()


def flash(key: str, text: str) -> None:
    """Keep a message for the next page this browser opens (a result shown after `ui.navigate.to`, which would
    otherwise be lost with the page that showed it). Read it once with `take_flash`."""
    app.storage.user['flash'] = {**(app.storage.user.get('flash') or {}), key: text}  # a new value: storage saves it


def take_flash(key: str) -> str:
    """The message kept by `flash` under `key`, removed from storage ('' when none)."""
    kept = app.storage.user.get('flash') or {}
    if key not in kept:
        return ''
    text = kept.pop(key)
    app.storage.user['flash'] = kept
    return text


def action(func: Callable) -> Callable:
    """Wrap an event handler: service errors become messages, an ended session goes to the login page."""
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            check_session()
            result = func(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result
        except ValidationError as e:
            ui.notify(next(iter(e.errors.values())), type='negative')
        except AuthExpired as e:
            if current_actor() is None:  # the browser's session is over (current_actor clears it)
                ui.notify(str(e), type='warning')
                ui.navigate.to('/login')
            else:  # only this tab is stale (e.g. the password was changed in another tab): keep the session
                ui.navigate.reload()
        except (NotFound, PermissionDenied, Throttled, ServiceError) as e:
            ui.notify(str(e), type='negative')
        except Exception:  # noqa: BLE001
            log.exception('unexpected error in %s', getattr(func, '__qualname__', func))
            ui.notify(APOLOGY, type='negative')
        return None
    return wrapper


class Form:
    """Named inputs; `show(error)` puts each message next to its field, the rest in a banner."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.banner = ui.label('').classes('text-negative text-sm')
        self.banner.set_visibility(False)

    def add(self, name: str, element: Any) -> Any:
        self.fields[name] = element
        return element

    def values(self) -> dict[str, Any]:
        return {name: el.value for name, el in self.fields.items()}

    def clear_errors(self) -> None:
        for el in self.fields.values():
            if hasattr(el, 'error'):
                el.error = None
        self.banner.set_visibility(False)

    def show(self, error: ValidationError) -> None:
        self.clear_errors()
        rest = []
        for name, message in error.errors.items():
            el = self.fields.get(name)
            if el is not None and hasattr(el, 'error'):
                el.error = message
            else:
                rest.append(message)
        if rest:
            self.banner.text = ' '.join(rest)
            self.banner.set_visibility(True)
        ui.notify('Confira os campos destacados.' if not rest else rest[0], type='negative')

    async def submit(self, call: Callable[[], Any]) -> Any:
        """Run a service call; on ValidationError show the messages and return None."""
        self.clear_errors()
        try:
            result = call()
            if inspect.isawaitable(result):
                result = await result
            return result
        except ValidationError as e:
            self.show(e)
            return None


def not_found() -> None:
    with ui.column().classes('w-full items-center q-pa-xl gap-2'):
        ui.icon('block', size='xl', color='grey-6')
        ui.label('Página não encontrada ou sem acesso').classes('text-h6')
        ui.label('O endereço não existe ou você não tem permissão para vê-lo.').classes('text-grey-7')
        ui.button('Ir para o início', on_click=lambda: ui.navigate.to('/')).props('flat color=primary')


def page_title(text: str, help_slug: str = '') -> ui.html:
    """The page's heading and its "Ajuda" link, as one HTML element (on every page: three elements cost ~0.6 ms)."""
    link = (f'<a class="conton-help" href="/ajuda/{html.escape(help_slug, quote=True)}">'
            '<i class="material-icons notranslate" aria-hidden="true">help_outline</i>Ajuda</a>' if help_slug else '')
    return ui.html(f'<h1>{html.escape(text)}</h1>{link}').classes('conton-title')


def title_row(text: str, help_slug: str = '') -> ui.row:
    """The heading with the page's own buttons beside it: `with title_row(...): ui.button(...)`."""
    row = ui.row().classes('w-full items-center no-wrap gap-2 q-mb-sm')
    with row:
        page_title(text, help_slug).classes('conton-grow')
    return row


def pager(total: int, page: int, per_page: int, on_change: Callable[[int], Any]) -> None:
    pages = max(1, -(-total // per_page))
    with ui.row().classes('items-center gap-2 q-mt-sm'):
        ui.label(f'{total} registro{"s" if total != 1 else ""}').classes('text-grey-7 text-sm')
        if pages > 1:
            ui.pagination(1, pages, direction_links=True, value=min(page, pages),
                          on_change=lambda e: on_change(e.value)).props('max-pages=7 boundary-numbers')


def date_input(label: str, value: date | None = None, *, on_change=None) -> ui.input:
    """A dd/mm/aaaa text input with a calendar behind its icon (the calendar is built on first use)."""
    element = ui.input(label, value=formatting.day(value), on_change=on_change) \
        .props('mask="##/##/####" placeholder="dd/mm/aaaa" inputmode=numeric')
    parts: dict = {}

    def pick(_=None) -> None:
        if 'menu' not in parts:
            with element:
                with ui.menu().props('no-parent-event') as parts['menu']:
                    parts['date'] = ui.date(mask='DD/MM/YYYY', on_change=chosen)
        parts['syncing'] = True
        parts['date'].value = element.value if len(element.value or '') == 10 else None
        parts['syncing'] = False
        parts['menu'].open()

    def chosen(e) -> None:
        if parts.get('syncing'):
            return
        if e.value and e.value != element.value:
            element.value = e.value
        parts['menu'].close()
    # The icon is a template slot (no server-side element: the list page renders two of these). It listens to
    # mousedown, not click: the field re-renders its slots when it gains focus, which would swallow the click.
    element.add_slot('append', '<q-icon name="event" class="cursor-pointer" aria-label="Calendário" role="button" '
                               '@mousedown.prevent.stop="() => $parent.$emit(\'pick\')" />')
    element.on('pick', pick)
    return element
