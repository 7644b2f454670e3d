"""Recebimentos page: list with filters and totals, new charge, monthly generation, detail with PIX and boleto, baixa
with recibo download, permissions and a client login kept out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from nicegui.testing import User
from sqlmodel import select

from conton import clock, db
from conton.models import Charge, Office
from conton.services import receivables
from conton.services.base import unit
from tests.factories import actor_of, cnpj, login, make_client, make_office, make_user
from tests.helpers import DEADLINE

NO_ACCESS = 'não encontrada ou sem acesso'


def at(day: int, month: int = 11, hour: int = 12) -> None:
    clock.set_now(datetime(2026, month, day, hour, 0, tzinfo=timezone.utc) + timedelta(hours=3))


def bank_settings(**overrides) -> None:
    values = dict(legal_name='Escritório Modelo Ltda', document=cnpj(4242), city='Recife', uf='PE', bank_code='341',
                  agencia='1234', conta='12345', carteira='109', pix_key='financeiro@escritorio.test',
                  accountant_name='Maria Contadora', crc_number='012345', crc_uf='PE')
    values.update(overrides)
    with unit() as session:
        office = session.get(Office, 1)
        for k, v in values.items():
            setattr(office, k, v)


def setup_office(**bank):
    make_office()
    at(10)
    bank_settings(**bank)
    admin = make_user('admin')
    alfa = make_client('Alfa Padaria Ltda', fee_cents=45000, due_day=12)
    beta = make_client('Beta Oficina Ltda', fee_cents=99900, due_day=5)
    return admin, alfa, beta


def listed(user: User) -> str:
    """The HTML of the charges table (rows, one link each to the charge's detail, and the pager)."""
    return user.find(marker='charges').elements.pop().content


def new_charge(admin, client, description='Consultoria', amount='300,00', due='18/11/2026'):
    return receivables.create(actor_of(admin), client_id=client.id, description=description, amount=amount,
                              due_date=due, issue_date='01/11/2026', notify=False)[0]


async def test_list_filters_and_totals(user: User) -> None:
    admin, alfa, beta = setup_office()
    new_charge(admin, alfa, 'Consultoria', '300,00', '18/11/2026')
    new_charge(admin, beta, 'Abertura', '150,00', '05/11/2026')
    new_charge(admin, beta, 'Dezembro', '999,00', '10/12/2026')  # not this month
    await login(user, admin)
    await user.open('/recebimentos')
    await user.should_see(marker='charges')
    assert 'Alfa Padaria Ltda' in listed(user) and 'Beta Oficina Ltda' in listed(user)
    assert 'Dezembro' not in listed(user)
    totals = user.find(marker='totals').elements.pop()
    assert '<b>2</b> cobranças' in totals.content and 'R$\xa0450,00' in totals.content
    await user.open('/recebimentos?status=vencido&de=2026-11-01&ate=2026-11-30')
    await user.should_see(marker='charges')
    assert 'Abertura' in listed(user) and 'Consultoria' not in listed(user)
    await user.open('/recebimentos?cliente=alfa&de=2026-11-01&ate=2026-11-30')
    await user.should_see(marker='charges')
    assert 'Consultoria' in listed(user) and 'Abertura' not in listed(user)
    form = user.find(marker='filters').elements.pop().content
    assert 'name="cliente" value="alfa"' in form and 'name="de" value="01/11/2026"' in form
    await user.open('/recebimentos?cliente=beta&de=2026-11-01&ate=2026-11-30')
    await user.should_see(marker='charges')
    assert 'Abertura' in listed(user) and 'Consultoria' not in listed(user)
    assert '&amp;cobranca=' in listed(user)


async def test_page_renders_with_few_queries(user: User) -> None:
    admin, alfa, _ = setup_office()
    for i in range(30):
        new_charge(admin, alfa, f'Serviço {i}', '10,00', '18/11/2026')
    await login(user, admin)
    await user.open('/recebimentos')
    before = db.query_counter['n']
    await user.open('/recebimentos?status=pendente&cliente=alfa')
    await user.should_see(marker='charges')
    assert 'Serviço 1' in listed(user)
    assert db.query_counter['n'] - before <= 10


async def test_generate_month_button(user: User) -> None:
    admin, alfa, beta = setup_office()
    await login(user, admin)
    await user.open('/recebimentos')
    user.find(marker='generate').click()
    await user.should_see(marker='confirm-generate')
    user.find(marker='confirm-generate').click()
    await user.should_see('2 cobranças de honorários geradas para 11/2026.')
    assert 'Honorários contábeis — competência 11/2026' in listed(user)
    user.find(marker='generate').click()
    await user.should_see(marker='confirm-generate')
    user.find(marker='confirm-generate').click()
    await user.should_see('Nenhuma cobrança nova')
    with unit() as session:
        assert len(session.exec(select(Charge)).all()) == 2


async def test_generate_refuses_a_bad_month(user: User) -> None:
    admin, *_ = setup_office()
    await login(user, admin)
    await user.open('/recebimentos')
    user.find(marker='generate').click()
    await user.should_see(marker='competence')
    user.find(marker='competence').clear().type('13/2026')
    user.find(marker='confirm-generate').click()
    await user.should_see('Competência inválida')


async def test_new_charge_in_installments(user: User) -> None:
    admin, alfa, _ = setup_office()
    await login(user, admin)
    await user.open('/recebimentos')
    user.find(marker='new-charge').click()
    await user.should_see(marker='form-client')
    select_el = user.find(marker='form-client').elements.pop()
    select_el.value = str(alfa.id)
    user.find(marker='form-description').type('Abertura de empresa')
    user.find(marker='form-amount').type('100,00')
    user.find(marker='form-due').type('18/11/2026')
    user.find(marker='form-installments').elements.pop().value = 3
    await user.should_see('3×: R$\xa033,34 + R$\xa033,33 + R$\xa033,33')
    user.find(marker='form-save').click()
    await user.should_see('3 parcelas incluídas')
    with unit() as session:
        amounts = [c.amount_cents for c in session.exec(select(Charge).order_by(Charge.due_date)).all()]
    assert amounts == [3334, 3333, 3333]


async def test_new_charge_refuses_zero_amount(user: User) -> None:
    admin, alfa, _ = setup_office()
    await login(user, admin)
    await user.open('/recebimentos')
    user.find(marker='new-charge').click()
    await user.should_see(marker='form-client')
    user.find(marker='form-client').elements.pop().value = str(alfa.id)
    user.find(marker='form-description').type('Serviço')
    user.find(marker='form-amount').type('0,00')
    user.find(marker='form-due').type('18/11/2026')
    user.find(marker='form-save').click()
    await user.should_see('Informe um valor maior que zero.')
    with unit() as session:
        assert session.exec(select(Charge)).all() == []


async def test_detail_pix_boleto_baixa_and_recibo(user: User) -> None:
    admin, alfa, _ = setup_office()
    charge_id = new_charge(admin, alfa)
    await login(user, admin)
    await user.open(f'/recebimentos?cobranca={charge_id}')
    await user.should_see('PIX copia e cola')
    code = user.find(marker='pix-code').elements.pop().text
    assert code.startswith('000201') and receivables.pix_txid(charge_id) in code
    await user.should_see('registrado no banco')
    user.find(marker='pix-copy').click()
    await user.should_see('Código PIX copiado.')
    user.find(marker='boleto').click()
    response = await user.download.next(timeout=DEADLINE)
    assert response.content.startswith(b'%PDF')
    user.find(marker='pay').click()
    await user.should_see(marker='confirm-pay')
    user.find(marker='confirm-pay').click()
    await user.should_see('Baixa registrada; recibo emitido.')
    await user.should_see('Recibo nº 000001')
    user.find(marker='receipt').click()
    response = await user.download.next(timeout=DEADLINE)
    assert response.content.startswith(b'%PDF')


async def test_detail_shows_the_nosso_numero_of_the_boleto(user: User) -> None:
    admin, alfa, _ = setup_office()
    charge_id = new_charge(admin, alfa)
    receivables.boleto_pdf(actor_of(admin), charge_id)  # the first boleto takes nosso número 1
    printed = receivables.get(actor_of(admin), charge_id).nosso_numero
    assert printed.startswith('109/00000001-')
    await login(user, admin)
    await user.open(f'/recebimentos?cobranca={charge_id}')
    await user.should_see(marker='charge-detail')
    detail = user.find(marker='charge-detail').elements.pop().content
    assert f'<td>Nosso número</td><td>{printed}</td>' in detail


async def test_baixa_prefills_the_amount_grouped_and_reads_it_back(user: User) -> None:
    admin, alfa, _ = setup_office()
    charge_id = new_charge(admin, alfa, amount='1.500,00')
    await login(user, admin)
    await user.open(f'/recebimentos?cobranca={charge_id}')
    await user.should_see(marker='pay')
    user.find(marker='pay').click()
    await user.should_see(marker='received')
    assert user.find(marker='received').elements.pop().value == '1.500,00'  # as every other amount, not 1500,00
    user.find(marker='confirm-pay').click()
    await user.should_see('Baixa registrada; recibo emitido.')
    with unit() as session:
        assert session.get(Charge, charge_id).received_cents == 150000


async def test_baixa_refuses_a_future_date(user: User) -> None:
    admin, alfa, _ = setup_office()
    charge_id = new_charge(admin, alfa)
    await login(user, admin)
    await user.open(f'/recebimentos?cobranca={charge_id}')
    await user.should_see('Dar baixa')
    user.find(marker='pay').click()
    await user.should_see(marker='paid-date')
    user.find(marker='paid-date').clear().type('01/12/2026')
    user.find(marker='confirm-pay').click()
    await user.should_see('A data do pagamento não pode ser no futuro.')


async def test_boleto_with_incomplete_settings_says_what_is_missing(user: User) -> None:
    admin, alfa, _ = setup_office(agencia='', carteira='')
    charge_id = new_charge(admin, alfa)
    await login(user, admin)
    await user.open(f'/recebimentos?cobranca={charge_id}')
    await user.should_see('Boleto indisponível: falta em Meus Dados > Boletos: agência, carteira.')
    user.find(marker='boleto').click()
    await user.should_see('Para gerar o boleto, complete em Meus Dados > Boletos: agência e carteira.')
    with unit() as session:
        assert session.get(Office, 1).next_nosso_numero == 1


async def test_unknown_charge_in_the_url(user: User) -> None:
    admin, *_ = setup_office()
    await login(user, admin)
    await user.open('/recebimentos?cobranca=00000000-0000-0000-0000-000000000000')
    await user.should_see('Cobrança não encontrada.')
    await user.open('/recebimentos?cobranca=lixo')
    await user.should_see('Cobrança não encontrada.')


async def test_permissions(user: User) -> None:
    admin, alfa, _ = setup_office()
    new_charge(admin, alfa)
    await login(user, make_user('staff', permissions={'payables': 'write'}))
    await user.open('/recebimentos')
    await user.should_see(NO_ACCESS)
    await user.should_not_see('Alfa Padaria')


async def test_reader_sees_but_cannot_act(user: User) -> None:
    admin, alfa, _ = setup_office()
    charge_id = new_charge(admin, alfa)
    await login(user, make_user('staff', permissions={'receivables': 'read'}))
    await user.open('/recebimentos')
    await user.should_see(marker='charges')
    assert 'Alfa Padaria Ltda' in listed(user)
    await user.should_not_see('Nova cobrança')
    await user.should_not_see('Gerar honorários do mês')
    await user.open(f'/recebimentos?cobranca={charge_id}')
    await user.should_see('PIX copia e cola')
    await user.should_not_see('Dar baixa')
    await user.should_not_see('Cancelar cobrança')


async def test_client_login_cannot_open_recebimentos(user: User) -> None:
    admin, alfa, beta = setup_office()
    theirs = new_charge(admin, beta, 'Cobrança da Beta')
    await login(user, make_user('client', client=alfa))
    for path in ('/recebimentos', f'/recebimentos?cobranca={theirs}', '/recebimentos?status=vencido'):
        await user.open(path)
        await user.should_see(NO_ACCESS)
        await user.should_not_see('Beta Oficina')
        await user.should_not_see('Cobrança da Beta')


async def test_help_page(user: User) -> None:
    admin, *_ = setup_office()
    await login(user, admin)
    await user.open('/ajuda/recebimentos')
    await user.should_see('registrado no banco')
    await user.should_see('Gerar honorários do mês')
