"""The upload element of the document tools (Arquivos): a `ui.upload` (Quasar's q-uploader, with each file's progress)
whose route reads the request body as it streams in and writes each file once, counting and hashing on the way,
into a temporary file in the data folder (storage.Receiver) — instead of NiceGUI's route, which has Starlette's form
parser spool the whole body to a temporary file, then copies it to another before the handler runs, which then
streamed it a third time into the store (bench/files.py: a 200 MB upload at 0.17 of a plain copy).

The route keeps the element's URL (/_nicegui/client/<tab>/upload/<element>), so http_guard still caps the body by the
element's own limit and refuses non-file parts before anything is stored. On top it refuses a request that does not
come from a page of this portal (Origin/Referer, as the other POST routes) or whose session is not the login that
opened the page. The handlers then get ReceivedUpload objects: the services' storage.receive_upload takes the file
already received (its refusal, if any, is raised there with the same Portuguese message) instead of copying it again.
A temporary file that no handler took is deleted when its upload object goes away, or at once when the request
fails; the nightly integrity check removes any left by a crash.
"""
from __future__ import annotations

import asyncio
import html
import uuid
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio
from fastapi import Request
from fastapi.responses import PlainTextResponse
from nicegui import app, run, ui
from nicegui.elements.upload_files import FileUpload

from .services import storage
from .services.errors import ValidationError

FLUSH = 1024 * 1024  # bytes handed to the worker thread at once (write + hash)
FOREIGN_SESSION = 'Envio recusado: a sessão mudou. Recarregue a página e envie de novo.'


@dataclass
class ReceivedUpload(FileUpload):
    """A file the streaming route already stored in a temporary file (or refused): `take` hands it to the store."""
    _receiver: storage.Receiver

    def __post_init__(self) -> None:
        self._finalizer = weakref.finalize(self, Path.unlink, self._receiver.tmp, missing_ok=True)

    @property
    def received(self) -> storage.Received | None:
        return self._receiver.received

    @property
    def refusal(self) -> ValidationError | None:
        return self._receiver.refusal

    def take(self, folder: str, max_bytes: int) -> storage.Received:
        """The received file for the store (blocking: it may delete). Raises the refusal, or ValidationError past
        `max_bytes`."""
        if self.refusal is not None:
            raise self.refusal
        received = self.received
        if received is None or received.folder != folder:
            raise ValidationError('Envio incompleto. Envie o arquivo de novo.', 'file')
        if received.size > max_bytes:
            received.discard()
            raise ValidationError(storage.too_large_message(max_bytes), 'file')
        return received

    def size(self) -> int:
        return self._receiver.size

    async def read(self) -> bytes:
        async with await anyio.open_file(self._receiver.tmp, 'rb') as f:
            return await f.read()

    async def text(self, encoding: str = 'utf-8') -> str:
        return (await self.read()).decode(encoding)

    def iterate(self, *, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        async def generator() -> AsyncIterator[bytes]:
            async with await anyio.open_file(self._receiver.tmp, 'rb') as f:
                while chunk := await f.read(chunk_size):
                    yield chunk
        return generator()

    async def save(self, path: str | Path) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        async with await anyio.open_file(target, 'wb') as f:
            async for chunk in self.iterate():
                await f.write(chunk)


def _size_js(x: str) -> str:
    """A Vue expression giving the bytes `x` as files.size_label does ('1,5 MB', '820 KB', '12 bytes')."""
    def scaled(factor: int, unit: str) -> str:
        return f"({x} / {factor}).toFixed(1).replace('.', ',').replace(/,0$/, '') + ' {unit}'"
    return (f"({x} < 1024 ? {x} + ' bytes' : {x} < 1048576 ? {scaled(1024, 'KB')} : "
            f"{x} < 1073741824 ? {scaled(1048576, 'MB')} : {scaled(1073741824, 'GB')})")


def _percent_js(x: str) -> str:
    return f"Math.floor({x} * 100) + '%'"


_FILE_LIST = (
    '<div v-for="file in props.files" :key="file.__key" class="q-uploader__file relative-position" '
    ':class="{\'q-uploader__file--failed\': file.__status === \'failed\', '
    '\'q-uploader__file--uploaded\': file.__status === \'uploaded\'}">'
    '<div class="q-uploader__file-header row flex-center no-wrap">'
    '<q-icon v-if="file.__status === \'failed\'" class="q-uploader__file-status" name="warning" color="negative">'
    '</q-icon>'
    '<div class="q-uploader__file-header-content col">'
    '<div class="q-uploader__title">{{ file.name }}</div>'
    '<div class="q-uploader__subtitle row items-center no-wrap">'
    f'{{{{ {_size_js("file.size")} }}}} · '
    "{{ file.__status === 'failed' ? 'não enviado' : " + _percent_js('file.__progress') + ' }}</div>'
    '</div>'
    '<q-circular-progress v-if="file.__status === \'uploading\'" :value="file.__progress" :min="0" :max="1" '
    ':indeterminate="file.__progress === 0"></q-circular-progress>'
    '<q-btn v-else round dense flat :icon="file.__status === \'uploaded\' ? \'done\' : \'clear\'" '
    ':aria-label="file.__status === \'uploaded\' ? \'Tirar da lista\' : \'Remover\'" '
    '@click="props.removeFile(file)"></q-btn>'
    '</div></div>')


_TOTAL = 'props.files.reduce((sum, file) => sum + file.size, 0)'  # Quasar's uploadSize (not in the slot's scope)


def _header(label: str) -> str:
    return (
        '<div class="q-uploader__header-content column"><div class="flex flex-center no-wrap q-gutter-xs">'
        '<q-btn v-if="props.queuedFiles.length" type="a" icon="clear_all" flat dense aria-label="Limpar a fila" '
        '@click="props.removeQueuedFiles"></q-btn>'
        '<q-btn v-if="props.uploadedFiles.length" type="a" icon="done_all" flat dense aria-label="Limpar os enviados" '
        '@click="props.removeUploadedFiles"></q-btn>'
        '<div class="col column justify-center">'
        + (f'<div class="q-uploader__title">{html.escape(label)}</div>' if label else '') +
        '<div class="q-uploader__subtitle">'
        "{{ props.files.length === 0 ? 'Nenhum arquivo escolhido' : "
        f"{_size_js('props.uploadedSize')} + ' de ' + {_size_js(_TOTAL)} + ' · ' + "
        "Math.floor(parseFloat(props.uploadProgressLabel)) + '%' }}</div>"
        '</div>'
        '<q-btn v-if="props.canAddFiles" type="a" icon="add_box" flat dense aria-label="Escolher arquivos" '
        '@click="props.pickFiles"><q-uploader-add-trigger></q-uploader-add-trigger></q-btn>'
        '<q-btn v-if="props.isUploading" type="a" icon="clear" flat dense aria-label="Cancelar o envio" '
        '@click="props.abort"></q-btn>'
        '</div></div>')


def in_portuguese(upload: ui.upload) -> ui.upload:
    """Quasar's uploader writes sizes and progress the English way ('1.5MB / 42.00%'); this gives it the same header
    and file list with the portal's numbers ('1,5 MB de 3 MB · 42%'). For auto-uploading elements (no upload
    button)."""
    upload.add_slot('header', _header(str(upload.props.get('label') or '')))
    upload.add_slot('list', _FILE_LIST)
    return upload


def file_upload(**kwargs) -> ui.upload:
    """ui.upload for every upload of the portal that NiceGUI's own route receives (small files: a logo, a bill's
    attachment...), speaking Portuguese (in_portuguese)."""
    return in_portuguese(ui.upload(**kwargs))


class StreamingUpload(ui.upload):
    """ui.upload whose files go straight to `folder`'s temporary files (at most `max_bytes` each), for the login
    `owner` only."""

    def __init__(self, *, folder: str, max_bytes: int, owner: uuid.UUID, **kwargs) -> None:
        super().__init__(**kwargs)
        self._folder, self._max_bytes, self._owner = folder, max_bytes, owner
        app.remove_route(self._registered_url)  # NiceGUI's own (form parser + temporary copy)
        app.post(self._registered_url, include_in_schema=False)(self._route)
        in_portuguese(self)

    async def _route(self, request: Request):
        from .pages.common import session_actor
        from .web import FOREIGN, request_ip, same_origin
        if self.is_ignoring_events:
            return PlainTextResponse('Envio desativado.', status_code=403)
        if not same_origin(request):
            return PlainTextResponse(FOREIGN, status_code=403)
        actor = session_actor(request_ip(request))
        if actor is None or actor.user_id != self._owner:
            return PlainTextResponse(FOREIGN_SESSION, status_code=403)
        for handler in self._begin_upload_handlers:
            from nicegui.events import UiEventArguments, handle_event
            handle_event(handler, UiEventArguments(sender=self, client=self.client))
        try:
            uploads = await receive_parts(request, folder=self._folder, max_bytes=self._max_bytes)
        except ValidationError as e:
            return PlainTextResponse(e.errors.get('file', str(e)), status_code=400)
        await self.handle_uploads(uploads)
        return {'upload': 'success'}


@dataclass
class _Part:
    name: str
    content_type: str
    receiver: storage.Receiver
    pending: list[bytes]
    waiting: int = 0
    ended: bool = False
    finished: bool = False


async def receive_parts(request: Request, *, folder: str, max_bytes: int) -> list[ReceivedUpload]:
    """Every file part of a multipart body, each written once into a temporary file of `folder` as it streams in
    (the writes and hashing in a worker thread, one megabyte at a time, while the next bytes arrive). On any failure
    (the guard's 413, a malformed body, the browser leaving) every temporary file is deleted and the error raised."""
    from python_multipart.multipart import MultipartParser, parse_options_header
    kind, params = parse_options_header(request.headers.get('content-type', ''))
    if kind != b'multipart/form-data' or not params.get(b'boundary'):
        raise ValidationError('Envio recusado: formato de envio inválido.', 'file')
    parts: list[_Part] = []
    header: dict[str, bytes] = {}
    field, value = [b''], [b'']

    def header_end() -> None:
        header[field[0].decode('latin-1').strip().lower()] = value[0]
        field[0], value[0] = b'', b''

    def headers_finished() -> None:
        _, options = parse_options_header(header.get('content-disposition', b''))
        raw = options.get(b'filename', b'')
        name = raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else str(raw)
        content_type = header.get('content-type', b'').decode('latin-1')
        header.clear()
        parts.append(_Part(name, content_type, storage.Receiver(name, folder=folder, max_bytes=max_bytes), []))

    def data(chunk: bytes, start: int, end: int) -> None:
        if parts and end > start:
            part = parts[-1]
            part.pending.append(chunk[start:end])
            part.waiting += end - start

    def part_end() -> None:
        if parts:
            parts[-1].ended = True

    parser = MultipartParser(params[b'boundary'], {
        'on_header_field': lambda d, s, e: field.__setitem__(0, field[0] + d[s:e]),
        'on_header_value': lambda d, s, e: value.__setitem__(0, value[0] + d[s:e]),
        'on_header_end': header_end, 'on_headers_finished': headers_finished,
        'on_part_data': data, 'on_part_end': part_end})
    writing: asyncio.Future | None = None  # the last piece's write and hash (two threads), while the next arrives

    async def hand_over(part: _Part) -> None:
        nonlocal writing
        piece = b''.join(part.pending)
        part.pending, part.waiting = [], 0
        if writing is not None:
            await writing
        writing = asyncio.gather(run.io_bound(part.receiver.store, piece), run.io_bound(part.receiver.hash, piece))

    try:
        async for chunk in request.stream():
            if not chunk:
                continue
            parser.write(chunk)
            for part in parts:
                if part.finished:
                    continue
                if part.waiting >= FLUSH or (part.ended and part.waiting):
                    await hand_over(part)
                if part.ended:
                    if writing is not None:
                        await writing
                        writing = None
                    await run.io_bound(part.receiver.finish)
                    part.finished = True
        parser.finalize()
        if not parts or not all(p.finished for p in parts):
            raise ValidationError('Envio incompleto. Envie o arquivo de novo.', 'file')
    except BaseException:
        if writing is not None:
            try:
                await writing
            except BaseException:  # noqa: BLE001  (the first error is the one raised)
                pass
        for part in parts:
            part.receiver.abort()
        raise
    return [ReceivedUpload(p.name, p.content_type, p.receiver) for p in parts]
