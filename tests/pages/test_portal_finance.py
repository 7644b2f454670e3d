"""Portal do cliente > Financeiro: the client's open charges (boleto download, PIX copia e cola + QR) and paid ones with
their recibos; never another client's, by list, URL or id; staff kept out."""
from __future__ import annotations

from datetime import datetime, timezone

from nicegui.testing import User

from conton import clock
from conton.models import Office
from conton.services import receivables
from conton.services.base import unit
from tests.factories import actor_of, cnpj, login, make_client, make_office, make_user
from tests.helpers import DEADLINE, wait_until

NO_ACCESS = 'não encontrada ou sem acesso'


def _region(user: User) -> str:
    return user.find(marker='charges').elements.pop().content


def _press(user: User, act: str, target) -> None:
    """A click on a card button of the server-rendered region: what its click listener sends (data-act, data-id)."""
    user.find(marker='charges').trigger('click', {'act': act, 'id': str(target)})


def setup(**bank):
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    values = dict(legal_name='Escritório Modelo Ltda', document=cnpj(4242), city='Recife', uf='PE', bank_code='341',
                  agencia='1234', conta='12345', carteira='109', pix_key='financeiro@escritorio.test',
                  accountant_name='Maria Contadora', crc_number='012345', crc_uf='PE')
    values.update(bank)
    with unit() as session:
        office = session.get(Office, 1)
        for k, v in values.items():
            setattr(office, k, v)
    admin = actor_of(make_user('admin'))
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a = make_user('client', client=alfa, name='Ana da Alfa')

    def charge(client, description, amount='300,00', due='18/11/2026'):
        return receivables.create(admin, client_id=client.id, description=description, amount=amount, due_date=due,
                                  issue_date='01/11/2026', notify=False)[0]
    ids = {
        'a_open': charge(alfa, 'Consultoria Alfa'),
        'a_late': charge(alfa, 'Abertura Alfa', '150,00', '05/11/2026'),
        'a_paid': charge(alfa, 'Honorários Alfa', '450,00', '03/11/2026'),
        'b_open': charge(beta, 'Cobrança da Beta', '999,00'),
        'b_paid': charge(beta, 'Paga pela Beta', '777,00', '04/11/2026'),
    }
    ids['a_receipt'] = receivables.pay(admin, ids['a_paid'], paid_date='03/11/2026', payment_form='pix')
    ids['b_receipt'] = receivables.pay(admin, ids['b_paid'], paid_date='04/11/2026', payment_form='boleto')
    return admin, login_a, ids


async def test_client_sees_only_its_own_charges_and_recibos(user: User) -> None:
    _, login_a, _ = setup()
    await login(user, login_a)
    await user.open('/portal/financeiro')
    await user.should_see('Consultoria Alfa')
    await user.should_see('Abertura Alfa')
    await user.should_see('Vencido')
    await user.should_see('Honorários Alfa')
    await user.should_see('Recibo nº 000001')
    await user.should_see('Em aberto: <b>R$\xa0450,00</b>')
    await user.should_not_see('Beta')
    await user.should_not_see('Recibo nº 000002')
    await user.should_not_see('999,00')


async def test_boleto_and_recibo_downloads(user: User) -> None:
    _, login_a, ids = setup()
    await login(user, login_a)
    await user.open('/portal/financeiro')
    await user.should_see('Consultoria Alfa')
    assert _region(user).count('data-act="boleto"') == 2  # one per open charge
    assert _region(user).count('data-act="receipt"') == 1
    _press(user, 'receipt', ids['a_receipt'])
    response = await user.download.next(timeout=DEADLINE)
    assert response.content.startswith(b'%PDF')


async def test_boleto_download(user: User) -> None:
    _, login_a, ids = setup()
    receivables.cancel(actor_of(make_user('admin')), ids['a_late'])
    await login(user, login_a)
    await user.open('/portal/financeiro')
    await user.should_see('Consultoria Alfa')
    await user.should_not_see('Abertura Alfa')  # cancelled: gone from the portal
    assert f'data-act="boleto" data-id="{ids["a_open"]}"' in _region(user)
    _press(user, 'boleto', ids['a_open'])
    response = await user.download.next(timeout=DEADLINE)
    assert response.content.startswith(b'%PDF')


async def test_pix_copia_e_cola_and_qr(user: User) -> None:
    _, login_a, ids = setup()
    await login(user, login_a)
    await user.open(f'/portal/financeiro?cobranca={ids["a_open"]}')
    await user.should_see('PIX copia e cola')
    code = user.find(marker='pix-code').elements.pop().text
    assert receivables.pix_txid(ids['a_open']) in code and '300.00' in code
    user.find(marker='pix-copy').click()
    await user.should_see('Código PIX copiado.')
    await wait_until(lambda: [el for el in user.find(marker='pix').elements.pop().descendants()
                              if getattr(el, 'source', '').startswith('data:image/png;base64,')], 'the PIX QR image')


async def test_another_clients_charge_by_url_is_not_found(user: User) -> None:
    _, login_a, ids = setup()
    await login(user, login_a)
    for target in (ids['b_open'], ids['b_paid'], ids['b_receipt'], '00000000-0000-0000-0000-000000000000', 'lixo'):
        await user.open(f'/portal/financeiro?cobranca={target}')
        await user.should_see('Cobrança não encontrada.')
        await user.should_not_see('Beta')
        await user.should_not_see('PIX copia e cola')


async def test_without_bank_settings_no_boleto_button_but_pix(user: User) -> None:
    _, login_a, ids = setup(agencia='')
    await login(user, login_a)
    await user.open('/portal/financeiro')
    await user.should_see('Consultoria Alfa')
    assert 'data-act="boleto"' not in _region(user)
    await user.should_see('Pagar com PIX')
    _press(user, 'open', ids['a_open'])  # the PIX button opens the charge's dialog
    await user.should_see('PIX copia e cola')


async def test_card_buttons_with_another_clients_ids_get_nothing(user: User) -> None:
    _, login_a, ids = setup()
    await login(user, login_a)
    await user.open('/portal/financeiro')
    await user.should_see('Consultoria Alfa')
    _press(user, 'nada', ids['a_open'])  # an unknown action does nothing
    # forged clicks: Beta's charge and recibo through Alfa's region, and an id that is no id
    for act, target in (('boleto', ids['b_open']), ('receipt', ids['b_receipt']), ('open', ids['b_open']),
                        ('open', 'lixo')):
        _press(user, act, target)
    await wait_until(lambda: len([m for m in user.notify.messages if 'não encontrad' in m]) == 4,
                     'four "not found" messages')
    assert not user.download.http_responses
    await user.should_not_see('PIX copia e cola')
    await user.should_not_see('Beta')


async def test_staff_and_anonymous_cannot_open_the_portal_page(user: User) -> None:
    admin, _, _ = setup()
    await login(user, make_user('admin'))
    await user.open('/portal/financeiro')
    await user.should_see(NO_ACCESS)
    await user.should_not_see('Consultoria Alfa')


async def test_anonymous_goes_to_login(user: User) -> None:
    setup()
    await user.open('/portal/financeiro')
    await user.should_see('Acesse sua conta')


async def test_home_tile_badge_counts_only_own_open_charges(user: User) -> None:
    _, login_a, _ = setup()
    await login(user, login_a)
    await user.open('/')
    tiles = user.find(marker='quick-access').elements.pop().content
    assert '/portal/financeiro' in tiles and '2 cobranças em aberto' in tiles
