"""Files on disk: uploads are streamed to a temporary file in the data folder while counting bytes and hashing,
refused past the limit or when their content is not an accepted type, fsynced, then renamed to a name the server
chooses. They are served only by pages that check the actor's right to them (never a static route)."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from nicegui import run

from ..clock import now
from ..config import get_settings
from .errors import ValidationError
from . import filetypes
from .filetypes import FileType, clean_name

MIME_LABELS = {'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP', 'application/pdf': 'PDF'}
EXTENSIONS = {'image/png': '.png', 'image/jpeg': '.jpg', 'image/webp': '.webp', 'application/pdf': '.pdf'}
IMAGES = frozenset({'image/png', 'image/jpeg', 'image/webp'})
IMAGES_AND_PDF = IMAGES | {'application/pdf'}


@dataclass(frozen=True)
class Stored:
    folder: str
    name: str  # server-chosen file name inside the folder
    mime: str
    size: int
    sha256: str
    original_name: str

    @property
    def path(self) -> Path:
        return folder_path(self.folder) / self.name


def folder_path(folder: str) -> Path:
    if not re.fullmatch(r'[a-z0-9_-]+', folder):
        raise ValueError(f'bad folder {folder!r}')
    path = get_settings().data_dir / 'files' / folder
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(head: bytes) -> str | None:
    """The type of a file by its first bytes (never by its name or the browser's word)."""
    if head.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'image/png'
    if head.startswith(b'\xff\xd8\xff'):
        return 'image/jpeg'
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return 'image/webp'
    if head.startswith(b'%PDF-'):
        return 'application/pdf'
    return None


def safe_display_name(name: object, default: str = 'arquivo') -> str:
    """A file name fit to show and to offer in Content-Disposition: no path, no control or format characters (a
    right-to-left override turns 'exe.pdf' around on screen), no line or paragraph separators (filetypes.clean_name)."""
    return clean_name(name, default)


def limit_label(max_bytes: int) -> str:
    return f'{max_bytes / (1024 * 1024):.0f} MB'.replace('.', ',')


async def save_stream(chunks: AsyncIterator[bytes], *, original_name: str, folder: str, max_bytes: int,
                      allowed: frozenset[str], declared_size: int | None = None) -> Stored:
    """Store an upload; raise ValidationError (field 'file') when it is too large or of a refused type."""
    labels = [MIME_LABELS[m] for m in sorted(allowed)]
    kinds = ', '.join(labels[:-1]) + f' ou {labels[-1]}' if len(labels) > 1 else labels[0]
    if declared_size is not None and declared_size > max_bytes:
        raise ValidationError(f'Arquivo grande demais: o limite é {limit_label(max_bytes)}.', 'file')
    target_dir = folder_path(folder)
    tmp = target_dir / f'.upload-{secrets.token_hex(8)}'
    digest, size, mime = hashlib.sha256(), 0, None
    try:
        with open(tmp, 'wb') as out:
            async for chunk in chunks:
                if mime is None:
                    mime = sniff(chunk[:16])
                    if mime not in allowed:
                        raise ValidationError(f'Tipo de arquivo não aceito. Envie {kinds}.', 'file')
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationError(f'Arquivo grande demais: o limite é {limit_label(max_bytes)}.', 'file')
                digest.update(chunk)
                await run.io_bound(out.write, chunk)
            if size == 0:
                raise ValidationError('O arquivo está vazio.', 'file')
            out.flush()
            await run.io_bound(os.fsync, out.fileno())
        name = f'{secrets.token_hex(16)}{EXTENSIONS[mime]}'
        os.replace(tmp, target_dir / name)
    finally:
        tmp.unlink(missing_ok=True)
    return Stored(folder, name, mime, size, digest.hexdigest(), safe_display_name(original_name))


async def save_upload(file, *, folder: str, max_bytes: int, allowed: frozenset[str]) -> Stored:
    """Store a NiceGUI upload (`e.file` of ui.upload's on_upload)."""
    return await save_stream(file.iterate(), original_name=file.name, folder=folder, max_bytes=max_bytes,
                             allowed=allowed, declared_size=file.size())


async def save_bytes(data: bytes, *, original_name: str, folder: str, max_bytes: int,
                     allowed: frozenset[str]) -> Stored:
    async def one() -> AsyncIterator[bytes]:
        yield data
    return await save_stream(one(), original_name=original_name, folder=folder, max_bytes=max_bytes, allowed=allowed)


def remove(folder: str, name: str) -> None:
    """Move a stored file to the trash (data_dir/trash/<folder>/<name>); purge_trash deletes it TRASH_DAYS later.
    Until then a backup whose database snapshot still refers to it finds it there."""
    if not name or '/' in name or name.startswith('.'):
        return
    source = folder_path(folder) / name
    try:
        os.utime(source)  # the grace period counts from the deletion (the purge reads the modification time)
        os.replace(source, trash_path(folder, create=True) / name)
    except FileNotFoundError:
        pass


TRASH_DAYS = 30


def trash_path(folder: str, *, create: bool = False) -> Path:
    if not re.fullmatch(r'[a-z0-9_-]+', folder):
        raise ValueError(f'bad folder {folder!r}')
    path = get_settings().data_dir / 'trash' / folder
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def purge_trash(days: int = TRASH_DAYS) -> int:
    """Delete the files that went to the trash more than `days` days ago; returns how many."""
    cutoff = now().timestamp() - days * 86400
    root, purged = get_settings().data_dir / 'trash', 0
    for path in (root.glob('*/*') if root.exists() else ()):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                purged += 1
        except FileNotFoundError:
            pass
    return purged


def read(folder: str, name: str) -> bytes:
    if not name or '/' in name or name.startswith('.'):
        raise FileNotFoundError(name)
    return (folder_path(folder) / name).read_bytes()


# --------------------------------------------------------------------------------------------------------------------
# The backend behind the tools' documents (Arquivos, Protocolos): received in two steps so that a batch can be checked
# (type, size, quota) before anything becomes a stored file, then committed: fsync, rename, and only then the row.
# --------------------------------------------------------------------------------------------------------------------

TEMP_PREFIX = '.upload-'
CHUNK = 1024 * 1024


class Backend(Protocol):
    """Where stored files live, keyed by (folder, name): folder `[a-z0-9_-]+`, name chosen by the server. An upload is
    always streamed to a local temporary file first (hashing, type check by content); `put` makes that fsynced file
    the stored one. A local disk renames it; an S3-compatible backend would upload it and delete it (and answer
    `local_path` with None, so the download route streams `open`)."""

    def temp_dir(self, folder: str) -> Path: ...
    def put(self, tmp: Path, folder: str, name: str) -> None: ...
    def link(self, folder: str, source: str, name: str) -> None: ...
    def open(self, folder: str, name: str) -> BinaryIO: ...
    def local_path(self, folder: str, name: str) -> Path | None: ...
    def size(self, folder: str, name: str) -> int | None: ...
    def trash(self, folder: str, name: str) -> None: ...
    def delete(self, folder: str, name: str) -> None: ...
    def names(self, folder: str) -> Iterator[str]: ...
    def temps(self, folder: str) -> Iterator[tuple[str, float]]: ...


class LocalDisk:
    """data_dir/files/<folder>/<name>; temporary files beside them (`.upload-…`, same file system: the rename is
    atomic); the trash is storage.remove's (purged after TRASH_DAYS)."""

    def temp_dir(self, folder: str) -> Path:
        return folder_path(folder)

    def put(self, tmp: Path, folder: str, name: str) -> None:
        target = folder_path(folder)
        os.replace(tmp, target / _checked(name))
        _fsync_dir(target)

    def link(self, folder: str, source: str, name: str) -> None:
        base = folder_path(folder)
        try:
            os.link(base / _checked(source), base / _checked(name))
        except OSError:
            shutil.copyfile(base / source, base / name)
        _fsync_dir(base)

    def open(self, folder: str, name: str) -> BinaryIO:
        return open(folder_path(folder) / _checked(name), 'rb')

    def local_path(self, folder: str, name: str) -> Path | None:
        return folder_path(folder) / _checked(name)

    def size(self, folder: str, name: str) -> int | None:
        try:
            return (folder_path(folder) / _checked(name)).stat().st_size
        except (FileNotFoundError, ValueError):
            return None

    def trash(self, folder: str, name: str) -> None:
        remove(folder, name)

    def delete(self, folder: str, name: str) -> None:
        (folder_path(folder) / _checked(name)).unlink(missing_ok=True)

    def names(self, folder: str) -> Iterator[str]:
        with os.scandir(folder_path(folder)) as entries:
            for entry in entries:
                if not entry.name.startswith('.') and entry.is_file(follow_symlinks=False):
                    yield entry.name

    def temps(self, folder: str) -> Iterator[tuple[str, float]]:
        with os.scandir(folder_path(folder)) as entries:
            for entry in entries:
                if entry.name.startswith(TEMP_PREFIX):
                    try:
                        yield entry.name, entry.stat(follow_symlinks=False).st_mtime
                    except FileNotFoundError:
                        pass


_backend: dict[str, Backend] = {}


def backend() -> Backend:
    """The configured backend (only the local disk today)."""
    if 'current' not in _backend:
        _backend['current'] = LocalDisk()
    return _backend['current']


def set_backend(value: Backend | None) -> None:
    """Install another backend (None: back to the default)."""
    _backend.pop('current', None)
    if value is not None:
        _backend['current'] = value


@dataclass
class Received:
    """An upload streamed to a temporary file, hashed and identified by content; not yet a stored file. `commit`
    makes it one (once), `discard` drops it."""
    folder: str
    tmp: Path
    size: int
    sha256: str
    filetype: FileType
    original_name: str
    stored_name: str = ''
    copies: list[str] = field(default_factory=list)

    @property
    def mime(self) -> str:
        return self.filetype.mime

    def commit(self) -> str:
        """fsync was done on receipt; rename it to a name the server chooses. Returns that name."""
        if not self.stored_name:
            name = f'{secrets.token_hex(16)}{self.filetype.extension}'
            backend().put(self.tmp, self.folder, name)
            self.stored_name = name
        return self.stored_name

    def copy(self) -> str:
        """Another stored file with the same content (a hard link on the local disk), after `commit`."""
        name = f'{secrets.token_hex(16)}{self.filetype.extension}'
        backend().link(self.folder, self.commit(), name)
        self.copies.append(name)
        return name

    def discard(self) -> None:
        """Drop it: the temporary file, or the stored files when no row came to refer to them."""
        self.tmp.unlink(missing_ok=True)
        for name in [self.stored_name, *self.copies] if self.stored_name else []:
            backend().delete(self.folder, name)


def too_large_message(max_bytes: int) -> str:
    return f'Arquivo grande demais: o limite é {limit_label(max_bytes)} por arquivo.'


async def receive(chunks: AsyncIterator[bytes], *, original_name: object, folder: str, max_bytes: int,
                  declared_size: int | None = None) -> Received:
    """Stream an upload into a temporary file in the data folder while counting and hashing, refuse it past
    `max_bytes` (as soon as the count passes it), when empty or when its content is not an accepted type
    (filetypes.identify), fsync it. Raises ValidationError (field 'file'); nothing is left behind then."""
    if declared_size is not None and declared_size > max_bytes:
        raise ValidationError(too_large_message(max_bytes), 'file')
    receiver = Receiver(original_name, folder=folder, max_bytes=max_bytes)  # the pieces pushed to it, one by one
    try:
        async for chunk in chunks:
            await run.io_bound(receiver.write, chunk)
            if receiver.refusal is not None:
                break
        else:
            await run.io_bound(receiver.finish)
    except BaseException:
        receiver.abort()
        raise
    if receiver.refusal is not None:
        raise receiver.refusal
    return receiver.received


async def receive_upload(file, *, folder: str, max_bytes: int) -> Received:
    """`receive` for a NiceGUI upload (`e.file`: name, size(), iterate()). An upload the streaming route already
    received into this folder (`file.received`, see Receiver) is not copied again: its refusal, if any, is raised,
    and its size checked against `max_bytes`."""
    done = getattr(file, 'received', None)
    if isinstance(done, Received) or getattr(file, 'refusal', None) is not None:
        return await run.io_bound(file.take, folder, max_bytes)
    return await receive(file.iterate(), original_name=file.name, folder=folder, max_bytes=max_bytes,
                         declared_size=file.size())


class Receiver:
    """One upload streamed into a temporary file in the data folder as its bytes arrive (the route that reads the
    request body calls `write` with pieces of about a megabyte, from a worker thread): counted and hashed in the same
    pass, refused as soon as it passes `max_bytes`; `finish` refuses an empty file, fsyncs and identifies the content
    (filetypes.identify). A refusal is kept (`refusal`, a ValidationError with field 'file') and the temporary file
    deleted at once; `abort` deletes it too. Nothing is left behind but a Received, whose owner commits or discards it."""

    def __init__(self, original_name: object, *, folder: str, max_bytes: int) -> None:
        self.folder, self.max_bytes = folder, max_bytes
        self.original_name = clean_name(original_name)
        self.tmp = backend().temp_dir(folder) / f'{TEMP_PREFIX}{secrets.token_hex(8)}'
        self.digest, self.size = hashlib.sha256(), 0
        self.refusal: ValidationError | None = None
        self.received: Received | None = None
        self._out: BinaryIO | None = open(self.tmp, 'wb')

    def write(self, data: bytes) -> None:
        self.store(data)
        self.hash(data)

    def store(self, data: bytes) -> None:
        """Count and write a piece (`hash` it too, in order: the two may run at once in two threads)."""
        if self._out is None:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            self._refuse(ValidationError(too_large_message(self.max_bytes), 'file'))
            return
        self._out.write(data)

    def hash(self, data: bytes) -> None:
        self.digest.update(data)

    def finish(self) -> None:
        if self._out is None:
            return
        try:
            if self.size == 0:
                raise ValidationError(filetypes.EMPTY, 'file')
            _flush_and_sync(self._out)
            self._out.close()
            self._out = None
            kind = filetypes.identify(self.tmp)
        except ValidationError as e:
            self._refuse(e)
            return
        except BaseException:
            self.abort()
            raise
        self.received = Received(self.folder, self.tmp, self.size, self.digest.hexdigest(), kind, self.original_name)

    def abort(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        if self.received is None or not self.received.stored_name:
            self.tmp.unlink(missing_ok=True)

    def _refuse(self, error: ValidationError) -> None:
        self.refusal = error
        self.abort()


def sha256_of(folder: str, name: str) -> tuple[int, str] | None:
    """Size and SHA-256 of a stored file as it is now (None when missing). Blocking."""
    digest, size = hashlib.sha256(), 0
    try:
        with backend().open(folder, name) as f:
            while chunk := f.read(CHUNK):
                size += len(chunk)
                digest.update(chunk)
    except (FileNotFoundError, ValueError):
        return None
    return size, digest.hexdigest()


def _flush_and_sync(out) -> None:
    out.flush()
    os.fsync(out.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _checked(name: str) -> str:
    if not name or '/' in name or '\\' in name or name.startswith('.'):
        raise ValueError(f'bad stored name {name!r}')
    return name
