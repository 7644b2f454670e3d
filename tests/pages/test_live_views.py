"""Live views: an open page that shows a tool refreshes its own region when a service changes that tool's data —
the client's Financeiro (only for its own client's charges), Recebimentos, Pagamentos, Clientes and the home badges
(a second staff member's change shows up in the first one's open list) — with one data query per event and scope;
and a tab whose session ended is unsubscribed and sent to /login instead of being told anything."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from nicegui import app
from nicegui.storage import request_contextvar
from nicegui.testing import User

from conton import clock
from conton.services import auth, clients, live, payables, receivables, users
from tests.helpers import wait_until
from tests.factories import PASSWORD, actor_of, cnpj, make_client, make_office, make_user
from tests.pages.test_security import sign_in


def _content(user: User, marker: str) -> str:
    return ' '.join(getattr(el, 'content', '') or getattr(el, 'text', '') for el in user.find(marker=marker).elements)


def _region(user: User) -> str:
    """Everything the Financeiro region shows (summary HTML and the cards' labels)."""
    texts = []
    for el in user.find(marker='portal-charges').elements.pop().descendants():
        texts.append(getattr(el, 'content', '') or getattr(el, 'text', '') or '')
    return ' '.join(texts)


async def _until(check: Callable[[], bool]) -> None:
    """Wait for the push (no fixed sleep: poll the condition until the suite's generous deadline)."""
    await wait_until(check, 'the live push')


async def _settled() -> None:
    """Let the hub finish whatever it was dispatching (then a change that did not arrive will not arrive)."""
    await wait_until(lambda: not live.hub.running and not live.hub.pending.changes and not live.hub.pending.notes,
                     'the live hub to finish dispatching')


def _office_with_two_clients():
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    admin = make_user('admin', name='Ana Admin')
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    return admin, alfa, beta


def _charge(admin, client, description: str, amount: str = '300,00'):
    return receivables.create(actor_of(admin), client_id=client.id, description=description, amount=amount,
                              due_date='20/11/2026', issue_date='01/11/2026')[0]


async def test_client_financeiro_follows_its_own_charges_live(create_user: Callable[[], User]) -> None:
    admin, alfa, beta = _office_with_two_clients()
    first = _charge(admin, alfa, 'Consultoria Alfa')
    alfa_login, beta_login = make_user('client', client=alfa), make_user('client', client=beta)
    a, b = create_user(), create_user()
    await sign_in(a, alfa_login)
    await sign_in(b, beta_login)
    await a.open('/portal/financeiro')
    await b.open('/portal/financeiro')
    await a.should_see('Em aberto: <b>R$\xa0300,00</b>')
    await b.should_see('Nenhuma cobrança em aberto. Obrigado!')

    second = _charge(admin, alfa, 'Abertura de filial Alfa', '1.200,00')  # staff saves a charge for Alfa
    # the summary comes first, the new card in a second step: wait for both
    await _until(lambda: 'R$\xa01.500,00' in _region(a) and 'Abertura de filial Alfa' in _region(a))
    assert '2 cobranças' in _region(a)
    await _settled()
    assert 'Abertura de filial Alfa' not in _region(b) and 'Nenhuma cobrança em aberto' in _region(b)

    receivables.pay(actor_of(admin), first, paid_date='10/11/2026', payment_form='pix')
    await _until(lambda: 'R$\xa01.200,00</b>' in _region(a) and 'Recibo nº 000001' in _region(a))

    receivables.cancel(actor_of(admin), second)
    await _until(lambda: 'Nenhuma cobrança em aberto' in _region(a) and 'Abertura de filial Alfa' not in _region(a))

    _charge(admin, beta, 'Cobrança da Beta', '999,00')  # Beta's tab hears it; Alfa's does not
    await _until(lambda: 'R$\xa0999,00' in _region(b))
    await _settled()
    assert 'Beta' not in _region(a) and '999,00' not in _region(a)


async def test_one_data_query_per_event_for_all_tabs_of_a_client(create_user: Callable[[], User],
                                                                 monkeypatch) -> None:
    admin, alfa, _ = _office_with_two_clients()
    tabs = [create_user() for _ in range(3)]
    logins = [make_user('client', client=alfa) for _ in range(2)]
    for tab, account in zip(tabs, [logins[0], logins[0], logins[1]]):
        await sign_in(tab, account)
        await tab.open('/portal/financeiro')
    calls = []
    real = receivables.portal
    monkeypatch.setattr(receivables, 'portal', lambda actor: calls.append(actor.user_id) or real(actor))
    renders = []
    # the pages subscribed with the function object itself: patch what the hub holds
    for subs in live.hub.tabs.values():
        for sub in subs:
            if sub.load is real:
                sub.load = receivables.portal
                sub.share = 'portal'
                sub.render = lambda view, render=sub.render: renders.append(view) or render(view)

    _charge(admin, alfa, 'Consultoria Alfa')
    for tab in tabs:
        await _until(lambda tab=tab: 'Consultoria Alfa' in _region(tab))
    assert len(calls) == 1
    assert len(renders) == 1  # the region's HTML rendered once, the same string handed to the three tabs
    shown = {tab.find(marker='charges').elements.pop().content for tab in tabs}
    assert len(shown) == 1 and 'Consultoria Alfa' in shown.pop()


async def test_staff_lists_show_a_second_staff_members_changes(create_user: Callable[[], User]) -> None:
    admin, alfa, _ = _office_with_two_clients()
    colleague = make_user('staff', name='Bruno', permissions={'receivables': 'write', 'payables': 'write',
                                                               'clients': 'write'})
    charges, bills, people, home = create_user(), create_user(), create_user(), create_user()
    for tab, path in ((charges, '/recebimentos'), (bills, '/pagamentos'), (people, '/clientes'), (home, '/')):
        await sign_in(tab, make_user('staff', permissions={'receivables': 'read', 'payables': 'read',
                                                           'clients': 'read'}))
        await tab.open(path)
    await charges.should_see(marker='charges')
    other = actor_of(colleague)

    charge_id = receivables.create(other, client_id=alfa.id, description='Abertura de filial', amount='750,00',
                                   due_date='01/11/2026', issue_date='01/11/2026')[0]
    await _until(lambda: 'Abertura de filial' in _content(charges, 'charges'))
    assert 'R$\xa0750,00' in _content(charges, 'totals')
    await _until(lambda: '1 cobranças vencidas' in _content(home, 'quick-access'))

    receivables.pay(other, charge_id, paid_date='10/11/2026', payment_form='pix')
    await _until(lambda: 'Pago' in _content(charges, 'charges'))
    await _until(lambda: 'cobranças vencidas' not in _content(home, 'quick-access'))

    payables.create(other, description='Aluguel da sala', amount='2.000,00', due_date='11/11/2026')
    await _until(lambda: 'Aluguel da sala' in _content(bills, 'bills'))
    await _until(lambda: 'vencidas ou vencendo em até 3 dias' in _content(home, 'quick-access'))

    clients.create(other, kind='PJ', name='Gama Comércio Ltda', document=cnpj(777), tax_regime='Simples Nacional',
                   due_day=10)
    await _until(lambda: 'Gama Comércio Ltda' in _content(people, 'clients-table'))


async def test_staff_without_read_permission_hears_nothing(user: User) -> None:
    from tests.factories import login
    admin, alfa, _ = _office_with_two_clients()
    outsider = make_user('staff', permissions={'clients': 'read'})
    await login(user, outsider)
    await user.open('/clientes')
    assert all(key[1] != 'receivables' for key in live.hub.index if key[0] == 'view')
    assert len(live.hub.tabs[user.client.id]) == 2  # the drawer and the list of clients
    delivered = live.hub.delivered
    _charge(admin, alfa, 'Consultoria Alfa')
    await _settled()
    assert live.hub.delivered == delivered


async def test_password_change_ends_the_open_tab_instead_of_pushing(user: User) -> None:
    from tests.factories import login
    admin, alfa, _ = _office_with_two_clients()
    contact = make_user('client', client=alfa)
    await login(user, contact)
    await user.open('/portal/financeiro')
    await user.should_see('Nenhuma cobrança em aberto. Obrigado!')
    tab_id = user.client.id
    assert len(live.hub.tabs[tab_id]) == 2  # the drawer and the Financeiro region

    auth.change_password(actor_of(contact), PASSWORD, 'Outra-senha-forte-2026')  # e.g. from the phone
    _charge(admin, alfa, 'Consultoria Alfa')
    await user.should_see('Acesse sua conta', retries=100)  # sent to the login page
    assert tab_id not in live.hub.tabs
    await user.should_not_see('Consultoria Alfa')


async def test_disabled_login_is_sent_to_login_and_unsubscribed(create_user: Callable[[], User]) -> None:
    admin, alfa, _ = _office_with_two_clients()
    staff = make_user('staff', name='Bruno', permissions={'receivables': 'read'})
    tab = create_user()
    await sign_in(tab, staff)
    await tab.open('/recebimentos')
    await tab.should_see(marker='charges')
    tab_id = tab.client.id
    users.set_active(actor_of(admin), staff.id, False)
    tab.find(marker='charges')  # (NiceGUI's test double of ui.navigate follows the user touched last)
    _charge(admin, alfa, 'Consultoria Alfa')
    await tab.should_see('Acesse sua conta', retries=100)
    assert tab_id not in live.hub.tabs


async def test_logout_elsewhere_in_the_browser_ends_the_tab(user: User) -> None:
    """Logging out clears the browser's session storage; the still-open tab gets no 'Nova cobrança'."""
    from tests.factories import login
    admin, alfa, _ = _office_with_two_clients()
    contact = make_user('client', client=alfa)
    await login(user, contact)
    await user.open('/portal/financeiro')
    await user.should_see('Nenhuma cobrança em aberto. Obrigado!')
    drawer = user.find(marker='notifications').elements.pop()
    tab_id = user.client.id

    token = request_contextvar.set(user.client.request)  # what the logout route does to this browser's storage
    try:
        app.storage.user.clear()
    finally:
        request_contextvar.reset(token)
    _charge(admin, alfa, 'Consultoria Alfa')
    await user.should_see('Acesse sua conta', retries=100)
    assert tab_id not in live.hub.tabs
    assert 'Nova cobrança' not in drawer.content
