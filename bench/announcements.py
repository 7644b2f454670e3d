"""Issue 11 benchmark: a comunicado to 2,000 active clients (4,000 logins, half of them without a password yet, so
the first-use template issues 2,000 set-password links) sent from the event loop as the page does — the send (the
recipients and their drawer notifications) and then every e-mail handed to the outbox in one go (the batch limit
lifted) — through `run.io_bound`, while a ticking task measures how long the event loop is ever kept from running.
Targets: queued in under 10 s, the loop never blocked more than 50 ms at a time. SQLite always; PostgreSQL too when
CONTON_BENCH_PG_URL names an empty database (its schema is dropped and rebuilt).

    python -m bench.announcements
"""
from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

from . import seed

CLIENTS, LOGINS_PER_CLIENT = 2_000, 2
TICK = 0.005  # the ticker's sleep: lag = how much later than that it wakes


def run() -> str:
    lines = [_run_on('SQLite', '')]
    pg = os.environ.get('CONTON_BENCH_PG_URL', '')
    if pg:
        lines.append(_run_on('PostgreSQL', pg))
    return (f'Comunicados benchmark: {CLIENTS} clients, {CLIENTS * LOGINS_PER_CLIENT} logins, first-use template '
            f'(half the logins get a set-password link)\n' + '\n'.join(lines))


def _run_on(label: str, url: str) -> str:
    data = Path(tempfile.mkdtemp(prefix='conton-bench-'))
    os.environ['CONTON_DATA_DIR'] = str(data)
    if url:
        os.environ['CONTON_DATABASE_URL'] = url
    else:
        os.environ.pop('CONTON_DATABASE_URL', None)
    from sqlalchemy import text
    from sqlmodel import func, select

    from conton import config, db
    from conton.models import AnnouncementRecipient, Notification, OutboxEmail, UserToken
    from conton.services import auth, office
    from conton.services.base import unit
    config.reset_settings()
    db.reset_engine()
    office.reset_cache()
    if url:
        with db.get_engine().begin() as conn:
            conn.execute(text('DROP SCHEMA public CASCADE'))
            conn.execute(text('CREATE SCHEMA public'))
    db.migrate()
    seed.office_and_admin()
    _people()
    with unit() as session:
        from conton.models import User
        admin = auth.to_actor(session.exec(select(User).where(User.email == seed.ADMIN)).one())
    import gc
    gc.collect()
    gc.freeze()  # as main.py does once the app is built: full collections no longer walk the code's own objects
    try:
        result = asyncio.run(_send(admin))
        with unit() as session:
            counts = tuple(session.exec(select(func.count()).select_from(m)).one()
                           for m in (AnnouncementRecipient, Notification, OutboxEmail, UserToken))
    finally:
        gc.unfreeze()
        db.reset_engine()
    created, released, total, lag, ticks, queued, idle = result
    expected = (CLIENTS * LOGINS_PER_CLIENT,) * 3 + (CLIENTS,)
    ok = counts == expected and queued == CLIENTS * LOGINS_PER_CLIENT
    return (f'{label}: sent (recipients + notifications) in {created:.2f} s, e-mails queued in {released:.2f} s, '
            f'{total:.2f} s in all (target < 10 s); event loop lag at most {lag * 1000:.1f} ms over {ticks} ticks '
            f'(target < 50 ms; {idle * 1000:.1f} ms with the loop idle, before the send); recipients / notifications / outbox e-mails / set-password tokens = '
            f'{" / ".join(map(str, counts))}: {"as expected" if ok else "NOT AS EXPECTED"}')


async def _send(admin):
    from nicegui import run

    from conton.services import announcements
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            lags.append(time.perf_counter() - before - TICK)
    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(2)  # the machine's own lag, with nothing else to do (a loaded machine starves the loop too)
    idle, lags[:] = max(lags), []
    subject, body = announcements.template_text('first_use')
    t0 = time.perf_counter()
    await run.io_bound(announcements.create, admin, subject=subject, body=body, audience='all', template='first_use')
    t1 = time.perf_counter()
    queued = await run.io_bound(announcements.release, CLIENTS * LOGINS_PER_CLIENT)
    t2 = time.perf_counter()
    await asyncio.sleep(0.05)
    stop.set()
    await ticking
    return t1 - t0, t2 - t1, t2 - t0, max(lags), len(lags), queued, idle


def _people() -> None:
    """2,000 active clients with 2 logins each; the second login of each has not set its password yet."""
    from conton.models import Client, User
    from conton.models.people import set_search_keys
    clients = [Client(id=uuid.uuid4(), kind='PJ', document=seed.cnpj_of(i + 1), name=f'Cliente {i + 1} Ltda',
                      tax_regime=('MEI', 'Simples Nacional', 'Lucro Presumido', 'Lucro Real')[i % 4],
                      email=f'cliente{i + 1}@bench.conton') for i in range(CLIENTS)]
    for c in clients:
        set_search_keys(c)
    seed.bulk(Client, clients)
    users = [User(email=f'login{i + 1}.{n}@bench.conton', name=f'Contato {n} do cliente {i + 1}', role='client',
                  client_id=c.id, password_hash='x' if n == 1 else None)
             for i, c in enumerate(clients) for n in range(1, LOGINS_PER_CLIENT + 1)]
    seed.bulk(User, users)


if __name__ == '__main__':
    print(run())
