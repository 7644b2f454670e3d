"""Logins managed by the office: staff (Funcionários, admin only) and client contacts (Clientes > Acessos)."""
from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import Session, select

from ..models import Client, User
from . import audit, auth, validation
from .base import as_uuid, unit
from .errors import NotFound, ValidationError
from .permissions import LEVEL_LABELS, TOOLS, Actor, clean_permissions, require, require_admin


def _unique_email(session: Session, email: str, exclude: uuid.UUID | None = None) -> None:
    query = select(User.id).where(User.email == email)
    if exclude:
        query = query.where(User.id != exclude)
    if session.exec(query).first() is not None:
        raise ValidationError('Já existe um acesso com este e-mail.', 'email')


def _check(name: object, email: object) -> tuple[str, str]:
    """The cleaned name and e-mail (every bad field reported at once)."""
    validation.collect(lambda: validation.text(name, 'name', 'o nome', required=True, max_len=120),
                       lambda: validation.email(email))
    return validation.text(name, 'name', 'o nome', max_len=120), validation.email(email)


# --- staff -------------------------------------------------------------------------------------------------------

def list_staff(actor: Actor) -> list[User]:
    require_admin(actor)
    with unit(actor) as session:
        return list(session.exec(select(User).where(User.role.in_(('admin', 'staff')))
                                 .order_by(User.active.desc(), User.name)).all())


def get_staff(actor: Actor, user_id: uuid.UUID | str) -> User:
    require_admin(actor)
    with unit(actor) as session:
        return _staff(session, user_id)


def create_staff(actor: Actor, *, name: str, email: str, permissions: dict, admin: bool = False) -> User:
    require_admin(actor)
    name, email = _check(name, email)
    with unit(actor) as session:
        _unique_email(session, email)
        user = User(name=name, email=email, role='admin' if admin else 'staff',
                    permissions={} if admin else clean_permissions(permissions))
        session.add(user)
        session.flush()
        auth.queue_welcome(session, user)
        audit.record(session, actor, 'create', 'funcionario', user.id, f'{user.name} <{user.email}> '
                     f'{"(administrador)" if admin else _describe(user.permissions)}')
        return user


def update_staff(actor: Actor, user_id: uuid.UUID | str, *, name: str, email: str, permissions: dict,
                 admin: bool) -> User:
    require_admin(actor)
    name, email = _check(name, email)
    with unit(actor) as session:
        user = _staff(session, user_id)
        _unique_email(session, email, exclude=user.id)
        if user.role == 'admin' and not admin:
            _keep_an_admin(session, user.id)
        before = (user.role, _describe(user.permissions))
        user.name, user.email = name, email
        user.role = 'admin' if admin else 'staff'
        user.permissions = {} if admin else clean_permissions(permissions)
        after = (user.role, _describe(user.permissions))
        audit.record(session, actor, 'update', 'funcionario', user.id, f'{user.name} <{user.email}>')
        if before != after:
            user.session_version += 1  # takes effect at once: the login's open pages go back to the login page
            audit.record(session, actor, 'permissions', 'funcionario', user.id,
                         f'{_profile(*before)} → {_profile(*after)}')
        return user


def set_active(actor: Actor, user_id: uuid.UUID | str, active: bool) -> None:
    """Disable or re-enable a staff or client login. Disabling ends its sessions at once."""
    with unit(actor) as session:
        user = session.get(User, as_uuid(user_id))
        if user is None:
            raise NotFound()
        if user.role == 'client':
            require(actor, 'clients', 'write')
            client = session.get(Client, user.client_id)
            if active and client is not None and not client.active:
                raise ValidationError('O cliente está inativo. Reative o cliente antes de reativar os acessos.')
        else:
            require_admin(actor)
            if not active:
                if user.id == actor.user_id:
                    raise ValidationError('Você não pode desativar o seu próprio acesso.')
                if user.role == 'admin':
                    _keep_an_admin(session, user.id)
        user.active = active
        user.session_version += 1
        audit.record(session, actor, 'enable' if active else 'disable', 'usuario', user.id, user.email)


def resend_welcome(actor: Actor, user_id: uuid.UUID | str) -> None:
    with unit(actor) as session:
        user = session.get(User, as_uuid(user_id))
        if user is None:
            raise NotFound()
        if user.role == 'client':
            require(actor, 'clients', 'write')
        else:
            require_admin(actor)
        if not user.active:
            raise ValidationError('Este acesso está desativado. Reative-o antes de reenviar o convite.')
        auth.queue_welcome(session, user)
        audit.record(session, actor, 'email', 'usuario', user.id, f'boas-vindas reenviado para {user.email}')


def _staff(session: Session, user_id) -> User:
    user = session.get(User, as_uuid(user_id))
    if user is None or user.role not in ('admin', 'staff'):
        raise NotFound()
    return user


def _keep_an_admin(session: Session, leaving: uuid.UUID) -> None:
    others = session.exec(select(func.count()).select_from(User).where(
        User.role == 'admin', User.active == True, User.id != leaving)).one()  # noqa: E712
    if others == 0:
        raise ValidationError('O escritório precisa de pelo menos um administrador ativo.')


def _profile(role: str, described: str) -> str:
    return 'Administrador (todas as ferramentas)' if role == 'admin' else f'Funcionário ({described})'


def _describe(permissions: dict) -> str:
    parts = [f'{TOOLS[k].label}: {LEVEL_LABELS[v]}' for k, v in sorted(permissions.items()) if k in TOOLS]
    return ', '.join(parts) or 'sem acesso a ferramentas'


# --- client logins (Acessos) -------------------------------------------------------------------------------------

def list_client_logins(actor: Actor, client_id: uuid.UUID | str) -> list[User]:
    require(actor, 'clients')
    with unit(actor) as session:
        return list(session.exec(select(User).where(User.client_id == as_uuid(client_id))
                                 .order_by(User.active.desc(), User.name)).all())


def create_client_login(actor: Actor, client_id: uuid.UUID | str, *, name: str, email: str) -> User:
    require(actor, 'clients', 'write')
    name, email = _check(name, email)
    with unit(actor) as session:
        client = session.get(Client, as_uuid(client_id))
        if client is None:
            raise NotFound()
        _unique_email(session, email)
        user = User(name=name, email=email, role='client', client_id=client.id)
        session.add(user)
        session.flush()
        auth.queue_welcome(session, user)
        audit.record(session, actor, 'create', 'acesso_cliente', user.id, f'{user.email} para {client.name}')
        return user
