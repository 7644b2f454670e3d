"""HTTP pieces outside the pages: the login middleware, the public logo route, error logging."""
from __future__ import annotations

import logging
import os

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from nicegui import app as nicegui_app
from starlette.middleware.base import BaseHTTPMiddleware

from .services import office

log = logging.getLogger('conton')
PUBLIC_PREFIXES = ('/login', '/primeiro-acesso', '/esqueci-senha', '/definir-senha/', '/logo', '/sair', '/_nicegui',
                   '/favicon')


class AuthMiddleware(BaseHTTPMiddleware):
    """Anonymous requests go to /login (pages re-check the login against the database themselves)."""

    async def dispatch(self, request: Request, call_next):
        path = request.url.path
        if not nicegui_app.storage.user.get('uid') and not path.startswith(PUBLIC_PREFIXES):
            target = '/login' if path == '/' else f'/login?redirect_to={path}'
            return RedirectResponse(target)
        return await call_next(request)


class QueryCountMiddleware(BaseHTTPMiddleware):
    """Benchmarks only (CONTON_BENCH=1): report the SQL statements a request ran in a response header."""

    async def dispatch(self, request: Request, call_next):
        from .db import query_counter
        before = query_counter['n']
        response = await call_next(request)
        response.headers['X-Conton-Queries'] = str(query_counter['n'] - before)
        return response


def setup(app) -> None:
    app.add_middleware(AuthMiddleware)
    if os.environ.get('CONTON_BENCH') == '1':
        app.add_middleware(QueryCountMiddleware)
        _bench_pages()

    @app.get('/logo')
    def logo() -> Response:
        brand = office.branding()
        if not brand.has_logo:
            return Response(status_code=404)
        return FileResponse(brand.logo_path, media_type=brand.logo_mime,
                            headers={'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff'})

    @app.get('/notificacao/{notification_id}')
    def open_notification(notification_id: str, request: Request) -> Response:
        """A notification link: mark it read, then go where it points."""
        from .services import auth, notifications
        from .services.errors import NotFound
        storage = nicegui_app.storage.user
        actor = auth.load_actor(storage.get('uid'), storage.get('sv'), request.client.host if request.client else '')
        if actor is None:
            return RedirectResponse('/login')
        try:
            return RedirectResponse(notifications.open_link(actor, notification_id), status_code=303)
        except NotFound:
            return RedirectResponse('/', status_code=303)

    @app.get('/notificacoes/lidas')
    def read_all_notifications(request: Request) -> Response:
        """'Marcar todas como lidas' in the drawer: mark them, then back to the page it was clicked on."""
        from urllib.parse import urlparse

        from .services import auth, notifications
        storage = nicegui_app.storage.user
        actor = auth.load_actor(storage.get('uid'), storage.get('sv'), request.client.host if request.client else '')
        if actor is None:
            return RedirectResponse('/login')
        notifications.mark_all_read(actor)
        back = urlparse(request.headers.get('referer', '/'))
        path = back.path if back.path.startswith('/') and not back.path.startswith('//') else '/'
        return RedirectResponse(path + (f'?{back.query}' if back.query else ''), status_code=303)

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
