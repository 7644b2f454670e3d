from nicegui.testing import User

from tests.factories import PASSWORD, login, make_client, make_office, make_user
from tests.pages.test_security import post_form


async def test_first_run_creates_admin_and_office(user: User) -> None:
    await user.open('/')
    await user.should_see('Primeiro acesso')
    user.find('Nome do escritório').type('Contábil Exemplo')
    user.find('Seu nome').type('Maria Souza')
    user.find('Seu e-mail').type('maria@exemplo.test')
    user.find('Senha (mínimo 8 caracteres)').type('uma senha longa e boa')
    user.find('Repita a senha').type('uma senha longa e boa')
    user.find('Criar escritório').click()
    await user.should_see('Bem-vindo(a)!')  # lands on Meus Dados to complete the office's data
    await user.should_see('Contábil Exemplo')
    await user.open('/')
    await user.should_see('Acesso Rápido')


async def test_first_run_refuses_common_password(user: User) -> None:
    await user.open('/primeiro-acesso')
    user.find('Nome do escritório').type('Contábil Exemplo')
    user.find('Seu nome').type('Maria Souza')
    user.find('Seu e-mail').type('maria@exemplo.test')
    user.find('Senha (mínimo 8 caracteres)').type('password123')
    user.find('Repita a senha').type('password123')
    user.find('Criar escritório').click()
    await user.should_see('muito comum')
    from conton.services import auth
    assert auth.needs_setup()


async def test_login_right_and_wrong_and_logout(user: User) -> None:
    make_office()
    admin = make_user('admin')
    await user.open('/login')
    user.find('E-mail').type(admin.email)
    user.find('Senha').type('senha errada demais')
    user.find('Entrar').click()
    await user.should_see('E-mail ou senha incorretos.')
    user.find('Senha').type(PASSWORD)
    user.find('Entrar').click()
    await user.should_see('Acesso Rápido')
    await post_form(user, '/sair')  # the 'Sair' button of the user menu
    await user.should_see('Acesse sua conta')
    await user.open('/')
    await user.should_see('Acesse sua conta')


async def test_client_login_lands_on_client_home(user: User) -> None:
    make_office()
    client = make_client('Padaria Pão Quente Ltda')
    account = make_user('client', client=client)
    await login(user, account)
    await user.should_see('Portal do cliente')
    await user.should_not_see('Clientes')
