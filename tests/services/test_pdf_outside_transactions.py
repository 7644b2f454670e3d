"""Boletos and recibos are drawn after the transaction that reserved their number has committed: while the PDF is
being drawn, another connection can lock the office row at once (PostgreSQL: SELECT … FOR UPDATE NOWAIT; SQLite:
BEGIN IMMEDIATE with no busy wait), and the number and the recibo are already committed. The e-mails that carry
them are queued right after, in a second short transaction."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import select

from conton import clock, db, pdf
from conton.models import Charge, OutboxEmail, Receipt
from conton.services import receivables
from conton.services.base import unit
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_receivables import bank_settings


@pytest.fixture
def admin(db):
    make_office()
    bank_settings()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    return actor_of(make_user('admin'))


def office_lock_free(backend: str) -> bool:
    """From another connection, without waiting: can the office row (PostgreSQL) or the database's write lock
    (SQLite) be taken right now?"""
    if backend == 'postgresql':
        with db.get_engine().connect() as conn:
            try:
                conn.execute(text('SELECT id FROM office WHERE id = 1 FOR UPDATE NOWAIT')).all()
                return True
            except Exception:  # noqa: BLE001  (LockNotAvailable)
                return False
            finally:
                conn.rollback()
    other = sqlite3.connect(make_url(db.get_engine().url).database, timeout=0, isolation_level=None)
    try:
        other.execute('BEGIN IMMEDIATE')
        other.execute('ROLLBACK')
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def committed(query) -> list:
    """What another connection sees now (only committed rows)."""
    with db.get_engine().connect() as conn:
        return list(conn.execute(query).all())


@pytest.fixture
def watch(monkeypatch, db):
    """Replace the PDF drawing functions with ones that first look from another connection (and then draw)."""
    seen: list[tuple[str, bool, list]] = []

    def spy(name: str, probe):
        real = getattr(pdf, name)

        def drawn(doc):
            seen.append((name, office_lock_free(db), probe()))
            return real(doc)
        monkeypatch.setattr(pdf, name, drawn)
    spy('boleto_pdf', lambda: committed(select(Charge.__table__.c.nosso_numero)
                                        .where(Charge.__table__.c.nosso_numero.is_not(None))))
    spy('recibo_pdf', lambda: committed(select(Receipt.__table__.c.number)))
    return seen


def test_boleto_download_drawn_after_the_number_is_committed(admin, watch) -> None:
    [charge] = receivables.create(admin, client_id=make_client().id, description='Consultoria', amount='500,00',
                                  due_date='18/11/2026', notify=False)
    name, data = receivables.boleto_pdf(admin, charge)
    assert data.startswith(b'%PDF') and name.startswith('boleto-')
    assert watch == [('boleto_pdf', True, [(1,)])]


def test_recibo_drawn_after_the_payment_is_committed(admin, watch) -> None:
    client = make_client()
    make_user('client', client=client)
    [charge] = receivables.create(admin, client_id=client.id, description='Consultoria', amount='500,00',
                                  due_date='18/11/2026', notify=False)
    receivables.pay(admin, charge, paid_date='10/11/2026', payment_form='pix')
    assert watch == [('recibo_pdf', True, [(1,)])]
    with unit() as session:
        [mail] = session.exec(select(OutboxEmail)).all()
    assert [a['name'] for a in mail.attachments] == ['recibo-000001.pdf']


def test_new_charge_and_resend_boletos_drawn_outside_the_transaction(admin, watch) -> None:
    client = make_client()  # has an e-mail address
    [charge] = receivables.create(admin, client_id=client.id, description='Consultoria', amount='500,00',
                                  due_date=clock.today() + timedelta(days=8))
    assert receivables.send_to_client(admin, charge) == 1
    assert watch == [('boleto_pdf', True, [(1,)]), ('boleto_pdf', True, [(1,)])]
    with unit() as session:
        mails = session.exec(select(OutboxEmail).order_by(OutboxEmail.created_at)).all()
    assert len(mails) == 2 and all([a['mime'] for a in m.attachments] == ['application/pdf'] for m in mails)
