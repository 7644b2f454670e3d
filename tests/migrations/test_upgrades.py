"""Every schema change is an Alembic revision tested as an upgrade with data (issue 8 §6): for each revision R, a
database is built at the revision before R, filled through the services, upgraded to head by `db.migrate()` (the
path an office takes at start-up) and checked: every row of every table that existed before is still there, with the
same values, and R's own check passes. On SQLite and on PostgreSQL.

Adding a revision: write its `fill` (runs on the schema of the revision before it, with today's services; returns
whatever its check needs) and its `check` (runs at head), and register them with `UPGRADES['<rev>'] = Upgrade(fill,
check)` at the end of this file. `test_every_revision_has_an_upgrade_check` fails until you do. A fill uses today's
code on an older schema: should a later revision make the services write where that schema has no place, let the
older fill put its rows in with SQL instead.
"""
from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from nicegui.elements.upload_files import SmallFileUpload
from sqlalchemy import MetaData, text
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, func, select

import conton.models  # noqa: F401  (registers every table)
from conton import clock, db
from conton.models import Bill, Charge, Client, Notification, Receipt, User
from conton.services import auth, clients, finance, notifications, payables, receivables, suppliers, users
from conton.services.base import unit
from conton.services.money import BOLETO_MAX_CENTS, MAX_AMOUNT_CENTS
from conton.services.permissions import Actor
from tests.conftest import BACKENDS, _pg_ready, _pg_worker_url, _reset_singletons
from tests.factories import PASSWORD, cnpj, cpf

INT32_MAX = 2**31 - 1
PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'


@dataclass
class Context:
    """What a fill and a check get: the office's admin (created through the first-run setup) and the backend."""
    admin: Actor
    backend: str
    data_dir: Path


@dataclass
class Upgrade:
    fill: Callable[[Context], Any | Awaitable[Any]]  # at the revision before; returns what `check` needs
    check: Callable[[Context, Any], Any | Awaitable[Any]]  # at head
    reshapes: tuple[str, ...] = field(default=())  # tables the revision drops, renames or rewrites: `check` sees to
    # their rows; every other table must come out of the revision row for row as it went in


UPGRADES: dict[str, Upgrade] = {}  # revision -> its upgrade-with-data check (registered at the end of this file)


def steps() -> list[tuple[str, str]]:
    """(previous, revision) for every revision after the first, oldest first."""
    script = ScriptDirectory.from_config(db.alembic_config())
    revisions = list(reversed(list(script.walk_revisions())))
    return [(r.down_revision, r.revision) for r in revisions if r.down_revision is not None]


# --- the tests ---------------------------------------------------------------------------------------------------

def test_every_revision_has_an_upgrade_check() -> None:
    missing = [rev for _prev, rev in steps() if rev not in UPGRADES]
    assert not missing, f'register an upgrade-with-data check in tests/migrations/test_upgrades.py for {missing}'


@pytest.mark.parametrize('step', steps(), ids=lambda s: f'{s[0]}-to-{s[1]}')
def test_upgrade_keeps_the_data(old_database, step) -> None:
    previous, revision = step
    old_database.build(previous)
    admin = auth.setup(office_name='Escritório Modelo', name='Ana Admin', email='ana@escritorio.test',
                       password=PASSWORD)
    ctx = Context(admin, old_database.backend, old_database.data_dir)
    upgrade = UPGRADES.get(revision)
    if upgrade is None:
        pytest.fail(f'revision {revision} has no upgrade-with-data check: register one at the end of this file')
    with older_schema():
        state = _run(upgrade.fill(ctx))
    before = snapshot()

    db.migrate(revision)  # as at start-up (SQLite: foreign keys off during the upgrade, all checked before commit)

    assert current_revision() == revision
    after = snapshot()
    for table, rows in before.items():
        if table in upgrade.reshapes or not rows:
            continue
        assert table in after, f'table {table} is gone'
        assert [_project(r, rows[0].keys()) for r in after[table]] == rows, f'{table} changed'
    db.migrate()
    assert schema_differences() == []
    if old_database.backend == 'sqlite':  # the connection that migrated went back to the pool with them on
        with db.get_engine().connect() as conn:
            assert conn.exec_driver_sql('PRAGMA foreign_keys').scalar() == 1
    _run(upgrade.check(ctx, state))


@pytest.mark.usefixtures('db')
def test_migrated_schema_matches_the_models() -> None:
    """What `alembic revision --autogenerate` would write is empty: the models and the revisions never drift."""
    assert schema_differences() == []


# --- fixtures and helpers ----------------------------------------------------------------------------------------

class OldDatabase:
    def __init__(self, backend: str, url: str, data_dir: Path) -> None:
        self.backend, self.url, self.data_dir = backend, url, data_dir

    def build(self, revision: str) -> None:
        """An empty database at `revision` (PostgreSQL: the worker's database, emptied first)."""
        engine = db.get_engine()
        if self.backend == 'postgresql':
            _pg_ready['done'] = False  # whatever happens here, the next `db` fixture rebuilds the schema at head
            with engine.begin() as conn:
                conn.execute(text('DROP SCHEMA public CASCADE'))
                conn.execute(text('CREATE SCHEMA public'))
        cfg = db.alembic_config()
        with engine.begin() as connection:
            cfg.attributes['connection'] = connection
            command.upgrade(cfg, revision)
        assert current_revision() == revision


@pytest.fixture(params=BACKENDS)
def old_database(request, tmp_path, monkeypatch):
    """Like tests/conftest.py's `db`, but the test builds the schema itself, at an old revision. On PostgreSQL the
    worker's database is left for the next `db` fixture to rebuild at head (`_pg_ready['done'] = False`)."""
    data = tmp_path / 'data'
    data.mkdir()
    if request.param == 'sqlite':
        url = f'sqlite:///{data / "conton.db"}'
    else:
        if 'url' not in _pg_ready:
            _pg_ready['url'] = _pg_worker_url(os.environ['CONTON_TEST_DATABASE_URL'])
        url = _pg_ready['url']
    monkeypatch.setenv('CONTON_DATA_DIR', str(data))
    monkeypatch.setenv('CONTON_DATABASE_URL', url)
    monkeypatch.setenv('CONTON_SECRET', 'test-secret')
    monkeypatch.setenv('CONTON_BASE_URL', 'http://conton.test')
    for name in ('CONTON_SMTP_HOST', 'CONTON_SMTP_USER', 'CONTON_SMTP_PASSWORD'):
        monkeypatch.delenv(name, raising=False)
    _reset_singletons()
    yield OldDatabase(request.param, url, data)
    if request.param == 'postgresql':
        _pg_ready['done'] = False
    _reset_singletons()


def older_schema():
    """Today's services on an older schema leave out what they keep in tables added since (the revision that adds
    such a table backfills it from the rows): the Painel financeiro's monthly summary (0004); and they read the
    notification channels (0006) as everyone's default when that schema has no place for a choice."""
    from contextlib import ExitStack
    from unittest import mock

    from sqlalchemy import inspect as sa_inspect

    from conton.services import channels
    tables = set(sa_inspect(db.get_engine()).get_table_names())
    stack = ExitStack()
    if 'financemonth' not in tables:
        stack.enter_context(finance.months_not_kept())
    if 'notificationpreference' not in tables:
        stack.enter_context(mock.patch.object(
            channels, 'channels', lambda _session, ids, _category: {uid: channels.FALLBACK for uid in ids}))
        stack.enter_context(mock.patch.object(channels, 'silent', lambda _session, _pairs: set()))
    return stack


def _run(value):
    """A fill or check may be a coroutine (an upload is saved with `await`): run it to the end."""
    return asyncio.run(value) if inspect.isawaitable(value) else value


def current_revision() -> str | None:
    with db.get_engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_differences() -> list:
    with db.get_engine().connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table (as the database has it now), sorted, keyed by table name."""
    metadata = MetaData()
    engine = db.get_engine()
    metadata.reflect(engine)
    out: dict[str, list[dict]] = {}
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            if name == 'alembic_version':
                continue
            rows = [dict(r._mapping) for r in conn.execute(sa_select(table))]
            out[name] = sorted(rows, key=repr)
    return out


def _project(row: dict, keys) -> dict:
    """A row restricted to the columns the older schema had (the revision may add columns)."""
    return {k: row[k] for k in keys}


def count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


# --- 0002: money columns 64-bit ----------------------------------------------------------------------------------

def fill_office(ctx: Context) -> dict:
    """An office with a bit of everything: a client with honorários and a login (notified of its charges), a supplier,
    monthly and one-off charges (one in installments, one paid with its recibo), bills (one with an attachment, one
    paid)."""
    clock.set_now(None)
    admin = ctx.admin
    client = clients.create(admin, kind='PJ', document=cnpj(7001), name='Padaria Pão Quente Ltda',
                            tax_regime='Simples Nacional', email='contato@paoquente.test', fee='1.234,56', due_day='10')
    other = clients.create(admin, kind='PF', document=cpf(7002), name='Maria da Silva', tax_regime='Pessoa Física',
                           fee='21.474.836,47', due_day='5')  # the largest a 32-bit column held
    login = users.create_client_login(admin, client.id, name='Dono da Padaria', email='dono@paoquente.test')
    supplier = suppliers.create(admin, kind='PJ', document=cnpj(7003), name='Imobiliária Central Ltda')
    today = clock.today()
    comp = receivables.competence_of(today)
    assert receivables.generate_month(admin, comp) == 2
    one_off = receivables.create(admin, client_id=client.id, description='Abertura de filial', amount='1.500,00',
                                 due_date=today, issue_date=today)
    parcels = receivables.create(admin, client_id=client.id, description='Regularização', amount='1.000,00',
                                 due_date=today, issue_date=today, installments=3)
    receipt_id = receivables.pay(admin, one_off[0], paid_date=today, addition='12,34', payment_form='pix')
    stored = asyncio.run(payables.save_attachment(admin, SmallFileUpload('boleto.pdf', 'application/pdf', PDF)))
    [rent] = payables.create(admin, supplier_id=str(supplier.id), description='Aluguel', amount='3.200,00',
                             due_date=today, attachment=stored)
    [energy] = payables.create(admin, description='Energia', amount='450,10', due_date=today)
    payables.pay(admin, energy, paid_date=today, discount='10,10')
    with unit() as session:
        assert session.exec(select(func.count()).select_from(Notification)
                            .where(Notification.user_id == login.id)).one() > 0
    return dict(client=client.id, other=other.id, login=login.id, supplier=supplier.id, one_off=one_off[0],
                parcels=parcels, receipt=receipt_id, rent=rent, energy=energy)


def check_office(ctx: Context, state: dict) -> None:
    """The services read the upgraded office as before, and amounts above a 32-bit column's limit now fit."""
    admin = auth.authenticate('ana@escritorio.test', PASSWORD)
    assert clients.get(admin, state['client']).fee_cents == 123456
    assert clients.get(admin, state['other']).fee_cents == INT32_MAX
    paid = receivables.get(admin, state['one_off'])
    assert paid.charge.status == 'pago' and paid.charge.received_cents == 151234
    assert paid.receipt is not None and paid.receipt.id == state['receipt'] and paid.receipt.amount_cents == 151234
    assert [receivables.get(admin, i).charge.amount_cents for i in state['parcels']] == [33334, 33333, 33333]
    assert payables.attachment(admin, state['rent']) == ('boleto.pdf', 'application/pdf', PDF)
    assert payables.get(admin, state['rent']).supplier_name == 'Imobiliária Central Ltda'
    assert payables.get(admin, state['energy']).paid_cents == 44000
    with unit() as session:
        login = session.get(User, state['login'])
        client_actor = auth.to_actor(login)
    portal = receivables.portal(client_actor)
    assert portal.open_cents == 123456 + 100000  # honorários + the three parcels, not the paid one nor Maria's
    assert sum(notifications.unread_counts(client_actor).values()) > 0
    assert count(Receipt) == 1 and count(Client) == 2 and count(Bill) == 2

    # what a 32-bit column refused ("integer out of range" on PostgreSQL) is stored whole
    [big_charge] = receivables.create(admin, client_id=state['client'], description='Venda do imóvel',
                                      amount='99.999.999,99', due_date=clock.today())
    [big_bill] = payables.create(admin, description='Imóvel', amount='999.999.999,99', due_date=clock.today())
    clients.update(admin, state['other'], **_client_fields(clients.get(admin, state['other'])), fee='99.999.999,99')
    with unit() as session:
        assert session.get(Charge, big_charge).amount_cents == BOLETO_MAX_CENTS > INT32_MAX
        assert session.get(Bill, big_bill).amount_cents == MAX_AMOUNT_CENTS
        assert session.get(Client, state['other']).fee_cents == BOLETO_MAX_CENTS
    payables.pay(admin, big_bill, paid_date=clock.today(), addition='999.999.999,99')
    assert payables.get(admin, big_bill).paid_cents == 2 * MAX_AMOUNT_CENTS


def _client_fields(client) -> dict:
    return dict(kind=client.kind, document=client.document, name=client.name, tax_regime=client.tax_regime,
                due_day=str(client.due_day))


UPGRADES['0002'] = Upgrade(fill_office, check_office)


# --- 0003: one table for the reminders of every tool (alertsent -> remindersent) --------------------------------

def fill_alerts(ctx: Context) -> dict:
    """Two bills alerted today (due soon and overdue) and a charge alerted a week ago, as the old sweeps wrote them
    (alertsent has no place in today's services: SQL)."""
    import uuid
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import Date, DateTime, Uuid, column, insert, table
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))  # 12:00 in São Paulo
    today = clock.today()
    [soon] = payables.create(ctx.admin, description='Aluguel', amount='100,00', due_date=today + timedelta(days=2),
                             issue_date=today - timedelta(days=5))
    [late] = payables.create(ctx.admin, description='Energia', amount='50,00', due_date=today - timedelta(days=3),
                             issue_date=today - timedelta(days=5))
    charge = uuid.uuid4()
    alertsent = table('alertsent', column('item_kind'), column('item_id', Uuid()), column('level'),
                      column('day', Date()), column('created_at', DateTime(timezone=True)))
    rows = [('bill', soon, 'due_soon', today, clock.now()), ('bill', late, 'overdue', today, clock.now()),
            ('charge', charge, 'overdue', today - timedelta(days=7), clock.now() - timedelta(days=7))]
    with db.get_engine().begin() as conn:
        conn.execute(insert(alertsent), [dict(zip(('item_kind', 'item_id', 'level', 'day', 'created_at'), r))
                                         for r in rows])
    return dict(rows=rows)


def check_alerts(ctx: Context, state: dict) -> None:
    """Every alert is a reminder record keyed by its day, and what was alerted today is not alerted again."""
    from datetime import timedelta

    from conton.models import ReminderSent
    with unit() as session:
        records = session.exec(select(ReminderSent)).all()
    assert sorted((r.item_kind, r.item_id, r.level, r.period, r.day, r.due_at, r.delivered_at, r.late)
                  for r in records) == sorted((kind, item, level, day.isoformat(), day, at, at, False)
                                              for kind, item, level, day, at in state['rows'])
    assert payables.sweep_alerts() == 0
    clock.set_now(clock.now() + timedelta(days=1))
    assert payables.sweep_alerts() == 2


UPGRADES['0003'] = Upgrade(fill_alerts, check_alerts, reshapes=('alertsent',))


# --- 0004: the Painel financeiro's monthly summary, backfilled ---------------------------------------------------

def fill_finance_months(ctx: Context) -> dict:
    """Charges and bills paid over three months, one payment undone and paid again, a paid bill deleted, one
    cancelled: what 0004 must sum into the new table."""
    from datetime import datetime, timedelta, timezone
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    admin, today = ctx.admin, clock.today()
    client = clients.create(admin, kind='PJ', document=cnpj(7101), name='Padaria Pão Quente Ltda',
                            tax_regime='Simples Nacional', fee='500,00', due_day='10')
    start = today - timedelta(days=70)
    charges = receivables.create(admin, client_id=client.id, description='Regularização', amount='900,00',
                                 due_date=start, issue_date=start, installments=3, notify=False)
    receivables.pay(admin, charges[0], paid_date=start, payment_form='pix')
    receivables.pay(admin, charges[1], paid_date=start + timedelta(days=31), addition='7,00', payment_form='boleto')
    receivables.undo_payment(admin, charges[1])
    receivables.pay(admin, charges[1], paid_date=start + timedelta(days=32), payment_form='dinheiro')
    bills = payables.create(admin, description='Licença', amount='600,00', due_date=start, issue_date=start,
                            repeat='parcelas', installments=3)
    for n, bill in enumerate(bills):
        payables.pay(admin, bill, paid_date=start + timedelta(days=30 * n), discount='1,00')
    payables.delete(admin, [bills[2]])
    [cancelled] = payables.create(admin, description='Energia', amount='50,00', due_date=today, issue_date=start)
    payables.cancel(admin, cancelled)
    with unit() as session:
        expected = finance.months_from_rows(session)
    assert len(expected) == 4  # two months of each side
    return dict(expected=expected, client=client.id, open=charges[2])


def check_finance_months(ctx: Context, state: dict) -> None:
    """The summary holds exactly the group-by over the rows, the panel shows it, and it is kept from now on."""
    from datetime import date
    with unit() as session:
        assert finance.stored_months(session) == state['expected'] == finance.months_from_rows(session)
    dash = finance.dashboard(ctx.admin)
    assert dash.received_cents == 30000 + 30000 and dash.paid_cents == 19900 * 2
    receivables.pay(ctx.admin, state['open'], paid_date=clock.today(), payment_form='pix')
    with unit() as session:
        stored = finance.stored_months(session)
        assert stored == finance.months_from_rows(session)
    assert stored[('received', date(2026, 11, 1))] == (30000, 1)


UPGRADES['0004'] = Upgrade(fill_finance_months, check_finance_months)


# --- 0005: the Agenda (tests/migrations/upgrade_0005.py) ---------------------------------------------------------

from tests.migrations import upgrade_0005  # noqa: E402

UPGRADES['0005'] = Upgrade(upgrade_0005.fill, upgrade_0005.check)


# --- 0006: Arquivos and Protocolos (tests/migrations/upgrade_0006.py) ------------------------------------------------

from tests.migrations import upgrade_0006  # noqa: E402

UPGRADES['0006'] = Upgrade(upgrade_0006.fill, upgrade_0006.check)


# --- 0007: issue 11, the conversation between office and client (tests/migrations/upgrade_0007.py) ----------------

from tests.migrations import upgrade_0007  # noqa: E402

UPGRADES['0007'] = Upgrade(upgrade_0007.fill, upgrade_0007.check)


# --- 0008: the Solicitações list's activity index (tests/migrations/upgrade_0008.py) -------------------------------

from tests.migrations import upgrade_0008  # noqa: E402

UPGRADES['0008'] = Upgrade(upgrade_0008.fill, upgrade_0008.check)


# --- 0009: the Atendimentos list's index (tests/migrations/upgrade_0009.py) ---------------------------------------

from tests.migrations import upgrade_0009  # noqa: E402

UPGRADES['0009'] = Upgrade(upgrade_0009.fill, upgrade_0009.check)


# --- 0010: Protocolos' folded title for accent-free search (tests/migrations/upgrade_0010.py) ---------------------

from tests.migrations import upgrade_0010  # noqa: E402

UPGRADES['0010'] = Upgrade(upgrade_0010.fill, upgrade_0010.check)
