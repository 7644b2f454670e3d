"""Fornecedores pages: create, list and search, bad input next to the field, delete refused, read-only."""
from datetime import date

from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from conton.models import Bill, Supplier
from conton.services.base import unit
from tests.factories import cnpj, login, make_office, make_supplier, make_user


def field(user: User, label: str):
    """The one input with exactly this label (its text may appear elsewhere on the page too)."""
    [element] = [e for e in user.find(content=label).elements if e.props.get('label') == label]
    return element


def table(user: User) -> str:
    return str(user.find(marker='suppliers-table').elements.pop().content)


async def test_create_supplier_then_find_it_by_masked_and_unmasked_document(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/fornecedores')
    await user.should_see('Nenhum fornecedor cadastrado ainda.')
    user.find('Novo fornecedor').click()
    await user.should_see('Razão social')
    field(user, 'CNPJ').value = '12.abc.345/01de-35'
    field(user, 'Razão social').value = 'Imobiliária Boa Vista Ltda'
    field(user, 'Categoria').value = 'Aluguel'
    field(user, 'Pessoa de contato').value = 'Rita'
    field(user, 'E-mail').value = 'rita@boavista.test'
    user.find('Cadastrar fornecedor').click()
    await user.should_see('Fornecedor cadastrado.')
    with unit() as session:
        stored = session.exec(select(Supplier)).one()
    assert (stored.document, stored.name, stored.category) == ('12ABC34501DE35', 'Imobiliária Boa Vista Ltda',
                                                               'Aluguel')
    make_supplier('Outro Fornecedor')
    await user.open('/fornecedores')
    assert 'Imobiliária Boa Vista Ltda' in table(user) and 'Outro Fornecedor' in table(user)
    assert '12.ABC.345/01DE-35' in table(user)
    await user.open('/fornecedores?q=12.ABC.345')
    assert 'Imobiliária Boa Vista Ltda' in table(user) and 'Outro Fornecedor' not in table(user)
    search = next(e for e in user.find(kind=ui.input).elements if e.props.get('placeholder', '').startswith('Buscar'))
    search.value = 'imobiliaria'
    await user.should_see(marker='suppliers-table')
    assert 'Outro Fornecedor' not in table(user)
    search.value = 'nada disso'
    await user.should_see('Nenhum fornecedor encontrado para “nada disso”.')


async def test_bad_input_shown_next_to_the_fields_and_nothing_saved(user: User) -> None:
    make_office()
    existing = make_supplier('Já Existe', document=cnpj(9))
    await login(user, make_user('admin'))
    await user.open('/fornecedores/novo')
    field(user, 'CNPJ').value = '11.222.333/0001-82'
    field(user, 'E-mail').value = 'sem-arroba'
    user.find('Cadastrar fornecedor').click()
    await user.should_see('CNPJ inválido. Confira os dígitos.')
    assert field(user, 'Razão social').error == 'Informe a razão social.'
    assert field(user, 'E-mail').error == 'E-mail inválido.'
    field(user, 'CNPJ').value = existing.document
    field(user, 'Razão social').value = 'Duplicado Ltda'
    field(user, 'E-mail').value = ''
    user.find('Cadastrar fornecedor').click()
    await user.should_see('Já existe um fornecedor com este CPF/CNPJ.')
    user.find(ui.toggle).elements.pop().value = 'PF'
    await user.should_see('Nome completo')
    field(user, 'CPF').value = '529.982.247-24'
    user.find('Cadastrar fornecedor').click()
    await user.should_see('CPF inválido. Confira os dígitos.')
    with unit() as session:
        assert [s.name for s in session.exec(select(Supplier)).all()] == ['Já Existe']


async def test_edit_then_delete_refused_with_bills_then_deactivate(user: User) -> None:
    make_office()
    supplier = make_supplier('Energia Pernambuco SA', category='Energia elétrica')
    with unit() as session:
        session.add(Bill(supplier_id=supplier.id, description='Conta de luz', amount_cents=35000,
                         issue_date=date(2026, 11, 1), due_date=date(2026, 11, 15)))
    await login(user, make_user('admin'))
    await user.open(f'/fornecedores/{supplier.id}')
    field(user, 'Telefone').value = '(81) 3333-4444'
    user.find('Salvar alterações').click()
    await user.should_see('Alterações salvas.')
    user.find('Excluir').click()
    user.find(marker='confirm-delete').click()
    await user.should_see('o fornecedor tem 1 conta a pagar em Pagamentos')
    user.find('Desativar em vez disso').click()
    user.find('Desativar fornecedor').click()
    await user.should_see('Fornecedor inativo')
    with unit() as session:
        stored = session.get(Supplier, supplier.id)
    assert (stored.active, stored.phone) == (False, '(81) 3333-4444')


async def test_delete_without_bills(user: User) -> None:
    make_office()
    supplier = make_supplier('Sem Contas Ltda')
    await login(user, make_user('admin'))
    await user.open(f'/fornecedores/{supplier.id}')
    user.find('Excluir').click()
    user.find(marker='confirm-delete').click()
    await user.should_see('Fornecedor excluído.')
    with unit() as session:
        assert session.get(Supplier, supplier.id) is None


async def test_pages_of_twenty(user: User) -> None:
    make_office()
    for i in range(25):
        make_supplier(f'Fornecedor {i:02d}')
    await login(user, make_user('admin'))
    await user.open('/fornecedores')
    await user.should_see('25 registros')
    assert 'Fornecedor 19' in table(user) and 'Fornecedor 20' not in table(user)
    await user.open('/fornecedores?pagina=2')
    assert 'Fornecedor 20' in table(user) and 'Fornecedor 19' not in table(user)


async def test_staff_with_read_sees_facts_without_editing(user: User) -> None:
    make_office()
    supplier = make_supplier('Papelaria Central', category='Material de escritório')
    await login(user, make_user('staff', permissions={'suppliers': 'read'}))
    await user.open('/fornecedores')
    await user.should_not_see('Novo fornecedor')
    await user.open(f'/fornecedores/{supplier.id}')
    await user.should_see('Material de escritório')
    await user.should_not_see('Salvar alterações')
    await user.should_not_see('Excluir')
    await user.open('/fornecedores/novo')
    await user.should_see('Página não encontrada ou sem acesso')
    await user.open('/fornecedores/00000000-0000-0000-0000-000000000000')
    await user.should_see('Página não encontrada ou sem acesso')
