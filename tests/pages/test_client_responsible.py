"""Responsável on the client's pages: chosen on the new-client form and on the client's page (active staff and admins
only), shown on the client's page to staff who may only read it, and no way in for a client login."""
from nicegui.testing import User
from sqlmodel import select

from conton.models import Client, ClientResponsible, User as Login
from conton.services.base import unit
from tests.factories import login, make_client, make_office, make_user
from tests.helpers import wait_until


def chosen(client_id):
    with unit() as session:
        row = session.get(ClientResponsible, client_id)
        return row.user_id if row else None


def picker(user: User):
    return user.find(marker='responsible-select').elements.pop()


async def test_admin_chooses_the_responsible_on_create_and_changes_it(user: User) -> None:
    make_office()
    ana = make_user('staff', name='Ana Souza')
    gone = make_user('staff', name='Carlos Saiu')
    with unit() as session:
        session.get(Login, gone.id).active = False
    make_user('client', client=make_client('Outro Cliente Ltda'), name='Login de Cliente')
    await login(user, make_user('admin', name='Dona Regina'))
    await user.open('/clientes/novo')
    await user.should_see('Responsável')
    options = picker(user).options
    # active staff and admins only: not the inactive one, not the client login
    assert list(options.values()) == ['Nenhum (avisa toda a equipe)', 'Ana Souza', 'Dona Regina']
    user.find('CNPJ').type('11.222.333/0001-81')
    user.find('Razão social').type('Padaria Pão Quente Ltda')
    user.find('Regime tributário').elements.pop().value = 'Simples Nacional'
    picker(user).value = str(ana.id)
    user.find('Cadastrar cliente').click()
    await user.should_see('Cliente cadastrado.')
    with unit() as session:
        client = session.exec(select(Client).where(Client.name == 'Padaria Pão Quente Ltda')).one()
    assert chosen(client.id) == ana.id
    await user.should_see(marker='responsible', content='Responsável: Ana Souza')
    assert picker(user).value == str(ana.id)

    picker(user).value = ''
    user.find('Salvar alterações').click()
    await wait_until(lambda: chosen(client.id) is None, 'the responsible cleared')
    await user.open(f'/clientes/{client.id}')
    await user.should_see(marker='responsible', content='Responsável: nenhum (avisa toda a equipe)')


async def test_reader_sees_the_responsible_without_a_picker(user: User) -> None:
    make_office()
    client = make_client('Padaria Pão Quente Ltda')
    ana = make_user('staff', name='Ana Souza')
    with unit() as session:
        session.add(ClientResponsible(client_id=client.id, user_id=ana.id))
    await login(user, make_user('staff', permissions={'clients': 'read'}))
    await user.open(f'/clientes/{client.id}')
    await user.should_see(marker='responsible', content='Responsável: Ana Souza')
    await user.should_not_see(marker='responsible-select')


async def test_client_login_has_no_way_to_the_client_form(user: User) -> None:
    make_office()
    client = make_client('Padaria Pão Quente Ltda')
    await login(user, make_user('client', client=client))
    await user.open(f'/clientes/{client.id}')
    await user.should_see('Página não encontrada ou sem acesso')
    await user.should_not_see(marker='responsible-select')
    await user.should_not_see(marker='responsible')
