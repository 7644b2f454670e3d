"""Staff logins (Funcionários) and client logins: permission checks, last admin, audit, sessions."""
import pytest
from sqlmodel import select

from conton.models import AuditLog, OutboxEmail, User
from conton.services import auth, users
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from conton.services.permissions import GRANTABLE
from tests.factories import actor_of, make_client, make_office, make_user


@pytest.fixture(autouse=True)
def _office():
    make_office()


def _row(user_id) -> User:
    with unit() as session:
        return session.get(User, user_id)


def _audit(action: str) -> list[AuditLog]:
    with unit() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)).all())


def test_admin_creates_staff_with_permissions_and_welcome_mail() -> None:
    admin = actor_of(make_user('admin'))
    staff = users.create_staff(admin, name=' Joana Lima ', email='Joana@Exemplo.test',
                               permissions={'clients': 'write', 'receivables': 'read', 'payables': 'none',
                                            'staff': 'write', 'bogus': 'write', 'suppliers': 'root'})
    row = _row(staff.id)
    assert (row.name, row.email, row.role) == ('Joana Lima', 'joana@exemplo.test', 'staff')
    assert row.permissions == {'clients': 'write', 'receivables': 'read'}  # only grantable tools, known levels
    assert row.password_hash is None
    with unit() as session:
        mail = session.exec(select(OutboxEmail)).one()
    assert mail.to_addr == 'joana@exemplo.test' and '/definir-senha/' in mail.text
    created = _audit('create')
    assert created[0].entity == 'funcionario' and 'Clientes: Editar' in created[0].detail


def test_every_grantable_tool_can_be_granted() -> None:
    admin = actor_of(make_user('admin'))
    perms = {t.key: 'read' for t in GRANTABLE}
    staff = users.create_staff(admin, name='Todos', email='todos@exemplo.test', permissions=perms)
    assert _row(staff.id).permissions == perms
    assert 'staff' not in perms  # Funcionários is admin only


def test_bad_input_reports_every_field_and_saves_nothing() -> None:
    admin = actor_of(make_user('admin'))
    with pytest.raises(ValidationError) as info:
        users.create_staff(admin, name='', email='não-é-email', permissions={})
    assert set(info.value.errors) == {'name', 'email'}
    users.create_staff(admin, name='Joana', email='joana@exemplo.test', permissions={})
    with pytest.raises(ValidationError) as info:
        users.create_staff(admin, name='Outra Joana', email='JOANA@exemplo.test', permissions={})
    assert info.value.errors == {'email': 'Já existe um acesso com este e-mail.'}
    with unit() as session:
        assert len(session.exec(select(User).where(User.role == 'staff')).all()) == 1
        assert len(session.exec(select(OutboxEmail)).all()) == 1


def test_staff_cannot_manage_staff() -> None:
    admin = actor_of(make_user('admin'))
    staff = actor_of(make_user('staff', permissions={t.key: 'write' for t in GRANTABLE}))
    other = users.create_staff(admin, name='Joana', email='joana@exemplo.test', permissions={})
    for call in (lambda: users.list_staff(staff),
                 lambda: users.get_staff(staff, other.id),
                 lambda: users.create_staff(staff, name='X', email='x@exemplo.test', permissions={}),
                 lambda: users.create_staff(staff, name='X', email='x@exemplo.test', permissions={}, admin=True),
                 lambda: users.update_staff(staff, staff.user_id, name='Eu', email=staff.email,
                                            permissions={}, admin=True),
                 lambda: users.set_active(staff, other.id, False),
                 lambda: users.resend_welcome(staff, other.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert _row(other.id).active and _row(staff.user_id).role == 'staff'


def test_client_login_cannot_manage_anything() -> None:
    client = make_client()
    login = actor_of(make_user('client', client=client))
    with pytest.raises(PermissionDenied):
        users.list_staff(login)
    with pytest.raises(PermissionDenied):
        users.create_client_login(login, client.id, name='Outro', email='outro@exemplo.test')


def test_last_admin_cannot_be_demoted_or_disabled() -> None:
    admin_user = make_user('admin')
    admin = actor_of(admin_user)
    with pytest.raises(ValidationError, match='pelo menos um administrador'):
        users.update_staff(admin, admin.user_id, name='Dona', email=admin.email, permissions={}, admin=False)
    with pytest.raises(ValidationError, match='próprio acesso'):
        users.set_active(admin, admin.user_id, False)
    assert _row(admin.user_id).role == 'admin'

    second = users.create_staff(admin, name='Sócio', email='socio@exemplo.test', permissions={}, admin=True)
    assert _row(second.id).role == 'admin'
    users.update_staff(admin, admin.user_id, name='Dona', email=admin.email, permissions={'clients': 'read'},
                       admin=False)  # another admin exists now
    assert _row(admin.user_id).role == 'staff'
    assert _row(admin.user_id).permissions == {'clients': 'read'}
    second_actor = actor_of(_row(second.id))
    with pytest.raises(ValidationError, match='pelo menos um administrador'):
        users.update_staff(second_actor, second.id, name='Sócio', email='socio@exemplo.test', permissions={},
                           admin=False)


def test_disabled_admin_does_not_count_as_the_remaining_admin() -> None:
    a = actor_of(make_user('admin'))
    b = make_user('admin')
    users.set_active(a, b.id, False)
    with pytest.raises(ValidationError, match='pelo menos um administrador'):
        users.update_staff(a, a.user_id, name='A', email=a.email, permissions={}, admin=False)
    users.set_active(a, b.id, True)
    users.update_staff(a, a.user_id, name='A', email=a.email, permissions={}, admin=False)


def test_disable_ends_sessions_and_enable_restores_login() -> None:
    from tests.factories import PASSWORD
    admin = actor_of(make_user('admin'))
    staff_user = make_user('staff')
    session = auth.authenticate(staff_user.email, PASSWORD, '10.0.0.1')
    users.set_active(admin, staff_user.id, False)
    assert auth.load_actor(session.user_id, session.session_version) is None
    with pytest.raises(ValidationError):
        auth.authenticate(staff_user.email, PASSWORD, '10.0.0.1')
    with pytest.raises(ValidationError, match='desativado'):
        users.resend_welcome(admin, staff_user.id)
    users.set_active(admin, staff_user.id, True)
    assert auth.authenticate(staff_user.email, PASSWORD, '10.0.0.1').user_id == staff_user.id
    assert [r.action for r in _audit('disable') + _audit('enable')] == ['disable', 'enable']


def test_permission_change_is_audited_and_takes_effect_at_once() -> None:
    admin = actor_of(make_user('admin'))
    staff_user = make_user('staff', permissions={'clients': 'write'})
    before = _row(staff_user.id).session_version
    users.update_staff(admin, staff_user.id, name=staff_user.name, email=staff_user.email,
                       permissions={'clients': 'read'}, admin=False)
    assert _row(staff_user.id).session_version == before + 1
    change = _audit('permissions')[0]
    assert change.detail == 'Funcionário (Clientes: Editar) → Funcionário (Clientes: Ver)'
    users.update_staff(admin, staff_user.id, name='Novo Nome', email=staff_user.email,
                       permissions={'clients': 'read'}, admin=False)
    assert _row(staff_user.id).session_version == before + 1  # a new name alone keeps the sessions
    assert len(_audit('permissions')) == 1


def test_update_refuses_duplicate_email_and_unknown_ids() -> None:
    admin = actor_of(make_user('admin'))
    a = users.create_staff(admin, name='A', email='a@exemplo.test', permissions={})
    users.create_staff(admin, name='B', email='b@exemplo.test', permissions={})
    with pytest.raises(ValidationError) as info:
        users.update_staff(admin, a.id, name='A', email='b@exemplo.test', permissions={}, admin=False)
    assert 'email' in info.value.errors
    client_login = make_user('client', client=make_client())
    for bad in ('não-é-uuid', client_login.id, '00000000-0000-0000-0000-000000000000'):
        with pytest.raises(NotFound):
            users.update_staff(admin, bad, name='A', email='z@exemplo.test', permissions={}, admin=False)


def test_client_logins_need_clients_write() -> None:
    client = make_client()
    reader = actor_of(make_user('staff', permissions={'clients': 'read'}))
    writer = actor_of(make_user('staff', permissions={'clients': 'write'}))
    with pytest.raises(PermissionDenied):
        users.create_client_login(reader, client.id, name='Contato', email='contato@cliente.test')
    login = users.create_client_login(writer, client.id, name='Contato', email='contato@cliente.test')
    assert [u.id for u in users.list_client_logins(reader, client.id)] == [login.id]
    with pytest.raises(PermissionDenied):
        users.set_active(reader, login.id, False)
    users.set_active(writer, login.id, False)
    with pytest.raises(PermissionDenied):
        users.set_active(writer, reader.user_id, False)  # a staff login is admin business
