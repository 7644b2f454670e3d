"""Fornecedores: validation, duplicates, search (masked or not), pagination, deactivate, delete refused with bills,
permissions."""
from datetime import date

import pytest
from sqlalchemy import insert
from sqlmodel import select

from conton.db import get_engine
from conton.models import AuditLog, Bill, Supplier
from conton.models.people import set_supplier_keys
from conton.services import suppliers
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests import vectors
from tests.factories import actor_of, cnpj, cpf, make_client, make_office, make_supplier, make_user

VECTORS = vectors.load('documents')


@pytest.fixture
def admin():
    make_office()
    return actor_of(make_user('admin'))


def errors_of(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as e:
        call()
    return e.value.errors


def add_bill(supplier: Supplier) -> None:
    with unit() as session:
        session.add(Bill(supplier_id=supplier.id, description='Aluguel', amount_cents=150000,
                         issue_date=date(2026, 11, 1), due_date=date(2026, 11, 10)))


def test_create_stores_unmasked_document_and_audits(admin) -> None:
    created = suppliers.create(admin, kind='PJ', document='12.abc.345/01de-35', name='  Aluguéis Recife Ltda ',
                               category='Aluguel', contact_name='João', email='Joao@Alugueis.TEST',
                               phone='(81) 99999-1234', notes='Contrato até 2027')
    found = suppliers.get(admin, created.id)
    assert (found.document, found.name, found.email, found.active) == \
        ('12ABC34501DE35', 'Aluguéis Recife Ltda', 'joao@alugueis.test', True)
    with unit() as session:
        log = session.exec(select(AuditLog).where(AuditLog.entity == 'fornecedor')).one()
    assert log.action == 'create' and '12.ABC.345/01DE-35' in log.detail


def test_every_bad_field_reported_at_once_and_nothing_saved(admin) -> None:
    errors = errors_of(lambda: suppliers.create(admin, kind='PJ', document='11.222.333/0001-82', name=' ',
                                                category='c' * 61, email='fornecedor@', phone='1234'))
    assert errors == {'document': 'CNPJ inválido. Confira os dígitos.', 'name': 'Informe a razão social.',
                      'category': 'Máximo de 60 caracteres.', 'email': 'E-mail inválido.',
                      'phone': 'Telefone inválido: informe DDD e número.'}
    assert errors_of(lambda: suppliers.create(admin, kind='XX', document='', name='Fulano')) == \
        {'kind': 'Escolha Pessoa Jurídica ou Pessoa Física.', 'document': 'Informe o CPF ou CNPJ.'}
    assert errors_of(lambda: suppliers.create(admin, kind='PF', document='', name='')) == \
        {'document': 'Informe o CPF.', 'name': 'Informe o nome.'}
    assert suppliers.search(admin).total == 0


@pytest.mark.parametrize('value', VECTORS['cnpj_valid'])
def test_valid_cnpj_vectors_accepted(admin, value) -> None:
    created = suppliers.create(admin, kind='PJ', document=value, name='Fornecedor')
    assert created.document == ''.join(c for c in value if c.isalnum()).upper()


@pytest.mark.parametrize('value', VECTORS['cpf_valid'])
def test_valid_cpf_vectors_accepted(admin, value) -> None:
    assert suppliers.create(admin, kind='PF', document=value, name='Pessoa').document == value.replace('.', '') \
        .replace('-', '')


@pytest.mark.parametrize(('kind', 'value'), [('PJ', v) for v in VECTORS['cnpj_invalid']] +
                         [('PF', v) for v in VECTORS['cpf_invalid']] + [('PF', VECTORS['cnpj_valid'][2])])
def test_invalid_documents_refused(admin, kind, value) -> None:
    errors = errors_of(lambda: suppliers.create(admin, kind=kind, document=value, name='Alguém'))
    assert set(errors) == {'document'} and 'inválido' in errors['document']


def test_duplicate_document_refused_on_create_and_update(admin) -> None:
    first = suppliers.create(admin, kind='PJ', document='11.222.333/0001-81', name='Primeiro')
    assert errors_of(lambda: suppliers.create(admin, kind='PJ', document='11222333000181', name='Outro')) == \
        {'document': 'Já existe um fornecedor com este CPF/CNPJ.'}
    second = suppliers.create(admin, kind='PJ', document=cnpj(31), name='Segundo')
    assert errors_of(lambda: suppliers.update(admin, second.id, document='11.222.333/0001-81')) == \
        {'document': 'Já existe um fornecedor com este CPF/CNPJ.'}
    suppliers.update(admin, first.id, document='11.222.333/0001-81', name='Primeiro Renomeado')  # itself: fine
    assert suppliers.get(admin, first.id).name == 'Primeiro Renomeado'


def test_update_changes_given_fields_and_keeps_the_others(admin) -> None:
    created = suppliers.create(admin, kind='PJ', document=cnpj(40), name='Energia SA', category='Energia elétrica',
                               email='conta@energia.test')
    suppliers.update(admin, created.id, contact_name='Marta')
    found = suppliers.get(admin, created.id)
    assert (found.contact_name, found.category, found.email) == ('Marta', 'Energia elétrica', 'conta@energia.test')
    assert found.updated_at is not None
    with unit() as session:
        log = session.exec(select(AuditLog).where(AuditLog.action == 'update')).one()
    assert log.detail == 'Energia SA: contato'


def test_search_by_name_accents_document_masked_or_not_email_contact_and_status(admin) -> None:
    a = make_supplier('Papelaria São João', document=cnpj(1), email='vendas@papelaria.test', contact_name='Ana Lúcia')
    b = make_supplier('Telefonia Brasil', document='12ABC34501DE35', category='Telefone e internet')
    c = suppliers.create(admin, kind='PF', document=cpf(3), name='José Encanador')
    suppliers.set_active(admin, c.id, False)

    def names(text='', status='ativos'):
        return [s.name for s in suppliers.search(admin, text, status).rows]

    assert names() == [a.name, b.name]
    assert names(status='inativos') == [c.name]
    assert names(status='todos') == [c.name, a.name, b.name]  # ordered by name without accents
    assert names('sao joao') == names('SÃO JOÃO') == [a.name]
    masked = f'{a.document[:2]}.{a.document[2:5]}.{a.document[5:8]}/{a.document[8:12]}-{a.document[12:]}'
    assert names(masked) == names(a.document) == names(a.document[:6]) == [a.name]
    assert names('12.abc.345') == names('12ABC34501DE35') == [b.name]
    assert names('vendas@papelaria') == [a.name]
    assert names('ana lucia') == [a.name]
    assert names('internet') == [b.name]
    assert names(c.document, 'todos') == [c.name]
    assert names('inexistente') == []
    assert names('100%') == [] and names('_') == []  # LIKE wildcards are literal


def test_pagination_count_and_page_queries(admin) -> None:
    rows = [Supplier(kind='PJ', document=f'{i:014d}', name=f'Fornecedor {i:03d}') for i in range(1, 46)]
    for row in rows:
        set_supplier_keys(row)
    with get_engine().begin() as conn:
        conn.execute(insert(Supplier.__table__), [r.model_dump() for r in rows])
    first = suppliers.search(admin, page=1, per_page=20)
    assert (first.total, first.pages, len(first.rows), first.rows[0].name) == (45, 3, 20, 'Fornecedor 001')
    last = suppliers.search(admin, page=3, per_page=20)
    assert [s.name for s in last.rows] == [f'Fornecedor {i:03d}' for i in range(41, 46)]
    beyond = suppliers.search(admin, page=99, per_page=20)
    assert beyond.page == 3 and len(beyond.rows) == 5
    assert suppliers.search(admin, 'fornecedor 04', per_page=20).total == 6  # 040..045


def test_search_at_1000_suppliers_by_every_key(admin) -> None:
    rows = [set_supplier_keys(Supplier(kind='PJ', document=f'{i:014d}', name=f'Fornecedor {i:05d} Comércio Ltda',
                                       category='Serviços', email=f'f{i}@fornecedor.test')) for i in range(1_000)]
    with get_engine().begin() as conn:
        conn.execute(insert(Supplier.__table__), [r.model_dump() for r in rows])
    assert suppliers.search(admin, '', page=3, per_page=20).rows[0].name == 'Fornecedor 00040 Comércio Ltda'
    assert suppliers.search(admin, 'comercio').total == 1000  # accents and case ignored
    assert [s.name for s in suppliers.search(admin, '00000000000999').rows] == ['Fornecedor 00999 Comércio Ltda']
    assert suppliers.search(admin, 'f999@').total == 1


def test_deactivate_and_reactivate(admin) -> None:
    s = make_supplier('Limpeza Total')
    suppliers.set_active(admin, s.id, False)
    assert suppliers.get(admin, s.id).active is False
    assert suppliers.search(admin).total == 0
    suppliers.set_active(admin, s.id, True)
    assert suppliers.get(admin, s.id).active is True
    with unit() as session:
        actions = [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.at)).all()]
    assert actions == ['disable', 'enable']


def test_delete_refused_when_it_has_bills_otherwise_deleted(admin) -> None:
    busy = make_supplier('Imobiliária Centro')
    add_bill(busy)
    add_bill(busy)
    with pytest.raises(ValidationError) as e:
        suppliers.delete(admin, busy.id)
    assert str(e.value) == ('Não é possível excluir Imobiliária Centro: o fornecedor tem 2 contas a pagar em '
                            'Pagamentos. Para que ele não apareça mais nas novas contas, desative-o: o histórico é '
                            'mantido.')
    assert suppliers.bill_count(admin, busy.id) == 2
    free = make_supplier('Sem Contas')
    suppliers.delete(admin, free.id)
    with pytest.raises(NotFound):
        suppliers.get(admin, free.id)
    assert suppliers.get(admin, busy.id).name == 'Imobiliária Centro'
    with pytest.raises(NotFound):
        suppliers.get(admin, 'not-a-uuid')


def test_permissions(admin) -> None:
    s = make_supplier('Fornecedor X')
    none = actor_of(make_user('staff', permissions={'clients': 'write'}))
    reader = actor_of(make_user('staff', permissions={'suppliers': 'read'}))
    client = actor_of(make_user('client', client=make_client()))
    for actor in (none, client):
        for call in (lambda: suppliers.search(actor), lambda: suppliers.get(actor, s.id),
                     lambda: suppliers.categories(actor)):
            with pytest.raises(PermissionDenied):
                call()
    assert suppliers.search(reader).total == 1 and suppliers.get(reader, s.id).name == 'Fornecedor X'
    for call in (lambda: suppliers.create(reader, kind='PJ', document=cnpj(77), name='Novo'),
                 lambda: suppliers.update(reader, s.id, name='Outro'),
                 lambda: suppliers.set_active(reader, s.id, False), lambda: suppliers.delete(reader, s.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert suppliers.get(admin, s.id).name == 'Fornecedor X'


def test_categories_in_use_and_suggested(admin) -> None:
    make_supplier('A', category='Cafézinho')
    found = suppliers.categories(admin)
    assert 'Cafézinho' in found and 'Aluguel' in found
