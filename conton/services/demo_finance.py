"""Finance part of the demo: three months of honorários (the older ones mostly paid, with recibos), a few one-off
charges, and the office's bills (recurring rent and energy, software in installments), through the services."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlmodel import select

from .. import clock
from ..models import Charge, Supplier, User
from . import auth, payables, receivables
from .base import unit


def _at(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def seed() -> str:
    with unit() as session:
        admin = session.exec(select(User).where(User.role == 'admin')).first()
        suppliers = {s.category: s.id for s in session.exec(select(Supplier)).all()}
    actor = auth.to_actor(admin)
    today = clock.today()
    months = []
    first = today.replace(day=1)
    for back in (2, 1, 0):
        day = first
        for _ in range(back):
            day = (day - timedelta(days=1)).replace(day=1)
        months.append(day)
    try:
        for n, month in enumerate(months):
            clock.set_now(_at(month))
            receivables.generate_month(actor, month.strftime('%Y-%m'))
            if n == 0:
                payables.create(actor, description='Aluguel do escritório', amount='3.200,00', due_date=month.replace(
                    day=5), supplier_id=suppliers.get('Aluguel'), category='Aluguel', repeat='mensal')
                payables.create(actor, description='Energia elétrica', amount='412,37', due_date=month.replace(day=12),
                                supplier_id=suppliers.get('Energia'), category='Energia', repeat='mensal')
                payables.create(actor, description='Licença do sistema contábil', amount='1.800,00',
                                due_date=month.replace(day=20), supplier_id=suppliers.get('Software'),
                                category='Software', repeat='parcelas', installments=6)
        # pay what was due before this month: most honorários on their due date, bills a day early
        with unit() as session:
            due = session.exec(select(Charge.id, Charge.due_date).where(Charge.due_date < first)).all()
        for i, (charge_id, due_date) in enumerate(sorted(due, key=lambda r: r[1])):
            if i % 6 == 5:
                continue  # a few stay overdue
            clock.set_now(_at(due_date))
            receivables.pay(actor, charge_id, paid_date=due_date.strftime('%d/%m/%Y'),
                            payment_form='pix' if i % 2 else 'boleto')
        bills = payables.search(actor, payables.parse_filter(status='aberto'), per_page=200)
        for row in bills.rows:
            if row.due_date < first:
                pay_day = row.due_date - timedelta(days=1)
                clock.set_now(_at(pay_day))
                payables.pay(actor, row.id, paid_date=pay_day.strftime('%d/%m/%Y'))
        clock.set_now(None)
        clients = receivables.client_options(actor, '')
        if clients:
            first_client = next(iter(clients))
            receivables.create(actor, client_id=first_client, description='Abertura de filial', amount='1.500,00',
                               due_date=(today + timedelta(days=10)).strftime('%d/%m/%Y'), installments=3)
    finally:
        clock.set_now(None)
    return ' Também há honorários de três meses (com recibos), contas a pagar e um painel financeiro preenchido.'
