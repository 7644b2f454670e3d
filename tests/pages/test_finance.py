"""Painel financeiro page: totals, chart data, overdue lists with links; access."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from nicegui import ui
from nicegui.testing import User

from conton import clock
from conton.models import Bill, Charge
from conton.services.base import unit
from tests.factories import login, make_client, make_office, make_supplier, make_user


@pytest.fixture
def data():
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    client = make_client('Padaria Pão Quente')
    supplier = make_supplier('Imobiliária Central')
    with unit() as session:
        session.add(Charge(client_id=client.id, kind='avulso', description='Honorários 10/2026', amount_cents=50000,
                           issue_date=date(2026, 10, 1), due_date=date(2026, 10, 10)))
        session.add(Charge(client_id=client.id, kind='avulso', description='Honorários 09/2026', amount_cents=45000,
                           issue_date=date(2026, 9, 1), due_date=date(2026, 9, 10), status='pago',
                           paid_date=date(2026, 9, 12), received_cents=45000))
        session.add(Bill(supplier_id=supplier.id, description='Aluguel <outubro>', amount_cents=150000,
                         issue_date=date(2026, 10, 1), due_date=date(2026, 10, 5)))
        session.add(Bill(description='Energia', amount_cents=30000, issue_date=date(2026, 9, 1),
                         due_date=date(2026, 9, 5), status='pago', paid_date=date(2026, 9, 5), paid_cents=30000))


def content(user: User, marker: str) -> str:
    return next(iter(user.find(marker=marker).elements)).content


async def test_dashboard_shows_totals_chart_and_overdue(user: User, data) -> None:
    await login(user, make_user('admin'))
    await user.open('/financeiro')
    await user.should_see('Painel financeiro')
    stats = content(user, 'finance-stats')
    assert 'A receber (em aberto)' in stats and 'R$\xa0500,00' in stats and 'R$\xa01.500,00' in stats
    overdue = content(user, 'finance-overdue')
    assert 'Padaria Pão Quente' in overdue and 'Honorários 10/2026' in overdue and '31 dias' in overdue
    assert 'Aluguel &lt;outubro&gt;' in overdue and 'Imobiliária Central' in overdue
    assert 'href="/recebimentos?status=vencido"' in overdue and 'href="/pagamentos?status=vencido"' in overdue
    chart = next(iter(user.find(ui.echart).elements))
    series = {s['name']: s['data'] for s in chart.options['series']}
    labels = chart.options['xAxis']['data']
    assert labels[0] == 'dez/25' and labels[-1] == 'nov/26'
    september = labels.index('set/26')
    assert series['Recebido'][september] == 450.0 and series['Pago'][september] == 300.0
    assert series['Saldo'][september] == 150.0


async def test_links_only_to_tools_the_staff_may_open(user: User, data) -> None:
    await login(user, make_user('staff', permissions={'finance': 'read', 'payables': 'read'}))
    await user.open('/financeiro')
    await user.should_see('Painel financeiro')
    overdue = content(user, 'finance-overdue')
    assert '/recebimentos' not in overdue and 'href="/pagamentos?status=vencido"' in overdue


async def test_staff_without_finance_permission(user: User, data) -> None:
    await login(user, make_user('staff', permissions={'payables': 'write', 'receivables': 'write'}))
    await user.open('/financeiro')
    await user.should_see('Página não encontrada ou sem acesso')
    await user.should_not_see(marker='finance-stats')
