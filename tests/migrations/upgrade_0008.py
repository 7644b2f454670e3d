"""Upgrade-with-data check of revision 0008 (the Solicitações list's activity index), registered in
test_upgrades.py: requests opened at 0007 are all there at head, listed latest activity first, and the new index is
the one the database has."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import inspect

from conton import clock, db
from conton.services import clients, requests, users
from tests.factories import cnpj


def fill(ctx) -> dict:
    clock.set_now(None)
    admin = ctx.admin
    client = clients.create(admin, kind='PJ', document=cnpj(7401), name='Padaria Pão Quente Ltda',
                            tax_regime='Simples Nacional', fee='500,00', due_day='10')
    users.create_client_login(admin, client.id, name='Dono da Padaria', email='dono@paoquente.test')
    category = requests.categories(admin)[0].id
    ids = []
    for n in range(3):
        clock.set_now(clock.now() + timedelta(minutes=1))
        row = asyncio.run(requests.open_request(admin, subject=f'Pedido {n}', category_id=category, body='Texto',
                                                client_id=client.id))
        ids.append(row.id)
    clock.set_now(None)
    return dict(ids=ids)


def check(ctx, state: dict) -> None:
    names = {ix['name'] for ix in inspect(db.get_engine()).get_indexes('clientrequest')}
    assert 'ix_clientrequest_activity' in names
    assert [r.id for r in requests.search(ctx.admin, status='todas').rows] == list(reversed(state['ids']))
