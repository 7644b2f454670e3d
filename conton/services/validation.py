"""Checks on Brazilian documents and common fields. Messages are in Portuguese (they are shown to people)."""
from __future__ import annotations

import re

from validate_docbr import CNPJ, CPF

from .errors import ValidationError

_cpf = CPF()
_cnpj = CNPJ()
EMAIL_RE = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')
UFS = ('AC', 'AL', 'AP', 'AM', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MT', 'MS', 'MG', 'PA', 'PB', 'PR', 'PE', 'PI',
       'RJ', 'RN', 'RS', 'RO', 'RR', 'SC', 'SP', 'SE', 'TO')


def normalize_document(value: str | None) -> str:
    """Strip the mask; alphanumeric CNPJ letters upper-case."""
    return re.sub(r'[^0-9A-Za-z]', '', value or '').upper()


def is_cpf(value: str) -> bool:
    v = normalize_document(value)
    return len(v) == 11 and v.isdigit() and _cpf.validate(v)


def is_cnpj(value: str) -> bool:
    v = normalize_document(value)
    return len(v) == 14 and v[12:].isdigit() and _cnpj.validate(v)


def document(value: str | None, kind: str | None = None, field: str = 'document', required: bool = True) -> str:
    """Validate a CPF ('PF') or CNPJ ('PJ', numeric or alphanumeric); None kind accepts either. Returns it unmasked."""
    v = normalize_document(value)
    if not v:
        if required:
            which = 'CPF ou CNPJ' if kind is None else 'CPF' if kind == 'PF' else 'CNPJ'
            raise ValidationError(f'Informe o {which}.', field)
        return ''
    if kind == 'PF' or (kind is None and len(v) == 11):
        if not is_cpf(v):
            raise ValidationError('CPF inválido. Confira os dígitos.', field)
        return v
    if kind == 'PJ' or (kind is None and len(v) == 14):
        if not is_cnpj(v):
            raise ValidationError('CNPJ inválido. Confira os dígitos.', field)
        return v
    raise ValidationError('CPF ou CNPJ inválido.', field)


def email(value: str | None, field: str = 'email', required: bool = True) -> str:
    v = (value or '').strip().lower()
    if not v:
        if required:
            raise ValidationError('Informe o e-mail.', field)
        return ''
    if len(v) > 254 or not EMAIL_RE.match(v):
        raise ValidationError('E-mail inválido.', field)
    return v


def cep(value: str | None, field: str = 'cep') -> str:
    v = re.sub(r'\D', '', value or '')
    if v and len(v) != 8:
        raise ValidationError('CEP inválido: são 8 dígitos.', field)
    return v


def uf(value: str | None, field: str = 'uf') -> str:
    v = (value or '').strip().upper()
    if v and v not in UFS:
        raise ValidationError('UF inválida.', field)
    return v


def phone(value: str | None, field: str = 'phone') -> str:
    v = (value or '').strip()
    digits = re.sub(r'\D', '', v)
    if v and not 10 <= len(digits) <= 13:
        raise ValidationError('Telefone inválido: informe DDD e número.', field)
    return v


def text(value: str | None, field: str, label: str, *, required: bool = False, max_len: int = 200) -> str:
    v = (value or '').strip()
    if required and not v:
        raise ValidationError(f'Informe {label}.', field)
    if len(v) > max_len:
        raise ValidationError(f'Máximo de {max_len} caracteres.', field)
    return v


def collect(*checks) -> None:
    """Run validation thunks and raise one ValidationError with every field's message."""
    errors: dict[str, str] = {}
    for check in checks:
        try:
            check()
        except ValidationError as e:
            errors.update(e.errors)
    if errors:
        raise ValidationError(errors)
