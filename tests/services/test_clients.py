from datetime import date

import pytest
from sqlmodel import select

from conton.models import AuditLog, Charge, Client, Office, OutboxEmail, User
from conton.services import clients, users
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests import vectors
from tests.factories import actor_of, cnpj, cpf, make_client, make_office, make_user

VECTORS = vectors.load('documents')


@pytest.fixture
def admin():
    make_office()
    return actor_of(make_user('admin'))


def fields(**over):
    base = dict(kind='PJ', document=cnpj(901), name='Padaria Pão Quente Ltda', trade_name='Pão Quente',
                tax_regime='Simples Nacional', email='contato@paoquente.test', phone='(11) 98765-4321',
                cep='01310-100', street='Av. Paulista', number='1000', district='Bela Vista', city='São Paulo',
                uf='sp', fee='1.234,56', due_day='10', notes='Cliente desde 2020.')
    return base | over


def test_create_stores_clean_values_and_audits(admin) -> None:
    client = clients.create(admin, **fields(document='11.222.333/0001-81'))
    stored = clients.get(admin, client.id)
    assert stored.document == '11222333000181'
    assert stored.fee_cents == 123456
    assert stored.due_day == 10
    assert stored.uf == 'SP'
    assert stored.cep == '01310100'
    assert stored.active and not stored.is_test
    with unit() as session:
        log = session.exec(select(AuditLog).where(AuditLog.entity == 'cliente')).all()
    assert [(a.action, a.entity_id) for a in log] == [('create', str(client.id))]


@pytest.mark.parametrize('document', VECTORS['cpf_valid'])
def test_valid_cpf_vectors_accepted(admin, document) -> None:
    client = clients.create(admin, **fields(kind='PF', document=document, name='Maria da Silva', trade_name='',
                                            tax_regime='Pessoa Física'))
    assert client.document == document.replace('.', '').replace('-', '')


@pytest.mark.parametrize('document', VECTORS['cpf_invalid'])
def test_invalid_cpf_vectors_refused(admin, document) -> None:
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **fields(kind='PF', document=document, tax_regime='Pessoa Física'))
    assert e.value.errors == {'document': 'CPF inválido. Confira os dígitos.'}


@pytest.mark.parametrize('document', VECTORS['cnpj_valid'])
def test_valid_cnpj_vectors_accepted(admin, document) -> None:
    client = clients.create(admin, **fields(document=document))
    assert client.document == ''.join(c for c in document if c.isalnum()).upper()


@pytest.mark.parametrize('document', VECTORS['cnpj_invalid'])
def test_invalid_cnpj_vectors_refused(admin, document) -> None:
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **fields(document=document))
    assert e.value.errors == {'document': 'CNPJ inválido. Confira os dígitos.'}


def test_alphanumeric_cnpj_typed_lower_case_is_stored_upper_case(admin) -> None:
    client = clients.create(admin, **fields(document='12.abc.345/01de-35'))
    assert clients.get(admin, client.id).document == '12ABC34501DE35'
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **fields(document='12ABC34501DE35', name='Outro'))
    assert e.value.errors == {'document': 'Já existe um cliente com este CPF/CNPJ.'}


def test_cpf_given_for_a_company_is_refused(admin) -> None:
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **fields(document=cpf(3)))
    assert e.value.errors == {'document': 'CNPJ inválido. Confira os dígitos.'}


def test_every_bad_field_is_reported_at_once(admin) -> None:
    with pytest.raises(ValidationError) as e:
        clients.create(admin, kind='PF', document='123', name=' ', tax_regime='Imposto Único', email='x@',
                       phone='123', cep='123', uf='XX', fee='-5,00', due_day='32')
    assert set(e.value.errors) == {'document', 'name', 'tax_regime', 'email', 'phone', 'cep', 'uf', 'fee', 'due_day'}
    assert e.value.errors['name'] == 'Informe o nome.'
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **fields(kind='', fee='abc', due_day=''))
    assert set(e.value.errors) == {'kind', 'fee', 'due_day'}
    with unit() as session:
        assert session.exec(select(Client)).all() == []


def test_duplicate_document_refused_masked_or_not(admin) -> None:
    clients.create(admin, **fields(document='11222333000181'))
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **fields(document='11.222.333/0001-81', name='Outra Empresa'))
    assert e.value.errors == {'document': 'Já existe um cliente com este CPF/CNPJ.'}


def test_update_changes_given_fields_and_keeps_the_rest(admin) -> None:
    client = clients.create(admin, **fields())
    other = clients.create(admin, **fields(document=cnpj(902), name='Outra'))
    clients.update(admin, client.id, name='Padaria Pão Quentinho Ltda', fee='99,90')
    stored = clients.get(admin, client.id)
    assert (stored.name, stored.fee_cents, stored.email) == ('Padaria Pão Quentinho Ltda', 9990,
                                                             'contato@paoquente.test')
    assert stored.updated_at is not None
    with pytest.raises(ValidationError) as e:
        clients.update(admin, client.id, document=other.document)
    assert e.value.errors == {'document': 'Já existe um cliente com este CPF/CNPJ.'}
    with pytest.raises(ValidationError):
        clients.update(admin, client.id, email='não é e-mail')
    with unit() as session:
        detail = session.exec(select(AuditLog.detail).where(AuditLog.action == 'update')).all()
    assert detail == ['Padaria Pão Quentinho Ltda: nome, honorários']


def test_unknown_id_is_not_found(admin) -> None:
    with pytest.raises(NotFound):
        clients.get(admin, 'not-a-uuid')
    with pytest.raises(NotFound):
        clients.update(admin, '00000000-0000-4000-8000-000000000000', name='X')


def test_search_by_name_accents_document_and_email(admin) -> None:
    a = clients.create(admin, **fields(document='11.222.333/0001-81', name='São João Comércio Ltda',
                                       trade_name='Empório do Sítio', email='financeiro@saojoao.test'))
    b = clients.create(admin, **fields(kind='PF', document='529.982.247-25', name='Ângela Souza', trade_name='',
                                       tax_regime='Pessoa Física', email='angela@mail.test'))
    c = clients.create(admin, **fields(document='12.ABC.345/01DE-35', name='Alfa Beta SA', email='ab@x.test'))

    def names(text):
        return [r.name for r in clients.search(admin, text).rows]

    assert names('') == ['Alfa Beta SA', 'Ângela Souza', 'São João Comércio Ltda']  # accents do not push to the end
    assert names('sao joao') == [a.name] == names('SÃO JOÃO')
    assert names('emporio') == [a.name]
    assert names('11.222.333/0001-81') == [a.name] == names('11222333000181')
    assert names('529.982.247-25') == [b.name] == names('52998224725')
    assert names('12.abc.345') == [c.name]
    assert names('FINANCEIRO@SAOJOAO') == [a.name]
    assert names('angela@mail.test') == [b.name]
    assert names('100%') == [] and names('_') == []
    assert names('zzz') == []


def test_search_status_filter_and_pagination_totals(admin) -> None:
    for i in range(45):
        make_client(f'Empresa {i:02d}', active=i % 5 != 0)
    page = clients.search(admin, '', 'ativos', page=1, per_page=20)
    assert (page.total, len(page.rows), page.pages) == (36, 20, 2)
    assert page.rows[0].name == 'Empresa 01'
    last = clients.search(admin, '', 'ativos', page=2, per_page=20)
    assert len(last.rows) == 16
    assert not {r.id for r in page.rows} & {r.id for r in last.rows}
    assert clients.search(admin, '', 'inativos').total == 9
    everyone = clients.search(admin, '', 'todos', page=9, per_page=20)
    assert (everyone.total, everyone.page, len(everyone.rows)) == (45, 3, 5)  # past the end: the last page
    assert clients.search(admin, 'empresa 1', 'todos').total == 10


def test_search_runs_two_queries(admin) -> None:
    from conton import db
    make_client('Empresa')
    actor = actor_of(make_user('admin'))
    before = db.query_counter['n']
    clients.search(actor, 'emp')
    assert db.query_counter['n'] - before == 1 + 2  # the login's re-check (services/base.py), then the search's two


def test_deactivate_disables_logins_and_reactivate_keeps_them_disabled(admin) -> None:
    client = clients.create(admin, **fields())
    login = users.create_client_login(admin, client.id, name='Contato', email='contato@padaria.test')
    assert clients.set_active(admin, client.id, False) == 1
    with unit() as session:
        user = session.get(User, login.id)
        assert not user.active and user.session_version == login.session_version + 1
    assert not clients.get(admin, client.id).active
    assert clients.set_active(admin, client.id, True) == 0
    assert clients.get(admin, client.id).active
    with unit() as session:
        assert not session.get(User, login.id).active
    users.set_active(admin, login.id, True)
    with unit() as session:
        assert session.get(User, login.id).active


def test_delete_refused_when_the_client_has_logins_or_charges(admin) -> None:
    client = clients.create(admin, **fields())
    users.create_client_login(admin, client.id, name='Contato', email='contato@padaria.test')
    with unit() as session:
        session.add(Charge(client_id=client.id, kind='avulso', description='Serviço', amount_cents=1000,
                           issue_date=date(2026, 1, 1), due_date=date(2026, 1, 10)))
        session.add(Charge(client_id=client.id, kind='avulso', description='Serviço 2', amount_cents=1000,
                           issue_date=date(2026, 1, 1), due_date=date(2026, 1, 10)))
    with pytest.raises(ValidationError) as e:
        clients.delete(admin, client.id)
    message = str(e.value)
    assert '1 acesso ao portal' in message and '2 cobranças' in message and 'desative' in message
    assert clients.get(admin, client.id)


def test_delete_a_client_without_data(admin) -> None:
    client = clients.create(admin, **fields())
    clients.delete(admin, client.id)
    with pytest.raises(NotFound):
        clients.get(admin, client.id)
    with unit() as session:
        assert session.exec(select(AuditLog.action).where(AuditLog.entity == 'cliente')).all() == ['create', 'delete']


def test_acesso_queues_welcome_email(admin) -> None:
    client = clients.create(admin, **fields())
    users.create_client_login(admin, client.id, name='Contato', email='Contato@Padaria.test')
    with unit() as session:
        mail = session.exec(select(OutboxEmail)).one()
    assert mail.to_addr == 'contato@padaria.test'
    assert '/definir-senha/' in mail.text


def test_test_client_from_the_office_data(admin) -> None:
    with pytest.raises(ValidationError):
        clients.create_test_client(admin)
    with unit() as session:
        office = session.get(Office, 1)
        office.document, office.legal_name, office.trade_name = '33000167000101', 'Contábil Modelo Ltda', 'Modelo'
        office.email, office.city, office.uf = 'contato@modelo.test', 'Recife', 'PE'
    client, created = clients.create_test_client(admin)
    assert created and client.is_test
    assert (client.name, client.trade_name, client.email, client.city) == ('Contábil Modelo Ltda', 'Modelo',
                                                                           'contato@modelo.test', 'Recife')
    again, created = clients.create_test_client(admin)
    assert again.id == client.id and not created


def test_ficha_has_the_client_its_logins_and_who_printed(admin) -> None:
    client = clients.create(admin, **fields())
    users.create_client_login(admin, client.id, name='Contato', email='contato@padaria.test')
    data = clients.ficha(admin, client.id)
    assert data.client.name == client.name
    assert [u.email for u in data.logins] == ['contato@padaria.test']
    assert data.printed_by == admin.name


def test_staff_without_permission_is_refused_everything(admin) -> None:
    client = clients.create(admin, **fields())
    nobody = actor_of(make_user('staff', permissions={'suppliers': 'write'}))
    for call in (lambda: clients.search(nobody), lambda: clients.get(nobody, client.id),
                 lambda: clients.ficha(nobody, client.id), lambda: clients.create(nobody, **fields(document=cnpj(5))),
                 lambda: clients.update(nobody, client.id, name='X'), lambda: clients.delete(nobody, client.id),
                 lambda: clients.set_active(nobody, client.id, False), lambda: clients.my_client(nobody)):
        with pytest.raises(PermissionDenied):
            call()


def test_staff_with_read_can_read_but_not_write(admin) -> None:
    client = clients.create(admin, **fields())
    reader = actor_of(make_user('staff', permissions={'clients': 'read'}))
    assert clients.search(reader).total == 1
    assert clients.get(reader, client.id).name == client.name
    assert clients.ficha(reader, client.id)
    for call in (lambda: clients.create(reader, **fields(document=cnpj(5))),
                 lambda: clients.update(reader, client.id, name='X'), lambda: clients.delete(reader, client.id),
                 lambda: clients.set_active(reader, client.id, False), lambda: clients.create_test_client(reader),
                 lambda: users.create_client_login(reader, client.id, name='A', email='a@a.test')):
        with pytest.raises(PermissionDenied):
            call()
    assert clients.get(admin, client.id).name == client.name


def test_client_login_cannot_call_staff_services_and_sees_only_its_own_record(admin) -> None:
    mine = clients.create(admin, **fields())
    other = clients.create(admin, **fields(document=cnpj(902), name='Outra Empresa'))
    me = actor_of(make_user('client', client=mine))
    for call in (lambda: clients.search(me), lambda: clients.get(me, mine.id), lambda: clients.get(me, other.id),
                 lambda: clients.ficha(me, other.id), lambda: clients.update(me, mine.id, name='X'),
                 lambda: clients.set_active(me, other.id, False), lambda: clients.delete(me, other.id),
                 lambda: clients.create(me, **fields(document=cnpj(7))), lambda: clients.create_test_client(me),
                 lambda: users.list_client_logins(me, other.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert clients.my_client(me).id == mine.id
    with pytest.raises(PermissionDenied):
        clients.my_client(admin)


def test_login_of_inactive_client_cannot_be_reenabled():
    from conton.services import clients as clients_service
    from conton.services import users
    from conton.services.errors import ValidationError as VE
    from tests.factories import actor_of, make_client, make_user
    admin = actor_of(make_user('admin'))
    client = make_client(tax_regime='Simples Nacional')
    login = make_user('client', client=client)
    clients_service.set_active(admin, client.id, False)
    with pytest.raises(VE, match='inativo'):
        users.set_active(admin, login.id, True)
