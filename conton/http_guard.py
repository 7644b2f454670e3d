"""HTTP hardening in one pure ASGI middleware (it never buffers a body): every request body is capped before anything
is stored (an upload by its element's own limit, any other body by a small general one), upload bodies may hold
files only, and every response gets the security headers. Also the short Portuguese apology page for an unexpected
error in a page (logged with its trace; the exception's text is never shown)."""
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder

from .config import Settings, get_settings

log = logging.getLogger('conton')

Scope = dict
Message = dict
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MIB = 1024 * 1024
UPLOAD_PATH = re.compile(r'/_nicegui/client/([^/]+)/upload/(\d+)')
MULTIPART_OVERHEAD = 64 * 1024  # part headers and boundaries around the file(s) of one upload request
GENERAL_LIMIT = MIB  # any other body: small forms, socket.io's polling transport (its own cap is 1,000,000 bytes)

TOO_LARGE = 'Arquivo grande demais: o envio passa do limite de {limit}.'
BODY_TOO_LARGE = 'Envio grande demais.'
FILES_ONLY = 'Envio recusado: este endereço aceita apenas arquivos.'
BAD_UPLOAD = 'Envio recusado: formato de envio inválido.'
BAD_LENGTH = 'Envio recusado: tamanho declarado inválido.'

# NiceGUI (Vue templates compiled in the browser, Quasar) needs inline scripts and styles and eval; everything it
# loads is served by this app. No frames, plugins or foreign form targets; nobody may frame these pages.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'{ws}; media-src 'self' blob:; "
       "worker-src 'self' blob:; object-src 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HSTS = 'max-age=31536000'


READ_AHEAD = 1024 * 1024  # request body uvicorn may buffer per connection before it stops reading the socket


def install(app) -> None:
    """Add the middleware and the apology page for errors in pages (called from web.setup)."""
    app.add_middleware(HttpGuard)
    app.on_page_exception(apology_page)
    larger_body_chunks()


def larger_body_chunks() -> None:
    """Let uvicorn hand a request body to the app in pieces of up to READ_AHEAD bytes instead of 64 KiB (its
    HIGH_WATER_LIMIT, the buffer past which it pauses reading the socket; one connection buffers at most that much).
    Every piece passes through each BaseHTTPMiddleware of the stack (NiceGUI's and ours), and each of them spends
    a task group on every `receive`: a 200 MB upload in 64 KiB pieces spent more time there than writing and hashing
    it (bench/files.py, py-spy)."""
    for name in ('httptools_impl', 'h11_impl'):
        try:
            module = __import__(f'uvicorn.protocols.http.{name}', fromlist=['HIGH_WATER_LIMIT'])
        except ImportError:  # httptools not installed: uvicorn uses h11
            continue
        if getattr(module, 'HIGH_WATER_LIMIT', READ_AHEAD) < READ_AHEAD:
            module.HIGH_WATER_LIMIT = READ_AHEAD


class _AttachmentAsIs(GZipResponder):
    attachment = False

    async def send_with_compression(self, message: Message) -> None:
        if message['type'] == 'http.response.start':
            disposition = Headers(raw=message.get('headers', [])).get('content-disposition', '')
            self.attachment = disposition.lower().startswith('attachment')
        if self.attachment:
            await self.send(message)
        else:
            await super().send_with_compression(message)


class Compression(GZipMiddleware):
    """The response compression ui.run adds (main.py passes it as `gzip_middleware_factory`; NiceGUI's default is
    Starlette's GZipMiddleware), except for attachments: a stored document streamed by a download route
    (Content-Disposition: attachment) goes as it is, with its Content-Length (the browser shows the download's
    progress) and without being compressed at level 9 on the fly (bench/files.py: a 200 MB PDF went gzipped at
    ~20 MB/s, with no Content-Length)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and 'gzip' in Headers(scope=scope).get('Accept-Encoding', ''):
            await _AttachmentAsIs(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                  thread_minimum_size=self.thread_minimum_size,
                                  exclude_content_types=self.exclude_content_types)(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def session_cookie_options(settings: Settings | None = None) -> dict:
    """SessionMiddleware options for ui.run: a Secure cookie when the portal is served over https."""
    return {'https_only': True} if is_https(settings or get_settings()) else {}


def is_https(settings: Settings) -> bool:
    return urlparse(settings.base_url).scheme == 'https'


def apology_page(exception: Exception) -> None:
    """What a page that raised shows instead of NiceGUI's error page (which prints the exception's text). NiceGUI logs
    the error with its trace through app.on_exception."""
    from nicegui import ui

    from .pages.common import APOLOGY
    with ui.column().classes('w-full items-center q-pa-xl gap-3 text-center'):
        ui.icon('error_outline', size='xl', color='grey-6')
        ui.label(APOLOGY).classes('text-h6').mark('apology')
        ui.link('Ir para o início', '/')


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class HttpGuard:
    """Pure ASGI: caps request bodies (413 from Content-Length at once, or from a running count of a chunked body),
    keeps upload requests to file parts (400), and adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        headers = security_headers(settings, _header(scope, b'host'))
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message['type'] == 'http.response.start':
                started = True
                present = {name.lower() for name, _ in message.get('headers', [])}
                message['headers'] = [*message.get('headers', []),
                                      *((name, value) for name, value in headers if name not in present)]
            await send(message)

        upload = UPLOAD_PATH.fullmatch(scope.get('path', '')) if scope.get('method') == 'POST' else None
        limit = upload_limit(upload.group(1), upload.group(2), settings) if upload else GENERAL_LIMIT
        try:
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                raise Refused(413, _too_large(limit, upload is not None))
            parts = FileParts(_header(scope, b'content-type')) if upload else None
        except Refused as refused:  # the app never runs and not one byte of the body is read
            await _refuse(scope, send_with_headers, refused)
            return
        counted, refusal = 0, None

        async def limited_receive() -> Message:
            nonlocal counted, refusal
            message = await receive()
            if message['type'] == 'http.request':
                body = message.get('body', b'')
                counted += len(body)
                try:
                    if counted > limit:
                        raise Refused(413, _too_large(limit, upload is not None))
                    if parts is not None and body:
                        parts.write(body)
                except Refused as refused:
                    refusal = refused
                    raise
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:  # the refusal raised in the app's read, maybe wrapped (BaseHTTPMiddleware's task groups)
            if refusal is None or started:
                raise
        if refusal is not None and not started:
            await _refuse(scope, send_with_headers, refusal)


def upload_limit(client_id: str, element_id: str, settings: Settings) -> int:
    """The body cap of one NiceGUI upload request: its ui.upload's own limit (max_total_size, or max_file_size for
    one file per request), else CONTON_MAX_UPLOAD_MB; plus the multipart overhead."""
    from nicegui import Client, ui
    client = Client.instances.get(client_id)
    element = client.elements.get(int(element_id)) if client is not None else None
    size = None
    if isinstance(element, ui.upload):
        props = element.props
        if props.get('max-total-size'):
            size = props['max-total-size']
        elif props.get('max-file-size'):
            files = props.get('max-files') or 0
            if not props.get('batch'):  # Quasar sends one request per file
                size = props['max-file-size']
            elif files:
                size = props['max-file-size'] * files
    return int(size or settings.max_upload_mb * MIB) + MULTIPART_OVERHEAD


def security_headers(settings: Settings, host: str) -> list[tuple[bytes, bytes]]:
    https = is_https(settings)
    ws = ''
    if re.fullmatch(r'[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?', host or ''):
        ws = f' wss://{host}' if https else f' ws://{host} wss://{host}'
    headers = [(b'x-frame-options', b'DENY'), (b'content-security-policy', CSP.format(ws=ws).encode()),
               (b'referrer-policy', b'same-origin'), (b'x-content-type-options', b'nosniff'),
               (b'cross-origin-opener-policy', b'same-origin'),
               (b'permissions-policy', b'camera=(), microphone=(), geolocation=(), payment=()')]
    if https:
        headers.append((b'strict-transport-security', HSTS.encode()))
    return headers


class FileParts:
    """Follows a multipart body as it streams past and refuses it at the first part that is not a file (a text
    field would reach NiceGUI's upload handler as a str and end in a 500)."""

    def __init__(self, content_type: str) -> None:
        from python_multipart.multipart import MultipartParser, parse_options_header
        self._options = parse_options_header
        kind, params = parse_options_header(content_type)
        if kind != b'multipart/form-data' or not params.get(b'boundary'):
            raise Refused(400, BAD_UPLOAD)
        self._name, self._value, self._disposition = b'', b'', b''
        try:
            self._parser = MultipartParser(params[b'boundary'], {
                'on_header_field': lambda data, start, end: self._add('_name', data[start:end]),
                'on_header_value': lambda data, start, end: self._add('_value', data[start:end]),
                'on_header_end': self._header_end,
                'on_headers_finished': self._headers_finished,
            })
        except Exception as e:  # noqa: BLE001  (a boundary the parser refuses)
            raise Refused(400, BAD_UPLOAD) from e

    def write(self, data: bytes) -> None:
        from python_multipart.exceptions import FormParserError
        try:
            self._parser.write(data)
        except FormParserError as e:
            raise Refused(400, BAD_UPLOAD) from e

    def _add(self, attribute: str, data: bytes) -> None:
        setattr(self, attribute, getattr(self, attribute) + data)

    def _header_end(self) -> None:
        if self._name.strip().lower() == b'content-disposition':
            self._disposition = self._value
        self._name, self._value = b'', b''

    def _headers_finished(self) -> None:
        _, options = self._options(self._disposition)
        self._disposition = b''
        if b'filename' not in options:
            raise Refused(400, FILES_ONLY)


def _too_large(limit: int, upload: bool) -> str:
    if not upload:
        return BODY_TOO_LARGE
    from .services.storage import limit_label
    return TOO_LARGE.format(limit=limit_label(limit - MULTIPART_OVERHEAD))


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get('headers', []):
        if key.lower() == name:
            return value.decode('latin-1')
    return ''


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b'content-length').strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise Refused(400, BAD_LENGTH)
    return int(raw)


async def _refuse(scope: Scope, send: Send, refused: Refused) -> None:
    log.warning('refused %s %s: %s', scope.get('method'), scope.get('path'), refused.message)
    body = refused.message.encode()
    await send({'type': 'http.response.start', 'status': refused.status,
                'headers': [(b'content-type', b'text/plain; charset=utf-8'),
                            (b'content-length', str(len(body)).encode()), (b'connection', b'close')]})
    await send({'type': 'http.response.body', 'body': body})
