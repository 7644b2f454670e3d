"""Operations run from the command line (no acting user): create an administrator (and name the office)."""
from __future__ import annotations

from sqlmodel import select

from ..models import Office, User
from . import audit, office, passwords, validation
from .base import unit
from .errors import ValidationError


def office_name() -> str:
    """The office's name as stored ('' while it has none: a database that never went through the first-run page)."""
    with unit() as session:
        stored = session.get(Office, 1)
        return (stored.trade_name or stored.legal_name or '') if stored else ''


def create_admin(*, email: str, name: str, password: str, office_name: str = '') -> User:
    """An administrator. An office without a name gets `office_name` (required then: the header, e-mails and
    boletos show it); an office that has one keeps it (rename it in Meus Dados)."""
    cleaned: dict[str, str] = {}
    validation.collect(lambda: validation.email(email),
                       lambda: validation.text(name, 'name', 'o nome', required=True, max_len=120),
                       lambda: cleaned.update(office=validation.text(office_name, 'office_name',
                                                                     'o nome do escritório')),
                       lambda: passwords.check_rules(password, email=email, name=name))
    email = validation.email(email)
    hashed = passwords.hash_password(password)
    with unit() as session:
        if session.exec(select(User.id).where(User.email == email)).first() is not None:
            raise ValidationError('Já existe um acesso com este e-mail.', 'email')
        off = office.ensure(session)
        current = off.trade_name or off.legal_name
        if not current:
            if not cleaned['office']:
                raise ValidationError('Informe o nome do escritório (--office "Nome do escritório").', 'office_name')
            off.trade_name = off.legal_name = cleaned['office']
            audit.record(session, None, 'setup', 'office', 1, f'escritório "{cleaned["office"]}" criado pela linha de '
                         'comando', email='cli')
        elif cleaned['office'] and cleaned['office'] != current:
            raise ValidationError(f'O escritório já se chama "{current}": altere o nome em Meus Dados.', 'office_name')
        user = User(email=email, name=validation.text(name, 'name', 'o nome', max_len=120), role='admin',
                    password_hash=hashed)
        session.add(user)
        session.flush()
        audit.record(session, None, 'create', 'funcionario', user.id, f'administrador {email} criado pela linha de '
                     'comando', email='cli')
    office.reset_cache()
    return user
