"""Due-date alerts of Pagamentos: due within 3 days and overdue, to admins and staff with access to Pagamentos,
live notification + e-mail, exactly once per bill, level and day, also across a restart; none for paid or
cancelled bills; set-based (the number of queries does not grow with the number of bills)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import func, select

from conton import clock, db
from conton.models import AlertSent, Notification, OutboxEmail
from conton.services import mail, notifications, payables
from conton.services.base import unit
from tests.factories import actor_of, make_client, make_office, make_supplier, make_user


def at(day: int, month: int = 11, hour: int = 12) -> None:
    """Move the clock to day/month/2026 at `hour` in São Paulo (UTC-3)."""
    clock.set_now(datetime(2026, month, day, hour, 0, tzinfo=timezone.utc) + timedelta(hours=3))


@pytest.fixture
def office():
    make_office()
    at(10)
    admin = make_user('admin', email='dona@escritorio.test')
    reader = make_user('staff', email='leitor@escritorio.test', permissions={'payables': 'read'})
    other = make_user('staff', email='outro@escritorio.test', permissions={'receivables': 'write'})
    inactive = make_user('staff', email='saiu@escritorio.test', permissions={'payables': 'write'})
    with unit() as session:
        from conton.models import User
        session.get(User, inactive.id).active = False
    client = make_user('client', email='cliente@empresa.test', client=make_client())
    return {'admin': admin, 'reader': reader, 'other': other, 'inactive': inactive, 'client': client}


def notes(user) -> list[Notification]:
    with unit() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id)
                                 .order_by(Notification.created_at, Notification.title)).all())


def outbox(address: str) -> list[OutboxEmail]:
    with unit() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.to_addr == address)).all())


def new_bill(actor, description: str, due: str, amount: str = '100,00', **kw):
    return payables.create(actor, description=description, amount=amount, due_date=due, issue_date='01/10/2026',
                           **kw)[0]


def test_alerts_exactly_once_per_bill_level_and_day_across_restart(office) -> None:
    admin = actor_of(office['admin'])
    supplier = make_supplier('Imobiliária Central')
    new_bill(admin, 'Aluguel', '12/11/2026', '1.500,00', supplier_id=supplier.id)  # due in 2 days
    new_bill(admin, 'Energia', '05/11/2026')  # overdue
    new_bill(admin, 'Internet', '20/11/2026')  # not yet
    paid = new_bill(admin, 'Água', '11/11/2026')
    payables.pay(admin, paid, paid_date='09/11/2026')
    cancelled = new_bill(admin, 'Revista', '04/11/2026')
    payables.cancel(admin, cancelled)

    assert payables.sweep_alerts() == 2
    titles = {n.title for n in notes(office['admin'])}
    assert titles == {'Conta a pagar vence em 2 dias: Aluguel', 'Conta a pagar vencida: Energia'}
    assert all(n.category == 'pagamentos' for n in notes(office['admin']))
    soon = next(n for n in notes(office['admin']) if 'Aluguel' in n.title)
    assert 'Imobiliária Central' in soon.body and 'R$\xa01.500,00' in soon.body and '12/11/2026' in soon.body
    assert soon.link == '/pagamentos?status=pendente&ate=2026-11-13'
    assert {n.title for n in notes(office['reader'])} == titles
    for name in ('other', 'inactive', 'client'):
        assert notes(office[name]) == []
    mails = outbox('dona@escritorio.test')
    assert sorted(m.subject for m in mails) == sorted(titles)
    assert any('Energia' in m.text and '/pagamentos?status=vencido' in m.text for m in mails)
    assert len(outbox('leitor@escritorio.test')) == 2
    assert outbox('outro@escritorio.test') == outbox('cliente@empresa.test') == outbox('saiu@escritorio.test') == []

    # again the same day: nothing new, also after a "restart" (new engine, new connections)
    assert payables.sweep_alerts() == 0
    db.reset_engine()
    at(10, hour=23)
    assert payables.sweep_alerts() == 0
    assert len(notes(office['admin'])) == 2 and len(outbox('dona@escritorio.test')) == 2

    # a bill added later the same day is alerted on its own
    new_bill(admin, 'Telefone', '13/11/2026')
    assert payables.sweep_alerts() == 1
    assert notes(office['admin'])[-1].title == 'Conta a pagar vence em 3 dias: Telefone'

    # next day: one reminder per level again (a digest when there are several)
    at(11, hour=8)
    db.reset_engine()
    assert payables.sweep_alerts() == 3
    latest = {n.title for n in notes(office['admin'])[3:]}
    assert latest == {'2 contas a pagar vencem em até 3 dias', 'Conta a pagar vencida: Energia'}
    assert payables.sweep_alerts() == 0
    with unit() as session:
        rows = session.exec(select(AlertSent.item_id, AlertSent.level, AlertSent.day)).all()
    assert len(rows) == len(set(rows)) == 6


def test_no_alerts_for_paid_cancelled_or_far_bills(office) -> None:
    admin = actor_of(office['admin'])
    a = new_bill(admin, 'Paga', '11/11/2026')
    payables.pay(admin, a, paid_date='10/11/2026')
    b = new_bill(admin, 'Cancelada', '01/11/2026')
    payables.cancel(admin, b)
    new_bill(admin, 'Longe', '14/11/2026')  # 4 days ahead
    assert payables.sweep_alerts() == 0
    assert notes(office['admin']) == []
    # paid after the first alert: no more alerts for it
    c = new_bill(admin, 'Gás', '12/11/2026')
    assert payables.sweep_alerts() == 1
    payables.pay(admin, c, paid_date='10/11/2026')
    at(11)
    assert payables.sweep_alerts() == 1  # only 'Longe' (now 3 days ahead)
    assert notes(office['admin'])[-1].title == 'Conta a pagar vence em 3 dias: Longe'


def test_sweep_is_set_based(office) -> None:
    admin = actor_of(office['admin'])
    for i in range(3):
        new_bill(admin, f'Conta {i}', '09/11/2026')
    notifications_before = db.query_counter['n']
    payables.sweep_alerts()
    few = db.query_counter['n'] - notifications_before
    at(11)
    for i in range(60):
        new_bill(admin, f'Outra {i}', '12/11/2026')
    before = db.query_counter['n']
    assert payables.sweep_alerts() == 63
    assert db.query_counter['n'] - before <= few + 2
    with unit() as session:
        assert session.exec(select(func.count()).select_from(AlertSent)).one() == 66
    soon = next(n for n in notes(office['admin']) if 'vencem' in n.title)
    assert soon.title == '60 contas a pagar vencem em até 3 dias' and 'R$\xa06.000,00' in soon.body


def test_old_alert_rows_are_pruned(office) -> None:
    admin = actor_of(office['admin'])
    new_bill(admin, 'Antiga', '01/09/2026')
    at(10, month=9)
    assert payables.sweep_alerts(date(2026, 9, 10)) == 1
    at(10)
    assert payables.sweep_alerts() == 1
    with unit() as session:
        days = session.exec(select(AlertSent.day)).all()
    assert days == [date(2026, 11, 10)]


def test_live_push_after_commit(office, monkeypatch) -> None:
    from conton.services import live
    received = []  # the notifications handed to the live backend after commit (with the transaction's changes)
    monkeypatch.setattr(live.backend, 'publish', lambda changes, notes: received.extend(notes))
    new_bill(actor_of(office['admin']), 'Energia', '05/11/2026')
    payables.sweep_alerts()
    assert {i.user_id for i in received} == {office['admin'].id, office['reader'].id}


def test_alert_email_delivered(office, smtp) -> None:
    new_bill(actor_of(office['admin']), 'Energia elétrica', '05/11/2026', '250,00')
    payables.sweep_alerts()
    assert mail.send_due() == 2
    message = next(m for m in smtp.messages if m['To'] == 'dona@escritorio.test')
    assert message['Subject'] == 'Conta a pagar vencida: Energia elétrica'
    body = message.get_body(('plain',)).get_content()
    assert 'Energia elétrica' in body and 'R$\xa0250,00' in body and 'http://conton.test/pagamentos' in body


def test_home_badge_counts_overdue_and_due_soon(office) -> None:
    from conton.services import home
    admin = actor_of(office['admin'])
    new_bill(admin, 'Vencida', '01/11/2026')
    new_bill(admin, 'Em 3 dias', '13/11/2026')
    new_bill(admin, 'Em 4 dias', '14/11/2026')
    tiles = {t.tool.key: t for t in home.quick_access(admin)}
    assert tiles['payables'].badge == 2
    assert 'payables' not in {t.tool.key for t in home.quick_access(actor_of(office['other']))}
