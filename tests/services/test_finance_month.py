"""The Painel financeiro's monthly summary (FinanceMonth) always equals the group-by over the paid rows: after every
kind of write through the services (pay, undo, cancel, reopen, delete of charges and bills), after plain ORM writes,
and not after a rolled-back one."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from conton import clock
from conton.models import Bill, Charge, FinanceMonth
from conton.services import finance, payables, receivables
from conton.services.base import unit
from tests.factories import actor_of, make_client, make_office, make_supplier, make_user


@pytest.fixture
def admin(db):
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    return actor_of(make_user('admin'))


def assert_summary_matches() -> dict:
    with unit() as session:
        stored, computed = finance.stored_months(session), finance.months_from_rows(session)
    assert stored == computed
    return stored


def month(side: str, year: int, number: int) -> tuple[int, int]:
    return assert_summary_matches().get((side, date(year, number, 1)), (0, 0))


def test_charges_pay_undo_cancel_reopen(admin) -> None:
    client = make_client('Padaria Pão Quente')
    [a] = receivables.create(admin, client_id=client.id, description='Abertura de filial', amount='1.500,00',
                             due_date='20/11/2026', issue_date='01/10/2026', notify=False)
    parcels = receivables.create(admin, client_id=client.id, description='Regularização', amount='900,00',
                                 due_date='20/11/2026', issue_date='01/10/2026', installments=3, notify=False)
    assert assert_summary_matches() == {}

    receivables.pay(admin, a, paid_date='05/11/2026', addition='12,34', payment_form='pix')
    assert month('received', 2026, 11) == (151234, 1)
    receivables.pay(admin, parcels[0], paid_date='30/10/2026', received='250,00', payment_form='dinheiro')
    receivables.pay(admin, parcels[1], paid_date='01/11/2026', discount='10,00', payment_form='boleto')
    assert month('received', 2026, 10) == (25000, 1) and month('received', 2026, 11) == (151234 + 29000, 2)

    receivables.undo_payment(admin, a)
    assert month('received', 2026, 11) == (29000, 1)
    receivables.pay(admin, a, paid_date='09/11/2026', payment_form='pix')  # paid again, another amount
    assert month('received', 2026, 11) == (150000 + 29000, 2)
    receivables.cancel(admin, parcels[2])
    receivables.reopen(admin, parcels[2])
    receivables.undo_payment(admin, parcels[0])
    assert month('received', 2026, 10) == (0, 0)
    assert month('paid', 2026, 11) == (0, 0)  # the other side untouched


def test_bills_pay_undo_cancel_delete(admin) -> None:
    supplier = make_supplier('Imobiliária Central')
    [rent] = payables.create(admin, supplier_id=str(supplier.id), description='Aluguel', amount='3.200,00',
                             due_date='05/11/2026', issue_date='01/09/2026')
    software = payables.create(admin, description='Licença', amount='600,00', due_date='20/09/2026',
                               issue_date='01/09/2026', repeat='parcelas', installments=3)
    [energy] = payables.create(admin, description='Energia', amount='450,10', due_date='12/11/2026',
                               issue_date='01/09/2026')
    payables.pay(admin, rent, paid_date='04/11/2026')
    payables.pay(admin, energy, paid_date='10/11/2026', discount='10,10')
    payables.pay(admin, software[0], paid_date='20/09/2026')
    payables.pay(admin, software[1], paid_date='20/10/2026', addition='5,00')
    assert month('paid', 2026, 11) == (320000 + 44000, 2)
    assert month('paid', 2026, 9) == (20000, 1) and month('paid', 2026, 10) == (20500, 1)

    payables.undo_payment(admin, energy)
    assert month('paid', 2026, 11) == (320000, 1)
    payables.cancel(admin, energy)
    payables.reopen(admin, energy)
    payables.delete(admin, [rent])  # a paid bill deleted
    assert month('paid', 2026, 11) == (0, 0)
    payables.delete(admin, [software[2]], scope='group')  # the whole series, two of them paid
    assert assert_summary_matches() == {}
    assert month('received', 2026, 11) == (0, 0)


def test_plain_orm_writes_and_rollback(admin) -> None:
    client = make_client()
    with unit() as session:
        session.add(Charge(client_id=client.id, kind='avulso', description='Importada', amount_cents=50000,
                           issue_date=date(2026, 1, 1), due_date=date(2026, 3, 10), status='pago',
                           paid_date=date(2026, 3, 12), received_cents=49000))
        session.add(Bill(description='Importada', amount_cents=7000, issue_date=date(2026, 1, 1),
                         due_date=date(2026, 3, 5), status='pago', paid_date=date(2026, 3, 5), paid_cents=7000))
    assert month('received', 2026, 3) == (49000, 1) and month('paid', 2026, 3) == (7000, 1)
    with unit() as session:  # the payment day moved to another month, the amount corrected
        charge = session.exec(select(Charge)).one()
        charge.paid_date, charge.received_cents = date(2026, 4, 1), 50000
    assert month('received', 2026, 3) == (0, 0) and month('received', 2026, 4) == (50000, 1)
    with unit() as session:  # an object whose columns were expired (not loaded) before being set
        charge = session.exec(select(Charge)).one()
        session.expire(charge)
        charge.received_cents = 51000
    assert month('received', 2026, 4) == (51000, 1)
    with pytest.raises(RuntimeError):
        with unit() as session:
            session.get(Bill, session.exec(select(Bill.id)).one()).paid_date = date(2026, 5, 5)
            session.flush()
            raise RuntimeError('rolled back')
    assert month('paid', 2026, 3) == (7000, 1) and month('paid', 2026, 5) == (0, 0)
    with unit() as session:
        session.delete(session.exec(select(Bill)).one())
        session.delete(session.exec(select(Charge)).one())
    assert assert_summary_matches() == {}


def test_rebuild_and_dashboard_read_the_summary(admin) -> None:
    client = make_client()
    with unit() as session:
        for day, cents in ((date(2026, 10, 3), 10000), (date(2026, 10, 28), 2500), (date(2026, 11, 1), 700)):
            session.add(Charge(client_id=client.id, kind='avulso', description='x', amount_cents=cents,
                               issue_date=date(2026, 1, 1), due_date=day, status='pago', paid_date=day,
                               received_cents=cents))
    with unit() as session:
        session.exec(FinanceMonth.__table__.delete())  # as after a bulk load that no flush saw
    assert finance.dashboard(admin).received_cents == 0  # the panel reads the summary, not the rows
    with unit() as session:
        finance.rebuild_months(session)
    assert month('received', 2026, 10) == (12500, 2)
    by = {(m.year, m.month): m.received_cents for m in finance.dashboard(admin).months}
    assert by[(2026, 10)] == 12500 and by[(2026, 11)] == 700
