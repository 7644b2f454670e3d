"""Início: the admin of an office whose Meus Dados lacks the essentials is asked to complete them (and only them)."""
from __future__ import annotations

from nicegui.testing import User

from conton.models import Office
from conton.services import office
from conton.services.base import unit
from tests.factories import actor_of, cnpj, login, make_office, make_user


def fill(**values) -> None:
    with unit() as session:
        stored = session.get(Office, 1)
        for k, v in values.items():
            setattr(stored, k, v)


async def test_admin_is_asked_to_complete_meus_dados_until_it_has_the_essentials(user: User) -> None:
    make_office('Contábil Nova')  # as `conton create-admin --office` leaves it: a name, nothing else
    admin = make_user('admin')
    await login(user, admin)
    await user.should_see(marker='office-prompt')
    await user.should_see('Complete os dados do escritório: faltam CNPJ e endereço.')
    user.find('Completar Meus Dados').click()
    await user.should_see('Dados cadastrais')
    fill(document=cnpj(31), street='Rua do Sol', number='10', city='Recife', uf='PE')
    await user.open('/')
    await user.should_see('Acesso Rápido')
    await user.should_not_see(marker='office-prompt')


async def test_only_who_can_complete_meus_dados_is_asked(user: User) -> None:
    make_office('Contábil Nova')
    reader = make_user('staff', permissions={'office': 'read', 'clients': 'write'})
    assert office.completion_prompt(actor_of(reader)) == []
    assert office.completion_prompt(actor_of(make_user('admin'))) == ['CNPJ', 'endereço']
    await login(user, reader)
    await user.should_see('Acesso Rápido')
    await user.should_not_see(marker='office-prompt')
