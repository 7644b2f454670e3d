"""Files on disk: uploads are streamed to a temporary file in the data folder while counting bytes and hashing,
refused past the limit or when their content is not an accepted type, fsynced, then renamed to a name the server
chooses. They are served only by pages that check the actor's right to them (never a static route)."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from nicegui import run

from ..clock import now
from ..config import get_settings
from .errors import ValidationError
from .filetypes import clean_name

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
