"""Pagamentos page: default month, filters and totals, new bill with installments, bad input next to the field,
upload errors, baixa, delete of an installment (only it or the group), exports, attachment download, access."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timezone

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import select

from conton import clock
from conton.models import Bill
from conton.services import payables
from conton.services.base import unit
from tests.factories import actor_of, login, make_client, make_office, make_supplier, make_user
from tests.helpers import DEADLINE

PDF = b'%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'


@pytest.fixture
def admin():
    make_office()
    clock.set_now(datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc))
    return make_user('admin')


def bills() -> list[Bill]:
    with unit() as session:
        return list(session.exec(select(Bill).order_by(Bill.due_date, Bill.installment_no)).all())


def listed(user: User) -> str:
    """The HTML of the bills table (one escaped string; see pages/listing.py)."""
    return next(iter(user.find(marker='bills').elements)).content


def descriptions(user: User) -> list[str]:
    return [html.unescape(d) for d in re.findall(r'<a class="open" href="[^"]*">([^<]*)</a>', listed(user))]


def statuses(user: User) -> list[str]:
    return re.findall(r'<span class="conton-badge \w+">([^<]*)</span>', listed(user))


def totals(user: User) -> str:
    return next(iter(user.find(marker='totals').elements)).content


async def shows(user: User, expected: list[str]) -> None:
    await user.should_see(marker='bills')
    assert descriptions(user) == expected


def seed(account) -> dict:
    actor = actor_of(account)
    acme = make_supplier('Acme Papelaria', document='11222333000181')
    ids = {
        'papel': payables.create(actor, supplier_id=acme.id, description='Papel A4', amount='100,00',
                                 due_date='05/11/2026', issue_date='01/11/2026')[0],
        'canetas': payables.create(actor, supplier_id=acme.id, description='Canetas', amount='20,00',
                                   due_date='25/11/2026')[0],
        'iptu': payables.create(actor, description='IPTU antigo', amount='50,00', due_date='15/10/2026',
                                issue_date='01/10/2026')[0],
        'dezembro': payables.create(actor, description='Seguro dezembro', amount='70,00', due_date='10/12/2026')[0],
    }
    return ids


async def test_default_month_totals_and_filters(user: User, admin) -> None:
    seed(admin)
    await login(user, admin)
    await user.open('/pagamentos')
    await shows(user, ['Papel A4', 'Canetas'])
    assert '<b>2</b> contas' in totals(user) and 'R$\xa0120,00' in totals(user)
    assert statuses(user) == ['Vencido', 'Pendente']
    form = totals(user)  # the filter form and the totals share one element
    assert 'name="status"' in form
    assert 'name="de" value="01/11/2026"' in form and 'name="ate" value="30/11/2026"' in form

    await user.open('/pagamentos?status=vencido&data=vencimento&de=2026-11-01&ate=2026-11-30')
    await shows(user, ['Papel A4'])
    assert '<option value="vencido" selected>' in totals(user)
    await user.open('/pagamentos?status=vencido&data=vencimento&de=&ate=2026-11-30')
    await shows(user, ['IPTU antigo', 'Papel A4'])
    assert '<b>2</b> contas' in totals(user)

    await user.open('/pagamentos?status=&fornecedor=11.222.333/0001-81&data=vencimento&de=2026-11-01&ate=')
    await shows(user, ['Papel A4', 'Canetas'])


async def test_filters_from_the_url(user: User, admin) -> None:
    seed(admin)
    await login(user, admin)
    await user.open('/pagamentos?status=vencido')
    await shows(user, ['IPTU antigo', 'Papel A4'])
    await user.open('/pagamentos?de=2026-12-01&ate=2026-12-31')
    await shows(user, ['Seguro dezembro'])


async def test_new_bill_in_installments(user: User, admin) -> None:
    supplier = make_supplier('Loja de Móveis')
    await login(user, admin)
    await user.open('/pagamentos')
    user.find('Nova conta').click()
    await user.should_see('Nova conta a pagar')
    next(iter(user.find(marker='form-supplier').elements)).value = str(supplier.id)
    user.find(marker='form-description').type('Cadeiras')
    user.find(marker='form-amount').type('100,00')
    user.find(marker='form-due').type('30/11/2026')
    user.find(marker='form-repeat').elements.pop().value = 'parcelas'
    user.find(marker='form-installments').clear().type('3')
    await user.should_see('3×: R$\xa033,34 + R$\xa033,33 + R$\xa033,33')
    user.find(marker='form-save').click()
    await user.should_see('Conta incluída.')
    rows = bills()
    assert [b.amount_cents for b in rows] == [3334, 3333, 3333]
    assert {b.supplier_id for b in rows} == {supplier.id}
    assert descriptions(user) == ['Cadeiras'] and '· 1/3' in listed(user)  # the other two fall in later months


async def test_new_bill_bad_input_shows_next_to_field(user: User, admin) -> None:
    await login(user, admin)
    await user.open('/pagamentos')
    user.find('Nova conta').click()
    await user.should_see('Nova conta a pagar')
    user.find(marker='form-description').type('Conta')
    user.find(marker='form-amount').type('-5,00')
    user.find(marker='form-repeat').elements.pop().value = 'parcelas'
    user.find(marker='form-installments').clear().type('0')
    user.find(marker='form-save').click()
    await user.should_see('Confira os campos destacados.')
    fields = user.find(ui.input).elements | user.find(ui.number).elements
    errors = {el.props.get('label'): el.error for el in fields if getattr(el, 'error', None)}
    assert errors['Valor (R$)'] == 'O valor não pode ser negativo.'
    assert errors['Vencimento'] == 'Informe o vencimento.'
    assert errors['Parcelas'] == 'Informe ao menos 1 parcela.'
    assert bills() == []


async def test_upload_refused_shows_message_and_accepted_is_attached(user: User, admin) -> None:
    await login(user, admin)
    await user.open('/pagamentos')
    user.find('Nova conta').click()
    await user.should_see('Nova conta a pagar')
    upload = next(iter(user.find(marker='form-upload').elements))
    await upload.handle_uploads([SmallFileUpload('boleto.pdf', 'application/pdf', b'isto nao e um pdf')])
    await user.should_see('Tipo de arquivo não aceito')
    await upload.handle_uploads([SmallFileUpload('boleto.pdf', 'application/pdf', PDF)])
    await user.should_see('Anexado: boleto.pdf')
    user.find(marker='form-description').type('Honorários advocatícios')
    user.find(marker='form-amount').type('1.000,00')
    user.find(marker='form-due').type('20/11/2026')
    user.find(marker='form-save').click()
    await user.should_see('Conta incluída.')
    [bill] = bills()
    assert bill.attachment_name == 'boleto.pdf'

    assert f'conta={bill.id}' in listed(user) and '📎' in listed(user)
    await user.open(f'/pagamentos?conta={bill.id}')
    await user.should_see('Baixar anexo')
    user.find('Baixar anexo').click()
    response = await user.download.next(timeout=DEADLINE)
    assert response.content == PDF


async def test_baixa_prefills_the_amount_grouped_and_reads_it_back(user: User, admin) -> None:
    bill_id = payables.create(actor_of(admin), description='Aluguel', amount='1.500,00', due_date='05/11/2026')[0]
    await login(user, admin)
    await user.open(f'/pagamentos?conta={bill_id}')
    await user.should_see(marker='detail-pay')
    user.find(marker='detail-pay').click()
    await user.should_see('Confirmar baixa')
    assert next(iter(user.find('Valor pago (R$)').elements)).value == '1.500,00'  # as every other amount
    user.find('Confirmar baixa').click()
    await user.should_not_see('Confirmar baixa')
    assert [b.paid_cents for b in bills()] == [150000]


async def test_baixa_and_undo_through_the_page(user: User, admin) -> None:
    ids = seed(admin)
    await login(user, admin)
    await user.open(f'/pagamentos?conta={ids["papel"]}')
    await user.should_see(marker='detail-pay')
    user.find(marker='detail-pay').click()
    await user.should_see('Confirmar baixa')
    user.find('Juros/multa (R$)').clear().type('2,50')
    assert next(iter(user.find('Valor pago (R$)').elements)).value == '102,50'
    user.find(marker='pay-date').clear().type('11/11/2026')  # tomorrow
    user.find('Confirmar baixa').click()
    await user.should_see('Confira os campos destacados.')
    assert next(iter(user.find(marker='pay-date').elements)).error == 'A data do pagamento não pode ser no futuro.'
    user.find(marker='pay-date').clear().type('09/11/2026')
    user.find('Confirmar baixa').click()
    await user.should_see('Baixa registrada.')
    paid = next(b for b in bills() if b.id == ids['papel'])
    assert (paid.status, paid.paid_cents, paid.addition_cents) == ('pago', 10250, 250)
    assert statuses(user)[0] == 'Pago'

    await user.open(f'/pagamentos?conta={ids["papel"]}')
    await user.should_see(marker='detail-undo')
    user.find(marker='detail-undo').click()
    await user.should_see('A conta volta a ficar em aberto')
    user.find(marker='confirm-yes').click()
    await user.should_see('Baixa estornada.')
    assert next(b for b in bills() if b.id == ids['papel']).status == 'aberto'


async def test_delete_selected_installment_asks_only_or_group(user: User, admin) -> None:
    actor = actor_of(admin)
    notebook = payables.create(actor, description='Notebook', amount='300,00', due_date='20/11/2026',
                               installments=3)
    [cafe] = payables.create(actor, description='Café', amount='30,00', due_date='21/11/2026')
    await login(user, admin)
    await user.open('/pagamentos')
    await shows(user, ['Notebook', 'Café'])
    assert f'name="excluir" value="{notebook[0]}"' in listed(user) and 'Excluir selecionadas' in listed(user)
    await user.open(f'/pagamentos?excluir={notebook[0]}')  # what ticking the row and the button submit
    await user.should_see(marker='delete-scope')
    scope = next(iter(user.find(marker='delete-scope').elements))
    assert list(scope.options.values()) == ['Somente esta', 'Esta e as parcelas seguintes', 'Todo o grupo']
    scope.value = 'group'
    user.find(marker='confirm-delete').click()
    await user.should_see('3 contas excluídas.')
    assert [b.description for b in bills()] == ['Café']
    await shows(user, ['Café'])

    await user.open(f'/pagamentos?excluir={cafe}&excluir=00000000-0000-0000-0000-000000000000')
    await user.should_see('Conta não encontrada.')  # e.g. deleted meanwhile in another tab: nothing is deleted
    assert [b.description for b in bills()] == ['Café']
    await user.open(f'/pagamentos?excluir={cafe}')
    await user.should_see('Esta ação não pode ser desfeita.')
    user.find(marker='confirm-delete').click()
    await user.should_see('1 conta excluída.')
    assert bills() == []


async def test_delete_one_installment_from_detail_only_it(user: User, admin) -> None:
    ids = payables.create(actor_of(admin), description='Cadeira', amount='90,00', due_date='20/11/2026',
                          installments=3)
    await login(user, admin)
    await user.open(f'/pagamentos?conta={ids[0]}')
    await user.should_see(marker='detail-delete')
    user.find(marker='detail-delete').click()
    await user.should_see(marker='delete-scope')
    assert next(iter(user.find(marker='delete-scope').elements)).value == 'only'
    user.find(marker='confirm-delete').click()  # default: only this one
    await user.should_see('1 conta excluída.')
    assert [b.installment_no for b in bills()] == [2, 3]


async def test_exports(user: User, admin) -> None:
    seed(admin)
    await login(user, admin)
    await user.open('/pagamentos')
    await shows(user, ['Papel A4', 'Canetas'])
    user.find(marker='export-csv').click()
    response = await user.download.next(timeout=DEADLINE)
    text = response.content.decode('utf-8')
    assert text.startswith('\ufeff')
    rows = list(csv.reader(io.StringIO(text.lstrip('\ufeff')), delimiter=';'))
    assert [r[1] for r in rows[1:]] == ['Papel A4', 'Canetas']
    assert rows[1][6] == '100,00'
    user.find(marker='export-pdf').click()
    response = await user.download.next(timeout=DEADLINE)
    assert response.content.startswith(b'%PDF')


async def test_read_only_staff_sees_but_cannot_write(user: User, admin) -> None:
    ids = seed(admin)
    reader = make_user('staff', permissions={'payables': 'read'})
    await login(user, reader)
    await user.open('/pagamentos')
    await shows(user, ['Papel A4', 'Canetas'])
    await user.should_not_see('Nova conta')
    assert 'Excluir selecionadas' not in listed(user) and 'name="excluir"' not in listed(user)
    await user.open(f'/pagamentos?conta={ids["papel"]}&excluir={ids["papel"]}')
    await user.should_see(marker='detail-close')
    await user.should_not_see(marker='detail-pay')
    await user.should_not_see(marker='detail-delete')


@pytest.mark.parametrize('path', ['/pagamentos', '/financeiro'])
async def test_no_access_for_client_logins(user: User, admin, path) -> None:
    seed(admin)
    client = make_user('client', client=make_client())
    await login(user, client)
    await user.open(path)
    await user.should_see('Página não encontrada ou sem acesso')
    await user.should_not_see('Papel A4')


async def test_client_login_cannot_open_or_delete_a_bill_by_url(user: User, admin) -> None:
    ids = seed(admin)
    await login(user, make_user('client', client=make_client()))
    for path in (f'/pagamentos?conta={ids["papel"]}', f'/pagamentos?excluir={ids["papel"]}'):
        await user.open(path)
        await user.should_see('Página não encontrada ou sem acesso')
        await user.should_not_see('Papel A4')
    assert ids['papel'] in {b.id for b in bills()}


async def test_staff_without_payables_gets_no_access(user: User, admin) -> None:
    seed(admin)
    staff = make_user('staff', permissions={'receivables': 'write'})
    await login(user, staff)
    await user.open('/pagamentos')
    await user.should_see('Página não encontrada ou sem acesso')
    await user.should_not_see('Papel A4')


@pytest.mark.parametrize('path', ['/pagamentos', '/pagamentos?status=vencido&fornecedor=acme', '/financeiro'])
async def test_render_runs_at_most_ten_queries(user: User, admin, path) -> None:
    from conton import db
    seed(admin)
    await login(user, admin)
    await user.open(path)
    before = db.query_counter['n']
    await user.open(path)
    assert db.query_counter["n"] - before <= 10


async def test_bad_filter_values_and_unknown_bill_from_the_url(user: User, admin) -> None:
    seed(admin)
    await login(user, admin)
    await user.open('/pagamentos?status=xyz&data=abc&de=lixo&ate=2026-11-30&pagina=-3')
    await shows(user, ['IPTU antigo', 'Papel A4', 'Canetas'])  # bad values are dropped, not guessed
    form = totals(user)
    assert 'Data inválida em “De”: use dd/mm/aaaa.' in form and 'name="de" value="lixo"' in form
    assert 'Data inválida em “Até”' not in form
    await user.open('/pagamentos?de=31/02/2026&ate=30/11/2026')  # typed in the form: dd/mm/aaaa
    assert 'Data inválida em “De”' in totals(user) and 'value="31/02/2026"' in totals(user)
    await user.open('/pagamentos?de=01/11/2026&ate=30/11/2026')
    await shows(user, ['Papel A4', 'Canetas'])
    assert 'Data inválida' not in totals(user)
    await user.open('/pagamentos?conta=00000000-0000-0000-0000-000000000000')
    await user.should_see('Conta não encontrada.')
    await user.open('/pagamentos?conta=lixo&excluir=lixo')
    await user.should_see('Conta não encontrada.')
    await user.should_not_see('Esta ação não pode ser desfeita.')


async def test_edit_bill(user: User, admin) -> None:
    ids = seed(admin)
    await login(user, admin)
    await user.open(f'/pagamentos?conta={ids["canetas"]}')
    await user.should_see(marker='detail-edit')
    user.find(marker='detail-edit').click()
    await user.should_see('Editar conta')
    assert next(iter(user.find(marker='form-amount').elements)).value == '20,00'
    user.find(marker='form-amount').clear().type('25,50')
    user.find(marker='form-due').clear().type('26/11/2026')
    user.find(marker='form-save').click()
    await user.should_see('Conta salva.')
    bill = next(b for b in bills() if b.id == ids['canetas'])
    assert (bill.amount_cents, bill.due_date.day) == (2550, 26)
