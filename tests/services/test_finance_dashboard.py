"""Painel financeiro: received vs paid per month (12 months), open totals, overdue lists, permissions."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from conton import clock, db
from conton.models import Bill, Charge
from conton.services import finance
from conton.services.base import unit
from conton.services.errors import PermissionDenied
from tests.factories import actor_of, make_client, make_office, make_supplier, make_user


@pytest.fixture
def admin():
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    return actor_of(make_user('admin'))


def charge(client, amount: int, due: date, *, paid: date | None = None, received: int | None = None,
           status: str = 'aberto', description: str = 'Honorários') -> None:
    with unit() as session:
        session.add(Charge(client_id=client.id, kind='avulso', description=description, amount_cents=amount,
                           issue_date=date(2025, 1, 1), due_date=due, status='pago' if paid else status,
                           paid_date=paid, received_cents=received if received is not None else
                           (amount if paid else None)))


def bill(amount: int, due: date, *, paid: date | None = None, supplier=None, status: str = 'aberto',
         description: str = 'Conta') -> None:
    with unit() as session:
        session.add(Bill(supplier_id=supplier.id if supplier else None, description=description, amount_cents=amount,
                         issue_date=date(2025, 1, 1), due_date=due, status='pago' if paid else status,
                         paid_date=paid, paid_cents=amount if paid else None))


def test_dashboard_series_totals_and_overdue(admin) -> None:
    client = make_client('Padaria Pão Quente')
    supplier = make_supplier('Imobiliária Central')
    charge(client, 50000, date(2026, 11, 5), paid=date(2026, 11, 6), received=51000)
    charge(client, 50000, date(2026, 10, 5), paid=date(2026, 10, 3))
    charge(client, 30000, date(2025, 12, 5), paid=date(2025, 12, 1))  # first month of the window
    charge(client, 99999, date(2025, 11, 5), paid=date(2025, 11, 30))  # 13 months ago: outside
    charge(client, 50000, date(2026, 9, 5), description='Honorários 09/2026')  # overdue
    charge(client, 20000, date(2026, 11, 20))  # open, not overdue
    charge(client, 70000, date(2026, 8, 5), status='cancelado')
    bill(150000, date(2026, 11, 5), paid=date(2026, 11, 5), supplier=supplier)
    bill(20000, date(2026, 11, 1), paid=date(2026, 11, 2))
    bill(40000, date(2026, 6, 1), paid=date(2026, 6, 15))
    bill(30000, date(2026, 10, 20), supplier=supplier, description='Aluguel outubro')  # overdue
    bill(10000, date(2026, 11, 30))
    bill(5000, date(2026, 10, 1), status='cancelado')

    dash = finance.dashboard(admin)
    assert [m.label for m in dash.months][:2] == ['dez/25', 'jan/26'] and dash.months[-1].label == 'nov/26'
    assert len(dash.months) == 12
    by = {(m.year, m.month): m for m in dash.months}
    assert by[(2026, 11)].received_cents == 51000 and by[(2026, 11)].paid_cents == 170000
    assert by[(2026, 10)].received_cents == 50000 and by[(2025, 12)].received_cents == 30000
    assert by[(2026, 6)].paid_cents == 40000 and by[(2026, 11)].balance_cents == -119000
    assert dash.received_cents == 131000 and dash.paid_cents == 210000
    assert dash.receivables == finance.Totals(70000, 2, 50000, 1)
    assert dash.payables == finance.Totals(40000, 2, 30000, 1)
    [late_charge] = dash.overdue_receivables
    assert (late_charge.name, late_charge.description, late_charge.days_late) == \
        ('Padaria Pão Quente', 'Honorários 09/2026', 66)
    [late_bill] = dash.overdue_payables
    assert (late_bill.name, late_bill.description, late_bill.amount_cents) == \
        ('Imobiliária Central', 'Aluguel outubro', 30000)


def test_overdue_lists_are_top_ten_oldest_first(admin) -> None:
    for i in range(15):
        bill(1000 + i, date(2026, 10, 1 + i), description=f'Conta {i:02d}')
    dash = finance.dashboard(admin)
    assert len(dash.overdue_payables) == 10
    assert [o.description for o in dash.overdue_payables][:2] == ['Conta 00', 'Conta 01']
    assert dash.payables.overdue_count == 15


def test_dashboard_empty_and_few_queries(admin) -> None:
    before = db.query_counter['n']
    dash = finance.dashboard(admin)
    assert db.query_counter['n'] - before <= 1 + 6  # the login's re-check (services/base.py), then the dashboard
    assert dash.received_cents == dash.paid_cents == 0 and dash.overdue_payables == []


def test_dashboard_permissions(admin) -> None:
    assert finance.dashboard(actor_of(make_user('staff', permissions={'finance': 'read'}))).months
    for user in (make_user('staff', permissions={'payables': 'write', 'receivables': 'write'}),
                 make_user('client', client=make_client())):
        with pytest.raises(PermissionDenied):
            finance.dashboard(actor_of(user))
