"""Upgrade-with-data check of revision 0010 (Protocolos' folded title), registered in test_upgrades.py: protocols
written at 0009 (with SQL: today's model has a column that schema lacks) are found at head by their title typed
without accents or in capitals, and only they."""
from __future__ import annotations

import uuid

from sqlalchemy import text

from conton import clock, db
from conton.services import clients, protocols
from tests.factories import cnpj

TITLES = ('Declaração de Imposto de Renda', 'Guia do Simples – março', 'Recibo de férias')


def fill(ctx) -> dict:
    clock.set_now(None)
    client = clients.create(ctx.admin, kind='PJ', document=cnpj(7601), name='Óptica São João Ltda',
                            tax_regime='Simples Nacional', fee='500,00', due_day='10')
    with db.get_engine().begin() as connection:
        for title in TITLES:
            connection.execute(text("INSERT INTO protocol (id, client_id, kind, title, competence, note, status, "
                                    "created_at, viewed_ip, receiver_name, cancel_reason) VALUES (:id, :client, "
                                    "'guia', :title, '', '', 'enviado', :at, '', '', '')"),
                               {'id': uuid.uuid4().hex if db.get_engine().dialect.name == 'sqlite' else uuid.uuid4(),
                                'client': client.id.hex if db.get_engine().dialect.name == 'sqlite' else client.id,
                                'title': title, 'at': clock.now()})
    return dict(client=client.id)


def check(ctx, state: dict) -> None:
    def titles(words: str) -> list[str]:
        return sorted(r.title for r in protocols.search(ctx.admin, text=words).rows)
    assert titles('declaracao') == [TITLES[0]]
    assert titles('DECLARAÇÃO de imposto') == [TITLES[0]]
    assert titles('ferias') == [TITLES[2]]
    assert titles('sao joao') == sorted(TITLES)  # the client's name, as before
    assert titles('inexistente') == []
