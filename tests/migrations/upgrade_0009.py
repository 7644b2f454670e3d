"""Upgrade-with-data check of revision 0009 (the Atendimentos list's index), registered in test_upgrades.py:
atendimentos recorded before it are all listed at head, newest first, and the index is the one the database has."""
from __future__ import annotations

from datetime import date

from sqlalchemy import inspect

from conton import clock, db
from conton.services import clients, servicelog
from tests.factories import cnpj


def fill(ctx) -> dict:
    clock.set_now(None)
    admin = ctx.admin
    client = clients.create(admin, kind='PJ', document=cnpj(7501), name='Oficina Boa Vista Ltda',
                            tax_regime='Simples Nacional', fee='500,00', due_day='10')
    today = clock.today()
    ids = [servicelog.create(admin, client_id=str(client.id), channel='telefone', subject=f'Ligação {n}',
                             duration_minutes=5, happened_on=date.fromordinal(today.toordinal() - n)).id
           for n in range(3)]
    return dict(ids=ids)


def check(ctx, state: dict) -> None:
    names = {ix['name'] for ix in inspect(db.get_engine()).get_indexes('servicerecord')}
    assert 'ix_servicerecord_list' in names
    assert [r.id for r in servicelog.search(ctx.admin).rows] == state['ids']
