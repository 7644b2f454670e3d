"""The client's responsible staff member (Responsável), set with the client's registration: only an active admin or
staff member, in the same transaction as the other fields (nothing half-saved), never by a client login or staff
without write on Clientes; the client's uploads are told to the responsible only, and to every staff member with
Arquivos again when none is set or the responsible was deactivated."""
from __future__ import annotations

import asyncio
import uuid

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlmodel import select

from conton.models import AuditLog, Client, ClientResponsible, Notification, User
from conton.services import clients, files
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, cnpj, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf


@pytest.fixture
def office():
    make_office()
    admin = make_user('admin', name='Dona Regina')
    ana = make_user('staff', name='Ana Souza', permissions={'files': 'write', 'clients': 'read'})
    bruno = make_user('staff', name='Bruno Lima', permissions={'files': 'read'})
    client = make_client('Padaria Pão Quente Ltda', tax_regime='Simples Nacional')
    login = make_user('client', client=client, name='Seu Joaquim')
    return {'admin': actor_of(admin), 'admin_user': admin, 'ana': ana, 'bruno': bruno, 'client': client,
            'login': actor_of(login), 'login_user': login}


def fields(**over):
    return dict(kind='PJ', document=cnpj(902), name='Oficina do Zé Ltda', tax_regime='MEI', due_day='10') | over


def stored(client_id) -> uuid.UUID | None:
    with unit() as session:
        row = session.get(ClientResponsible, client_id)
        return row.user_id if row else None


def deactivate(user) -> None:
    with unit() as session:
        session.get(User, user.id).active = False


def test_chosen_on_create_changed_and_cleared_on_update_and_audited(office) -> None:
    admin, ana, bruno = office['admin'], office['ana'], office['bruno']
    client = clients.create(admin, **fields(), responsible_id=str(ana.id))
    assert stored(client.id) == ana.id
    assert clients.responsible(admin, client.id) == clients.Responsible(ana.id, 'Ana Souza', True)
    clients.update(admin, client.id, responsible_id=str(bruno.id))
    assert stored(client.id) == bruno.id
    clients.update(admin, client.id, name='Oficina do Zé ME')  # not given: kept
    assert stored(client.id) == bruno.id
    clients.update(admin, client.id, responsible_id='')
    assert stored(client.id) is None and clients.responsible(admin, client.id) is None
    with unit() as session:
        details = session.exec(select(AuditLog.detail).where(AuditLog.entity == 'cliente', AuditLog.action == 'update')
                               .order_by(AuditLog.id)).all()
    assert any('responsável (Bruno Lima)' in d for d in details) and any('responsável (nenhum)' in d for d in details)


@pytest.mark.parametrize('who', ['inactive', 'client_login', 'unknown', 'garbage'])
def test_only_an_active_staff_member_or_admin_and_nothing_half_saved(office, who) -> None:
    admin = office['admin']
    if who == 'inactive':
        gone = make_user('staff', name='Saiu')
        deactivate(gone)
        value = str(gone.id)
    else:
        value = {'client_login': str(office['login_user'].id), 'unknown': str(uuid.uuid4()), 'garbage': '../1'}[who]
    with pytest.raises(ValidationError) as e:
        clients.create(admin, **fields(), responsible_id=value)
    assert e.value.errors == {'responsible_id': 'Escolha um funcionário ativo.'}
    with unit() as session:
        assert session.exec(select(Client).where(Client.name == 'Oficina do Zé Ltda')).all() == []
    with pytest.raises(ValidationError) as e:  # with another bad field, both reported at once
        clients.update(admin, office['client'].id, name='', responsible_id=value)
    assert set(e.value.errors) == {'name', 'responsible_id'}
    with pytest.raises(ValidationError):  # a good name does not go in without it either
        clients.update(admin, office['client'].id, name='Padaria Nova Ltda', responsible_id=value)
    assert clients.get(admin, office['client'].id).name == 'Padaria Pão Quente Ltda'
    assert stored(office['client'].id) is None


def test_a_client_login_or_staff_without_write_cannot_set_it(office) -> None:
    ana_id = str(office['ana'].id)
    for actor in (office['login'], actor_of(office['ana'])):  # Ana has Clientes 'read' only
        with pytest.raises(PermissionDenied):
            clients.update(actor, office['client'].id, responsible_id=ana_id)
        with pytest.raises(PermissionDenied):
            files.set_client_responsible(actor, office['client'].id, ana_id)
    with pytest.raises(PermissionDenied):
        clients.responsible(office['login'], office['client'].id)
    with pytest.raises(PermissionDenied):
        clients.responsible_options(office['login'])
    assert stored(office['client'].id) is None
    with pytest.raises(NotFound):
        clients.responsible(office['admin'], uuid.uuid4())


def test_options_are_the_active_staff_and_admins_plus_the_current_one(office) -> None:
    admin = office['admin']
    assert list(clients.responsible_options(admin).values()) == ['Ana Souza', 'Bruno Lima', 'Dona Regina']
    clients.update(admin, office['client'].id, responsible_id=str(office['bruno'].id))
    deactivate(office['bruno'])
    assert 'Bruno Lima' not in clients.responsible_options(admin).values()
    kept = clients.responsible_options(admin, include=office['bruno'].id)
    assert kept[str(office['bruno'].id)] == 'Bruno Lima (inativo)'
    assert clients.responsible(admin, office['client'].id).active is False
    # the form sends the inactive one back unchanged with another field: allowed (nothing to choose again)
    clients.update(admin, office['client'].id, notes='Atende às terças.', responsible_id=str(office['bruno'].id))
    assert stored(office['client'].id) == office['bruno'].id


def _told_of_upload(login, name: str) -> set[uuid.UUID]:
    asyncio.run(files.upload(login, [SmallFileUpload(name, 'application/pdf', real_pdf())]))
    with unit() as session:
        return set(session.exec(select(Notification.user_id).where(Notification.category == 'arquivos',
                                                                   Notification.body.like(f'{name}%'))).all())


def test_client_uploads_go_to_the_responsible_set_on_the_client(office) -> None:
    admin, ana = office['admin'], office['ana']
    everyone = {office['admin_user'].id, ana.id, office['bruno'].id}
    assert _told_of_upload(office['login'], 'extrato-1.pdf') == everyone  # none chosen: every staff member with Arquivos
    clients.update(admin, office['client'].id, responsible_id=str(ana.id))
    assert _told_of_upload(office['login'], 'extrato-2.pdf') == {ana.id}
    deactivate(ana)  # the responsible left: everyone with Arquivos again, until another is chosen
    assert _told_of_upload(office['login'], 'extrato-3.pdf') == {office['admin_user'].id, office['bruno'].id}
