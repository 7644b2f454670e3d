"""The shell's menus and brand are built once per tool set and branding and kept in memory: a second login with the
same tools reuses them, a permission change or a new office name or logo shows at the next page."""
from __future__ import annotations

from nicegui.testing import User

from conton.pages import frame
from conton.services import office, users
from tests.factories import actor_of, login, make_office, make_user


def top(user: User) -> str:
    return str(user.find(marker='top-bar').elements.pop().content)


async def test_menu_built_once_per_tool_set_and_rebuilt_when_permissions_change(user: User, monkeypatch) -> None:
    make_office('Escritório Modelo')
    admin = make_user('admin')
    staff = make_user('staff', name='Bia', permissions={'receivables': 'read'})
    frame._TOP_CACHE.clear()
    built = []
    real = frame._nav_html
    monkeypatch.setattr(frame, '_nav_html', lambda actor: built.append(actor.user_id) or real(actor))

    await login(user, staff)
    await user.open('/')
    await user.should_see('Acesso Rápido')
    assert 'href="/recebimentos"' in top(user) and 'href="/pagamentos"' not in top(user)
    await user.open('/recebimentos')
    await user.open('/')
    assert built == [staff.id]  # three pages, one menu
    assert 'Bia' in top(user)  # the login's own part is not cached

    users.update_staff(actor_of(admin), staff.id, name='Bia', email=staff.email,
                       permissions={'receivables': 'read', 'payables': 'read'}, admin=False)
    await login(user, staff)  # a permission change ends the login's sessions
    await user.open('/')
    await user.should_see('Acesso Rápido')
    assert 'href="/pagamentos"' in top(user)
    assert built == [staff.id, staff.id]


async def test_new_office_name_shows_at_the_next_page(user: User) -> None:
    make_office('Escritório Antigo')
    admin = make_user('admin')
    await login(user, admin)
    await user.open('/')
    await user.should_see('Acesso Rápido')
    assert 'Escritório Antigo' in top(user)
    office.update_registration(actor_of(admin), trade_name='Contábil Nova')
    await user.open('/')
    await user.should_see('Acesso Rápido')
    assert 'Contábil Nova' in top(user) and 'Escritório Antigo' not in top(user)
