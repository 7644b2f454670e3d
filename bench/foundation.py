"""Issue 2 benchmark: 10,000 clients; server render time of home, client list and a search by CNPJ,
side by side with a bare NiceGUI page; SQL statements per render; server memory per connected tab."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import httpx

from . import harness, seed


def run(clients: int = 10_000, runs: int = 30, tabs: int = 20) -> str:
    data = Path(tempfile.mkdtemp(prefix='conton-bench-'))
    os.environ['CONTON_DATA_DIR'] = str(data)
    os.environ.pop('CONTON_DATABASE_URL', None)
    from conton import config, db
    config.reset_settings()
    db.reset_engine()
    db.migrate()
    seed.office_and_admin()
    seeded = seed.clients(clients)
    target = seeded[clients // 2].document
    server = harness.Server(data)
    try:
        driver = harness.browser()
        try:
            cookies = harness.login_cookies(driver, server.base, seed.ADMIN, seed.PASSWORD)
        finally:
            driver.quit()
        with httpx.Client(base_url=server.base, cookies=cookies, timeout=30) as client:
            pages = [('bare NiceGUI page', '/_bench/bare'), ('home (Acesso Rápido)', '/'),
                     ('clientes, 1st page', '/clientes'),
                     ('clientes, search by CNPJ', f'/clientes?q={target[:2]}.{target[2:5]}.{target[5:8]}')]
            rows = harness.interleaved(client, pages, runs)
        per_tab = harness.memory_per_tab(server, cookies, '/', tabs)
    finally:
        server.stop()
    bare = rows[0]
    return (f'Foundation benchmark: {clients} clients, {runs} interleaved runs per page\n'
            f'{harness.report(rows, bare)}\n'
            f'server memory per connected tab on the home page: {per_tab:.0f} KiB ({tabs} tabs)')
