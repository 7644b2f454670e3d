"""Every service entry that takes text, called with what a forged websocket event can send (numbers, lists, dicts,
booleans in place of strings) or with control characters, answers with a ValidationError for that field and stores
nothing; names are stored without format characters. (The validators on their own: tests/unit/test_text_input.py.)"""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from conton.models import AuditLog, Client, Office, Supplier, User
from conton.services import auth, clients, office, payables, receivables, suppliers, users, validation
from conton.services.base import unit
from conton.services.errors import ValidationError
from tests.factories import actor_of, cnpj, make_client, make_office, make_user

NOT_TEXT = validation.NOT_TEXT
CONTROL = validation.CONTROL


def errors_of(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.errors


# --- services ----------------------------------------------------------------------------------------------------

@pytest.fixture
def admin():
    make_office()
    return actor_of(make_user('admin'))


def client_fields(**over):
    return dict(kind='PJ', document=cnpj(777), name='Padaria Pão Quente Ltda', trade_name='Pão Quente',
                tax_regime='Simples Nacional', email='contato@paoquente.test', phone='(11) 98765-4321',
                cep='01310-100', street='Av. Paulista', number='1000', complement='', district='Bela Vista',
                city='São Paulo', uf='SP', fee='100,00', due_day='10', notes='') | over


CLIENT_TEXT = ('document', 'name', 'trade_name', 'email', 'phone', 'phone2', 'cep', 'street', 'number', 'complement',
               'district', 'city', 'uf', 'notes')
SUPPLIER_TEXT = ('document', 'name', 'category', 'contact_name', 'email', 'phone', 'notes')
REGISTRATION_TEXT = ('legal_name', 'trade_name', 'document', 'cep', 'street', 'number', 'complement', 'district',
                     'city', 'uf', 'phone', 'email')
SAMPLE = [42, True, ['Maria'], {'a': 1}, 'Maria\x00']


@pytest.mark.parametrize('value', SAMPLE, ids=[repr(v) for v in SAMPLE])
@pytest.mark.parametrize('field', CLIENT_TEXT)
def test_clients_create_answers_forged_text_with_the_field_message(admin, field: str, value) -> None:
    errors = errors_of(lambda: clients.create(admin, **client_fields(**{field: value})))
    assert errors == {field: CONTROL if isinstance(value, str) else NOT_TEXT}
    with unit() as session:
        assert session.exec(select(Client)).first() is None


@pytest.mark.parametrize('value', SAMPLE, ids=[repr(v) for v in SAMPLE])
@pytest.mark.parametrize('field', SUPPLIER_TEXT)
def test_suppliers_create_answers_forged_text_with_the_field_message(admin, field: str, value) -> None:
    fields = dict(kind='PJ', document=cnpj(778), name='Aluguéis Ltda', category='', contact_name='', email='',
                  phone='', notes='') | {field: value}
    assert errors_of(lambda: suppliers.create(admin, **fields)) == {field: CONTROL if isinstance(value, str)
                                                                     else NOT_TEXT}
    with unit() as session:
        assert session.exec(select(Supplier)).first() is None


@pytest.mark.parametrize('value', SAMPLE, ids=[repr(v) for v in SAMPLE])
@pytest.mark.parametrize('field', REGISTRATION_TEXT)
def test_office_registration_answers_forged_text_with_the_field_message(admin, field: str, value) -> None:
    fields = {'legal_name': 'Escritório Modelo Ltda'} | {field: value}
    errors = errors_of(lambda: office.update_registration(admin, **fields))
    assert errors == {field: CONTROL if isinstance(value, str) else NOT_TEXT}


@pytest.mark.parametrize('value', SAMPLE, ids=[repr(v) for v in SAMPLE])
@pytest.mark.parametrize('call, field', [
    (lambda a, v: office.update_boleto(a, instructions=v), 'instructions'),
    (lambda a, v: office.update_accountant(a, accountant_name=v), 'accountant_name'),
    (lambda a, v: office.update_accountant(a, accountant_cpf=v), 'accountant_cpf'),
    (lambda a, v: office.update_accountant(a, crc_uf=v), 'crc_uf'),
    (lambda a, v: users.create_staff(a, name=v, email='novo@conton.test', permissions={}), 'name'),
    (lambda a, v: users.create_staff(a, name='Novo', email=v, permissions={}), 'email'),
    (lambda a, v: users.create_client_login(a, make_client().id, name=v, email='c@conton.test'), 'name'),
    (lambda a, v: users.create_client_login(a, make_client().id, name='Cliente', email=v), 'email'),
    (lambda a, v: payables.create(a, description=v, amount='10,00', due_date='10/12/2026'), 'description'),
    (lambda a, v: payables.create(a, description='Aluguel', category=v, amount='10,00', due_date='10/12/2026'),
     'category'),
    (lambda a, v: receivables.create(a, client_id=make_client().id, description=v, amount='10,00',
                                     due_date='10/12/2026'), 'description'),
], ids=['boleto instructions', 'accountant name', 'accountant cpf', 'crc uf', 'staff name', 'staff email',
        'client login name', 'client login email', 'bill description', 'bill category', 'charge description'])
def test_other_service_entries_answer_forged_text_with_the_field_message(admin, call, field: str, value) -> None:
    errors = errors_of(lambda: call(admin, value))
    assert errors == {field: CONTROL if isinstance(value, str) else NOT_TEXT}


@pytest.mark.parametrize('value', [{'a': 1}, [1], True, 7.5], ids=repr)
@pytest.mark.parametrize('field', ['amount', 'due_date', 'issue_date'])
def test_bill_amounts_and_dates_refuse_forged_values(admin, field: str, value) -> None:
    fields = dict(description='Aluguel', amount='10,00', due_date='10/12/2026') | {field: value}
    if field == 'amount' and value == 7.5:
        fields['amount'] = value  # a float is a number typed in a number field: accepted
        assert payables.create(admin, **fields)
        return
    assert field in errors_of(lambda: payables.create(admin, **fields))


@pytest.mark.parametrize('value', SAMPLE, ids=[repr(v) for v in SAMPLE])
@pytest.mark.parametrize('field', ['office_name', 'name', 'email'])
def test_first_run_answers_forged_text_with_the_field_message(field: str, value) -> None:
    fields = dict(office_name='Contábil Exemplo', name='Maria Souza', email='maria@exemplo.test',
                  password='uma senha longa e boa') | {field: value}
    errors = errors_of(lambda: auth.setup(**fields))
    assert errors[field] == (CONTROL if isinstance(value, str) else NOT_TEXT)


def test_first_run_stores_the_names_without_format_characters() -> None:
    actor = auth.setup(office_name='\u202eContábil\u200b Exemplo ', name=' Maria\u2067 Souza',
                       email='maria@exemplo.test', password='uma senha longa e boa')
    with unit() as session:
        stored = session.get(Office, 1)
        assert (stored.trade_name, stored.legal_name) == ('Contábil Exemplo', 'Contábil Exemplo')
        assert session.get(User, actor.user_id).name == 'Maria Souza'
        detail = session.exec(select(AuditLog.detail).where(AuditLog.action == 'setup')).one()
        assert detail == 'escritório "Contábil Exemplo" criado'


def test_names_are_stored_without_format_characters(admin) -> None:
    created = clients.create(admin, **client_fields(name='\u202eOdnum Ltda', notes='linha 1\r\n\tlinha 2\u200b'))
    with unit() as session:
        row = session.get(Client, created.id)
        assert (row.name, row.notes) == ('Odnum Ltda', 'linha 1\n\tlinha 2')
    staff = users.create_staff(admin, name='Ana\u2067 Souza', email='ana@conton.test', permissions={})
    assert staff.name == 'Ana Souza'
    [bill_id] = payables.create(admin, description='Aluguel\u202e', amount='10,00', due_date=date(2026, 12, 10))
    assert payables.get(admin, bill_id).description == 'Aluguel'
