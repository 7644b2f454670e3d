"""Password hashing (argon2id through passlib/libpass) and the password rules (NIST 800-63B style)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from passlib.context import CryptContext

from . import validation
from .errors import ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128  # what a new password may have
MAX_CHECKED = 1024  # longer input is never hashed or verified: simply wrong (passlib itself raises above 4,096)
COMMON_FILE = Path(__file__).resolve().parent.parent.parent / 'assets' / 'common-passwords.txt'

# argon2id, m=19 MiB, t=2, p=1 (OWASP minimum); verify_and_update() rehashes when these change.
context = CryptContext(schemes=['argon2'], argon2__type='ID', argon2__memory_cost=19456, argon2__rounds=2,
                       argon2__parallelism=1)
DUMMY_HASH = context.hash('conton-dummy-password-for-timing')


def hash_password(password: str) -> str:
    if len(password) > MAX_CHECKED:  # check_rules() runs first and says so in Portuguese; this is the last guard
        raise ValidationError(f'A senha pode ter no máximo {MAX_LENGTH} caracteres.', 'password')
    return context.hash(password)


def verify(password: str, hashed: str | None) -> tuple[bool, str | None]:
    """(ok, new_hash or None). Unknown users, and passwords too long to be anyone's, are verified against a dummy
    hash, so the answer and its cost are the same whichever it was."""
    if not hashed or not isinstance(password, str) or len(password) > MAX_CHECKED:
        context.verify(password[:MAX_CHECKED] if isinstance(password, str) else '', DUMMY_HASH)
        return False, None
    try:
        return context.verify_and_update(password, hashed)
    except (ValueError, TypeError):
        return False, None


@lru_cache
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in COMMON_FILE.read_text(encoding='utf-8').splitlines()
                     if line.strip() and not line.startswith('#'))


def check_rules(password: str, *, email: str = '', name: str = '', field: str = 'password') -> None:
    """Length 8..128, any characters, no composition rules; common or obvious passwords are refused."""
    if not isinstance(password, str):  # a forged event: a number, list, dict...
        raise ValidationError(validation.NOT_TEXT, field)
    email, name = (value if isinstance(value, str) else '' for value in (email, name))
    if len(password) < MIN_LENGTH:
        raise ValidationError(f'A senha precisa ter pelo menos {MIN_LENGTH} caracteres.', field)
    if len(password) > MAX_LENGTH:
        raise ValidationError(f'A senha pode ter no máximo {MAX_LENGTH} caracteres.', field)
    low = password.strip().lower()
    if low in common_passwords() or len(set(low)) <= 2:
        raise ValidationError('Esta senha é muito comum e fácil de adivinhar. Escolha outra.', field)
    if email and low in (email.lower(), email.lower().split('@')[0]):
        raise ValidationError('A senha não pode ser o seu e-mail.', field)
    if name and low == name.strip().lower():
        raise ValidationError('A senha não pode ser o seu nome.', field)
