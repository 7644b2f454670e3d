"""Operations run from the command line (no acting user): create an administrator."""
from __future__ import annotations

from sqlmodel import select

from ..models import User
from . import audit, passwords, validation
from .base import unit
from .errors import ValidationError


def create_admin(*, email: str, name: str, password: str) -> User:
    validation.collect(lambda: validation.email(email),
                       lambda: validation.text(name, 'name', 'o nome', required=True, max_len=120),
                       lambda: passwords.check_rules(password, email=email, name=name))
    email = validation.email(email)
    hashed = passwords.hash_password(password)
    with unit() as session:
        if session.exec(select(User.id).where(User.email == email)).first() is not None:
            raise ValidationError('Já existe um acesso com este e-mail.', 'email')
        user = User(email=email, name=validation.text(name, 'name', 'o nome', max_len=120), role='admin',
                    password_hash=hashed)
        session.add(user)
        session.flush()
        audit.record(session, None, 'create', 'funcionario', user.id, f'administrador {email} criado pela linha de '
                     'comando', email='cli')
        return user
