"""The routes that send stored documents: GET /arquivos/baixar/<file id> (Arquivos), and for Protocolos
/protocolos/<id>/documentos/<file id> and the receipt /protocolos/<id>/recibo.pdf.

The actor is loaded from the session as pages do (`session_actor`), the service checks its right to that file (a
client login gets 404 for any other client's file, by any id) and records the opening (the office's first download,
a client's "Visualizado" of its protocols); then the file streams from disk without being read into memory, as an
attachment with the cleaned original name (RFC 6266/5987), its type and nosniff. Never a static route, never the
websocket."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from nicegui import run

from .services import files
from .services.errors import AuthExpired, NotFound, PermissionDenied

NOT_FOUND = 'Arquivo não encontrado.'
CHUNK = 256 * 1024


def setup(app) -> None:
    @app.get('/arquivos/baixar/{file_id}')
    async def download_file(file_id: str, request: Request) -> Response:
        from .pages.common import session_actor
        from .web import login_url, request_ip
        actor = session_actor(request_ip(request))
        if actor is None:
            return RedirectResponse(login_url(request.url.path), status_code=303)
        try:
            found = await run.io_bound(files.download, actor, file_id, request_ip(request))
        except AuthExpired:
            return RedirectResponse('/login', status_code=303)
        except (NotFound, PermissionDenied):
            return PlainTextResponse(NOT_FOUND, status_code=404, headers={'Cache-Control': 'no-store'})
        return response_for(found)

    @app.get('/pedidos-documentos/{request_id}/arquivos/{file_id}')
    async def download_docrequest_file(request_id: str, file_id: str, request: Request) -> Response:
        """A document request's template or answer file (staff with Pedidos de documentos, or a login of its
        client; 404 for any other pairing of ids)."""
        from .pages.common import session_actor
        from .services import docrequests
        from .web import login_url, request_ip
        actor = session_actor(request_ip(request))
        if actor is None:
            return RedirectResponse(login_url(request.url.path), status_code=303)
        try:
            found = await run.io_bound(docrequests.download, actor, request_id, file_id)
        except AuthExpired:
            return RedirectResponse('/login', status_code=303)
        except (NotFound, PermissionDenied):
            return PlainTextResponse(NOT_FOUND, status_code=404, headers={'Cache-Control': 'no-store'})
        return response_for(found)

    @app.get('/protocolos/{protocol_id}/documentos/{file_id}')
    async def download_protocol_file(protocol_id: str, file_id: str, request: Request) -> Response:
        """A document of a protocol (staff with Protocolos, or a login of its client, whose download records
        "Visualizado")."""
        from .services import protocols
        return await _serve(request,
                            lambda actor, ip: response_for(protocols.download(actor, protocol_id, file_id, ip)))

    @app.get('/protocolos/{protocol_id}/recibo.pdf')
    async def protocol_receipt(protocol_id: str, request: Request) -> Response:
        """The printable receipt of a protocol (drawn off the event loop; records nothing)."""
        from .services import protocols

        def receipt(actor, _ip) -> Response:
            name, data = protocols.receipt_pdf(actor, protocol_id)
            return Response(data, media_type='application/pdf', headers={
                'Content-Disposition': content_disposition(name), 'X-Content-Type-Options': 'nosniff',
                'Cache-Control': 'private, no-store', 'Content-Security-Policy': "default-src 'none'; sandbox"})
        return await _serve(request, receipt)


async def _serve(request: Request, respond: Callable) -> Response:
    """The login of this browser (or a redirect to /login), then `respond(actor, ip)` in a worker thread; 404 for
    anything that is not the actor's."""
    from .pages.common import session_actor
    from .web import login_url, request_ip
    actor = session_actor(request_ip(request))
    if actor is None:
        return RedirectResponse(login_url(request.url.path), status_code=303)
    try:
        return await run.io_bound(respond, actor, request_ip(request))
    except AuthExpired:
        return RedirectResponse('/login', status_code=303)
    except (NotFound, PermissionDenied):
        return PlainTextResponse(NOT_FOUND, status_code=404, headers={'Cache-Control': 'no-store'})


def response_for(found: files.Download) -> Response:
    headers = {'Content-Disposition': content_disposition(found.name), 'X-Content-Type-Options': 'nosniff',
               'Cache-Control': 'private, no-store', 'Content-Security-Policy': "default-src 'none'; sandbox"}
    if found.path is not None:
        return FileResponse(found.path, media_type=found.mime, headers=headers, content_disposition_type='attachment')
    headers['Content-Length'] = str(found.size)
    return StreamingResponse(_chunks(found.open), media_type=found.mime, headers=headers)


def content_disposition(name: str) -> str:
    """attachment; an ASCII fallback name for old clients and the exact UTF-8 one (filename*, RFC 5987)."""
    fallback = ''.join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else '_' for ch in name) or 'arquivo'
    return f'attachment; filename="{fallback}"; filename*=UTF-8\'\'{quote(name, safe="")}'


def _chunks(opener: Callable[[], BinaryIO]) -> Iterator[bytes]:
    with opener() as f:
        while chunk := f.read(CHUNK):
            yield chunk
