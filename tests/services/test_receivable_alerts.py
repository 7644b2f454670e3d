"""Due-date alerts of Recebimentos: charges due within 3 days -> the client (e-mail with the boleto and the PIX code);
overdue charges -> the client and the staff with access to Recebimentos. Exactly once per charge, level and day, also
across a restart; none for paid or cancelled charges or inactive clients; set-based and fast at 100,000 charges."""
from __future__ import annotations

import base64
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert
from sqlmodel import func, select

from conton import clock, db
from conton.models import AlertSent, Charge, Client, Notification, Office, OutboxEmail, User
from conton.services import notifications, office as office_service, receivables
from conton.services.base import unit
from tests.factories import actor_of, cnpj, make_client, make_office, make_user


def at(day: int, month: int = 11, hour: int = 12) -> None:
    """Move the clock to day/month/2026 at `hour` in São Paulo (UTC-3)."""
    clock.set_now(datetime(2026, month, day, hour, 0, tzinfo=timezone.utc) + timedelta(hours=3))


def bank_settings() -> None:
    with unit() as session:
        o = session.get(Office, 1)
        o.legal_name, o.document, o.city, o.uf = 'Escritório Modelo Ltda', cnpj(4242), 'Recife', 'PE'
        o.bank_code, o.agencia, o.conta, o.carteira = '341', '1234', '12345', '109'
        o.pix_key = 'financeiro@escritorio.test'


@pytest.fixture
def office():
    make_office()
    bank_settings()
    at(10)
    admin = make_user('admin', email='dona@escritorio.test')
    reader = make_user('staff', email='leitor@escritorio.test', permissions={'receivables': 'read'})
    other = make_user('staff', email='outro@escritorio.test', permissions={'payables': 'write'})
    alfa = make_client('Alfa Ltda')
    beta = make_client('Beta Ltda')
    gone = make_client('Inativa Ltda')
    return {'admin': admin, 'reader': reader, 'other': other, 'alfa': alfa, 'beta': beta, 'gone': gone,
            'login_alfa': make_user('client', client=alfa, email='ana@alfa.test'),
            'login_beta': make_user('client', client=beta, email='bruno@beta.test'),
            'login_gone': make_user('client', client=gone, email='gil@inativa.test')}


def new_charge(office, client_key: str, description: str, due: str, amount: str = '100,00',
               issue: str = '01/11/2026') -> uuid.UUID:
    admin = actor_of(office['admin'])
    return receivables.create(admin, client_id=office[client_key].id, description=description, amount=amount,
                              due_date=due, issue_date=issue, notify=False)[0]


def notes(user) -> list[Notification]:
    with unit() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id,
                                                            Notification.category == 'recebimentos',
                                                            Notification.title.not_like('Pagamento recebido%'))
                                 .order_by(Notification.created_at, Notification.title)).all())


def outbox(address: str) -> list[OutboxEmail]:
    with unit() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.to_addr == address,
                                                           OutboxEmail.subject.not_like('Pagamento recebido%'))
                                 .order_by(OutboxEmail.created_at, OutboxEmail.subject)).all())


def deactivate(client: Client) -> None:
    with unit() as session:
        session.get(Client, client.id).active = False


def test_alerts_exactly_once_per_charge_level_and_day_across_restart(office) -> None:
    admin = actor_of(office['admin'])
    soon = new_charge(office, 'alfa', 'Consultoria', '12/11/2026', '1.500,00')  # due in 2 days
    late = new_charge(office, 'alfa', 'Abertura', '05/11/2026')  # overdue
    new_charge(office, 'alfa', 'Longe', '18/11/2026')  # not yet
    paid = new_charge(office, 'beta', 'Paga', '11/11/2026')
    receivables.pay(admin, paid, paid_date='09/11/2026', payment_form='pix')
    cancelled = new_charge(office, 'beta', 'Cancelada', '04/11/2026')
    receivables.cancel(admin, cancelled)
    new_charge(office, 'beta', 'Emitida hoje', '11/11/2026', issue='10/11/2026')  # the client was just told
    new_charge(office, 'gone', 'Cliente inativo', '01/11/2026')
    deactivate(office['gone'])

    assert receivables.sweep_alerts() == 2
    alfa = notes(office['login_alfa'])
    assert {n.title for n in alfa} == {'Cobrança vence em 2 dias: Consultoria', 'Cobrança vencida: Abertura'}
    soon_note = next(n for n in alfa if 'Consultoria' in n.title)
    assert soon_note.body == 'Consultoria: R$\xa01.500,00, vencimento 12/11/2026'
    assert soon_note.link == f'/portal/financeiro?cobranca={soon}'
    mails = outbox('ana@alfa.test')
    assert len(mails) == 2
    soon_mail = next(m for m in mails if 'Consultoria' in m.subject)
    assert [a['name'] for a in soon_mail.attachments] == [f'boleto-2026-11-12-{soon.hex[:8]}.pdf']
    assert base64.b64decode(soon_mail.attachments[0]['b64']).startswith(b'%PDF')
    assert receivables.pix_txid(soon) in soon_mail.text and 'PIX copia e cola' in soon_mail.text
    late_mail = next(m for m in mails if 'Abertura' in m.subject)
    assert late_mail.attachments == [] and 'vencidas' in late_mail.text
    # staff with access to Recebimentos: the overdue one only
    for key in ('admin', 'reader'):
        assert [n.title for n in notes(office[key])] == ['Cobrança vencida: Alfa Ltda']
        assert notes(office[key])[0].link == f'/recebimentos?cobranca={late}'
    assert len(outbox('dona@escritorio.test')) == len(outbox('leitor@escritorio.test')) == 1
    for key in ('other', 'login_beta', 'login_gone'):
        assert notes(office[key]) == []
    assert outbox('outro@escritorio.test') == outbox('bruno@beta.test') == outbox('gil@inativa.test') == []

    # again the same day: nothing; also after a "restart" (module state reset, new engine)
    assert receivables.sweep_alerts() == 0
    db.reset_engine()
    notifications.reset()
    office_service.reset_cache()
    at(10, hour=23)
    assert receivables.sweep_alerts() == 0
    assert len(notes(office['login_alfa'])) == 2 and len(outbox('ana@alfa.test')) == 2

    # next day: 'Emitida hoje' is now due tomorrow; 'Consultoria' was reminded already; 'Abertura' not again yet
    at(11, hour=8)
    db.reset_engine()
    assert receivables.sweep_alerts() == 1
    assert notes(office['login_beta'])[-1].title == 'Cobrança vence hoje: Emitida hoje'
    assert receivables.sweep_alerts() == 0

    # a week after the first overdue alert it is reminded again, to client and staff
    at(17)
    # 'Abertura' again; 'Consultoria' and 'Emitida hoje' now overdue; 'Longe' due tomorrow
    assert receivables.sweep_alerts() == 4
    assert [n.title for n in notes(office['admin'])[1:]] == ['3 cobranças vencidas']
    assert notes(office['admin'])[1].link == '/recebimentos?status=vencido'
    assert {n.title for n in notes(office['login_alfa'])[2:]} == {'2 cobranças vencidas',
                                                                  'Cobrança vence amanhã: Longe'}
    assert receivables.sweep_alerts() == 0
    with unit() as session:
        rows = session.exec(select(AlertSent.item_id, AlertSent.level, AlertSent.day)
                            .where(AlertSent.item_kind == 'charge')).all()
    assert len(rows) == len(set(rows)) == 7


def test_no_alerts_for_paid_cancelled_inactive_or_far(office) -> None:
    admin = actor_of(office['admin'])
    a = new_charge(office, 'alfa', 'Paga', '11/11/2026')
    receivables.pay(admin, a, paid_date='10/11/2026', payment_form='dinheiro')
    b = new_charge(office, 'alfa', 'Cancelada', '01/11/2026')
    receivables.cancel(admin, b)
    new_charge(office, 'alfa', 'Longe', '16/11/2026')  # 6 days ahead
    new_charge(office, 'gone', 'Inativo', '11/11/2026')
    deactivate(office['gone'])
    assert receivables.sweep_alerts() == 0
    # paid after the first alert: no more alerts for it
    c = new_charge(office, 'beta', 'Gás', '12/11/2026')
    assert receivables.sweep_alerts() == 1
    receivables.pay(admin, c, paid_date='10/11/2026', payment_form='pix')
    at(13)
    assert receivables.sweep_alerts() == 1  # only 'Longe' (now 3 days ahead)
    assert notes(office['login_alfa'])[-1].title == 'Cobrança vence em 3 dias: Longe'
    assert notes(office['login_gone']) == []


def test_alerts_without_boleto_settings_still_go_with_pix(office) -> None:
    with unit() as session:
        session.get(Office, 1).agencia = ''
    new_charge(office, 'alfa', 'Consultoria', '12/11/2026')
    assert receivables.sweep_alerts() == 1
    mail = outbox('ana@alfa.test')[0]
    assert mail.attachments == [] and 'PIX copia e cola' in mail.text
    with unit() as session:
        assert session.get(Office, 1).next_nosso_numero == 1


def test_a_digest_per_client_and_level(office) -> None:
    new_charge(office, 'alfa', 'Parcela A', '11/11/2026')
    new_charge(office, 'alfa', 'Parcela B', '12/11/2026')
    assert receivables.sweep_alerts() == 2
    assert [n.title for n in notes(office['login_alfa'])] == ['2 cobranças vencem em até 3 dias']
    mail = outbox('ana@alfa.test')[0]
    assert len(mail.attachments) == 2 and 'Parcela A' in mail.text and 'Parcela B' in mail.text


def test_sweep_over_many_charges_alerts_only_the_overdue(office) -> None:
    """10,000 charges of 200 clients over 50 months, a few open and overdue: one reminder each for those, nothing
    for the paid ones, and a second sweep adds nothing (the 100,000-charge timing is in bench/finance.py)."""
    stamp = clock.now()
    clients = [{'id': uuid.uuid4(), 'kind': 'PJ', 'document': f'{n:014d}', 'name': f'Cliente {n}',
                'sort_name': f'cliente {n}', 'search_text': f'cliente {n}', 'trade_name': '', 'tax_regime': '',
                'email': f'c{n}@x.test', 'phone': '', 'phone2': '', 'cep': '', 'street': '', 'number': '',
                'complement': '', 'district': '', 'city': '', 'uf': '', 'fee_cents': 50000, 'due_day': 10,
                'notes': '', 'active': True, 'is_test': False, 'created_at': stamp} for n in range(200)]
    charges = []
    for m in range(50):
        year, month = divmod(2022 * 12 + 9 + m, 12)
        due = date(year, month + 1, 10)
        comp = f'{year}-{month + 1:02d}'
        for i, c in enumerate(clients):
            status = 'pago' if due < date(2026, 10, 1) or i % 50 else 'aberto'
            charges.append({'id': uuid.uuid4(), 'client_id': c['id'], 'kind': 'honorarios', 'competence': comp,
                            'description': 'Honorários', 'amount_cents': 50000, 'issue_date': date(year, month + 1, 1),
                            'due_date': due, 'status': status, 'paid_date': due if status == 'pago' else None,
                            'received_cents': 50000 if status == 'pago' else None, 'discount_cents': 0,
                            'addition_cents': 0, 'payment_form': 'pix' if status == 'pago' else '',
                            'created_at': stamp})
    with unit() as session:
        session.exec(insert(Client), params=clients)
        for i in range(0, len(charges), 10000):
            session.exec(insert(Charge), params=charges[i:i + 10000])
        assert session.exec(select(func.count()).select_from(Charge)).one() == 10000
    at(12)
    assert receivables.sweep_alerts() == 8  # 4 clients with 10/2026 and 11/2026 open and overdue
    assert receivables.sweep_alerts() == 0
    with unit() as session:
        assert session.exec(select(func.count()).select_from(OutboxEmail)
                            .where(OutboxEmail.to_addr.like('c%@x.test'))).one() == 4
        staff = session.exec(select(func.count()).select_from(Notification).join(User, User.id == Notification.user_id)
                             .where(User.role != 'client')).one()
    assert staff == 2  # one digest each for the admin and the reader
