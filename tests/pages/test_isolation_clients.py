"""A client login sees only its own registration: never the Clientes tool, never another client's record."""
from nicegui.testing import User

from tests.factories import login, make_client, make_office, make_user

NO_ACCESS = 'não encontrada ou sem acesso'


def two_clients():
    make_office()
    a = make_client('Alfa Padaria Ltda', tax_regime='Simples Nacional', city='Recife', uf='PE', fee_cents=45000,
                    notes='Nota interna sobre a Alfa.')
    b = make_client('Beta Oficina Ltda', tax_regime='Lucro Presumido', city='Natal', uf='RN', fee_cents=99900,
                    notes='Nota interna sobre a Beta.')
    return a, b, make_user('client', client=a, name='Ana da Alfa'), make_user('client', client=b, name='Bruno da Beta')


async def test_client_login_cannot_open_the_clients_tool(user: User) -> None:
    a, b, login_a, _ = two_clients()
    await login(user, login_a)
    for path in ('/clientes', '/clientes/novo', f'/clientes/{b.id}', f'/clientes/{a.id}', f'/clientes/{b.id}/ficha',
                 f'/clientes/{a.id}/ficha', '/clientes?q=Beta&situacao=todos'):
        await user.open(path)
        await user.should_see(NO_ACCESS)
        await user.should_not_see('Beta Oficina')
        await user.should_not_see('Nota interna')


async def test_portal_data_shows_only_the_own_client(user: User) -> None:
    a, b, login_a, _ = two_clients()
    await login(user, login_a)
    await user.open('/portal/dados')
    await user.should_see('Alfa Padaria Ltda')
    await user.should_see('Recife/PE')
    await user.should_see('R$\xa0450,00')
    await user.should_see(login_a.email)
    await user.should_see('Trocar minha senha')
    await user.should_not_see('Beta Oficina')
    await user.should_not_see('Natal')
    await user.should_not_see('Nota interna')  # the office's notes are internal


async def test_each_client_sees_its_own_data(user: User) -> None:
    a, b, _, login_b = two_clients()
    await login(user, login_b)
    await user.open('/portal/dados')
    await user.should_see('Beta Oficina Ltda')
    await user.should_not_see('Alfa Padaria')


async def test_staff_cannot_open_the_portal_page(user: User) -> None:
    two_clients()
    await login(user, make_user('admin'))
    await user.open('/portal/dados')
    await user.should_see(NO_ACCESS)
    await user.should_not_see('Alfa Padaria')
