"""A mistyped address shows the pt-BR 'not found' page inside the shell, with status 404."""
from nicegui import __version__ as nicegui_version
from nicegui.testing import User

from tests.factories import login, make_office, make_user


async def test_unknown_address_shows_portuguese_page_in_the_frame(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    response = await user.http_client.get('/endereco-que-nao-existe')
    assert response.status_code == 404
    assert 'Página não encontrada ou sem acesso' in response.text
    assert 'conton-header' in response.text  # the shell's header, with the menu of this login
    assert 'href=\\"/clientes\\"' in response.text or 'href="/clientes"' in response.text
    assert "This page doesn't exist" not in response.text and 'HTTPException' not in response.text


async def test_unknown_address_without_login_goes_to_login(user: User) -> None:
    make_office()
    response = await user.http_client.get('/endereco-que-nao-existe')
    assert response.status_code in (302, 303, 307)
    assert response.headers['location'].startswith('/login')


async def test_a_404_of_an_api_route_stays_json(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    response = await user.http_client.get(f'/_nicegui/{nicegui_version}/libraries/nao-existe')
    assert response.status_code == 404
    assert response.headers['content-type'].startswith('application/json')
