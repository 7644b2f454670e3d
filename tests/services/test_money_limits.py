"""Every amount a person types has a clear maximum, checked before anything is saved (issue 7, item 7): a charge and
a client's monthly honorários at most a boleto's R$ 99.999.999,99 (each installment too), a bill, a payment, a
discount at most R$ 999.999.999,99. A huge number gets the same field message, never OverflowError or the database's
"integer out of range"; and what the maximum allows is stored whole, far above a 32-bit column's R$ 21.474.836,47."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlmodel import func, select

from conton import clock
from conton.models import AuditLog, Bill, Charge, Client, Notification, OutboxEmail, Receipt
from conton.services import boleto, clients, form_input, payables, receivables
from conton.services.base import unit
from conton.services.errors import ValidationError
from conton.services.money import BOLETO_MAX_CENTS, MAX_AMOUNT_CENTS
from tests.factories import actor_of, cnpj, make_client, make_office, make_user

HUGE = '999999999999999999999'
INT32_MAX = 2**31 - 1
BOLETO_MAX_MESSAGE = 'Valor máximo: R$\xa099.999.999,99.'
BILL_MAX_MESSAGE = 'Valor máximo: R$\xa0999.999.999,99.'
INVALID = 'Valor inválido. Use o formato 1.234,56.'


@pytest.fixture
def admin():
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    return actor_of(make_user('admin'))


def count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def create_charge(admin, client, amount, installments=1):
    return receivables.create(admin, client_id=client.id, description='Consultoria', amount=amount,
                              due_date='30/11/2026', issue_date='01/11/2026', installments=installments)


def client_fields(**over):
    base = dict(kind='PJ', document=cnpj(4242), name='Grande Indústria S.A.', tax_regime='Lucro Real',
                fee='1.000,00', due_day='10')
    return base | over


# --- Recebimentos --------------------------------------------------------------------------------------------------

def test_money_limits_agree_with_the_boleto() -> None:
    """The charge maximum is exactly what a boleto's value field holds."""
    due = date(2026, 11, 30)
    assert boleto.barcode('341', due, BOLETO_MAX_CENTS, '1' * 25)
    with pytest.raises(ValueError):
        boleto.barcode('341', due, BOLETO_MAX_CENTS + 1, '1' * 25)
    assert BOLETO_MAX_CENTS < MAX_AMOUNT_CENTS < 2**63 // 10**6  # a million of them still sum in 64 bits


@pytest.mark.parametrize('amount', ['100.000.000,00', '99.999.999,991', HUGE, 10**21, 1e300])
def test_charge_over_the_boleto_maximum_gets_the_field_message_and_nothing_saved(admin, amount) -> None:
    client = make_client()
    with pytest.raises(ValidationError) as e:
        create_charge(admin, client, amount)
    expected = INVALID if amount == '99.999.999,991' else BOLETO_MAX_MESSAGE
    assert e.value.errors == {'amount': expected}
    assert count(Charge) == count(Notification) == count(OutboxEmail) == 0
    assert count(AuditLog) == 0


def test_charge_at_the_boleto_maximum_is_stored_whole(admin) -> None:
    client = make_client()
    [charge_id] = create_charge(admin, client, '99.999.999,99')
    with unit() as session:
        assert session.get(Charge, charge_id).amount_cents == BOLETO_MAX_CENTS > INT32_MAX


def test_installments_each_fit_a_boleto(admin) -> None:
    """The typed total may exceed one boleto when every installment fits one; the message says the limit per
    installment."""
    client = make_client()
    ids = create_charge(admin, client, '199.999.999,98', installments=2)
    with unit() as session:
        assert [session.get(Charge, i).amount_cents for i in ids] == [BOLETO_MAX_CENTS, BOLETO_MAX_CENTS]
    with pytest.raises(ValidationError) as e:
        create_charge(admin, client, '199.999.999,99', installments=2)  # the first installment gets the extra cent
    assert e.value.errors == {'amount': 'Valor máximo: R$\xa099.999.999,99 por parcela '
                                        '(R$\xa0199.999.999,98 em 2 parcelas).'}
    with pytest.raises(ValidationError) as e:
        create_charge(admin, client, HUGE, installments=120)
    assert set(e.value.errors) == {'amount'}
    assert count(Charge) == 2


def test_charge_payment_amounts_have_a_maximum(admin) -> None:
    client = make_client()
    [charge_id] = create_charge(admin, client, '99.999.999,99')
    for field, value in [('received', HUGE), ('addition', HUGE), ('discount', HUGE), ('received', '1.000.000.000,00')]:
        with pytest.raises(ValidationError) as e:
            receivables.pay(admin, charge_id, paid_date='10/11/2026', payment_form='pix', **{field: value})
        assert e.value.errors == {field: BILL_MAX_MESSAGE}, field
    assert count(Receipt) == 0
    receivables.pay(admin, charge_id, paid_date='10/11/2026', payment_form='pix', addition='1.000.000,00')
    with unit() as session:
        charge = session.get(Charge, charge_id)
        receipt = session.exec(select(Receipt)).one()
    assert charge.received_cents == receipt.amount_cents == BOLETO_MAX_CENTS + 100_000_000


# --- Honorários on the client record -------------------------------------------------------------------------------

@pytest.mark.parametrize('fee', ['100.000.000,00', HUGE, 10**20])
def test_client_fee_over_the_boleto_maximum_gets_the_field_message(admin, fee) -> None:
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **client_fields(fee=fee))
    assert e.value.errors == {'fee': BOLETO_MAX_MESSAGE}
    assert count(Client) == 0
    client = make_client(fee_cents=1000)
    with pytest.raises(ValidationError) as e:
        clients.update(admin, client.id, **client_fields(fee=fee))
    assert e.value.errors == {'fee': BOLETO_MAX_MESSAGE}
    with unit() as session:
        assert session.get(Client, client.id).fee_cents == 1000


def test_client_fee_at_the_maximum_becomes_a_monthly_charge(admin) -> None:
    client = clients.create(admin, **client_fields(fee='99.999.999,99'))
    assert receivables.generate_month(admin, '11/2026') == 1
    with unit() as session:
        assert session.get(Client, client.id).fee_cents == BOLETO_MAX_CENTS
        assert session.exec(select(Charge.amount_cents)).one() == BOLETO_MAX_CENTS


# --- Pagamentos ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('amount', ['1.000.000.000,00', HUGE, 10**21, 1e300])
def test_bill_over_the_maximum_gets_the_field_message_and_nothing_saved(admin, amount) -> None:
    with pytest.raises(ValidationError) as e:
        payables.create(admin, description='Imóvel', amount=amount, due_date='30/11/2026')
    assert e.value.errors == {'amount': BILL_MAX_MESSAGE}
    assert count(Bill) == count(AuditLog) == 0


def test_bill_at_the_maximum_is_stored_whole_and_paid(admin) -> None:
    [bill_id] = payables.create(admin, description='Imóvel', amount='999.999.999,99', due_date='30/11/2026')
    with pytest.raises(ValidationError) as e:
        payables.update(admin, bill_id, description='Imóvel', amount=HUGE, due_date='30/11/2026')
    assert e.value.errors == {'amount': BILL_MAX_MESSAGE}
    for field in ('paid', 'discount', 'addition'):
        with pytest.raises(ValidationError) as e:
            payables.pay(admin, bill_id, paid_date='10/11/2026', **{field: HUGE})
        assert e.value.errors == {field: BILL_MAX_MESSAGE}
    payables.pay(admin, bill_id, paid_date='10/11/2026', addition='999.999.999,99')
    with unit() as session:
        bill = session.get(Bill, bill_id)
    assert bill.amount_cents == MAX_AMOUNT_CENTS and bill.paid_cents == 2 * MAX_AMOUNT_CENTS
    assert bill.status == 'pago'


# --- Parsing -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, message', [
    (HUGE, BILL_MAX_MESSAGE), (10**30, BILL_MAX_MESSAGE), (1e300, BILL_MAX_MESSAGE), (float('inf'), INVALID),
    (float('nan'), INVALID), ('9' * 5000, INVALID), (True, INVALID),
])
def test_form_money_never_raises_on_huge_or_odd_values(value, message) -> None:
    errors: dict[str, str] = {}
    assert form_input.money(value, 'amount', errors) is None
    assert errors == {'amount': message}


def test_form_money_is_exact_up_to_the_maximum() -> None:
    errors: dict[str, str] = {}
    assert form_input.money('999.999.999,99', 'a', errors) == MAX_AMOUNT_CENTS
    assert form_input.money('99999999999,99', 'b', errors, maximum=None) == 9_999_999_999_999
    assert form_input.money('100,00', 'c', errors, maximum=9_999) is None
    assert errors == {'c': 'Valor máximo: R$\xa099,99.'}

