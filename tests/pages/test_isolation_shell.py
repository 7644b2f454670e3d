"""Every office tool, by its URL, answers 'no access' to a client login and to staff without that permission;
the client's menu, quick access and help list show none of them."""
import pytest
from nicegui.testing import User

from conton.services.permissions import CLIENT_TOOLS, GRANTABLE, STAFF_TOOLS
from tests.factories import login, make_client, make_office, make_user

NO_ACCESS = 'Página não encontrada ou sem acesso'


@pytest.mark.parametrize('tool', [t.key for t in STAFF_TOOLS])
async def test_client_login_gets_no_access_on_every_office_tool(user: User, tool: str) -> None:
    make_office()
    account = make_user('client', client=make_client())
    await login(user, account)
    route = next(t.route for t in STAFF_TOOLS if t.key == tool)
    await user.open(route)
    await user.should_see(NO_ACCESS)


async def test_client_menu_and_quick_access_show_only_portal_tools(user: User) -> None:
    make_office()
    account = make_user('client', client=make_client())
    await login(user, account)
    html = str(user.find(marker='quick-access').elements.pop().content)
    for tool in STAFF_TOOLS:
        assert f'href="{tool.route}"' not in html
    for tool in CLIENT_TOOLS:
        assert f'href="{tool.route}"' in html
    for tool in STAFF_TOOLS:
        await user.open(f'/ajuda/{tool.help}')
        await user.should_see(NO_ACCESS)


@pytest.mark.parametrize('tool', [t.key for t in STAFF_TOOLS])
async def test_staff_without_permission_gets_no_access(user: User, tool: str) -> None:
    make_office()
    others = {t.key: 'write' for t in GRANTABLE if t.key != tool}
    account = make_user('staff', permissions=others)
    await login(user, account)
    await user.open(next(t.route for t in STAFF_TOOLS if t.key == tool))
    await user.should_see(NO_ACCESS)


@pytest.mark.parametrize('tool', [t.key for t in CLIENT_TOOLS])
async def test_staff_gets_no_access_on_client_portal_pages(user: User, tool: str) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open(next(t.route for t in CLIENT_TOOLS if t.key == tool))
    await user.should_see(NO_ACCESS)
