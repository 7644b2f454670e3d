"""Checks on Brazilian documents and common fields. Messages are in Portuguese (they are shown to people).

The pure checks (CPF, CNPJ, CEP, UFs) live in `conton.br.documents`; these wrappers raise ValidationError with the
field's message. `normalize_document`, `is_cpf`, `is_cnpj` and `UFS` stay importable from here."""
from __future__ import annotations

import re
import unicodedata

from ..br.documents import UFS, is_cep, is_cnpj, is_cpf, normalize_cep, normalize_document  # noqa: F401
from .errors import ValidationError

EMAIL_RE = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')
NOT_TEXT = 'Valor inválido para este campo.'
CONTROL = 'O texto tem caracteres de controle (invisíveis), que não são aceitos.'
_LINE_BREAKS = re.compile(r'\r\n?|[\u2028\u2029\x85]')  # CR LF, CR, Unicode line/paragraph separators, NEL: LF


def clean(value: object, field: str, *, multiline: bool = False) -> str:
    """The text of a form value, not yet stripped. Anything but a str (a forged event can send a number, a list, a
    dict...) is refused with the field's message, and so are control characters (NUL, ESC, C1... PostgreSQL refuses
    NUL) and lone surrogates. Unicode format characters (category Cf: right-to-left overrides, zero-width marks)
    are removed. A multi-line field keeps line feeds (any line break becomes one) and tabs; a single-line field gets
    a space for each."""
    if value is None:
        return ''
    if not isinstance(value, str):
        raise ValidationError(NOT_TEXT, field)
    v = _LINE_BREAKS.sub('\n', value)
    if not v.isprintable():
        kept = []
        for ch in v:
            kind = unicodedata.category(ch)
            if kind == 'Cf':
                continue
            if kind == 'Cs' or (kind == 'Cc' and ch not in '\n\t'):
                raise ValidationError(CONTROL, field)
            kept.append(ch if multiline or ch not in '\n\t' else ' ')
        v = ''.join(kept)
    return unicodedata.normalize('NFC', v)


def document(value: object, kind: str | None = None, field: str = 'document', required: bool = True) -> str:
    """Validate a CPF ('PF') or CNPJ ('PJ', numeric or alphanumeric); None kind accepts either. Returns it unmasked."""
    v = normalize_document(clean(value, field))
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


def email(value: object, field: str = 'email', required: bool = True) -> str:
    v = clean(value, field).strip().lower()
    if not v:
        if required:
            raise ValidationError('Informe o e-mail.', field)
        return ''
    if len(v) > 254 or not EMAIL_RE.match(v):
        raise ValidationError('E-mail inválido.', field)
    return v


def cep(value: object, field: str = 'cep') -> str:
    v = normalize_cep(clean(value, field))
    if v and not is_cep(v):
        raise ValidationError('CEP inválido: são 8 dígitos.', field)
    return v


def uf(value: object, field: str = 'uf') -> str:
    v = clean(value, field).strip().upper()
    if v and v not in UFS:
        raise ValidationError('UF inválida.', field)
    return v


def phone(value: object, field: str = 'phone') -> str:
    v = clean(value, field).strip()
    digits = re.sub(r'\D', '', v)
    if v and not 10 <= len(digits) <= 13:
        raise ValidationError('Telefone inválido: informe DDD e número.', field)
    return v


def text(value: object, field: str, label: str, *, required: bool = False, max_len: int = 200,
         multiline: bool = False) -> str:
    """A name, address line or note (`multiline`: keeps line feeds and tabs), cleaned as `clean` says."""
    v = clean(value, field, multiline=multiline).strip()
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
