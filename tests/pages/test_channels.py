"""How to be told, in the pages: Meu perfil offers a login the categories it can receive (staff and client logins)
and saves its choice; Meus Dados (Avisos) sets the office default, read-only without write; a notification of a
category the login set to 'none' or 'email' is written to the drawer but does not pop up live in its open tab."""
import re
from collections.abc import Callable

from nicegui.testing import User
from sqlmodel import select

from conton.models import NotificationDefault, NotificationPreference
from conton.services import channels, notifications
from conton.services.base import unit
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import bell_count, wait_until
from tests.pages.test_security import sign_in


def select_of(user: User, marker: str):
    return user.find(marker=marker).elements.pop()


def labels(user: User) -> set[str]:
    return {e.props.get('label') for e in user.find(marker='channels').elements.pop().descendants()
            if e.props.get('label') and any(m.startswith('channel-') for m in e._markers)}


def preference_rows() -> dict:
    with unit() as session:
        return {(r.user_id, r.category): r.channel for r in session.exec(select(NotificationPreference)).all()}


async def test_staff_profile_offers_only_its_categories_and_saves_the_choice(user: User) -> None:
    make_office()
    clerk = make_user('staff', permissions={'receivables': 'write', 'files': 'read'})
    await login(user, clerk)
    await user.open('/perfil')
    await user.should_see('Como ser avisado')
    assert labels(user) == {'Recebimentos', 'Arquivos'}  # no Agenda, Pagamentos, Protocolos for her
    options = select_of(user, 'channel-arquivos').options
    assert list(options.values()) == ['Padrão do escritório (Ambos)', 'Painel (sino)', 'E-mail', 'Ambos', 'Nenhum']

    select_of(user, 'channel-arquivos').value = 'none'
    select_of(user, 'channel-recebimentos').value = 'email'
    user.find('Salvar preferências').click()
    await user.should_see('Preferências de aviso salvas.')
    assert preference_rows() == {(clerk.id, 'arquivos'): 'none', (clerk.id, 'recebimentos'): 'email'}

    await user.open('/perfil')  # the page shows what is stored; back to the office's default
    await user.should_see('Como ser avisado')
    assert select_of(user, 'channel-arquivos').value == 'none'
    select_of(user, 'channel-arquivos').value = ''
    user.find('Salvar preferências').click()
    await wait_until(lambda: preference_rows() == {(clerk.id, 'recebimentos'): 'email'}, 'the choice removed')


async def test_client_profile_offers_the_portal_categories_and_no_office_ones(user: User) -> None:
    make_office()
    channels.set_defaults(actor_of(make_user('admin')), {'protocolos': 'email'})
    client_login = make_user('client', client=make_client('Padaria Pão Quente Ltda'))
    await login(user, client_login)
    await user.open('/perfil')
    await user.should_see('Como ser avisado')
    shown = labels(user)
    assert {'Agenda', 'Recebimentos', 'Protocolos', 'Arquivos'} <= shown and 'Pagamentos' not in shown
    assert select_of(user, 'channel-protocolos').options[''] == 'Padrão do escritório (E-mail)'
    select_of(user, 'channel-protocolos').value = 'drawer'
    user.find('Salvar preferências').click()
    await user.should_see('Preferências de aviso salvas.')
    assert preference_rows() == {(client_login.id, 'protocolos'): 'drawer'}


async def test_staff_without_any_category_sees_no_choices(user: User) -> None:
    make_office()
    await login(user, make_user('staff', permissions={'clients': 'read'}))
    await user.open('/perfil')
    await user.should_see('Trocar senha')
    await user.should_not_see('Como ser avisado')


async def test_office_sets_the_default_in_meus_dados_read_only_without_write(create_user: Callable[[], User]) -> None:
    make_office()
    admin, reader = make_user('admin'), make_user('staff', permissions={'office': 'read'})
    a, r = create_user(), create_user()
    await sign_in(a, admin)
    await a.open('/meus-dados?aba=avisos')
    await a.should_see('Padrão do escritório')
    assert select_of(a, 'default-arquivos').value == 'both'
    select_of(a, 'default-arquivos').value = 'drawer'
    select_of(a, 'default-agenda').value = 'none'
    a.find('Salvar padrões de aviso').click()
    await a.should_see('Padrões de aviso salvos.')
    with unit() as session:
        stored = {d.category: d.channel for d in session.exec(select(NotificationDefault)).all()}
    assert stored['arquivos'] == 'drawer' and stored['agenda'] == 'none'

    await sign_in(r, reader)
    await r.open('/meus-dados?aba=avisos')
    await r.should_see('Padrão do escritório')
    assert select_of(r, 'default-arquivos').value == 'drawer'
    assert 'readonly' in select_of(r, 'default-arquivos').props
    await r.should_not_see('Salvar padrões de aviso')


def _drawer(user: User) -> str:
    return user.find(marker='notifications').elements.pop().content


def _bell(user: User) -> str:
    """The unread count on the bell ('' when none)."""
    return bell_count(user.find(marker='notifications').elements.pop().content)


async def test_none_and_email_get_the_drawer_row_but_no_live_pop(user: User) -> None:
    make_office()
    me = make_user('admin')
    channels.set_preferences(actor_of(me), {'agenda': 'none', 'pagamentos': 'email', 'recebimentos': 'drawer'})
    await login(user, me)
    await user.open('/')
    await user.should_see('Acesso Rápido')
    with unit() as session:  # one batch: the quiet ones and a loud one together
        notifications.notify(session, [me.id], 'agenda', 'Reunião silenciosa')
        notifications.notify(session, [me.id], 'pagamentos', 'Conta por e-mail')
        notifications.notify(session, [me.id], 'recebimentos', 'Boleto pago')
    await user.should_see(marker='notifications', content='Boleto pago')
    assert 'Reunião silenciosa' not in _drawer(user) and 'Conta por e-mail' not in _drawer(user)
    assert _bell(user) == '1'
    with unit() as session:  # and a quiet one alone, then a loud one after it (dispatched in order)
        notifications.notify(session, [me.id], 'agenda', 'Outra reunião silenciosa')
    with unit() as session:
        notifications.notify(session, [me.id], 'recebimentos', 'Outro boleto pago')
    await user.should_see(marker='notifications', content='Outro boleto pago')
    assert 'Outra reunião silenciosa' not in _drawer(user) and _bell(user) == '2'

    await user.open('/')  # the rows were written all the same: the drawer lists them at the next page
    await user.should_see(marker='notifications', content='Reunião silenciosa')
    html = _drawer(user)
    assert all(t in html for t in ('Conta por e-mail', 'Outra reunião silenciosa', 'Boleto pago'))
    assert _bell(user) == '5'
    assert re.search(r'<span class="l">Agenda</span><span class="n">2</span>', html)
