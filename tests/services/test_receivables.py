"""Recebimentos service: monthly generation (idempotent, due day clamped and moved to a business day), one-off charges
in installments, bad input, baixa with recibo (number, PDF with the amount in words) and its undo, cancel, boleto and
PIX per charge, filters and totals, isolation between clients and permissions."""
from __future__ import annotations

import base64
import subprocess
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert
from sqlmodel import func, select

from conton import clock, db
from conton.models import AuditLog, Charge, Client, Notification, Office, OutboxEmail, Receipt
from conton.models.people import fold
from conton.services import boleto, pix, receivables
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from conton.services.receivables import ChargeFilter, due_date_for, split_installments
from tests.conftest import require_tools
from tests.factories import actor_of, cnpj, make_client, make_office, make_user

require_tools('pdftotext')


def at(day: int, month: int = 11, year: int = 2026, hour: int = 12) -> None:
    """Move the clock to day/month/year at `hour` in São Paulo (UTC-3)."""
    clock.set_now(datetime(year, month, day, hour, 0, tzinfo=timezone.utc) + timedelta(hours=3))


def bank_settings(**overrides) -> None:
    """Meus Dados complete for Itaú boletos and a PIX key."""
    values = dict(legal_name='Escritório Modelo Contabilidade Ltda', trade_name='Escritório Modelo',
                  document=cnpj(777), street='Rua do Sol', number='100', district='Boa Vista', city='Recife', uf='PE',
                  cep='50050000', bank_code='341', agencia='1234', conta='12345', conta_dv='6', carteira='109',
                  pix_key='financeiro@escritorio.test', fine_bp=200, interest_bp_month=100,
                  accountant_name='Maria Contadora', crc_number='012345/O-1', crc_uf='PE')
    values.update(overrides)
    with unit() as session:
        office = session.get(Office, 1)
        for k, v in values.items():
            setattr(office, k, v)


@pytest.fixture
def admin():
    make_office()
    at(10)
    return actor_of(make_user('admin'))


def charges(**where) -> list[Charge]:
    with unit() as session:
        query = select(Charge).order_by(Charge.due_date, Charge.installment_no)
        for k, v in where.items():
            query = query.where(getattr(Charge, k) == v)
        return list(session.exec(query).all())


def office_row() -> Office:
    with unit() as session:
        return session.get(Office, 1)


def one_charge(admin, client=None, *, amount='500,00', due='18/11/2026', issue='01/11/2026', description='Consultoria',
               notify=True):
    client = client or make_client()
    return receivables.create(admin, client_id=client.id, description=description, amount=amount, due_date=due,
                              issue_date=issue, notify=notify)[0]


def text_of(pdf_bytes: bytes, tmp_path) -> str:
    path = tmp_path / f'{uuid.uuid4().hex}.pdf'
    path.write_bytes(pdf_bytes)
    return subprocess.run(['pdftotext', '-layout', str(path), '-'], capture_output=True, text=True,
                          check=True).stdout


# ---- pure rules ---------------------------------------------------------------------------------------------------

def test_split_installments_exact_with_the_remainder_on_the_first() -> None:
    assert split_installments(10000, 3) == [3334, 3333, 3333]
    assert split_installments(10001, 2) == [5001, 5000]
    for total in (1, 99, 10001, 123457):
        for n in (1, 2, 3, 7, 12):
            assert sum(split_installments(total, n)) == total
    with pytest.raises(ValueError):
        split_installments(10000, 0)


def test_due_day_31_in_february_and_holidays_move_to_the_next_business_day() -> None:
    assert due_date_for('2026-02', 31) == date(2026, 3, 2)  # 28/02/2026 is a Saturday
    assert due_date_for('2027-02', 31) == date(2027, 3, 1)  # 28/02/2027 is a Sunday
    assert due_date_for('2026-03', 31) == date(2026, 3, 31)
    assert due_date_for('2026-04', 31) == date(2026, 4, 30)
    assert due_date_for('2026-02', 16) == date(2026, 2, 18)  # Carnival Monday and Tuesday
    assert due_date_for('2026-11', 2) == date(2026, 11, 3)  # Finados (Monday)
    assert due_date_for('2026-11', 15) == date(2026, 11, 16)  # Proclamação da República (Sunday)
    assert due_date_for('2026-11', 20) == date(2026, 11, 23)  # Consciência Negra (Friday, national since 2024)
    assert due_date_for('2026-12', 25) == date(2026, 12, 28)
    assert due_date_for('2026-11', 10) == date(2026, 11, 10)


def test_competence_parsing() -> None:
    assert receivables.parse_competence('11/2026') == '2026-11'
    assert receivables.parse_competence('2026-02') == '2026-02'
    for bad in ('', '13/2026', '2026', 'nov/2026', '00/2026'):
        with pytest.raises(ValidationError):
            receivables.parse_competence(bad)


def test_pix_txid_identifies_the_charge() -> None:
    cid = uuid.uuid4()
    txid = receivables.pix_txid(cid)
    assert txid.isalnum() and len(txid) <= 25 and txid == 'CT' + cid.hex[:20].upper()


# ---- monthly generation --------------------------------------------------------------------------------------------

def test_generation_creates_missing_charges_once(admin) -> None:
    a = make_client('Alfa Ltda', fee_cents=45000, due_day=10)
    b = make_client('Beta Ltda', fee_cents=99900, due_day=31)
    c = make_client('Gama Ltda', fee_cents=12000, due_day=20)
    make_client('Sem Honorários', fee_cents=0)
    make_client('Inativo Ltda', fee_cents=50000, active=False)
    login_a = make_user('client', client=a)

    assert receivables.generate_month(admin, '02/2026') == 3
    assert receivables.generate_month(admin, '2026-02') == 0  # twice: nothing new
    got = {ch.client_id: ch for ch in charges(competence='2026-02')}
    assert set(got) == {a.id, b.id, c.id}
    assert got[a.id].amount_cents == 45000 and got[a.id].due_date == date(2026, 2, 10)
    assert got[b.id].due_date == date(2026, 3, 2)  # 31 -> 28/02 (Saturday) -> Monday
    assert got[c.id].due_date == date(2026, 2, 20)
    assert got[a.id].kind == 'honorarios' and got[a.id].status == 'aberto'
    assert got[a.id].description == 'Honorários contábeis — competência 02/2026'
    assert got[a.id].issue_date == date(2026, 2, 1)  # a past month: issued on its first day

    # a new client later: only its charge is created
    d = make_client('Delta Ltda', fee_cents=30000, due_day=5)
    assert receivables.generate_month(admin, '02/2026') == 1
    assert len(charges(competence='2026-02')) == 4 and charges(client_id=d.id)[0].due_date == date(2026, 2, 5)

    # the client's login was told, once
    with unit() as session:
        notes = session.exec(select(Notification).where(Notification.user_id == login_a.id)).all()
        assert [n.title for n in notes] == ['Nova cobrança: honorários 02/2026']
        assert notes[0].category == 'recebimentos' and notes[0].link.startswith('/portal/financeiro?cobranca=')
        assert session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == 'generate')).one() == 2


def test_generation_for_one_client_and_bad_month(admin) -> None:
    a = make_client(fee_cents=45000)
    make_client(fee_cents=45000)
    assert receivables.generate_month(admin, '11/2026', client_id=a.id) == 1
    assert receivables.generate_month(admin, '11/2026') == 1
    with pytest.raises(ValidationError) as e:
        receivables.generate_month(admin, '13/2026')
    assert 'competence' in e.value.errors


def test_scheduled_generation_is_idempotent_and_skips_clients_registered_this_month() -> None:
    make_office()
    at(20, month=10)
    old = make_client('Antigo Ltda', fee_cents=45000, due_day=10)
    at(1, month=11, hour=0)
    assert receivables.generate_due() == 1
    at(15, month=11)
    make_client('Novo Ltda', fee_cents=45000, due_day=10)  # registered mid-month: starts next month
    assert receivables.generate_due() == 0
    db.reset_engine()  # a restart changes nothing
    assert receivables.generate_due() == 0
    assert [c.client_id for c in charges(competence='2026-11')] == [old.id]
    at(1, month=12, hour=5)
    assert receivables.generate_due() == 2


def test_generation_of_2000_clients_creates_each_charge_once(admin) -> None:
    stamp = clock.now() - timedelta(days=60)
    rows = [{'id': uuid.uuid4(), 'kind': 'PJ', 'document': f'{n:014d}', 'name': f'Cliente {n}', 'sort_name':
             fold(f'Cliente {n}'), 'search_text': fold(f'Cliente {n}'), 'trade_name': '', 'tax_regime': '',
             'email': '', 'phone': '', 'phone2': '', 'cep': '', 'street': '', 'number': '', 'complement': '',
             'district': '', 'city': '', 'uf': '', 'fee_cents': 30000 + n, 'due_day': 1 + n % 31, 'notes': '',
             'active': True, 'is_test': False, 'created_at': stamp} for n in range(2000)]
    with unit() as session:
        session.exec(insert(Client), params=rows)
    assert receivables.generate_month(admin, '12/2026') == 2000  # its timing: bench/finance.py
    assert receivables.generate_month(admin, '12/2026') == 0


# ---- one-off charges -----------------------------------------------------------------------------------------------

def test_installments_split_exactly_monthly_on_business_days(admin) -> None:
    client = make_client()
    ids = receivables.create(admin, client_id=client.id, description='Abertura de empresa', amount='100,00',
                             due_date='20/11/2026', installments=3)
    rows = charges(client_id=client.id)
    assert [r.id for r in rows] == ids
    assert [r.amount_cents for r in rows] == [3334, 3333, 3333]
    assert [r.due_date for r in rows] == [date(2026, 11, 23), date(2026, 12, 21), date(2027, 1, 20)]  # 20/11 holiday,
    assert [(r.installment_no, r.installment_count) for r in rows] == [(1, 3), (2, 3), (3, 3)]  # 20/12 Sunday
    assert len({r.group_id for r in rows}) == 1 and rows[0].group_id is not None
    assert all(r.kind == 'avulso' and r.competence is None for r in rows)
    detail = receivables.get(admin, ids[1])
    assert detail.charge.parcel == '2/3' and detail.charge.title == 'Abertura de empresa — parcela 2/3'


@pytest.mark.parametrize('fields, field', [
    ({'amount': '-5,00'}, 'amount'),
    ({'amount': '0,00'}, 'amount'),
    ({'amount': 'abc'}, 'amount'),
    ({'installments': 0}, 'installments'),
    ({'installments': 121}, 'installments'),
    ({'due_date': ''}, 'due_date'),
    ({'due_date': '31/10/2026'}, 'due_date'),  # before the issue date
    ({'description': '  '}, 'description'),
    ({'client_id': ''}, 'client_id'),
    ({'client_id': str(uuid.uuid4())}, 'client_id'),
])
def test_create_refuses_bad_input(admin, fields, field) -> None:
    client = make_client()
    values = dict(client_id=client.id, description='Serviço', amount='100,00', due_date='20/11/2026',
                  issue_date='01/11/2026', installments=1)
    values.update(fields)
    with pytest.raises(ValidationError) as e:
        receivables.create(admin, **values)
    assert field in e.value.errors
    assert charges() == []


def test_create_refuses_an_inactive_client(admin) -> None:
    client = make_client(active=False)
    with pytest.raises(ValidationError) as e:
        receivables.create(admin, client_id=client.id, description='X', amount='10,00', due_date='20/11/2026')
    assert e.value.errors == {'client_id': 'Este cliente está inativo.'}


def test_new_charge_notifies_and_emails_the_client_with_boleto_and_pix(admin) -> None:
    bank_settings()
    client = make_client('Padaria Pão Quente Ltda')
    login = make_user('client', client=client, email='dono@padaria.test')
    make_user('client', client=make_client(), email='outro@cliente.test')
    charge_id = one_charge(admin, client)
    with unit() as session:
        notes = session.exec(select(Notification).where(Notification.category == 'recebimentos')).all()
        mails = session.exec(select(OutboxEmail)).all()
    assert [(n.user_id, n.title) for n in notes] == [(login.id, 'Nova cobrança: Consultoria')]
    assert notes[0].body == 'R$\xa0500,00, vencimento 18/11/2026'
    assert [m.to_addr for m in mails] == ['dono@padaria.test']
    assert mails[0].attachments[0]['name'].startswith('boleto-2026-11-18')
    assert base64.b64decode(mails[0].attachments[0]['b64']).startswith(b'%PDF')
    payload = receivables.get(admin, charge_id).pix_payload
    assert payload and payload in mails[0].text
    assert charges()[0].nosso_numero == 1


# ---- boleto and PIX ------------------------------------------------------------------------------------------------

def test_boleto_refused_with_incomplete_bank_settings_names_what_is_missing(admin) -> None:
    bank_settings(agencia='', carteira='')
    charge_id = one_charge(admin)
    before = office_row().next_nosso_numero
    with pytest.raises(ValidationError) as e:
        receivables.boleto_pdf(admin, charge_id)
    message = str(e.value)
    assert 'agência' in message and 'carteira' in message and 'Meus Dados' in message
    assert 'conta' not in message.replace('Meus Dados', '')  # what is there is not named
    assert office_row().next_nosso_numero == before  # nothing consumed
    assert charges()[0].nosso_numero is None
    assert receivables.get(admin, charge_id).boleto_missing == ['agência', 'carteira']


def test_boleto_refused_without_bank(admin) -> None:
    bank_settings(bank_code='')
    charge_id = one_charge(admin)
    with pytest.raises(ValidationError, match='banco'):
        receivables.boleto_pdf(admin, charge_id)
    assert office_row().next_nosso_numero == 1


def test_boleto_refused_when_settings_do_not_fit_the_layout(admin) -> None:
    bank_settings(agencia='12345678')  # Itaú agência has 4 digits
    charge_id = one_charge(admin)
    with pytest.raises(ValidationError, match='não conferem'):
        receivables.boleto_pdf(admin, charge_id)
    assert office_row().next_nosso_numero == 1 and charges()[0].nosso_numero is None


def test_boleto_pdf_gets_a_nosso_numero_once(admin, tmp_path) -> None:
    bank_settings()
    client = make_client('Oficina Beta Ltda')
    first = one_charge(admin, client, amount='1.234,56', notify=False)
    second = one_charge(admin, client, notify=False)
    name, data = receivables.boleto_pdf(admin, second)
    assert name.endswith('.pdf') and data.startswith(b'%PDF')
    name, data = receivables.boleto_pdf(admin, first)
    receivables.boleto_pdf(admin, first)
    numbers = {c.id: c.nosso_numero for c in charges()}
    assert numbers == {second: 1, first: 2} and office_row().next_nosso_numero == 3
    text = text_of(data, tmp_path)
    assert 'Oficina Beta Ltda' in text and '1.234,56' in text and '18/11/2026' in text
    assert 'multa de 2,00' in text and 'juros de 1,00' in text
    assert 'registro no banco' in text
    charge = charges(id=first)[0]
    cl = boleto.campo_livre('341', agencia='1234', conta='12345', carteira='109', nosso_numero='2')
    linha = boleto.linha_digitavel(boleto.barcode('341', date(2026, 11, 18), charge.amount_cents, cl))
    assert linha in text


def test_detail_shows_the_nosso_numero_as_the_boleto_prints_it(admin, tmp_path) -> None:
    bank_settings()
    charge_id = one_charge(admin, notify=False)
    assert receivables.get(admin, charge_id).nosso_numero == ''  # no boleto yet, no number
    _, data = receivables.boleto_pdf(admin, charge_id)
    shown = receivables.get(admin, charge_id).nosso_numero
    assert shown == boleto.nosso_numero_impresso('341', agencia='1234', conta='12345', carteira='109', nosso_numero='1')
    assert shown.startswith('109/00000001-') and shown in text_of(data, tmp_path)
    bank_settings(bank_code='001', convenio='7777777', carteira='18')  # the office moved to another bank
    assert receivables.get(admin, charge_id).nosso_numero == '77777770000000001'


def test_pix_code_for_an_open_charge(admin) -> None:
    bank_settings()
    charge_id = one_charge(admin, amount='99,90')
    code = receivables.pix_code(admin, charge_id)
    parsed = pix.parse(code.payload)
    assert code.png.startswith(b'\x89PNG')
    assert code.payload[-4:] == code.payload[-4:].upper()
    assert '99.90' in code.payload and receivables.pix_txid(uuid.UUID(str(charge_id))) in code.payload
    assert parsed  # valid CRC and TLV


def test_pix_unavailable_without_key(admin) -> None:
    bank_settings(pix_key='')
    charge_id = one_charge(admin)
    detail = receivables.get(admin, charge_id)
    assert detail.pix_payload == '' and 'chave PIX' in detail.pix_problem
    with pytest.raises(ValidationError, match='chave PIX'):
        receivables.pix_code(admin, charge_id)


# ---- baixa and recibo ----------------------------------------------------------------------------------------------

def test_payment_issues_a_numbered_recibo_with_the_amount_in_words(admin, tmp_path) -> None:
    bank_settings()
    client = make_client('Padaria Pão Quente Ltda', fee_cents=123456)
    login = make_user('client', client=client, email='dono@padaria.test')
    receivables.generate_month(admin, '10/2026')
    charge = charges(client_id=client.id)[0]
    receipt_id = receivables.pay(admin, charge.id, paid_date='05/11/2026', addition='12,34', payment_form='pix')
    paid = charges(id=charge.id)[0]
    assert paid.status == 'pago' and paid.paid_date == date(2026, 11, 5) and paid.received_cents == 124690
    assert paid.addition_cents == 1234 and paid.payment_form == 'pix'
    with unit() as session:
        receipt = session.get(Receipt, receipt_id)
        assert receipt.number == 1 and receipt.amount_cents == 124690
        assert receipt.refers_to == 'honorários contábeis — competência 10/2026'
        assert session.get(Office, 1).next_receipt_number == 2
        titles = set(session.exec(select(Notification.title).where(Notification.user_id == login.id)).all())
        mail = session.exec(select(OutboxEmail).where(OutboxEmail.subject.like('Pagamento%'))).one()
    assert 'Pagamento recebido — recibo disponível' in titles
    assert mail.to_addr == 'dono@padaria.test' and mail.attachments[0]['name'] == 'recibo-000001.pdf'
    name, data = receivables.receipt_pdf(admin, receipt_id)
    assert name == 'recibo-000001.pdf'
    text = ' '.join(text_of(data, tmp_path).split())
    assert 'RECIBO Nº 000001' in text
    assert 'mil duzentos e quarenta e seis reais e noventa centavos' in text
    assert 'Padaria Pão Quente Ltda' in text and 'competência 10/2026' in text and 'PIX' in text
    assert 'Maria Contadora' in text and 'CRC-PE 012345/O-1' in text and 'Recife/PE' in text


def test_undo_cancels_the_recibo_and_its_number_is_never_reused(admin) -> None:
    client = make_client()
    login = actor_of(make_user('client', client=client))
    charge_id = one_charge(admin, client)
    first = receivables.pay(admin, charge_id, paid_date='09/11/2026', payment_form='dinheiro')
    receivables.undo_payment(admin, charge_id)
    reopened = charges()[0]
    assert reopened.status == 'aberto' and reopened.paid_date is None and reopened.received_cents is None
    with pytest.raises(ValidationError, match='cancelado'):
        receivables.receipt_pdf(admin, first)
    with pytest.raises(NotFound):
        receivables.receipt_pdf(login, first)
    second = receivables.pay(admin, charge_id, paid_date='10/11/2026', received='450,00', discount='50,00',
                             payment_form='transferencia')
    with unit() as session:
        numbers = {r.id: (r.number, r.cancelled_at is not None) for r in session.exec(select(Receipt)).all()}
    assert numbers == {first: (1, True), second: (2, False)}
    detail = receivables.get(admin, charge_id)
    assert detail.receipt.number == 2 and len(detail.receipts) == 2
    assert [r.number for r in receivables.get(login, charge_id).receipts] == [2]


@pytest.mark.parametrize('fields, field', [
    ({'paid_date': '31/10/2026'}, 'paid_date'),  # before the issue date (01/11)
    ({'paid_date': '11/11/2026'}, 'paid_date'),  # future
    ({'paid_date': ''}, 'paid_date'),
    ({'received': '0,00'}, 'received'),
    ({'received': '-1,00'}, 'received'),
    ({'payment_form': 'cheque'}, 'payment_form'),
    ({'discount': '600,00'}, 'discount'),
])
def test_payment_refuses_bad_input(admin, fields, field) -> None:
    charge_id = one_charge(admin)
    values = dict(paid_date='10/11/2026', payment_form='pix')
    values.update(fields)
    with pytest.raises(ValidationError) as e:
        receivables.pay(admin, charge_id, **values)
    assert field in e.value.errors
    assert charges()[0].status == 'aberto' and office_row().next_receipt_number == 1


def test_cancel_and_reopen(admin) -> None:
    charge_id = one_charge(admin)
    receivables.cancel(admin, charge_id)
    assert charges()[0].status == 'cancelado'
    with pytest.raises(ValidationError):
        receivables.pay(admin, charge_id, paid_date='10/11/2026', payment_form='pix')
    with pytest.raises(ValidationError):
        receivables.boleto_pdf(admin, charge_id)
    receivables.reopen(admin, charge_id)
    receivables.pay(admin, charge_id, paid_date='10/11/2026', payment_form='pix')
    with pytest.raises(ValidationError, match='Estorne'):
        receivables.cancel(admin, charge_id)


def test_send_to_client_again(admin) -> None:
    bank_settings()
    client = make_client()
    charge_id = receivables.create(admin, client_id=client.id, description='Consultoria', amount='10,00',
                                   due_date='20/11/2026', notify=False)[0]
    assert receivables.send_to_client(admin, charge_id) == 1  # no portal login: the client's e-mail
    with unit() as session:
        mail = session.exec(select(OutboxEmail)).one()
    assert mail.to_addr == client.email and mail.attachments


# ---- list, filters and totals --------------------------------------------------------------------------------------

def test_search_filters_and_totals(admin) -> None:
    a = make_client('Alfa Padaria Ltda', document='11222333000181')
    b = make_client('Beta São João ME')
    pending = one_charge(admin, a, amount='100,00', due='20/11/2026')
    overdue = one_charge(admin, a, amount='200,00', due='05/11/2026')
    paid = one_charge(admin, b, amount='300,00', due='12/11/2026')
    receivables.pay(admin, paid, paid_date='09/11/2026', received='290,00', payment_form='pix')
    cancelled = one_charge(admin, b, amount='400,00', due='25/11/2026')
    receivables.cancel(admin, cancelled)
    one_charge(admin, b, amount='999,00', due='05/12/2026')  # next month

    page = receivables.search(admin)  # default: due this month
    assert page.total == 4 and page.amount_cents == 100000
    assert page.received_cents == 29000 and page.open_cents == 30000
    assert [r.status for r in page.rows] == ['vencido', 'pago', 'aberto', 'cancelado']
    month = ChargeFilter.current_month()

    def ids(**kw):
        f = ChargeFilter(start=month.start, end=month.end, **kw)
        return {str(r.id) for r in receivables.search(admin, f).rows}
    assert ids(status='pendente') == {str(pending)}
    assert ids(status='vencido') == {str(overdue)}
    assert ids(status='aberto') == {str(pending), str(overdue)}
    assert ids(status='pago') == {str(paid)}
    assert ids(status='cancelado') == {str(cancelled)}
    assert ids(client='alfa') == {str(pending), str(overdue)}
    assert ids(client='sao joao') == ids(client='São João') == {str(paid), str(cancelled)}
    assert ids(client='11.222.333/0001-81') == {str(pending), str(overdue)}
    assert ids(date_field='pagamento') == {str(paid)}
    everything = receivables.search(admin, ChargeFilter())
    assert everything.total == 5
    with pytest.raises(ValidationError):
        receivables.search(admin, ChargeFilter(status='qualquer'))


def test_search_pages_and_runs_few_queries(admin) -> None:
    client = make_client()
    receivables.create(admin, client_id=client.id, description='Parcelado', amount='1.000,00',
                       due_date='01/12/2026', installments=30, notify=False)
    first = receivables.search(admin, ChargeFilter(), page=1, per_page=25)
    assert first.total == 30 and len(first.rows) == 25
    second = receivables.search(admin, ChargeFilter(), page=2, per_page=25)
    assert len(second.rows) == 5 and not {r.id for r in first.rows} & {r.id for r in second.rows}
    before = db.query_counter['n']
    receivables.search(admin, ChargeFilter(client='cliente', status='pendente'), page=1)
    assert db.query_counter['n'] - before <= 1 + 3  # the login's re-check (services/base.py), then the search


def test_search_orders_by_due_date_then_client_name_across_pages(admin) -> None:
    for name in ('Zeta Ltda', 'Beta Ltda', 'Alfa Ltda'):
        client = make_client(name)
        for due in ('20/11/2026', '12/11/2026'):
            receivables.create(admin, client_id=client.id, description=f'{name} {due}', amount='10,00',
                               due_date=due, notify=False)
    db.optimize()  # planner statistics (SQLite) must not change the order
    filt = ChargeFilter.current_month()
    pages = [receivables.search(admin, filt, page=n, per_page=4) for n in (1, 2)]
    listed = [r.description for page in pages for r in page.rows]
    assert listed == ['Alfa Ltda 12/11/2026', 'Beta Ltda 12/11/2026', 'Zeta Ltda 12/11/2026',
                      'Alfa Ltda 20/11/2026', 'Beta Ltda 20/11/2026', 'Zeta Ltda 20/11/2026']
    assert [len(p.rows) for p in pages] == [4, 2] and pages[1].total == 6


# ---- isolation and permissions -------------------------------------------------------------------------------------

def test_a_client_sees_only_its_own_charges_by_every_route(admin) -> None:
    bank_settings()
    a, b = make_client('Alfa Ltda'), make_client('Beta Ltda')
    login_a = actor_of(make_user('client', client=a))
    mine = one_charge(admin, a)
    theirs = one_charge(admin, b)
    theirs_paid = one_charge(admin, b)
    their_receipt = receivables.pay(admin, theirs_paid, paid_date='10/11/2026', payment_form='pix')
    mine_cancelled = one_charge(admin, a)
    receivables.cancel(admin, mine_cancelled)

    view = receivables.portal(login_a)
    assert [r.id for r in view.open] == [mine] and view.paid == []
    assert receivables.get(login_a, mine).charge.client_name == 'Alfa Ltda'
    assert receivables.boleto_pdf(login_a, mine)[1].startswith(b'%PDF')
    assert receivables.pix_code(login_a, mine).payload
    for call in (receivables.get, receivables.boleto_pdf, receivables.pix_code):
        for target in (theirs, theirs_paid, mine_cancelled, uuid.uuid4(), 'não-é-um-id'):
            with pytest.raises(NotFound, match='não encontrad'):
                call(login_a, target)
    for target in (their_receipt, uuid.uuid4(), 'x'):
        with pytest.raises(NotFound, match='não encontrad'):
            receivables.receipt_pdf(login_a, target)
    for call in (lambda: receivables.search(login_a), lambda: receivables.pay(login_a, mine, paid_date='10/11/2026',
                                                                                 payment_form='pix'),
                 lambda: receivables.cancel(login_a, mine), lambda: receivables.generate_month(login_a, '11/2026'),
                 lambda: receivables.create(login_a, client_id=a.id, description='x', amount='1,00',
                                            due_date='20/11/2026'),
                 lambda: receivables.client_options(login_a)):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(PermissionDenied):
        receivables.portal(admin)  # the portal view is for client logins


def test_paid_charges_with_recibos_in_the_portal(admin) -> None:
    a = make_client('Alfa Ltda')
    login_a = actor_of(make_user('client', client=a))
    charge_id = one_charge(admin, a)
    receipt_id = receivables.pay(admin, charge_id, paid_date='10/11/2026', payment_form='boleto')
    view = receivables.portal(login_a)
    assert view.open == [] and [(p.charge.id, p.receipt_id, p.receipt_number) for p in view.paid] == \
        [(charge_id, receipt_id, 1)]
    name, data = receivables.receipt_pdf(login_a, receipt_id)
    assert name == 'recibo-000001.pdf' and data.startswith(b'%PDF')


def test_staff_permissions(admin) -> None:
    nobody = actor_of(make_user('staff', permissions={'payables': 'write'}))
    reader = actor_of(make_user('staff', permissions={'receivables': 'read'}))
    writer = actor_of(make_user('staff', permissions={'receivables': 'write'}))
    bank_settings()
    client = make_client()
    charge_id = one_charge(writer, client)
    for call in (lambda: receivables.search(nobody), lambda: receivables.get(nobody, charge_id),
                 lambda: receivables.boleto_pdf(nobody, charge_id), lambda: receivables.pix_code(nobody, charge_id)):
        with pytest.raises(PermissionDenied):
            call()
    assert receivables.search(reader).total == 1
    assert receivables.get(reader, charge_id).charge.id == charge_id
    assert receivables.boleto_pdf(reader, charge_id)[1].startswith(b'%PDF')
    for call in (lambda: receivables.create(reader, client_id=client.id, description='x', amount='1,00',
                                            due_date='20/11/2026'),
                 lambda: receivables.generate_month(reader, '11/2026'),
                 lambda: receivables.pay(reader, charge_id, paid_date='10/11/2026', payment_form='pix'),
                 lambda: receivables.undo_payment(reader, charge_id), lambda: receivables.cancel(reader, charge_id),
                 lambda: receivables.send_to_client(reader, charge_id)):
        with pytest.raises(PermissionDenied):
            call()
    receivables.pay(writer, charge_id, paid_date='10/11/2026', payment_form='pix')


def test_home_badges(admin) -> None:
    from conton.services import home
    a, b = make_client(), make_client()
    login_a = actor_of(make_user('client', client=a))
    one_charge(admin, a, due='05/11/2026')  # overdue
    one_charge(admin, a, due='20/11/2026')
    one_charge(admin, b, due='01/11/2026')  # overdue
    staff = {t.tool.key: t.badge for t in home.quick_access(admin)}
    assert staff['receivables'] == 2
    client = {t.tool.key: t.badge for t in home.quick_access(login_a)}
    assert client['portal_finance'] == 2
