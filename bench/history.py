"""Issue 11 benchmark, the client's history: 2,000 clients, 24 monthly document requests each (48,000), 20,000
requests with 100,000 messages, 20,000 atendimentos, 4,000 protocols and 10,000 files, seeded with set-based inserts.
Server render time of one client's history page (default, one kind, a period, a later page) and of the Atendimentos
list side by side with a bare NiceGUI page, SQL statements per render; in-process: the history PDF of a year.

    .venv/bin/python -m bench.history      (or: python -m bench history)
"""
from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx

from . import harness, seed

CLIENTS, DOC_MONTHS, REQUESTS, MESSAGES, SERVICES, PROTOCOLS, FILES = 2_000, 24, 20_000, 100_000, 20_000, 4_000, 10_000


def _uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _insert(model, rows: list[dict], chunk: int = 5000) -> None:
    from sqlalchemy import insert

    from conton.db import get_engine
    with get_engine().begin() as conn:
        for i in range(0, len(rows), chunk):
            conn.execute(insert(model.__table__), rows[i:i + chunk])


def seed_history(clients: list, admin_id: uuid.UUID, today: date) -> dict[str, int]:
    from conton.models import (ClientRequest, DocFile, DocRequest, Protocol, RequestCategory, RequestMessage,
                               ServiceRecord)
    from conton.services.base import unit
    from sqlmodel import select
    rng = random.Random(11)
    now = datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=12)
    with unit() as session:
        categories = list(session.exec(select(RequestCategory.id)).all())
    docs = []
    for back in range(DOC_MONTHS - 1, -1, -1):
        first = seed.month_start(today, back)
        comp = f'{first.year:04d}-{first.month:02d}'
        created = datetime.combine(first, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=9)
        for c in clients:
            docs.append({'id': _uid(rng), 'client_id': c.id, 'rule_id': None, 'competence': comp,
                         'title': f'Extrato bancário {first.month:02d}/{first.year}', 'description': '',
                         'due_date': first + timedelta(days=4), 'template_file_id': None,
                         'status': 'aceito' if back else 'pendente', 'remind_every_days': 3, 'remind_max': 3,
                         'answer_comment': '', 'return_reason': '', 'created_by': admin_id, 'created_at': created})
    _insert(DocRequest, docs)
    requests, messages = [], []
    for n in range(REQUESTS):
        created = now - timedelta(days=rng.randrange(720), minutes=rng.randrange(1440))
        requests.append({'id': _uid(rng), 'number': n + 1, 'client_id': clients[n % len(clients)].id,
                         'subject': rng.choice(['Certidão negativa', 'Alteração contratual', 'Dúvida sobre o DAS',
                                                'Folha de dezembro', 'Férias de funcionário']),
                         'category_id': rng.choice(categories), 'status': rng.choice(['aberta', 'concluida']),
                         'assignee_id': admin_id, 'opened_by': admin_id, 'opened_side': 'office',
                         'created_at': created, 'last_activity_at': created, 'reopened_count': 0})
    for n in range(MESSAGES):
        r = requests[n % REQUESTS]
        messages.append({'id': _uid(rng), 'request_id': r['id'], 'author_id': admin_id, 'author_side': 'office',
                         'body': 'Mensagem de teste', 'internal': n % 7 == 0,
                         'created_at': r['created_at'] + timedelta(minutes=n // REQUESTS)})
    _insert(ClientRequest, requests)
    _insert(RequestMessage, messages)
    services = [{'id': _uid(rng), 'client_id': clients[n % len(clients)].id,
                 'channel': rng.choice(['telefone', 'presencial', 'email', 'whatsapp', 'portal']),
                 'subject': 'Atendimento de rotina', 'description': 'Descrição', 'staff_id': admin_id,
                 'happened_on': today - timedelta(days=rng.randrange(720)), 'duration_minutes': rng.randrange(5, 90),
                 'outcome': 'Resolvido', 'visible_to_client': n % 3 == 0, 'created_by': admin_id, 'created_at': now}
                for n in range(SERVICES)]
    _insert(ServiceRecord, services)
    protocols = [{'id': _uid(rng), 'client_id': clients[n % len(clients)].id, 'kind': 'guia', 'title': 'DAS',
                  'competence': '', 'note': '', 'status': 'confirmado', 'viewed_ip': '', 'receiver_name': '',
                  'cancel_reason': '', 'created_by': admin_id,
                  'created_at': now - timedelta(days=rng.randrange(720))} for n in range(PROTOCOLS)]
    _insert(Protocol, protocols)
    files = [{'id': _uid(rng), 'client_id': clients[n % len(clients)].id, 'original_name': f'documento-{n}.pdf',
              'search_name': f'documento-{n}.pdf', 'size': 100_000, 'mime': 'application/pdf', 'type_label': 'PDF',
              'sha256': '0' * 64, 'stored_name': uuid.uuid4().hex, 'sender_side': 'client', 'note': '',
              'competence': '', 'origin': '', 'created_at': now - timedelta(days=rng.randrange(720))}
             for n in range(FILES)]
    _insert(DocFile, files)
    return {'document requests': len(docs), 'requests': len(requests), 'messages': len(messages),
            'atendimentos': len(services), 'protocols': len(protocols), 'files': len(files)}


def run(runs: int = 30) -> str:
    data = Path(tempfile.mkdtemp(prefix='conton-bench-'))
    os.environ['CONTON_DATA_DIR'] = str(data)
    os.environ.pop('CONTON_DATABASE_URL', None)
    from conton import clock, config, db
    config.reset_settings()
    db.reset_engine()
    db.migrate()
    today = clock.today()
    t0 = time.perf_counter()
    seed.office_and_admin()
    clients = seed.clients(CLIENTS)
    from sqlmodel import select

    from conton.models import User
    from conton.services import auth, history
    from conton.services.base import unit
    with unit() as session:
        admin = session.exec(select(User).where(User.email == seed.ADMIN)).one()
        admin_id, actor = admin.id, auth.to_actor(admin, '127.0.0.1')
    counts = seed_history(clients, admin_id, today)
    seeded = time.perf_counter() - t0
    target = clients[len(clients) // 2].id
    year_ago = today - timedelta(days=365)
    history.pdf(actor, target)  # warm-up (imports, fonts)
    t0 = time.perf_counter()
    _, pdf = history.pdf(actor, target, start=year_ago, end=today)
    pdf_ms = (time.perf_counter() - t0) * 1000
    server = harness.Server(data, start_timeout=300)  # a loaded 2-core machine can take over a minute
    try:
        driver = harness.browser()
        try:
            cookies = harness.login_cookies(driver, server.base, seed.ADMIN, seed.PASSWORD)
        finally:
            driver.quit()
        base = f'/clientes/{target}/historico'
        with httpx.Client(base_url=server.base, cookies=cookies, timeout=60) as client:
            pages = [('bare NiceGUI page', '/_bench/bare'),
                     ('history, default (all kinds)', base),
                     ('history, pedidos de documentos', f'{base}?tipo=pedido'),
                     ('history, last 90 days', f'{base}?de={(today - timedelta(days=90)).isoformat()}'),
                     ('history, page 3', f'{base}?pagina=3'),
                     ('atendimentos, 1st page', '/atendimentos')]
            rows = harness.interleaved(client, pages, runs)
    finally:
        server.stop()
    bare = rows[0]
    seeded_text = ', '.join(f'{n:,} {what}'.replace(',', '.') for what, n in counts.items())
    return (f'History benchmark: {CLIENTS} clients; {seeded_text} (seeded in {seeded:.1f} s); {runs} interleaved '
            f'runs per page\n{harness.report(rows, bare)}\n'
            f'history PDF of one client, one year ({len(pdf) // 1024} KiB): {pdf_ms:.0f} ms')


if __name__ == '__main__':
    print(run())
