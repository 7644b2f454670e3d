"""HTTP pieces outside the pages: the login middleware, the public logo route, error logging."""
from __future__ import annotations

import logging

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


def setup(app) -> None:
    app.add_middleware(AuthMiddleware)

    @app.get('/logo')
    def logo() -> Response:
        brand = office.branding()
        if not brand.has_logo:
            return Response(status_code=404)
        return FileResponse(brand.logo_path, media_type=brand.logo_mime,
                            headers={'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff'})

    app.on_exception(lambda e: log.exception('unhandled error', exc_info=e))
