"""A mistyped address: the pt-BR "not found" page inside the shell (NiceGUI's own 404 page is English and bare)."""
from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from nicegui import Client, app, ui
from nicegui.page import page
from starlette.exceptions import HTTPException

from .common import current_actor, not_found
from .frame import frame


async def not_found_response(request: Request, exception: Exception) -> Response:
    endpoint = request.scope.get('endpoint')
    if endpoint is not None and endpoint is not app and not request.scope.get('nicegui_page_path') \
            and isinstance(exception, HTTPException):
        return await http_exception_handler(request, exception)  # an API route's 404 stays JSON, as NiceGUI does
    with Client(page(''), request=request) as client:
        actor = current_actor()
        if actor is None:
            ui.page_title('Página não encontrada')
            not_found()
        else:
            with frame(actor, 'Página não encontrada'):
                not_found()
    return client.build_response(request, 404)


app.add_exception_handler(404, not_found_response)
