"""http_guard.Compression (main.py's gzip_middleware_factory): pages and other responses are gzipped as before, a
download (Content-Disposition: attachment) streams as it is, with its Content-Length."""
from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route

from conton.http_guard import Compression

PAGE = '<p>' + 'Padaria Pão Quente ' * 500 + '</p>'
DOCUMENT = b'%PDF-1.4\n' + b'x' * 300_000 + b'\n%%EOF\n'


async def page(_request) -> HTMLResponse:
    return HTMLResponse(PAGE)


async def document(_request) -> StreamingResponse:
    def chunks():
        for start in range(0, len(DOCUMENT), 65536):
            yield DOCUMENT[start:start + 65536]
    return StreamingResponse(chunks(), media_type='application/pdf', headers={
        'Content-Disposition': 'attachment; filename="guia.pdf"', 'Content-Length': str(len(DOCUMENT))})


async def fetch(path: str) -> httpx.Response:
    app = Compression(Starlette(routes=[Route('/page', page), Route('/doc', document)]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://test') as client:
        return await client.get(path, headers={'Accept-Encoding': 'gzip'})


async def test_pages_are_still_compressed() -> None:
    response = await fetch('/page')
    assert response.headers['content-encoding'] == 'gzip'
    assert response.text == PAGE
    assert int(response.headers['content-length']) < len(PAGE.encode()) // 10


async def test_an_attachment_streams_as_it_is_with_its_length() -> None:
    response = await fetch('/doc')
    assert 'content-encoding' not in response.headers
    assert response.headers['content-length'] == str(len(DOCUMENT))
    assert response.content == DOCUMENT
