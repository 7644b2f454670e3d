"""Sessions and access: tools without permission stay closed, disabling a login or changing its password ends its
other sessions (an open page loses access at its next action), logout, idle timeout."""
import asyncio
from collections.abc import Callable

import httpx
import pytest
from nicegui.testing import User

from conton.services import audit, auth, mail, users
from conton.services.errors import PermissionDenied
from conton.services.permissions import GRANTABLE, TOOLS
from tests.factories import PASSWORD, actor_of, login, make_office, make_user
from tests.helpers import wait_until


@pytest.fixture
def fresh_checks():
    """Services re-read the login on every call (there is no 2-second shortcut any more); kept as a marker."""


async def sign_in(user: User, account) -> None:
    """Log in through /login when several simulated users are open: NiceGUI's test double of ui.navigate follows the
    user touched last, so rather than trusting the page shown, wait until this user has been through /entrar/<ticket>
    (where the login gets its new session id) and open '/'."""
    await user.open('/login')
    before = len(user.back_history)
    user.find('E-mail').type(account.email)
    user.find('Senha').type(PASSWORD)
    user.find('Entrar').click()
    await new_session_of(user, before)
    await user.open('/')
    await user.should_see('Olá')


async def new_session_of(user: User, before: int) -> None:
    """Wait until this user's browser has been through /entrar/<ticket> (a login or password change gets its new
    session id there) since `before` pages were opened."""
    await wait_until(lambda: any(path.startswith('/entrar/') for path in user.back_history[before:]),
                     'the browser to go through /entrar/<ticket>')


async def post_form(user: User, action: str, *, origin: str = 'http://test', page: str = '/') -> httpx.Response:
    """Submit one of the shell's small POST forms as a browser does (Origin and Referer of the page it is on), then
    open the page it redirects to."""
    response = await user.http_client.post(action, headers={'Origin': origin, 'Referer': origin + page})
    if response.status_code == 303:
        await user.open(response.headers['location'])
    return response


def _routes() -> set[str]:
    from nicegui import app
    return {getattr(r, 'path', '') for r in app.routes}


async def test_staff_without_permission_cannot_open_a_tool_nor_use_its_service(user: User) -> None:
    make_office()
    staff = make_user('staff', permissions={'clients': 'read'})
    actor = actor_of(staff)
    await login(user, staff)
    closed = [t for t in GRANTABLE if t.key != 'clients' and t.route in _routes()]
    assert {'/emails', '/auditoria'} <= {t.route for t in closed}
    for tool in [*closed, TOOLS['staff']]:
        await user.open(tool.route)
        await user.should_see('Página não encontrada ou sem acesso')
    await user.open('/')
    top = user.find(marker='top-bar').elements.pop().content
    assert '/clientes' in top and '/emails' not in top and '/auditoria' not in top and '/funcionarios' not in top
    for call in (lambda: mail.search(actor), lambda: audit.search(actor), lambda: users.list_staff(actor),
                 lambda: users.create_staff(actor, name='X', email='x@exemplo.test', permissions={})):
        with pytest.raises(PermissionDenied):
            call()


async def test_read_permission_does_not_allow_writing(user: User) -> None:
    make_office()
    reader = make_user('staff', permissions={'emails': 'read', 'audit': 'read'})
    await login(user, reader)
    await user.open('/emails')
    await user.should_see('E-mails')
    await user.open('/auditoria')
    await user.should_see('Auditoria')
    with pytest.raises(PermissionDenied):
        mail.retry(actor_of(reader), '00000000-0000-0000-0000-000000000000')


async def test_disabled_user_open_page_goes_to_login_at_next_action(create_user: Callable[[], User],
                                                                    fresh_checks) -> None:
    """(The admin acts through the service: with several simulated users, NiceGUI's test doubles of ui.notify and
    ui.navigate follow whichever user was touched last, so only one user drives the UI at a time.)"""
    make_office()
    admin = make_user('admin')
    staff = make_user('staff', name='Carla Dias', permissions={'emails': 'read'})
    boss, carla = create_user(), create_user()
    await sign_in(boss, admin)
    await sign_in(carla, staff)
    await carla.open('/perfil')
    await carla.should_see('Salvar nova senha')

    users.set_active(actor_of(admin), staff.id, False)

    carla.find('Senha atual').type(PASSWORD)  # her next action on the open page
    carla.find('Nova senha (mínimo 8 caracteres)').type('uma senha nova e longa')
    carla.find('Repita a nova senha').type('uma senha nova e longa')
    carla.find('Salvar nova senha').click()
    await carla.should_see('Acesse sua conta')
    await carla.open('/')
    await carla.should_see('Acesse sua conta')
    await boss.open('/')
    await boss.should_see('Acesso Rápido')


async def test_changing_password_ends_the_other_sessions(create_user: Callable[[], User], fresh_checks) -> None:
    make_office()
    admin = make_user('admin')
    laptop, phone = create_user(), create_user()
    await sign_in(laptop, admin)
    await sign_in(phone, admin)
    await phone.open('/perfil')
    await phone.should_see('Salvar preferências')

    await laptop.open('/perfil')
    laptop.find('Senha atual').type(PASSWORD)
    laptop.find('Nova senha (mínimo 8 caracteres)').type('uma senha nova e longa')
    laptop.find('Repita a nova senha').type('uma senha nova e longa')
    before = len(laptop.back_history)
    laptop.find('Salvar nova senha').click()
    # argon2 runs in a worker thread; the laptop must get its new session before the phone is touched (NiceGUI's
    # test double of ui.navigate follows the user touched last: see sign_in)
    await new_session_of(laptop, before)
    assert auth.load_actor(admin.id, 1) is None

    phone.find('Salvar preferências').click()  # an action on the open page
    await phone.should_see('Acesse sua conta')
    await laptop.open('/auditoria')  # the one who changed it stays in
    await laptop.should_see('Auditoria')
    await laptop.should_see('senha alterada pelo próprio usuário')


async def test_password_change_keeps_this_browser_logged_in(user: User) -> None:
    make_office()
    admin = make_user('admin')
    await login(user, admin)
    await user.open('/perfil')
    user.find('Senha atual').type(PASSWORD)
    user.find('Nova senha (mínimo 8 caracteres)').type('uma senha nova e longa')
    user.find('Repita a nova senha').type('uma senha nova e longa')
    user.find('Salvar nova senha').click()
    await user.should_see('Senha alterada.')
    await user.open('/')
    await user.should_see('Acesso Rápido')


async def test_disabled_user_is_out_on_next_page_load_too(create_user: Callable[[], User]) -> None:
    make_office()
    admin = make_user('admin')
    staff = make_user('staff')
    carla = create_user()
    await sign_in(carla, staff)
    users.set_active(actor_of(admin), staff.id, False)
    await carla.open('/')
    await carla.should_see('Acesse sua conta')


async def test_logout_in_one_tab_closes_the_other_tabs_of_that_browser(user: User, fresh_checks) -> None:
    make_office()
    admin = make_user('admin')
    await login(user, admin)
    await user.open('/perfil')
    await user.should_see('Salvar preferências')
    await user.http_client.post('/sair', headers={'Origin': 'http://test'})  # another tab of this browser logs out
    user.find('Salvar preferências').click()
    await user.should_see('Acesse sua conta')


async def test_idle_timeout_ends_the_session(user: User, monkeypatch) -> None:
    from conton import config
    make_office()
    admin = make_user('admin')
    await login(user, admin)
    await user.open('/perfil')
    await user.should_see('Salvar preferências')
    monkeypatch.setenv('CONTON_IDLE_TIMEOUT_HOURS', str(0.3 / 3600))  # 0.3 seconds
    config.reset_settings()
    await asyncio.sleep(0.4)
    user.find('Salvar preferências').click()  # the open page's next action
    await user.should_see('Acesse sua conta')
    await user.open('/')
    await user.should_see('Acesse sua conta')


async def test_idle_timeout_on_page_load(user: User, monkeypatch) -> None:
    from conton import config
    make_office()
    await login(user, make_user('admin'))
    await user.open('/')
    await user.should_see('Acesso Rápido')  # just active
    # then a timeout shorter than the time since that page (set only now, so a slow machine cannot end it earlier)
    monkeypatch.setenv('CONTON_IDLE_TIMEOUT_HOURS', str(0.001 / 3600))
    config.reset_settings()
    await asyncio.sleep(0.01)
    await user.open('/')
    await user.should_see('Acesse sua conta')


async def test_activity_keeps_the_session(user: User, monkeypatch) -> None:
    from conton import config
    make_office()
    await login(user, make_user('admin'))
    monkeypatch.setenv('CONTON_IDLE_TIMEOUT_HOURS', '12')
    config.reset_settings()
    for _ in range(3):
        await user.open('/')
        await user.should_see('Acesso Rápido')

