"""The ASGI guard on its own, around a fake app that records what reached it: body caps (by Content-Length at once,
by a running count for chunked bodies), file-only upload bodies, security headers."""
from __future__ import annotations

import pytest

from conton import config, http_guard
from conton.http_guard import GENERAL_LIMIT, MIB, MULTIPART_OVERHEAD, HttpGuard

UPLOAD = '/_nicegui/client/no-such-client/upload/7'
BOUNDARY = 'conton-test-boundary'


@pytest.fixture(autouse=True)
def settings(monkeypatch, tmp_path):
    monkeypatch.setenv('CONTON_DATA_DIR', str(tmp_path))
    monkeypatch.setenv('CONTON_MAX_UPLOAD_MB', '3')
    monkeypatch.setenv('CONTON_BASE_URL', 'http://conton.test')
    config.reset_settings()
    yield
    config.reset_settings()


class FakeApp:
    """Reads the whole body the way Starlette does, then answers 200. Records what it saw."""

    def __init__(self) -> None:
        self.called = False
        self.body = b''

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            self.body += message.get('body', b'')
            if not message.get('more_body'):
                break
        await send({'type': 'http.response.start', 'status': 200,
                    'headers': [(b'content-type', b'text/plain'), (b'x-content-type-options', b'nosniff')]})
        await send({'type': 'http.response.body', 'body': b'ok'})


class Body:
    """An endless (or finite) client body in chunks; counts what was read from it."""

    def __init__(self, chunks: list[bytes] | None = None, chunk: int = 64 * 1024, prefix: bytes = b'') -> None:
        self.chunks, self.chunk, self.read, self.prefix = chunks, chunk, 0, prefix

    async def __call__(self) -> dict:
        if self.chunks is None:
            data, self.prefix = self.prefix + b'x' * self.chunk, b''
            self.read += len(data)
            return {'type': 'http.request', 'body': data, 'more_body': True}
        data = self.chunks.pop(0) if self.chunks else b''
        self.read += len(data)
        return {'type': 'http.request', 'body': data, 'more_body': bool(self.chunks)}


async def call(path: str, receive, headers: dict[str, str], method: str = 'POST') -> tuple[int, dict, str]:
    app = FakeApp()
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {'type': 'http', 'method': method, 'path': path, 'headers': [
        (k.lower().encode(), v.encode()) for k, v in {'host': 'conton.test', **headers}.items()]}
    await HttpGuard(app)(scope, receive, send)
    start = next(m for m in sent if m['type'] == 'http.response.start')
    body = b''.join(m.get('body', b'') for m in sent if m['type'] == 'http.response.body').decode()
    call.app = app
    return start['status'], {k.decode(): v.decode() for k, v in start['headers']}, body


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b''
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else '')
        kind = '\r\nContent-Type: application/octet-stream' if filename is not None else ''
        out += f'--{BOUNDARY}\r\nContent-Disposition: {disposition}{kind}\r\n\r\n'.encode() + data + b'\r\n'
    return out + f'--{BOUNDARY}--\r\n'.encode()


MULTIPART = {'content-type': f'multipart/form-data; boundary={BOUNDARY}'}


async def test_oversize_upload_by_content_length_is_refused_before_the_app_runs() -> None:
    body = Body()
    limit = 3 * MIB + MULTIPART_OVERHEAD  # no such upload element: CONTON_MAX_UPLOAD_MB
    status, headers, text = await call(UPLOAD, body, {**MULTIPART, 'content-length': str(limit + 1)})
    assert status == 413
    assert text == 'Arquivo grande demais: o envio passa do limite de 3 MB.'
    assert headers['content-type'].startswith('text/plain; charset=utf-8')
    assert not call.app.called and body.read == 0


async def test_chunked_oversize_upload_stops_reading_at_the_limit() -> None:
    body = Body(prefix=multipart(('file', 'big.pdf', b''))[:-len(BOUNDARY) - 8])  # one file part, never ending
    status, _, text = await call(UPLOAD, body, MULTIPART)  # no Content-Length
    limit = 3 * MIB + MULTIPART_OVERHEAD
    assert status == 413 and 'grande demais' in text
    assert limit < body.read <= limit + body.chunk + 1024 < limit + MIB


async def test_upload_up_to_the_limit_reaches_the_app() -> None:
    data = multipart(('file', 'logo.png', b'\x89PNG' + b'x' * (3 * MIB - 10)))
    status, _, _ = await call(UPLOAD, Body([data[i:i + 65536] for i in range(0, len(data), 65536)]), MULTIPART)
    assert status == 200 and call.app.body == data


async def test_a_text_part_in_an_upload_body_is_refused_cleanly() -> None:
    data = multipart(('file', 'logo.png', b'\x89PNG....'), ('name', None, b'um texto'))
    status, _, text = await call(UPLOAD, Body([data]), MULTIPART)
    assert status == 400 and text == 'Envio recusado: este endereço aceita apenas arquivos.'


@pytest.mark.parametrize('content_type', ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])
async def test_an_upload_that_is_not_multipart_with_a_boundary_is_refused(content_type: str) -> None:
    status, _, text = await call(UPLOAD, Body([b'name=x']), {'content-type': content_type})
    assert status == 400 and text == 'Envio recusado: formato de envio inválido.'
    assert not call.app.called


async def test_other_bodies_get_the_small_general_cap() -> None:
    status, _, text = await call('/sair', Body(), {'content-length': str(GENERAL_LIMIT + 1)})
    assert status == 413 and text == 'Envio grande demais.' and not call.app.called
    status, _, _ = await call('/_nicegui_ws/socket.io/', Body(), {})  # chunked, endless
    assert status == 413
    status, _, _ = await call('/sair', Body([b'a' * 1000]), {'content-length': '1000'})
    assert status == 200 and call.app.body == b'a' * 1000


@pytest.mark.parametrize('length', ['-1', '1e9', 'abc', '9' * 40])
async def test_a_bad_content_length_is_refused(length: str) -> None:
    status, _, _ = await call('/sair', Body([b'']), {'content-length': length})
    assert status == 400 and not call.app.called


async def test_security_headers_on_every_response_and_hsts_only_with_https(monkeypatch) -> None:
    status, headers, _ = await call('/login', Body([b'']), {}, method='GET')
    assert status == 200
    assert headers['x-frame-options'] == 'DENY'
    assert "frame-ancestors 'none'" in headers['content-security-policy']
    assert "object-src 'none'" in headers['content-security-policy']
    assert 'ws://conton.test' in headers['content-security-policy']
    assert headers['referrer-policy'] == 'same-origin'
    assert headers['x-content-type-options'] == 'nosniff'
    assert 'strict-transport-security' not in headers
    status, headers, _ = await call(UPLOAD, Body(), {**MULTIPART, 'content-length': str(100 * MIB)})
    assert status == 413 and headers['x-frame-options'] == 'DENY'  # refusals too
    monkeypatch.setenv('CONTON_BASE_URL', 'https://portal.conton.test')
    config.reset_settings()
    _, headers, _ = await call('/login', Body([b'']), {}, method='GET')
    assert headers['strict-transport-security'] == 'max-age=31536000'
    assert 'ws://' not in headers['content-security-policy']
    assert http_guard.session_cookie_options() == {'https_only': True}


async def test_a_header_the_app_set_is_not_repeated() -> None:
    _, _, _ = await call('/login', Body([b'']), {}, method='GET')
    # FakeApp sets its own nosniff: the guard must not add a second one
    app = FakeApp()
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)
    await HttpGuard(app)({'type': 'http', 'method': 'GET', 'path': '/', 'headers': []}, Body([b'']), send)
    names = [k for k, _ in sent[0]['headers']]
    assert names.count(b'x-content-type-options') == 1


async def test_websocket_and_lifespan_pass_through_untouched() -> None:
    seen = []

    async def app(scope, receive, send) -> None:
        seen.append(scope['type'])
    for kind in ('websocket', 'lifespan'):
        await HttpGuard(app)({'type': kind}, None, None)
    assert seen == ['websocket', 'lifespan']
