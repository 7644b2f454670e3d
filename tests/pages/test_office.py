"""Meus Dados page: tabs, errors next to the field, header updated, logo upload, read-only, isolation."""
import io

from nicegui import ui
from nicegui.testing import User
from PIL import Image

from conton.models import Office
from conton.services import office
from conton.services.base import unit
from tests.factories import login, make_client, make_office, make_supplier, make_user

NO_ACCESS = 'Página não encontrada ou sem acesso'


def stored_office() -> Office:
    with unit() as session:
        return session.get(Office, 1)


def png() -> bytes:
    out = io.BytesIO()
    Image.new('RGB', (10, 6), 'navy').save(out, format='PNG')
    return out.getvalue()


def field(user: User, label: str):
    """The one input or select with exactly this label (its text may appear elsewhere on the page too)."""
    [element] = [e for e in user.find(content=label).elements if e.props.get('label') == label]
    return element


async def upload(user: User, name: str, data: bytes, mime: str = 'image/png') -> None:
    """What the browser's upload does: hand the file to the ui.upload's handlers."""
    element = user.find(ui.upload).elements.pop()
    with user:
        await element.handle_uploads([ui.upload.SmallFileUpload(name, mime, data)])


async def test_bad_cnpj_shown_next_to_the_field_and_nothing_saved(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/meus-dados?aba=dados')
    field(user, 'CNPJ ou CPF').value = '11.222.333/0001-82'
    field(user, 'CEP').value = '5005'
    user.find('Salvar dados cadastrais').click()
    await user.should_see('CNPJ inválido. Confira os dígitos.')
    assert field(user, 'CNPJ ou CPF').error == 'CNPJ inválido. Confira os dígitos.'
    assert field(user, 'CEP').error == 'CEP inválido: são 8 dígitos.'
    row = stored_office()
    assert (row.document, row.cep) == ('', '')


async def test_good_data_saved_and_header_shows_the_new_trade_name(user: User) -> None:
    make_office('Escritório Antigo')
    await login(user, make_user('admin'))
    await user.open('/meus-dados?aba=dados')
    field(user, 'Razão social').value = 'Contabilidade Nova Ltda'
    field(user, 'Nome fantasia').value = 'Contábil Nova'
    field(user, 'CNPJ ou CPF').value = '12.abc.345/01de-35'
    field(user, 'Cidade').value = 'Recife'
    user.find('Salvar dados cadastrais').click()
    await user.should_see('Dados cadastrais salvos.')
    top = str(user.find(marker='top-bar').elements.pop().content)
    assert 'Contábil Nova' in top and 'Escritório Antigo' not in top
    row = stored_office()
    assert (row.legal_name, row.trade_name, row.document, row.city) == \
        ('Contabilidade Nova Ltda', 'Contábil Nova', '12ABC34501DE35', 'Recife')


async def test_boletos_tab_saves_and_tells_what_is_missing(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/meus-dados?aba=boletos')
    await user.should_see('Para gerar boletos, falta: CNPJ/CPF do escritório e banco.')
    await user.should_see('registrado no banco')
    field(user, 'Banco').value = '341'
    await user.should_see('Itaú: informe a agência')
    field(user, 'Agência').value = '1234'
    field(user, 'Conta').value = '12345'
    field(user, 'Multa por atraso (%)').value = '25'
    field(user, 'Chave PIX').value = '+55 81 99999-1234'
    user.find('Salvar dados de cobrança').click()
    await user.should_see('A multa deve ficar entre 0 e 20 %.')
    assert stored_office().bank_code == ''
    field(user, 'Multa por atraso (%)').value = '2'
    user.find('Salvar dados de cobrança').click()
    await user.should_see('Dados de cobrança salvos.')
    await user.should_see('Para gerar boletos, falta: CNPJ/CPF do escritório e carteira.')
    await user.should_see('Tipo da chave: Telefone.')
    row = stored_office()
    assert (row.bank_code, row.agencia, row.conta, row.fine_bp, row.pix_key) == \
        ('341', '1234', '12345', 200, '+5581999991234')
    assert field(user, 'Multa por atraso (%)').value == '2,00'


async def test_accountant_tab(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/meus-dados?aba=contador')
    field(user, 'Nome do contador').value = 'Maria Contadora'
    field(user, 'CPF do contador').value = '529.982.247-24'
    user.find('Salvar dados do contador').click()
    await user.should_see('CPF inválido. Confira os dígitos.')
    field(user, 'CPF do contador').value = '529.982.247-25'
    field(user, 'Número do CRC').value = '1SP123456/O-8'
    field(user, 'UF do CRC').value = 'SP'
    user.find('Salvar dados do contador').click()
    await user.should_see('Dados do contador salvos.')
    row = stored_office()
    assert (row.accountant_name, row.accountant_cpf, row.crc_number, row.crc_uf) == \
        ('Maria Contadora', '52998224725', '1SP123456/O-8', 'SP')


async def test_logo_upload_refused_when_not_an_image_then_accepted(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/meus-dados')
    await user.should_see('Sem logotipo')
    await upload(user, 'logo.png', b'%PDF-1.4 this is a pdf')
    await user.should_see('Tipo de arquivo não aceito.')
    assert user.find(marker='logo-error').elements.pop().text.startswith('Tipo de arquivo não aceito.')
    assert stored_office().logo_file == '' and list(office.logo_dir().iterdir()) == []
    await upload(user, 'logo.png', png())
    await user.should_see('Logotipo atualizado.')
    assert stored_office().logo_file.endswith('.png')
    top = str(user.find(marker='top-bar').elements.pop().content)
    assert '<img src="/logo?v=' in top
    user.find('Remover logotipo').click()
    await user.should_see('Logotipo removido.')
    assert stored_office().logo_file == '' and not office.branding().has_logo


async def test_first_run_lands_on_meus_dados(user: User) -> None:
    await user.open('/primeiro-acesso')
    user.find('Nome do escritório').type('Contábil Exemplo')
    user.find('Seu nome').type('Maria Souza')
    user.find('Seu e-mail').type('maria@exemplo.test')
    user.find('Senha (mínimo 8 caracteres)').type('uma senha longa e boa')
    user.find('Repita a senha').type('uma senha longa e boa')
    user.find('Criar escritório').click()
    await user.should_see('Bem-vindo(a)!')
    await user.should_see('Logotipo')


async def test_staff_with_read_sees_the_data_read_only(user: User) -> None:
    make_office()
    await login(user, make_user('staff', permissions={'office': 'read'}))
    await user.open('/meus-dados?aba=dados')
    await user.should_see('Você pode ver estes dados, mas não alterá-los.')
    assert field(user, 'Razão social').props.get('readonly') is True
    await user.should_not_see('Salvar dados cadastrais')
    await user.should_not_see('Salvar dados de cobrança')
    await user.should_not_see(kind=ui.upload)


async def test_client_and_staff_without_permission_get_no_access(user: User) -> None:
    make_office()
    supplier = make_supplier('Fornecedor Secreto')
    await login(user, make_user('client', client=make_client()))
    for path in ('/meus-dados', '/meus-dados?aba=boletos', '/fornecedores', '/fornecedores/novo',
                 f'/fornecedores/{supplier.id}'):
        await user.open(path)
        await user.should_see(NO_ACCESS)
        await user.should_not_see('Fornecedor Secreto')
        await user.should_not_see('Razão social')
