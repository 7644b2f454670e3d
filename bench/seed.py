"""Bulk seeding of a large office for the benchmarks (core INSERTs, not one ORM flush per row)."""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from sqlalchemy import insert

from conton.db import get_engine
from conton.models import Client, Supplier, User
from conton.models.people import set_search_keys, set_supplier_keys
from conton.services import office, passwords
from conton.services.base import unit
from conton.services.demo import BUSINESS, NAMES, REGIMES

PASSWORD = 'bench-conton-2026'
ADMIN = 'admin@bench.conton'


def cnpj_of(n: int) -> str:
    """A valid, unique CNPJ per number (n < 10**8)."""
    base = [int(c) for c in f'{(n * 104729) % 10**8:08d}0001']
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        total = sum(d * w for d, w in zip(base, weights))
        base.append(0 if total % 11 < 2 else 11 - total % 11)
    return ''.join(map(str, base))


def _rows(objs) -> list[dict]:
    return [o.model_dump() for o in objs]


def bulk(model, objs, chunk: int = 5000) -> None:
    rows = _rows(objs)
    with get_engine().begin() as conn:
        for i in range(0, len(rows), chunk):
            conn.execute(insert(model.__table__), rows[i:i + chunk])


def office_and_admin() -> None:
    with unit() as session:
        off = office.ensure(session)
        off.legal_name = off.trade_name = 'Escritório Grande'
        off.document = '11222333000181'
        off.city, off.uf = 'São Paulo', 'SP'
        off.bank_code, off.agencia, off.conta, off.conta_dv, off.carteira, off.convenio = \
            '341', '1234', '12345', '6', '109', '12345'
        off.pix_key, off.pix_key_type = 'financeiro@grande.exemplo', 'email'
        off.accountant_name, off.crc_number, off.crc_uf = 'Contadora Chefe', '1SP000001', 'SP'
        session.add(User(email=ADMIN, name='Administradora', role='admin',
                         password_hash=passwords.hash_password(PASSWORD)))
    office.reset_cache()


def clients(n: int, seed: int = 1) -> list[Client]:
    rng = random.Random(seed)
    objs = [Client(id=uuid.UUID(int=rng.getrandbits(128), version=4), kind='PJ', document=cnpj_of(i + 1),
                   name=f'{BUSINESS[i % len(BUSINESS)]} {NAMES[(i * 7) % len(NAMES)]} {i + 1} Ltda',
                   tax_regime=REGIMES[i % 4], email=f'cliente{i + 1}@bench.conton', fee_cents=rng.choice(
                       [35000, 45000, 60000, 89000, 120000]), due_day=rng.choice([5, 10, 15, 20, 31]),
                   city='São Paulo', uf='SP', active=i % 20 != 0)
            for i in range(n)]
    for obj in objs:  # Core inserts skip the ORM event that fills the search columns
        set_search_keys(obj)
    bulk(Client, objs)
    return objs


def suppliers(n: int) -> list[Supplier]:
    objs = [Supplier(kind='PJ', document=cnpj_of(10**7 + i), name=f'Fornecedor {i + 1}', category='Serviços')
            for i in range(n)]
    for obj in objs:  # Core inserts skip the ORM event that fills the search columns
        set_supplier_keys(obj)
    bulk(Supplier, objs)
    return objs


def month_start(today: date, back: int) -> date:
    y, m = today.year, today.month - back
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def days(n: int) -> timedelta:
    return timedelta(days=n)
