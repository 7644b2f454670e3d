"""HTTP pieces outside the pages: the login middleware, the public logo route, error logging."""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from nicegui import app as nicegui_app

from . import downloads, http_guard
from .config import get_settings
from .pages.common import new_session, redeem_ticket, safe_target, session_actor
from .services import office

log = logging.getLogger('conton')
PUBLIC_PREFIXES = ('/login', '/primeiro-acesso', '/esqueci-senha', '/definir-senha/', '/logo', '/sair', '/entrar/',
                   '/_nicegui', '/favicon', '/assets/conton.css',
                   '/agenda/ical/')  # the iCal feed: its secret token is the key
# The one stylesheet (public: nothing in it is about a client). Its URL carries a hash of its content, computed once at
# start-up, so a browser may keep it for a year and still fetches the new one after an upgrade.
STYLESHEET = Path(__file__).resolve().parent.parent / 'assets' / 'conton.css'
STYLESHEET_URL = f'/assets/conton.css?v={hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:12]}'
STYLESHEET_LINK = f'<link rel="stylesheet" href="{STYLESHEET_URL}">'
FOREIGN = 'Pedido recusado: ele não veio de uma página deste portal.'


class AuthMiddleware:
    """Anonymous requests go to /login (pages re-check the login against the database themselves). Plain ASGI, not
    a BaseHTTPMiddleware: that one runs the app in a task of its own and races every read of the body against a
    disconnect with a new task group, which cost an upload a third of the event loop's time (bench/files.py)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] == 'http':
            path = scope['path']
            if not path.startswith(PUBLIC_PREFIXES) and not nicegui_app.storage.user.get('uid'):
                query = scope.get('query_string', b'').decode('latin-1')
                await RedirectResponse(login_url(path + (f'?{query}' if query else '')))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def login_url(target: str) -> str:
    """/login, remembering a same-site `target` to come back to after logging in."""
    target = safe_target(target)
    return '/login' if target == '/' else f'/login?{urlencode({"redirect_to": target})}'


def same_origin(request: Request) -> bool:
    """A state-changing request must come from a page of this portal: its Origin (or, without one, its Referer) is
    the Host it was sent to or CONTON_BASE_URL. A cross-site form or top-level navigation fails this."""
    source = request.headers.get('origin') or request.headers.get('referer') or ''
    parts = urlsplit(source)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        return False  # none, or 'null' (sandboxed frames, privacy redirects)
    base = urlsplit(get_settings().public_url)
    host = request.headers.get('host', '').lower()
    return parts.netloc.lower() == host or (parts.scheme, parts.netloc.lower()) == (base.scheme, base.netloc.lower())


def request_ip(request: Request) -> str:
    return request.client.host if request.client else ''


class QueryCountMiddleware:
    """Benchmarks only (CONTON_BENCH=1): report the SQL statements a request ran in a response header (plain ASGI,
    like AuthMiddleware, so that it adds nothing else to what is measured)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        from .db import query_counter
        before = query_counter['n']

        async def counted(message) -> None:
            if message['type'] == 'http.response.start':
                count = str(query_counter['n'] - before).encode()
                message = {**message, 'headers': [*message.get('headers', []), (b'x-conton-queries', count)]}
            await send(message)
        await self.app(scope, receive, counted)


def setup(app) -> None:
    app.add_middleware(AuthMiddleware)
    http_guard.install(app)  # body caps, upload parts, security headers, apology page (outermost of these)
    downloads.setup(app)  # GET /arquivos/baixar/<id>: documents, streamed after the actor's right is checked
    if os.environ.get('CONTON_BENCH') == '1':
        app.add_middleware(QueryCountMiddleware)
        _bench_pages()

    @app.get('/assets/conton.css')
    def stylesheet() -> Response:
        return FileResponse(STYLESHEET, media_type='text/css',
                            headers={'Cache-Control': 'public, max-age=31536000, immutable'})

    @app.get('/logo')
    def logo() -> Response:
        brand = office.branding()
        if not brand.has_logo:
            return Response(status_code=404)
        return FileResponse(brand.logo_path, media_type=brand.logo_mime,
                            headers={'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff'})

    @app.get('/entrar/{ticket}')
    async def enter(ticket: str, request: Request) -> Response:
        """The second half of a login (see pages/common.login_session): a new session id, then the target."""
        grant = redeem_ticket(ticket, request.session.get('id'))
        if grant is None:
            return RedirectResponse('/login', status_code=303)
        target = grant.pop('target')
        await new_session(request, grant)
        return RedirectResponse(target, status_code=303)

    @app.post('/notificacao/{notification_id}')
    async def open_notification(notification_id: str, request: Request) -> Response:
        """A notification in the drawer: mark it read, then go where it points."""
        from .services import notifications
        from .services.errors import NotFound
        if not same_origin(request):
            return PlainTextResponse(FOREIGN, status_code=403)
        actor = session_actor(request_ip(request))
        if actor is None:
            return RedirectResponse('/login', status_code=303)
        try:
            return RedirectResponse(safe_target(notifications.open_link(actor, notification_id)), status_code=303)
        except NotFound:
            return RedirectResponse('/', status_code=303)

    @app.post('/notificacoes/lidas')
    async def read_all_notifications(request: Request) -> Response:
        """'Marcar todas como lidas' in the drawer: mark them, then back to the page it was clicked on."""
        from .services import notifications
        if not same_origin(request):
            return PlainTextResponse(FOREIGN, status_code=403)
        actor = session_actor(request_ip(request))
        if actor is None:
            return RedirectResponse('/login', status_code=303)
        notifications.mark_all_read(actor)
        back = urlsplit(request.headers.get('referer', '/'))
        return RedirectResponse(safe_target(back.path + (f'?{back.query}' if back.query else '')), status_code=303)

    app.on_exception(lambda e: log.exception('unhandled error', exc_info=e))


def _bench_pages() -> None:
    """The bare page benchmarks compare against: header, right drawer and one label, no database access."""
    from nicegui import ui

    @ui.page('/_bench/bare')
    def bare() -> None:
        with ui.header():
            ui.label('Conton')
        with ui.right_drawer():
            ui.label('Notificações')
        ui.label('Olá')
