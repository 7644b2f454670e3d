"""Issue 11 benchmark, Solicitações: an office of 2,000 clients, each with a portal login and five requests spread
over two years (10,000 requests: most concluded, the rest open in every status, some assigned), 100,000 messages
(one in ten an internal note) and read marks. Times the staff request list (default view, all requests, a client
filter, one status) and one long thread, interleaved with a bare NiceGUI page, with the SQL statements per render;
targets: the list within 2x the bare page and at most 10 statements."""
from __future__ import annotations

import os
import random
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from urllib.parse import quote

import httpx

from . import harness, seed

CLIENTS, PER_CLIENT, MESSAGES = 2000, 5, 100_000
TARGET_RATIO, TARGET_SQL = 2.0, 10


def run(runs: int = 30) -> str:
    data = Path(tempfile.mkdtemp(prefix='conton-bench-'))
    os.environ['CONTON_DATA_DIR'] = str(data)
    os.environ.pop('CONTON_DATABASE_URL', None)
    from conton import config, db
    config.reset_settings()
    db.reset_engine()
    db.migrate()
    seed.office_and_admin()
    clients = seed.clients(CLIENTS)
    thread, client_name = _seed(clients)
    server = harness.Server(data, start_timeout=240)  # a loaded machine starts it slowly
    try:
        driver = harness.browser()
        try:
            cookies = harness.login_cookies(driver, server.base, seed.ADMIN, seed.PASSWORD)
        finally:
            driver.quit()
        with httpx.Client(base_url=server.base, cookies=cookies, timeout=60) as client:
            word = quote(client_name)
            pages = [('bare NiceGUI page', '/_bench/bare'),
                     ('clientes (reference: issue 2 list)', '/clientes'),
                     ('solicitações (em aberto)', '/solicitacoes'),
                     ('solicitações, todas', '/solicitacoes?status=todas'),
                     ('solicitações, todas, page 50', '/solicitacoes?status=todas&pagina=50'),
                     ('solicitações, cliente filter', f'/solicitacoes?status=todas&cliente={word}'),
                     ('solicitações, aguardando', '/solicitacoes?status=aguardando'),
                     ('one thread (10 messages)', f'/solicitacoes/{thread}')]
            rows = harness.interleaved(client, pages, runs)
    finally:
        server.stop()
    bare = rows[0]
    lists = [r for r in rows if r.name.startswith('solicitações')]
    worst = max(r.median_ms / bare.median_ms for r in lists)
    most = max(r.queries for r in lists)
    ok = all(r.status == 200 for r in rows) and worst <= TARGET_RATIO and most <= TARGET_SQL
    return (f'Solicitações benchmark: {CLIENTS} clients, {CLIENTS * PER_CLIENT} requests, {MESSAGES} messages, '
            f'{runs} interleaved runs per page (SQLite)\n{harness.report(rows, bare)}\n'
            f'staff list: worst {worst:.2f}x bare (target <= {TARGET_RATIO}), at most {most} SQL statements '
            f'(target <= {TARGET_SQL}): {"OK" if ok else "MISSED"}')


def _seed(clients) -> tuple[uuid.UUID, str]:
    """Core inserts: logins, requests, messages, read marks. Returns one long thread's id and its client's name."""
    from sqlalchemy import select

    from conton.db import get_engine
    from conton.models import ClientRequest, RequestCategory, RequestMessage, RequestRead, User
    from conton.services import passwords
    rng = random.Random(11)
    now = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
    with get_engine().begin() as conn:
        admin = conn.execute(select(User.id).where(User.email == seed.ADMIN)).scalar_one()
        categories = list(conn.execute(select(RequestCategory.id)).scalars())
    staff = [uuid.uuid4() for _ in range(8)]
    digest = passwords.hash_password(seed.PASSWORD)
    seed._rows_insert(User, [dict(id=uid, email=f'func{n}@bench.conton', name=f'Funcionária {n}', role='staff',
                                  password_hash=digest, permissions={'requests': 'write'}, active=True,
                                  session_version=1, created_at=now)
                             for n, uid in enumerate(staff)])
    logins = {c.id: uuid.uuid4() for c in clients}
    seed._rows_insert(User, [dict(id=uid, email=f'login{n}@bench.conton', name=f'Cliente {n}', role='client',
                                  client_id=cid, password_hash=digest, permissions={}, active=True,
                                  session_version=1, created_at=now)
                             for n, (cid, uid) in enumerate(logins.items())])
    requests, messages, reads = [], [], []
    per_request = MESSAGES // (len(clients) * PER_CLIENT)
    number = 0
    for c in clients:
        for k in range(PER_CLIENT):
            number += 1
            rid = uuid.uuid4()
            opened = now - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
            status = rng.choice(('concluida',) * 6 + ('aberta', 'andamento', 'aguardando'))
            stamps = sorted(opened + timedelta(hours=rng.randint(1, 400)) for _ in range(per_request - 1))
            last = stamps[-1] if stamps else opened
            requests.append(dict(id=rid, number=number, client_id=c.id, subject=f'Pedido {number} de {c.name}'[:200],
                                 category_id=rng.choice(categories), status=status,
                                 assignee_id=rng.choice([None, *staff]), opened_by=logins[c.id], opened_side='client',
                                 created_at=opened, last_activity_at=last, last_client_activity_at=last,
                                 last_office_activity_at=last - timedelta(hours=1),
                                 closed_at=last if status == 'concluida' else None, reopened_count=0))
            for n, at in enumerate([opened, *stamps]):
                office = n % 2 == 1
                messages.append(dict(id=uuid.uuid4(), request_id=rid, author_id=admin if office else logins[c.id],
                                     author_side='office' if office else 'client',
                                     body=f'Mensagem {n} da solicitação {number}. ' * 4,
                                     internal=office and n % 10 == 9, created_at=at))
            reads.append(dict(request_id=rid, user_id=logins[c.id], read_at=last))
            if rng.random() < 0.5:
                reads.append(dict(request_id=rid, user_id=admin, read_at=last - timedelta(hours=2)))
    seed._rows_insert(ClientRequest, requests)
    seed._rows_insert(RequestMessage, messages)
    seed._rows_insert(RequestRead, reads)
    open_one = next(r for r in requests if r['status'] != 'concluida')
    name = next(c.name for c in clients if c.id == open_one['client_id'])
    return open_one['id'], name
