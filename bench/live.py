"""Issue 8 §4 benchmark: live delivery to raw websocket tabs.

A staff member saves one charge for client A while N tabs of A's Financeiro and 20 tabs of client B's are open.
Measured: for each of A's tabs, the time from the save's commit (when the live backend is handed the change; the
service then still draws the boleto and writes the e-mail; the server's and this process's perf_counter are the same
monotonic clock) to the first websocket message that shows the new charge (its Financeiro region or drawer) and to the
first that shows the new 'Em aberto' total, p50/p95/max, and when the server's outboxes handed each tab its first
update; B's tabs must get nothing; the longest event-loop block in the server from
the save's start (the save runs in a worker thread, so every block counts), full garbage collections in that time, and
the loop thread's CPU spent on the delivery (its CPU from the save on, less its idle rate with the tabs open).

    python -m bench.live [50 200 500]

The server runs as a subprocess (`python -m bench.live serve`): main.py plus two bench-only routes, a loop-lag
monitor (an asyncio task that wakes every 2 ms and records by how much it was late) and a 'save a charge as the admin'
route that calls the service in a worker thread (`run.io_bound`), as the page's save button does.
"""
from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from . import harness, seed

ROOT = Path(__file__).resolve().parent.parent
OTHER_TABS = 20
AMOUNT_CENTS = 123456  # each round adds one charge of R$ 1.234,56 to client A
CLIENT_A, CLIENT_B = 'cliente-a@bench.conton', 'cliente-b@bench.conton'


def run(counts: tuple[int, ...] = (50, 200, 500)) -> str:
    data = Path(tempfile.mkdtemp(prefix='conton-bench-live-'))
    os.environ['CONTON_DATA_DIR'] = str(data)
    os.environ.pop('CONTON_DATABASE_URL', None)
    from conton import config, db
    config.reset_settings()
    db.reset_engine()
    db.migrate()
    seed.office_and_admin()
    alfa, beta = _clients_with_logins()
    server = _Server(data)
    try:
        driver = harness.browser()
        try:
            cookies = {}
            for email in (seed.ADMIN, CLIENT_A, CLIENT_B):
                cookies[email] = _login(driver, server, email)
        finally:
            driver.quit()
        lines = [f'Live delivery: one charge saved for client A; N tabs of A\'s Financeiro + {OTHER_TABS} of B\'s '
                 f'(raw websocket tabs, SQLite, boleto settings complete). Times in ms from the commit.',
                 f'{"":>5} {"new charge (drawer/toast/card)":^30} {"Em aberto total (summary)":^30}',
                 f'{"N":>5} {"p50":>6} {"p95":>6} {"max":>6} {"got":>9} {"p50":>6} {"p95":>6} {"max":>6} {"got":>9} '
                 f'{"B got":>6} {"loop block":>11} {"save":>8} {"dispatch":>9}']
        for round_, n in enumerate(counts, start=1):
            lines.append(asyncio.run(_measure(server, cookies, alfa, n, round_)))
    finally:
        server.stop()
    return '\n'.join(lines)


def _login(driver, server: _Server, email: str) -> dict:
    """The browser's cookies once its login holds (on a busy machine the first try may come back too early)."""
    for _ in range(3):
        driver.delete_all_cookies()
        cookies = harness.login_cookies(driver, server.base, email, seed.PASSWORD)
        time.sleep(0.5)
        if httpx.get(f'{server.base}/', cookies=cookies, timeout=30).status_code == 200:
            return cookies
    raise RuntimeError(f'could not log in as {email}')


def _clients_with_logins() -> tuple[str, str]:
    from conton.models import Client, User
    from conton.services import passwords
    from conton.services.base import unit
    hashed = passwords.hash_password(seed.PASSWORD)
    ids = []
    with unit() as session:
        for n, (name, email) in enumerate((('Alfa Padaria Ltda', CLIENT_A), ('Beta Oficina Ltda', CLIENT_B))):
            client = Client(kind='PJ', document=seed.cnpj_of(900_000 + n), name=name, fee_cents=50000, due_day=10,
                            email=email)
            session.add(client)
            session.flush()
            session.add(User(email=email, name=f'Contato {name}', role='client', client_id=client.id,
                             password_hash=hashed))
            ids.append(str(client.id))
    return ids[0], ids[1]


async def _measure(server: _Server, cookies: dict, alfa: str, n: int, round_: int) -> str:
    from conton import formatting
    marker = f'Bench {uuid.uuid4().hex[:8]}'
    total = f'Em aberto: <b>{formatting.money(AMOUNT_CENTS * round_)}</b>'
    tabs_a = await _open_tabs(server, cookies[CLIENT_A], n, marker, total)
    tabs_b = await _open_tabs(server, cookies[CLIENT_B], OTHER_TABS, marker, total)
    async with httpx.AsyncClient(base_url=server.base, cookies=cookies[seed.ADMIN], timeout=120) as admin:
        await admin.get('/_bench/lag')  # reset; the loop's CPU while the tabs settle is its idle cost
        await asyncio.sleep(2)  # let the tabs settle
        for tab in tabs_a:
            tab.messages = 0
        t0 = time.perf_counter()
        saved = (await admin.post('/_bench/charge', params={'client': alfa, 'description': marker})).json()
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline and any(t.arrived is None or t.summary is None for t in tabs_a):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1)
        lag = (await admin.get('/_bench/lag')).json()
    delays = sorted((t.arrived - saved['commit']) * 1000 for t in tabs_a if t.arrived is not None)
    totals = sorted((t.summary - saved['commit']) * 1000 for t in tabs_a if t.summary is not None)
    b_got = sum(t.arrived is not None or t.summary is not None for t in tabs_b)
    missed = [t for t in tabs_a if t.arrived is None]
    sent = lag['server_sent_ms']  # every tab that got an update after the commit (B's get none)
    sent_at = (f'; server handed the first update to {len(sent)} tabs: p50 {statistics.median(sent):.0f}, '
               f'p95 {sent[max(0, int(len(sent) * 0.95) - 1)]:.0f}, max {sent[-1]:.0f} ms') if sent else ''
    lost = (f'; of the {len(missed)} tabs without it, {sum(not t.sio.connected for t in missed)} disconnected, '
            f'{sum(t.messages == 0 for t in missed)} got no message at all') if missed else ''
    for tab in tabs_a + tabs_b:
        await tab.close()
    since_save = [ms for start, ms in lag['blocks'] if start >= saved['start']]
    return (f'{n:>5} {_stats(delays, n)} {_stats(totals, n)} {b_got:>6} {max(since_save, default=0):>11.0f} '
            f'{saved["ms"]:>8.0f} {sum(lag["dispatch_ms"]):>9.0f}   (request to save end {(saved["end"] - t0) * 1000:.0f} ms'
            f'; full GCs {", ".join(f"{ms:.0f}" for t, ms in lag["gc_ms"] if t >= saved["start"]) or "none"} ms'
            f'; loop CPU for the delivery {lag["delivery_cpu_ms"]:.0f} ms, idle {lag["idle_cpu_pct"]:.0f}%{sent_at}{lost})')


def _stats(delays: list[float], n: int) -> str:
    if not delays:
        return f'{"—":>6} {"—":>6} {"—":>6} {0:>4}/{n:<4}'
    p95 = delays[max(0, int(len(delays) * 0.95) - 1)]
    return f'{statistics.median(delays):>6.0f} {p95:>6.0f} {delays[-1]:>6.0f} {len(delays):>4}/{n:<4}'



class _Tab:
    """A raw websocket tab: notes when the first message showing `marker` (drawer, toast or card) and the first one
    showing `total` (the Financeiro summary's new 'Em aberto') arrive."""

    def __init__(self, marker: str, total: str) -> None:
        import socketio
        self.sio = socketio.AsyncClient(reconnection=False)
        self.marker, self.total = marker, total
        self.arrived: float | None = None
        self.summary: float | None = None
        self.messages = 0

        @self.sio.on('*')
        async def anything(event, data=None) -> None:
            now = time.perf_counter()
            self.messages += 1
            texts = list(_texts(data))
            if self.arrived is None and any(self.marker in t for t in texts):
                self.arrived = now
            if self.summary is None and any(self.total in t for t in texts):
                self.summary = now

    async def close(self) -> None:
        await self.sio.disconnect()


def _texts(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _texts(value)
    elif isinstance(data, (list, tuple)):
        for value in data:
            yield from _texts(value)


async def _open_tab(http: httpx.AsyncClient, server: _Server, cookies: dict, marker: str, total: str) -> _Tab:
    response = await http.get('/portal/financeiro')
    page = response.text
    match = re.search(r'client_id["\']?\s*:\s*["\']([0-9a-f-]{36})', page)
    if match is None:
        raise RuntimeError(f'the page did not open for this login: {response.status_code} '
                           f'{response.headers.get("location")} {page[:200]!r}')
    next_id = re.search(r'next_message_id["\']?\s*:\s*(\d+)', page)
    tab = _Tab(marker, total)
    query = (f'client_id={match.group(1)}&tab_id={uuid.uuid4()}&document_id={uuid.uuid4()}'
             f'&implicit_handshake=true&next_message_id={next_id.group(1) if next_id else 0}')
    cookie = '; '.join(f'{k}={v}' for k, v in cookies.items())
    await tab.sio.connect(f'{server.base}?{query}', socketio_path='/_nicegui_ws/socket.io',
                          transports=['websocket'], headers={'Cookie': cookie}, wait_timeout=10)
    return tab


async def _open_tabs(server: _Server, cookies: dict, count: int, marker: str, total: str) -> list[_Tab]:
    import socketio
    tabs: list[_Tab] = []
    limit = asyncio.Semaphore(10)
    async with httpx.AsyncClient(base_url=server.base, cookies=cookies, timeout=60) as http:
        async def one() -> None:
            async with limit:
                for attempt in range(3):  # a busy machine may drop a handshake: open that tab again
                    try:
                        tabs.append(await _open_tab(http, server, cookies, marker, total))
                        return
                    except socketio.exceptions.ConnectionError:
                        if attempt == 2:
                            raise
        await asyncio.gather(*[one() for _ in range(count)])
    return tabs


class _Server(harness.Server):
    """harness.Server, but running `python -m bench.live serve` (main.py plus the bench routes)."""

    def __init__(self, data_dir: Path) -> None:
        self.port = harness.free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        env = {k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST'}
        env.update(CONTON_DATA_DIR=str(data_dir), CONTON_PORT=str(self.port), CONTON_HOST='127.0.0.1',
                   CONTON_BASE_URL=self.base, CONTON_BENCH='1', CONTON_NO_SCHEDULER='1')
        self.log = tempfile.NamedTemporaryFile(prefix='conton-bench-live-', suffix='.log', delete=False)
        self.proc = subprocess.Popen([sys.executable, '-m', 'bench.live', 'serve'], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                httpx.get(f'{self.base}/login', timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f'server did not start; see {self.log.name}')


def serve() -> None:
    """The server side: main.py with a loop-lag monitor and a route that saves a charge as the admin."""
    import runpy

    from nicegui import app

    blocks: list[tuple[float, float]] = []  # (perf_counter when the monitor last slept, how late it woke, ms) > 5 ms

    async def monitor() -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.002)
            beat[0] = time.perf_counter()
            late = (beat[0] - t - 0.002) * 1000
            if late > 5:
                blocks.append((t, late))

    app.on_startup(lambda: asyncio.get_running_loop().create_task(monitor()))

    import threading
    import traceback
    from collections import Counter
    beat = [time.perf_counter()]
    block_stacks: Counter = Counter()  # CONTON_BENCH_BLOCKS=path: where the loop thread is while it blocks > 20 ms
    blocks_to = os.environ.get('CONTON_BENCH_BLOCKS')

    def watchdog(loop_thread: int) -> None:
        while True:
            time.sleep(0.005)
            if time.perf_counter() - beat[0] > 0.02:
                frame = sys._current_frames().get(loop_thread)
                if frame is not None:
                    stack = traceback.extract_stack(frame)
                    block_stacks['\n'.join(f'{f.filename.split("site-packages/")[-1]}:{f.lineno} {f.name}'
                                            for f in stack[-14:])] += 1

    if blocks_to:
        app.on_startup(lambda: threading.Thread(target=watchdog, args=(threading.get_ident(),), daemon=True).start())

    import gc
    pauses: list[tuple[float, float]] = []  # (start, ms) of each collection of the oldest generation (a pause of
    # the whole process)
    gc_started = [0.0]

    def gc_watch(phase: str, info: dict) -> None:
        if info.get('generation') == 2:
            if phase == 'start':
                gc_started[0] = time.perf_counter()
            else:
                pauses.append((gc_started[0], (time.perf_counter() - gc_started[0]) * 1000))
    gc.callbacks.append(gc_watch)

    profile_to = os.environ.get('CONTON_BENCH_PROFILE')  # a path: cProfile the loop from each save to the next /lag
    profiler = None
    marks: dict[str, tuple[float, float]] = {}  # (perf_counter, loop thread CPU) at the last /lag, the save's start

    from conton.services import live
    dispatches: list[float] = []  # ms from the start to the end of each hub dispatch (callbacks included)
    original = live.Hub._dispatch

    async def timed(self, batch) -> None:
        t = time.perf_counter()
        await original(self, batch)
        dispatches.append((time.perf_counter() - t) * 1000)
    live.Hub._dispatch = timed
    published: list[float] = []  # perf_counter of each publish with changes: the commit (the service goes on after)
    real_publish = live.backend.publish

    def publish(changes, notes) -> None:
        if changes:
            published.append(time.perf_counter())
        real_publish(changes, notes)
    live.backend.publish = publish

    from nicegui import outbox
    sent: dict[str, float] = {}  # client id -> perf_counter when its outbox handed the first update after the save
    real_emit = outbox.Outbox._emit

    async def emit(self, message) -> None:
        if message[1] == 'update' and published and message[0] not in sent:
            sent[message[0]] = time.perf_counter()
        await real_emit(self, message)
    outbox.Outbox._emit = emit

    @app.get('/_bench/lag')
    async def lag() -> dict:
        nonlocal profiler
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile_to)
            profiler = None
        if blocks_to:
            with open(blocks_to, 'a') as out:
                out.write(f'=== /_bench/lag at {time.perf_counter():.3f}\n')
                for stack, n in block_stacks.most_common(25):
                    out.write(f'--- {n} samples (5 ms each)\n{stack}\n')
            block_stacks.clear()
        now, cpu = time.perf_counter(), time.thread_time()  # the loop thread's CPU (this handler runs on it)
        idle = delivery = 0.0
        if marks.get('save_start') and marks.get('lag'):
            (p0, c0), (p1, c1) = marks['lag'], marks['save_start']
            idle = (c1 - c0) / max(p1 - p0, 1e-6)
            delivery = (cpu - c1) - idle * (now - p1)
        marks.clear()
        marks['lag'] = (now, cpu)
        first = published[0] if published else now
        updates = sorted((t - first) * 1000 for t in sent.values())
        found, took, collected = list(blocks), list(dispatches), list(pauses)
        blocks.clear()
        dispatches.clear()
        pauses.clear()
        return {'blocks': found, 'dispatch_ms': took, 'gc_ms': collected, 'delivery_cpu_ms': delivery * 1000,
                'idle_cpu_pct': idle * 100, 'server_sent_ms': updates}

    @app.post('/_bench/charge')
    async def charge(client: str, description: str) -> dict:
        from sqlmodel import select

        from conton.models import User
        from conton.services import auth, receivables
        from conton.services.base import unit
        nonlocal profiler
        with unit() as session:
            admin = auth.to_actor(session.exec(select(User).where(User.email == seed.ADMIN)).one())
        if profile_to:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        from nicegui import run
        marks['save_start'] = (time.perf_counter(), time.thread_time())
        published.clear()
        sent.clear()

        def save() -> tuple[float, float]:
            t = time.perf_counter()
            receivables.create(admin, client_id=client, description=description, amount='1.234,56',  # AMOUNT_CENTS
                               due_date=_due_date())
            return t, time.perf_counter()
        t, end = await run.io_bound(save)
        return {'ms': (end - t) * 1000, 'start': marks['save_start'][0], 'end': end,
                'commit': published[0] if published else end}

    if os.environ.get('CONTON_BENCH_SWITCH'):  # experiment: the GIL switch interval (s), default 0.005
        sys.setswitchinterval(float(os.environ['CONTON_BENCH_SWITCH']))
    sys.argv = [str(ROOT / 'main.py')]
    runpy.run_path(str(ROOT / 'main.py'), run_name='__main__')


def _due_date() -> str:
    from datetime import timedelta

    from conton import clock
    return (clock.today() + timedelta(days=20)).strftime('%d/%m/%Y')


if __name__ == '__main__':
    if sys.argv[1:2] == ['serve']:
        serve()
    else:
        print(run(tuple(int(a) for a in sys.argv[1:]) or (50, 200, 500)))
