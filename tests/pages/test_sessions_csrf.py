"""Sessions and cross-site requests (issue 7, items 2, 5 and 12).

A login, a logout and a password change give the browser a NEW session id (NiceGUI keys app.storage.user by it), so
a cookie copied before opens nothing afterwards; the way back after login stays on this site; what changes state
(log out, mark notifications read) is a POST from a page of this portal, under the same session checks as a page.
Cookies are checked with raw HTTP requests, as a thief holding a copied cookie would send them.
"""
import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from nicegui import core
from nicegui.testing import User

from conton import config
from conton.services import notifications
from conton.services.base import unit
from tests.factories import PASSWORD, actor_of, login, make_office, make_user
from tests.pages.test_security import post_form

FOREIGN = 'https://evil.example'


def raw(cookie: str | None = None) -> httpx.AsyncClient:
    """Another HTTP client on the same app: a second browser, or someone replaying a copied cookie."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url='http://test',
                             cookies={'session': cookie} if cookie else None)


def cookie_of(user: User) -> str:
    return user.http_client.cookies['session']


async def opens(cookie: str | None, account) -> bool:
    """Does this cookie open the account's profile page?"""
    async with raw(cookie) as http:
        response = await http.get('/perfil')
    return response.status_code == 200 and account.email in response.text


async def ticket_path(user: User, account, start: str = '/login') -> str:
    """Log in on the page and catch where the browser is sent (instead of following it)."""
    caught: list[str] = []
    await user.open(start)
    user.navigate.to = lambda target, new_tab=False: caught.append(target)
    try:
        user.find('E-mail').type(account.email)
        user.find('Senha').type(PASSWORD)
        user.find('Entrar').click()
        for _ in range(200):
            if caught:
                break
            await asyncio.sleep(0.05)
    finally:
        del user.navigate.to
    assert caught, 'the login did not navigate'
    return caught[0]


async def test_a_cookie_copied_before_login_or_logout_opens_nothing_after_the_next_login(user: User) -> None:
    make_office()
    admin = make_user('admin')
    await user.open('/login')
    before_login = cookie_of(user)
    await login(user, admin)
    before_logout = cookie_of(user)
    assert await opens(before_logout, admin)  # the check can tell: this cookie is the logged-in one
    assert not await opens(before_login, admin)

    await post_form(user, '/sair')
    await user.should_see('Acesse sua conta')
    assert not await opens(before_logout, admin)

    await login(user, admin)  # the next login in that browser
    assert await opens(cookie_of(user), admin)
    assert not await opens(before_logout, admin)
    assert not await opens(before_login, admin)


async def test_a_password_change_gives_this_browser_a_new_session(user: User) -> None:
    make_office()
    admin = make_user('admin')
    await login(user, admin)
    copied = cookie_of(user)
    await user.open('/perfil')
    user.find('Senha atual').type(PASSWORD)
    user.find('Nova senha (mínimo 8 caracteres)').type('uma senha nova e longa')
    user.find('Repita a nova senha').type('uma senha nova e longa')
    user.find('Salvar nova senha').click()
    await user.should_see('Senha alterada.', retries=100)
    await user.should_see('Trocar senha')
    assert await opens(cookie_of(user), admin)  # this browser stays in...
    assert not await opens(copied, admin)  # ...under a new session id


async def test_the_login_ticket_works_once_and_only_in_the_browser_that_logged_in(user: User) -> None:
    make_office()
    admin = make_user('admin')
    path = await ticket_path(user, admin)
    assert path.startswith('/entrar/')
    async with raw() as other:  # a login CSRF: someone else's browser sent to that address
        await other.get('/login')
        response = await other.get(path)
        assert (response.status_code, response.headers['location']) == (303, '/login')
        assert (await other.get('/perfil')).status_code == 307  # still anonymous

    path = await ticket_path(user, admin)
    response = await user.http_client.get(path)
    assert (response.status_code, response.headers['location']) == (303, '/')
    assert await opens(cookie_of(user), admin)
    again = await user.http_client.get(path)
    assert (again.status_code, again.headers['location']) == (303, '/login')


@pytest.mark.parametrize(('redirect_to', 'lands_on'), [
    ('/%5Cevil.example', '/'), ('/%09/evil.example', '/'), ('//evil.example', '/'), ('https://evil.example', '/'),
    ('/clientes%3Fpagina%3D2', '/clientes?pagina=2'),
])
async def test_after_login_the_browser_stays_on_this_site(user: User, redirect_to: str, lands_on: str) -> None:
    make_office()
    admin = make_user('admin')
    path = await ticket_path(user, admin, f'/login?redirect_to={redirect_to}')
    assert path.startswith('/entrar/')
    response = await user.http_client.get(path)
    assert (response.status_code, response.headers['location']) == (303, lands_on)


async def test_the_middleware_remembers_only_same_site_paths_to_come_back_to() -> None:
    async with raw() as http:
        response = await http.get('/recebimentos', params={'cliente': 'Pão', 'pagina': '2'})
        location = urlsplit(response.headers['location'])
        assert location.path == '/login'
        assert parse_qs(location.query) == {'redirect_to': ['/recebimentos?cliente=P%C3%A3o&pagina=2']}
        for hostile in ('/%5Cevil.example', '/%5C%5Cevil.example/x', '/%09/evil.example'):
            response = await http.get(hostile)
            assert (response.status_code, response.headers['location']) == (307, '/login'), hostile


async def test_state_changing_routes_refuse_get_and_cross_site_posts(user: User) -> None:
    make_office()
    admin = make_user('admin')
    with unit() as session:
        notifications.notify(session, [admin.id], 'recebimentos', 'Pagamento recebido', 'R$ 10,00', '/perfil')
    actor = actor_of(admin)
    note = notifications.drawer(actor).items[0].id
    await login(user, admin)
    http = user.http_client

    for path in (f'/notificacao/{note}', '/notificacoes/lidas'):  # a link, an <img>, a top-level navigation
        assert (await http.get(path)).status_code == 405
    for headers in ({}, {'Origin': FOREIGN}, {'Referer': f'{FOREIGN}/page'}, {'Origin': 'null'},
                    {'Origin': FOREIGN, 'Referer': 'http://test/'}):
        for path in (f'/notificacao/{note}', '/notificacoes/lidas', '/sair'):
            response = await http.post(path, headers=headers)
            assert response.status_code == 403, (path, headers)
    assert notifications.unread_counts(actor)['recebimentos'] == 1
    assert await opens(cookie_of(user), admin)

    await user.open('/sair')  # typed or bookmarked: a page with the button, nothing ended
    await user.should_see(marker='logout-form')
    assert await opens(cookie_of(user), admin)

    response = await http.post(f'/notificacao/{note}', headers={'Origin': 'http://test'})
    assert (response.status_code, response.headers['location']) == (303, '/perfil')
    assert notifications.unread_counts(actor)['recebimentos'] == 0
    with unit() as session:
        notifications.notify(session, [admin.id], 'agenda', 'Prazo da DCTFWeb')
    response = await http.post('/notificacoes/lidas', headers={'Referer': 'http://test/clientes?pagina=2'})
    assert (response.status_code, response.headers['location']) == (303, '/clientes?pagina=2')
    assert notifications.unread_counts(actor)['agenda'] == 0
    response = await http.post('/sair', headers={'Origin': 'http://conton.test'})  # CONTON_BASE_URL, behind a proxy
    assert (response.status_code, response.headers['location']) == (303, '/login')
    assert not await opens(cookie_of(user), admin)


async def test_the_routes_apply_the_idle_timeout_as_pages_do(user: User, monkeypatch) -> None:
    make_office()
    admin = make_user('admin')
    with unit() as session:
        notifications.notify(session, [admin.id], 'agenda', 'Reunião com cliente')
    await login(user, admin)
    monkeypatch.setenv('CONTON_IDLE_TIMEOUT_HOURS', '1')
    config.reset_settings()
    for storage in core.app.storage._users.values():  # noqa: SLF001  (idle for two hours, without waiting for it)
        if storage.get('uid') == str(admin.id):
            storage['seen'] = time.time() - 2 * 3600

    response = await user.http_client.post('/notificacoes/lidas', headers={'Origin': 'http://test'})
    assert (response.status_code, response.headers['location']) == (303, '/login')
    assert notifications.unread_counts(actor_of(admin))['agenda'] == 1
    assert not await opens(cookie_of(user), admin)
