"""Issue 10 §4 benchmark: Arquivos through the real server.

    python -m bench files            (or: python -m bench.files [size_mb] [files])

(a) a `size_mb` (200) MB upload as a logged-in client, a multipart POST to the upload element's own route on
    /portal/arquivos (the route the browser posts to: /_nicegui/client/<tab>/upload/<element>, with a websocket
    holding the tab open; conton/uploads.py streams it into the store, written and hashed once), until the file's
    row is written: the server's RSS growth (peak, VmHWM after clear_refs,
    minus before) and the throughput, next to a plain copy (copy + fsync) of a file of the same size on the same
    disk; then an oversize upload, chunked with no Content-Length so that only the middleware's running count can
    stop it, past the element's limit: the answer, and the most bytes the server held for it at any moment on disk
    (its open files in the data folder, deleted temporaries included, and the folders' files, polled every ~2 ms)
    over the limit; and the same with Content-Length declared (refused before a byte is read).
(b) the same file downloaded through the streaming route /arquivos/baixar/<id>: RSS growth and throughput.
(c) the nightly integrity check (files.integrity_check: every row against its file's size and SHA-256, orphans)
    over `files` (50,000) small files.
(d) a folder of `files` files listed, first page and a name search, by the client (/portal/arquivos?pasta=) and by
    the office (/arquivos), interleaved with the bare NiceGUI page of the same server, with SQL statements per
    render (CONTON_BENCH's X-Conton-Queries header); plus the service call (files.search) alone in this process.

Targets (issue 10): (a) RSS growth < 50 MB, throughput >= 1/2 of the plain copy, oversize refused before 1 MB past
the limit is stored; (b) RSS growth < 20 MB; (c) < 60 s; (d) <= 2x the bare page, <= 10 SQL statements.
"""
from __future__ import annotations

import hashlib
import os
import re
import select
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from . import harness, seed

MIB = 1024 * 1024


def n_(value: int) -> str:
    """A count as people here write it: 50.000."""
    return f'{value:,}'.replace(',', '.')
CLIENT_LOGIN = 'cliente@bench.conton'
FOLDER_PATH = 'Fiscal/2026-10'
BOUNDARY = 'conton-bench-boundary'
CHUNK = MIB


def run(size_mb: int = 200, count: int = 50_000, runs: int = 20) -> str:
    data = Path(tempfile.mkdtemp(prefix='conton-bench-files-'))
    limit_mb = size_mb + 8  # the per-file limit: the big upload fits, the oversize one is sent past it
    env = {'CONTON_DATA_DIR': str(data), 'CONTON_FILE_MAX_MB': str(limit_mb), 'CONTON_CLIENT_QUOTA_MB': '0'}
    os.environ.update(env)
    os.environ.pop('CONTON_DATABASE_URL', None)
    from conton import config, db
    config.reset_settings()
    db.reset_engine()
    db.migrate()
    seed.office_and_admin()
    client_id, folder_id = seed_files(count)
    lines = [f'Arquivos benchmark (issue 10): SQLite, data folder {data} (same disk as the copy), '
             f'{n_(count)} files in one folder; per-file limit {limit_mb} MB']
    lines.append(integrity(count))
    lines.append(copy_baseline(data, size_mb))
    server = harness.Server(data)
    try:
        driver = harness.browser()
        try:
            cookies = harness.login_cookies(driver, server.base, CLIENT_LOGIN, seed.PASSWORD)
            driver.delete_all_cookies()
            staff = harness.login_cookies(driver, server.base, seed.ADMIN, seed.PASSWORD)
        finally:
            driver.quit()
        up = upload(server, data, cookies, size_mb)
        lines.append(up.text)
        lines.append(oversize(server, data, cookies, limit_mb))
        lines.append(download(server, cookies, up.file_id, size_mb))
        lines.append(listing(server, cookies, staff, client_id, folder_id, count, runs))
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    return '\n'.join(lines)


# --------------------------------------------------------------------------------------------------------------------
# Seeding: `count` small files of one client in one folder, rows and files on disk
# --------------------------------------------------------------------------------------------------------------------

def seed_files(count: int) -> tuple[str, str]:
    from sqlalchemy import insert
    from sqlmodel import select

    from conton import clock
    from conton.db import get_engine
    from conton.models import Client, DocFile, DocFolder, User
    from conton.models.people import fold
    from conton.services import files, passwords, storage
    from conton.services.base import unit
    with unit() as session:
        client = Client(kind='PJ', document=seed.cnpj_of(880_001), name='Padaria Pão Quente Ltda', fee_cents=50000,
                        due_day=10, tax_regime='Simples Nacional', email=CLIENT_LOGIN)
        session.add(client)
        session.flush()
        login = User(email=CLIENT_LOGIN, name='Joaquim da Padaria', role='client', client_id=client.id,
                     password_hash=passwords.hash_password(seed.PASSWORD))
        folder = DocFolder(client_id=client.id, path=FOLDER_PATH, open_for_uploads=True)
        session.add_all([login, folder])
        session.flush()
        client_id, folder_id = client.id, folder.id
        sender = session.exec(select(User.id).where(User.email == seed.ADMIN)).one()
    target = storage.folder_path(files.FOLDER)
    target.mkdir(parents=True, exist_ok=True)
    start = clock.now() - timedelta(days=30)
    rows = []
    for n in range(count):
        body = f'%PDF-1.4\n% bench file {n}\n'.encode() + os.urandom(512 + n % 1024) + b'\n%%EOF\n'
        stored = f'{uuid.uuid4().hex}.pdf'
        (target / stored).write_bytes(body)
        name = f'Guia DAS {n + 1:05d} - {["Janeiro", "Fevereiro", "Março", "Abril"][n % 4]}.pdf'
        rows.append({'id': uuid.uuid4(), 'client_id': client_id, 'folder_id': folder_id, 'original_name': name,
                     'search_name': fold(name)[:120], 'size': len(body), 'mime': 'application/pdf',
                     'type_label': 'PDF', 'sha256': hashlib.sha256(body).hexdigest(), 'stored_name': stored,
                     'sender_id': sender, 'sender_side': 'office', 'note': '', 'competence': '2026-10',
                     'created_at': start + timedelta(seconds=n), 'origin': ''})
    with get_engine().begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(DocFile.__table__), rows[i:i + 5000])
    return str(client_id), str(folder_id)


# --------------------------------------------------------------------------------------------------------------------
# (c) integrity check, and the plain copy the upload is compared with
# --------------------------------------------------------------------------------------------------------------------

def integrity(count: int) -> str:
    from conton.services import files
    t0 = time.perf_counter()
    report = files.integrity_check()
    seconds = time.perf_counter() - t0
    clean = not (report.missing or report.damaged or report.orphans)
    return (f'(c) integrity check: {n_(report.files_checked)} files in {seconds:.1f} s '
            f'({"all match" if clean else "MISMATCHES"}; target < 60 s: {"ok" if seconds < 60 else "MISSED"})')


@dataclass
class Copy:
    mb_s: float = 0.0


COPY = Copy()


def copy_baseline(data: Path, size_mb: int) -> str:
    source, target = data / 'copy-source.bin', data / 'copy-target.bin'
    block = os.urandom(CHUNK)
    with open(source, 'wb') as f:
        for _ in range(size_mb):
            f.write(block)
        f.flush()
        os.fsync(f.fileno())
    samples = []
    for _ in range(3):
        t0 = time.perf_counter()
        with open(source, 'rb') as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst, CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
        samples.append(time.perf_counter() - t0)
        target.unlink()
    source.unlink()
    COPY.mb_s = size_mb / statistics.median(samples)
    return f'plain copy of {size_mb} MB on the same disk (copy + fsync, median of 3): {COPY.mb_s:.0f} MB/s'


# --------------------------------------------------------------------------------------------------------------------
# (a) upload through the real server
# --------------------------------------------------------------------------------------------------------------------

@dataclass
class Uploaded:
    text: str
    file_id: str


class Tab:
    """The portal page opened over HTTP and its websocket connected (so that the page's tab, whose upload element
    receives the POST, stays alive as a browser's would)."""

    def __init__(self, server: harness.Server, cookies: dict, path: str) -> None:
        import asyncio
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        page = httpx.get(server.base + path, cookies=cookies, timeout=60).text
        found = re.search(r'/_nicegui/client/([0-9a-f-]{36})/upload/(\d+)', page)
        if found is None:
            raise RuntimeError(f'no upload element on {path}: {page[:300]!r}')
        self.upload_path = found.group(0)
        next_id = re.search(r'next_message_id["\']?\s*:\s*(\d+)', page)
        query = (f'client_id={found.group(1)}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}'
                 f'&implicit_handshake=true&next_message_id={next_id.group(1) if next_id else 0}')
        cookie = '; '.join(f'{k}={v}' for k, v in cookies.items())

        async def connect():
            import socketio
            self.sio = socketio.AsyncClient(reconnection=False)
            await self.sio.connect(f'{server.base}?{query}', socketio_path='/_nicegui_ws/socket.io',
                                   transports=['websocket'], headers={'Cookie': cookie})
        asyncio.run_coroutine_threadsafe(connect(), self.loop).result(30)

    def close(self) -> None:
        import asyncio
        asyncio.run_coroutine_threadsafe(self.sio.disconnect(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


def pdf_stream(size: int):
    """A valid PDF of exactly `size` bytes (a long comment before its end), in 1 MiB pieces: built as it is sent."""
    head, tail = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%', b'\n%%EOF\n'
    filler = size - len(head) - len(tail)
    yield head
    block = b'x' * CHUNK
    while filler > 0:
        piece = block[:min(CHUNK, filler)]
        filler -= len(piece)
        yield piece
    yield tail


def multipart_parts(size: int, name: str = 'Extrato anual.pdf'):
    yield (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
           f'Content-Type: application/pdf\r\n\r\n').encode()
    yield from pdf_stream(size)
    yield f'\r\n--{BOUNDARY}--\r\n'.encode()


class Memory:
    """The server's peak RSS during a block: VmHWM reset through clear_refs before, read after (and polled, where
    clear_refs is not allowed)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _status(self, key: str) -> int:
        for line in Path(f'/proc/{self.pid}/status').read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
        return 0

    def __enter__(self) -> Memory:
        self.before = self._status('VmRSS:')
        try:
            Path(f'/proc/{self.pid}/clear_refs').write_text('5')
            self.reset = True
        except OSError:
            self.reset = False
        self.polled, self.stop = self.before, threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while not self.stop.wait(0.005):
            self.polled = max(self.polled, self._status('VmRSS:'))

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join()
        self.peak = max(self.polled, self._status('VmHWM:') if self.reset else 0)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / 1024


class DiskWatch:
    """The most bytes the server holds in the data folder at any moment while a block runs: its open regular files
    there (deleted temporaries too, read through /proc/<pid>/fd) plus the files in tmp/ and documents/ (not the
    database)."""

    def __init__(self, pid: int, data: Path) -> None:
        self.pid, self.data = pid, str(data.resolve())

    def held(self) -> int:
        seen, total = set(), 0
        try:
            fds = os.listdir(f'/proc/{self.pid}/fd')
        except OSError:
            fds = []
        for fd in fds:
            try:
                target = os.readlink(f'/proc/{self.pid}/fd/{fd}')
                if not target.startswith(self.data) or '/conton.db' in target:
                    continue
                st = os.stat(f'/proc/{self.pid}/fd/{fd}')
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen and (st.st_mode & 0o170000) == 0o100000:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
        folder = Path(self.data) / 'tmp'  # TMPDIR: where the multipart parser and NiceGUI spool an upload
        if folder.is_dir():
            for entry in os.scandir(folder):
                try:
                    st = entry.stat()
                except OSError:
                    continue
                if entry.is_file() and (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_size
        return total

    def __enter__(self) -> DiskWatch:
        self.base = self.held()
        self.peak, self.stop = 0, threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def _poll(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.held() - self.base)
            time.sleep(0.002)

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join()


def _client_uploads() -> int:
    from sqlmodel import func, select

    from conton.models import DocFile
    from conton.services.base import unit
    with unit() as session:
        return session.exec(select(func.count()).select_from(DocFile).where(DocFile.sender_side == 'client')).one()


def _left_behind(data: Path) -> int:
    """Upload temporaries on disk: NiceGUI's in tmp/, the store's `.upload-*` beside the documents."""
    from conton.services import files, storage
    documents = storage.folder_path(files.FOLDER)
    return (sum(1 for e in os.scandir(data / 'tmp') if e.is_file()) if (data / 'tmp').is_dir() else 0) + \
        sum(1 for e in os.scandir(documents) if e.name.startswith(storage.TEMP_PREFIX))


def _latest_upload() -> tuple[str, int] | None:
    from sqlmodel import select

    from conton.models import DocFile
    from conton.services.base import unit
    with unit() as session:
        row = session.exec(select(DocFile.id, DocFile.size).where(DocFile.sender_side == 'client')
                           .order_by(DocFile.created_at.desc())).first()
    return (str(row[0]), row[1]) if row else None


def upload(server: harness.Server, data: Path, cookies: dict, size_mb: int) -> Uploaded:
    size = size_mb * MIB
    tab = Tab(server, cookies, '/portal/arquivos')
    try:
        length = sum(len(p) for p in multipart_parts(size))
        headers = {'Content-Type': f'multipart/form-data; boundary={BOUNDARY}', 'Content-Length': str(length),
                   'Origin': server.base, 'Referer': server.base + '/portal/arquivos'}
        with Memory(server.proc.pid) as memory, httpx.Client(base_url=server.base, cookies=cookies,
                                                             timeout=600) as http:
            t0 = time.perf_counter()
            answer = http.post(tab.upload_path, content=multipart_parts(size), headers=headers)
            posted = time.perf_counter() - t0
            row = None
            deadline = time.perf_counter() + 600
            while time.perf_counter() < deadline:
                row = _latest_upload()
                if row is not None:
                    break
                time.sleep(0.02)
            stored = time.perf_counter() - t0
    finally:
        tab.close()
    if row is None or row[1] != size:
        raise RuntimeError(f'the upload was not stored (HTTP {answer.status_code} {answer.text[:200]!r}); '
                           f'see {server.log.name}')
    mb_s = size_mb / stored
    ratio = mb_s / COPY.mb_s if COPY.mb_s else 0
    text = (f'(a) upload of {size_mb} MB as a client: HTTP {answer.status_code} after {posted:.1f} s, row written '
            f'after {stored:.1f} s = {mb_s:.0f} MB/s ({ratio:.2f} of the plain copy; target >= 0.5: '
            f'{"ok" if ratio >= 0.5 else "MISSED"}); server RSS growth {memory.growth_mb:.1f} MB (target < 50: '
            f'{"ok" if memory.growth_mb < 50 else "MISSED"})')
    return Uploaded(text, row[0])


def oversize(server: harness.Server, data: Path, cookies: dict, limit_mb: int) -> str:
    """Past the element's limit: chunked with no length (the running count), then with Content-Length."""
    limit = limit_mb * MIB
    rows_before = _client_uploads()
    tab = Tab(server, cookies, '/portal/arquivos')
    try:
        with DiskWatch(server.proc.pid, data) as disk:
            status, sent = _raw_post(server, cookies, tab.upload_path, limit + 16 * MIB, chunked=True)
            time.sleep(0.3)  # let the watcher see anything left behind
        declared_status, declared_sent = _raw_post(server, cookies, tab.upload_path, limit + 16 * MIB,
                                                   chunked=False)
    finally:
        tab.close()
    over = (disk.peak - limit) / MIB
    new_rows = _client_uploads() - rows_before
    return (f'    oversize upload ({limit_mb} MB limit, {limit_mb + 16} MB sent chunked, no Content-Length): HTTP '
            f'{status} after {sent / MIB:.1f} MB had left this process; most held on the server\'s disk at once '
            f'{disk.peak / MIB:.1f} MB ({f"{over:.2f} MB over" if over > 0 else f"{-over:.2f} MB under"} the limit; '
            f'target < 1 MB over: {"ok" if over < 1 and status == 413 else "MISSED"}); with Content-Length declared: '
            f'HTTP {declared_status} after {declared_sent / MIB:.1f} MB sent; new rows: {new_rows}, upload '
            f'temporaries left on disk: {_left_behind(data)}')


def _raw_post(server: harness.Server, cookies: dict, path: str, size: int, *, chunked: bool) -> tuple[int, int]:
    """POST a multipart body of a `size`-byte PDF over a plain socket, stopping as soon as the server answers; returns
    (status, bytes of body sent)."""
    port = int(server.base.rsplit(':', 1)[1])
    sock = socket.create_connection(('127.0.0.1', port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    cookie = '; '.join(f'{k}={v}' for k, v in cookies.items())
    head = (f'POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n'
            f'Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nOrigin: {server.base}\r\n')
    head += 'Transfer-Encoding: chunked\r\n\r\n' if chunked else \
        f'Content-Length: {sum(len(p) for p in multipart_parts(size))}\r\n\r\n'
    sock.sendall(head.encode())
    sent, answer = 0, b''
    parts = multipart_parts(size)
    try:
        for piece in parts:
            out = (f'{len(piece):x}\r\n'.encode() + piece + b'\r\n') if chunked else piece
            view = memoryview(out)
            while view:
                readable, writable, _ = select.select([sock], [sock], [], 10)
                if readable:
                    raise StopIteration
                if writable:
                    n = sock.send(view[:64 * 1024])
                    view = view[n:]
                    sent += n
        if chunked:
            sock.sendall(b'0\r\n\r\n')
    except (StopIteration, BrokenPipeError, ConnectionResetError):
        pass
    sock.settimeout(30)
    try:
        while b'\r\n' not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    except OSError:
        pass
    sock.close()
    found = re.match(rb'HTTP/1\.1 (\d{3})', answer)
    return (int(found.group(1)) if found else 0), sent


# --------------------------------------------------------------------------------------------------------------------
# (b) download through the streaming route
# --------------------------------------------------------------------------------------------------------------------

def download(server: harness.Server, cookies: dict, file_id: str, size_mb: int) -> str:
    digest = hashlib.sha256()
    got = 0
    with Memory(server.proc.pid) as memory, httpx.Client(base_url=server.base, cookies=cookies, timeout=600) as http:
        t0 = time.perf_counter()
        with http.stream('GET', f'/arquivos/baixar/{file_id}') as response:
            for chunk in response.iter_bytes(CHUNK):
                got += len(chunk)
                digest.update(chunk)
        seconds = time.perf_counter() - t0
    ok = response.status_code == 200 and got == size_mb * MIB
    encoding = response.headers.get('content-encoding', 'none')  # NiceGUI's GZipMiddleware applies unless told not to
    return (f'(b) download of {size_mb} MB through /arquivos/baixar: HTTP {response.status_code}, Content-Encoding '
            f'{encoding}, Content-Length {response.headers.get("content-length", "absent")}, '
            f'{got / MIB:.0f} MB in {seconds:.1f} s = {got / MIB / seconds:.0f} MB/s{"" if ok else " (INCOMPLETE)"}; '
            f'server RSS growth {memory.growth_mb:.1f} MB (target < 20: {"ok" if memory.growth_mb < 20 else "MISSED"})')


# --------------------------------------------------------------------------------------------------------------------
# (d) listing a folder of `count` files
# --------------------------------------------------------------------------------------------------------------------

def listing(server: harness.Server, cookies: dict, staff: dict, client_id: str, folder_id: str, count: int,
            runs: int) -> str:
    term = f'guia das {count // 2 + 1:05d}'  # one file's name
    client_pages = [('bare NiceGUI page', '/_bench/bare'),
                    ('portal folder, 1st page', f'/portal/arquivos?pasta={folder_id}'),
                    ('portal folder, name search', f'/portal/arquivos?pasta={folder_id}&busca={term}')]
    staff_pages = [('bare NiceGUI page (staff)', '/_bench/bare'),
                   ('office folder, 1st page', f'/arquivos?cliente={client_id}&pasta={folder_id}'),
                   ('office folder, name search', f'/arquivos?cliente={client_id}&pasta={folder_id}&busca={term}')]
    out = [f'(d) a folder of {n_(count)} files listed ({runs} interleaved runs per page; target <= 2x bare and <= 10 '
           'SQL):']
    for who, jar, pages in (('client', cookies, client_pages), ('office', staff, staff_pages)):
        with httpx.Client(base_url=server.base, cookies=jar, timeout=60) as http:
            probe = http.get(pages[1][1])
            if probe.status_code != 200:
                out.append(f'    {who}: {pages[1][1]} answered HTTP {probe.status_code}: page not available')
                continue
            rows = harness.interleaved(http, pages, runs)
        out.append(harness.report(rows, rows[0]))
    out.append(service_search(client_id, folder_id, term, runs))
    return '\n'.join(out)


def service_search(client_id: str, folder_id: str, term: str, runs: int) -> str:
    """files.search alone, in this process: statements and time for the folder's first page and the name search."""
    from sqlalchemy import event
    from sqlmodel import select

    from conton.db import get_engine
    from conton.models import User
    from conton.services import files
    from conton.services.base import unit
    from conton.services.permissions import Actor
    with unit() as session:
        admin = session.exec(select(User).where(User.email == seed.ADMIN)).one()
        login = session.exec(select(User).where(User.email == CLIENT_LOGIN)).one()
    actors = {'office': Actor(admin.id, admin.role, admin.name, admin.email),
              'client': Actor(login.id, login.role, login.name, login.email, client_id=login.client_id)}
    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1
    engine = get_engine()
    event.listen(engine, 'before_cursor_execute', count)
    lines = []
    try:
        for who, actor in actors.items():
            for label, text in (('1st page', ''), ('name search', term)):
                samples, found = [], None
                for i in range(runs + 2):
                    statements[0] = 0
                    t0 = time.perf_counter()
                    found = files.search(actor, client_id=client_id if who == 'office' else None,
                                         folder=folder_id, text=text)
                    if i >= 2:
                        samples.append((time.perf_counter() - t0) * 1000)
                lines.append(f'    files.search as {who}, {label}: {statistics.median(samples):.1f} ms median, '
                             f'{statements[0]} SQL, {len(found.rows)} rows shown of {n_(found.total)}')
    finally:
        event.remove(engine, 'before_cursor_execute', count)
    return '\n'.join(lines)


if __name__ == '__main__':
    args = [int(a) for a in sys.argv[1:]]
    print(run(*args))
