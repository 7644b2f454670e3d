"""The finance pages take their rules from the services (issue 8 §3): the installment limit of the new-charge and
new-bill forms is the services' MAX_INSTALLMENTS, and the "Valor recebido" / "Valor pago" of a baixa is computed by
the services' net_paid (amount − discount + addition), not by a formula of the page's own."""
from __future__ import annotations

from datetime import datetime, timezone

from nicegui.testing import User

from conton import clock
from conton.services import payables, receivables
from tests.factories import actor_of, login, make_client, make_office, make_user


def setup():
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    return make_user('admin'), make_client('Alfa Padaria Ltda', fee_cents=45000, due_day=12)


async def test_the_charge_form_takes_its_installment_limit_from_the_service(user: User, monkeypatch) -> None:
    admin, _ = setup()
    monkeypatch.setattr(receivables, 'MAX_INSTALLMENTS', 12)
    await login(user, admin)
    await user.open('/recebimentos')
    user.find(marker='new-charge').click()
    await user.should_see(marker='form-installments')
    assert user.find(marker='form-installments').elements.pop().props['max'] == 12


async def test_the_bill_form_takes_its_installment_limit_from_the_service(user: User, monkeypatch) -> None:
    admin, _ = setup()
    monkeypatch.setattr(payables, 'MAX_INSTALLMENTS', 24)
    await login(user, admin)
    await user.open('/pagamentos')
    user.find(marker='new-bill').click()
    await user.should_see(marker='form-repeat')
    user.find(marker='form-repeat').elements.pop().value = 'parcelas'  # the installments field shows
    await user.should_see(marker='form-installments')
    assert user.find(marker='form-installments').elements.pop().props['max'] == 24


async def test_valor_recebido_is_the_services_net_paid(user: User, monkeypatch) -> None:
    admin, alfa = setup()
    charge_id = receivables.create(actor_of(admin), client_id=alfa.id, description='Consultoria', amount='1.500,00',
                                   due_date='18/11/2026', issue_date='01/11/2026', notify=False)[0]
    calls = []

    def net_paid(amount, discount=0, addition=0):
        calls.append((amount, discount, addition))
        return amount - discount + addition
    monkeypatch.setattr(receivables, 'net_paid', net_paid)
    await login(user, admin)
    await user.open(f'/recebimentos?cobranca={charge_id}')
    await user.should_see(marker='pay')
    user.find(marker='pay').click()
    await user.should_see(marker='received')
    user.find(marker='discount').elements.pop().value = '100,00'
    await user.should_see(marker='received')
    assert user.find(marker='received').elements.pop().value == '1.400,00'
    assert (150000, 10000, 0) in calls
