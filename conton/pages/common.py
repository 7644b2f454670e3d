"""Helpers every page uses: the acting user, the action wrapper that turns service errors into messages,
forms that show errors next to their fields, and small widgets."""
from __future__ import annotations

import functools
import inspect
import logging
import time
import weakref
from collections.abc import Callable
from datetime import date
from typing import Any

from nicegui import app, context, ui

from .. import formatting
from ..services import auth
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


def login_session(actor: Actor) -> None:
    """Keep only the user id and session version in the (plain JSON) user storage."""
    app.storage.user.clear()
    app.storage.user.update({'uid': str(actor.user_id), 'sv': actor.session_version, 'seen': time.time()})


def end_session() -> None:
    app.storage.user.clear()


def current_actor() -> Actor | None:
    """Load the acting user from the database (never trust more than the id kept in storage)."""
    storage = app.storage.user
    if 'uid' not in storage:
        return None
    if auth.idle_expired(storage.get('seen')):
        storage.clear()
        return None
    actor = auth.load_actor(storage.get('uid'), storage.get('sv'), client_ip())
    if actor is None:
        storage.clear()
        return None
    if time.time() - storage.get('seen', 0) > 60:  # the idle clock needs no finer grain; spare the writes
        storage['seen'] = time.time()
    try:
        _tab_login[context.client] = storage['uid']
    except RuntimeError:  # no page (e.g. its element was just deleted)
        pass
    return actor


_tab_login: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tab (Client) -> login id it was built for


def check_session() -> None:
    """An action on a page built for a login: the browser must still hold that login (no logout or other login in
    another tab) and must not have been idle too long. The action counts as activity for the idle clock."""
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


def page_title(text: str, help_slug: str = '') -> ui.row:
    row = ui.row().classes('w-full items-center justify-between q-mb-sm')
    with row:
        ui.label(text).classes('text-h5')
        if help_slug:
            ui.button('Ajuda', icon='help_outline', on_click=lambda: ui.navigate.to(f'/ajuda/{help_slug}')) \
                .props('flat dense color=primary')
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
