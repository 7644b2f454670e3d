"""Live notifications: a notification for X appears in X's open drawer without a reload and never in Y's; counts per
category; 'Marcar todas como lidas'.

The drawer itself is checked (`marker='notifications', content=...`), not the toast: NiceGUI's test double of
ui.notify follows whichever simulated user was touched last, so a toast is no proof of who got it.
"""
import asyncio
import re
from collections.abc import Callable

from nicegui import run
from nicegui.testing import User

from conton.services import notifications
from conton.services.base import unit
from tests.factories import actor_of, login, make_office, make_user
from tests.pages.test_security import post_form, sign_in
from tests.helpers import bell_count


def _drawer(user: User) -> str:
    return user.find(marker='notifications').elements.pop().content


def _counts(html: str) -> dict[str, int]:
    """Category label -> unread count shown in its heading."""
    return {label: int(n) for label, n in re.findall(r'<span class="l">([^<]+)</span><span class="n">(\d+)</span>',
                                                     html)}


def _bell(user: User) -> str:
    """The unread count on the bell ('' when none)."""
    return bell_count(user.find(marker='notifications').elements.pop().content)


async def test_notification_reaches_only_its_recipient_live(create_user: Callable[[], User]) -> None:
    make_office()
    x_login, y_login = make_user('admin', name='Xavier'), make_user('admin', name='Yara')
    x, y = create_user(), create_user()
    await sign_in(x, x_login)
    await sign_in(y, y_login)
    await x.should_not_see(marker='notifications', content='DAS de março vence amanhã')

    with unit() as session:  # e.g. the reminder sweep, on the event loop
        notifications.notify(session, [x_login.id], 'agenda', 'DAS de março vence amanhã', 'Padaria Pão Quente',
                             '/agenda')

    await x.should_see(marker='notifications', content='DAS de março vence amanhã')
    assert 'Padaria Pão Quente' in _drawer(x)
    assert _counts(_drawer(x)) == {'Agenda': 1}
    assert _bell(x) == '1'
    await asyncio.sleep(0.2)
    await y.should_not_see(marker='notifications', content='DAS de março vence amanhã')
    assert _counts(_drawer(y)) == {} and _bell(y) == ''

    await y.open('/')  # not even after a reload
    await y.should_not_see(marker='notifications', content='DAS de março vence amanhã')
    await x.open('/')  # and it is still there for X after one
    await x.should_see(marker='notifications', content='DAS de março vence amanhã')


async def test_counts_per_category_and_mark_all_read(user: User) -> None:
    make_office()
    me = make_user('admin')
    await login(user, me)
    await user.open('/')
    with unit() as session:
        notifications.notify(session, [me.id], 'agenda', 'Reunião com cliente')
        notifications.notify(session, [me.id], 'agenda', 'Prazo da DCTFWeb')
        notifications.notify(session, [me.id], 'recebimentos', 'Boleto pago')
        notifications.notify(session, [me.id], 'solicitacoes', 'Nova solicitação')
    await user.should_see(marker='notifications', content='Nova solicitação')
    assert _counts(_drawer(user)) == {'Agenda': 2, 'Recebimentos': 1, 'Solicitações': 1}
    assert _bell(user) == '4'
    assert 'Marcar todas como lidas' in _drawer(user)

    await post_form(user, '/notificacoes/lidas')  # the drawer's 'Marcar todas como lidas' button
    assert sum(notifications.unread_counts(actor_of(me)).values()) == 0
    await user.should_see('Acesso Rápido')
    assert _counts(_drawer(user)) == {} and _bell(user) == ''
    assert 'Marcar todas como lidas' not in _drawer(user)
    assert 'Boleto pago' in _drawer(user)  # read, still listed


async def test_notification_from_a_worker_thread_is_pushed_too(user: User) -> None:
    """Services called through run.io_bound announce from a thread; the push still happens on the event loop."""
    make_office()
    me = make_user('admin')
    await login(user, me)
    await user.open('/')

    def in_thread() -> None:
        with unit() as session:
            notifications.notify(session, [me.id], 'arquivos', 'Arquivo novo publicado')

    await run.io_bound(in_thread)
    await user.should_see(marker='notifications', content='Arquivo novo publicado')
    assert _counts(_drawer(user)) == {'Arquivos': 1}


async def test_client_login_gets_its_own_and_nothing_else(create_user: Callable[[], User]) -> None:
    from tests.factories import make_client
    make_office()
    admin = make_user('admin')
    contact = make_user('client', client=make_client('Padaria Pão Quente Ltda'))
    office_tab, client_tab = create_user(), create_user()
    await sign_in(office_tab, admin)
    await sign_in(client_tab, contact)
    with unit() as session:
        notifications.notify(session, [admin.id], 'recebimentos', 'Cliente X pagou R$ 500,00')
        notifications.notify(session, [contact.id], 'recebimentos', 'Seu boleto vence em 3 dias')
    await office_tab.should_see(marker='notifications', content='Cliente X pagou')
    await client_tab.should_see(marker='notifications', content='Seu boleto vence em 3 dias')
    assert 'Cliente X pagou' not in _drawer(client_tab)
    assert 'Seu boleto' not in _drawer(office_tab)
