"""An amount over its maximum gets its message next to the field on the page, and nothing is saved (issue 7, item
7): a charge over the boleto's R$ 99.999.999,99, a bill over R$ 999.999.999,99, and a number so large that it used
to end in OverflowError or "integer out of range"."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from nicegui.testing import User
from sqlmodel import func, select

from conton import clock
from conton.models import Bill, Charge
from conton.services.base import unit
from tests.factories import login, make_client, make_office, make_user


def count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize('amount, message', [('100.000.000,00', 'Valor máximo: R$\xa099.999.999,99.'),
                                             ('999999999999999999999', 'Valor máximo: R$\xa099.999.999,99.')])
async def test_charge_over_the_boleto_maximum_shows_the_message_by_the_amount(user: User, amount, message) -> None:
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    admin = make_user('admin')
    client = make_client('Alfa Padaria Ltda')
    await login(user, admin)
    await user.open('/recebimentos')
    user.find(marker='new-charge').click()
    await user.should_see(marker='form-client')
    user.find(marker='form-client').elements.pop().value = str(client.id)
    user.find(marker='form-description').type('Venda de imóvel')
    user.find(marker='form-amount').type(amount)
    user.find(marker='form-due').type('18/11/2026')
    user.find(marker='form-save').click()
    await user.should_see('Confira os campos destacados.')  # shown after each message is put by its field
    assert user.find(marker='form-amount').elements.pop().error == message
    assert count(Charge) == 0


async def test_bill_over_the_maximum_shows_the_message_by_the_amount(user: User) -> None:
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    admin = make_user('admin')
    await login(user, admin)
    await user.open('/pagamentos')
    user.find(marker='new-bill').click()
    await user.should_see(marker='form-description')
    user.find(marker='form-description').type('Imóvel')
    user.find(marker='form-amount').type('1.000.000.000,00')
    user.find(marker='form-due').type('18/11/2026')
    user.find(marker='form-save').click()
    await user.should_see('Confira os campos destacados.')
    assert user.find(marker='form-amount').elements.pop().error == 'Valor máximo: R$\xa0999.999.999,99.'
    assert count(Bill) == 0
