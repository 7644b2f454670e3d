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
    while m > 12:
        y, m = y + 1, m - 12
    return date(y, m, 1)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def _rows_insert(model, rows: list[dict], chunk: int = 5000) -> None:
    with get_engine().begin() as conn:
        for i in range(0, len(rows), chunk):
            conn.execute(insert(model.__table__), rows[i:i + chunk])
    if model.__name__ in ('Charge', 'Bill'):  # a bulk insert no flush sees: the Painel's monthly summary from the rows
        from conton.services import finance
        from conton.services.base import unit
        with unit() as session:
            finance.rebuild_months(session)


def charges(clients_: list[Client], n: int, today: date, months: int = 24, seed: int = 2) -> int:
    """`n` charges over the last `months` months (this one included): one honorários per client and month, the rest
    one-off; past ones mostly paid (paid_date, received_cents), some open (overdue) or cancelled."""
    from conton.models import Charge
    from conton.clock import now
    rng = random.Random(seed)
    stamp = now()
    rows: list[dict] = []

    def row(client: Client, kind: str, comp: str | None, desc: str, amount: int, due: date) -> dict:
        issue = due - days(20)
        if due >= today:
            status = 'aberto'
        else:
            status = rng.choices(['pago', 'aberto', 'cancelado'], [85, 10, 5])[0]
        paid = due + days(rng.randint(-5, 10)) if status == 'pago' else None
        if paid is not None and paid > today:
            paid = today
        return {'id': uuid.UUID(int=rng.getrandbits(128), version=4), 'client_id': client.id, 'kind': kind,
                'competence': comp, 'description': desc, 'amount_cents': amount, 'issue_date': issue, 'due_date': due,
                'status': status, 'paid_date': paid, 'received_cents': amount if paid else None,
                'discount_cents': 0, 'addition_cents': 0, 'payment_form': 'boleto' if paid else '',
                'nosso_numero': None, 'group_id': None, 'installment_no': None, 'installment_count': None,
                'created_at': stamp}
    for back in range(months - 1, -1, -1):
        first = month_start(today, back)
        comp = f'{first.year:04d}-{first.month:02d}'
        for client in clients_:
            if len(rows) >= n:
                break
            due = first + days(min(client.due_day, 28) - 1)
            rows.append(row(client, 'honorarios', comp, f'Honorários contábeis {first.month:02d}/{first.year}',
                            client.fee_cents, due))
    while len(rows) < n:
        client = rng.choice(clients_)
        first = month_start(today, rng.randrange(months))
        due = first + days(rng.randrange(28))
        rows.append(row(client, 'avulso', None, rng.choice(['Abertura de empresa', 'Alteração contratual',
                                                            'Declaração de IRPF', 'Certidões', 'Consultoria']),
                        rng.choice([15000, 30000, 50000, 120000]), due))
    _rows_insert(Charge, rows)
    return len(rows)


def bills(suppliers_: list[Supplier], n: int, today: date, months: int = 24, seed: int = 3) -> int:
    """`n` bills over the last `months` months plus the next one, mixed statuses."""
    from conton.models import Bill
    from conton.clock import now
    rng = random.Random(seed)
    stamp = now()
    rows = []
    for i in range(n):
        supplier = suppliers_[i % len(suppliers_)]
        first = month_start(today, rng.randrange(-1, months))
        due = first + days(rng.randrange(28))
        status = 'aberto' if due >= today else rng.choices(['pago', 'aberto', 'cancelado'], [88, 8, 4])[0]
        amount = rng.randrange(5000, 500000)
        paid = min(today, due + days(rng.randint(-3, 3))) if status == 'pago' else None
        rows.append({'id': uuid.UUID(int=rng.getrandbits(128), version=4), 'supplier_id': supplier.id,
                     'description': rng.choice(['Aluguel', 'Energia', 'Internet', 'Software contábil', 'Limpeza',
                                                'Telefone', 'Material de escritório']) + f' {i + 1}',
                     'category': rng.choice(['Ocupação', 'Serviços', 'Tecnologia', 'Material']),
                     'amount_cents': amount, 'issue_date': due - days(15), 'due_date': due, 'status': status,
                     'paid_date': paid, 'discount_cents': 0, 'addition_cents': 0,
                     'paid_cents': amount if paid else None, 'attachment_file': '', 'attachment_name': '',
                     'attachment_mime': '', 'group_id': None, 'installment_no': None, 'installment_count': None,
                     'recurrence': '', 'created_at': stamp})
    _rows_insert(Bill, rows)
    return len(rows)
