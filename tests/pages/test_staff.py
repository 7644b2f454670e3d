"""Funcionários: list, create with the permission grid, bad input, edit, admin switch, disable/enable, re-send."""
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from conton.models import OutboxEmail
from conton.models import User as Login
from conton.services import users
from conton.services.base import unit
from conton.services.permissions import GRANTABLE
from tests.factories import actor_of, login, make_office, make_user


def _logins() -> list[Login]:
    with unit() as session:
        return list(session.exec(select(Login).order_by(Login.created_at)).all())


def _outbox() -> list[OutboxEmail]:
    with unit() as session:
        return list(session.exec(select(OutboxEmail)).all())


def _set(user: User, marker: str, value) -> None:
    element = user.find(marker=marker).elements.pop()
    with user:
        element.value = value


async def test_admin_creates_staff_with_permission_grid(user: User) -> None:
    make_office()
    admin = make_user('admin', name='Dona Maria')
    await login(user, admin)
    await user.open('/funcionarios')
    await user.should_see('Funcionários')
    await user.should_see('Dona Maria')
    user.find('Novo funcionário').click()
    await user.should_see('Permissões por ferramenta')
    for tool in GRANTABLE:  # one row per grantable tool
        await user.should_see(marker=f'perm-{tool.key}')
    await user.should_not_see(marker='perm-staff')
    user.find('Nome').type('Joana Lima')
    user.find('E-mail (login)').type('joana@exemplo.test')
    _set(user, 'perm-clients', 'write')
    _set(user, 'perm-receivables', 'read')
    user.find('Cadastrar e enviar convite').click()
    await user.should_see('Funcionário cadastrado')
    await user.should_see('Aguardando definir a senha')

    joana = next(u for u in _logins() if u.email == 'joana@exemplo.test')
    assert (joana.role, joana.permissions) == ('staff', {'clients': 'write', 'receivables': 'read'})
    assert [m.to_addr for m in _outbox()] == ['joana@exemplo.test']

    await user.open('/funcionarios')
    await user.should_see('Joana Lima')
    await user.should_see('Recebimentos: Ver, Clientes: Editar')


async def test_all_buttons_set_every_tool(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/funcionarios/novo')
    user.find('Nome').type('Leitor')
    user.find('E-mail (login)').type('leitor@exemplo.test')
    user.find(marker='all-read').click()
    user.find('Cadastrar e enviar convite').click()
    await user.should_see('Funcionário cadastrado')
    leitor = next(u for u in _logins() if u.email == 'leitor@exemplo.test')
    assert leitor.permissions == {t.key: 'read' for t in GRANTABLE}


async def test_duplicate_email_shows_next_to_the_field_and_saves_nothing(user: User) -> None:
    make_office()
    admin = make_user('admin')
    existing = make_user('staff', email='ja.existe@exemplo.test')
    await login(user, admin)
    await user.open('/funcionarios/novo')
    user.find('Nome').type('Outra Pessoa')
    user.find('E-mail (login)').type('JA.EXISTE@exemplo.test')
    user.find('Cadastrar e enviar convite').click()
    await user.should_see('Confira os campos destacados.')
    email_field = user.find(marker='email').elements.pop()
    assert email_field.error == 'Já existe um acesso com este e-mail.'
    await user.should_see('Já existe um acesso com este e-mail.')
    assert len(_logins()) == 2 and _outbox() == []
    assert existing.email == 'ja.existe@exemplo.test'

    email_field.value = 'nao-e-email'
    user.find(marker='name').elements.pop().value = ''
    user.find('Cadastrar e enviar convite').click()
    await user.should_see('E-mail inválido.')
    assert user.find(marker='name').elements.pop().error
    assert len(_logins()) == 2


async def test_edit_permissions_and_make_admin(user: User) -> None:
    make_office()
    admin = make_user('admin')
    staff = make_user('staff', name='Pedro Alves', permissions={'clients': 'read'})
    await login(user, admin)
    await user.open(f'/funcionarios/{staff.id}')
    await user.should_see('Pedro Alves')
    assert user.find(marker='perm-clients').elements.pop().value == 'read'
    _set(user, 'perm-clients', 'none')
    _set(user, 'perm-payables', 'write')
    user.find('Salvar alterações').click()
    await user.should_see('Alterações salvas.')
    row = next(u for u in _logins() if u.id == staff.id)
    assert row.permissions == {'payables': 'write'}

    await user.open(f'/funcionarios/{staff.id}')
    user.find(marker='admin-switch').click()
    await user.should_see('Administradores usam todas as ferramentas')
    user.notify.messages.clear()
    user.find('Salvar alterações').click()
    await user.should_see('Alterações salvas.')
    row = next(u for u in _logins() if u.id == staff.id)
    assert (row.role, row.permissions) == ('admin', {})
    await user.open('/funcionarios')
    await user.should_see('Todas as ferramentas, inclusive Funcionários')


async def test_last_admin_cannot_demote_self(user: User) -> None:
    make_office()
    admin = make_user('admin', name='Única Admin')
    await login(user, admin)
    await user.open(f'/funcionarios/{admin.id}')
    await user.should_not_see('Desativar')  # never oneself
    user.find(marker='admin-switch').click()
    user.find('Salvar alterações').click()
    await user.should_see('O escritório precisa de pelo menos um administrador ativo.')
    assert _logins()[0].role == 'admin'


async def test_disable_enable_and_resend(user: User) -> None:
    make_office()
    admin = make_user('admin')
    staff = users.create_staff(actor_of(admin), name='Carla Dias', email='carla@exemplo.test', permissions={})
    await login(user, admin)
    await user.open(f'/funcionarios/{staff.id}')
    user.find(marker='new-link').click()
    await user.should_see('Enviar novo link para definir a senha?')
    await user.should_see('O link enviado antes deixa de funcionar', kind=ui.label)
    user.find(marker='confirm-new-link').click()
    await user.should_see('Novo link para definir a senha enviado para carla@exemplo.test; o anterior deixou de valer.')
    assert len(_outbox()) == 2

    user.find('Desativar').click()
    await user.should_see('Desativar Carla Dias?')
    user.find('Desativar acesso').click()
    await user.should_see('Acesso desativado: esta pessoa não consegue entrar.')
    assert not next(u for u in _logins() if u.id == staff.id).active
    await user.should_not_see(marker='new-link')
    user.find('Reativar').click()
    await user.should_see('Acesso reativado.')
    assert next(u for u in _logins() if u.id == staff.id).active


async def test_unknown_or_client_id_is_not_found(user: User) -> None:
    from tests.factories import make_client
    make_office()
    admin = make_user('admin')
    contact = make_user('client', client=make_client())
    await login(user, admin)
    for path in ('/funcionarios/nao-existe', f'/funcionarios/{contact.id}'):
        await user.open(path)
        await user.should_see('Página não encontrada ou sem acesso')


async def test_staff_cannot_open_funcionarios(user: User) -> None:
    make_office()
    staff = make_user('staff', permissions={t.key: 'write' for t in GRANTABLE})
    await login(user, staff)
    for path in ('/funcionarios', '/funcionarios/novo', f'/funcionarios/{staff.id}'):
        await user.open(path)
        await user.should_see('Página não encontrada ou sem acesso')
        await user.should_not_see('Permissões por ferramenta')
    assert user.find(ui.html).elements  # the shell is still there
