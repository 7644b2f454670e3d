"""CPF, CNPJ (numeric, and alphanumeric from July 2026) and CEP checks, and the 27 UFs.

Pure checks on plain values: normalised text and True/False. The Portuguese messages people see next to a field are
added by `conton.services.validation` (`document`, `cep`, `uf`), which builds on these.
"""

from __future__ import annotations

import re

from validate_docbr import CNPJ, CPF

__all__ = ['UFS', 'normalize_document', 'is_cpf', 'is_cnpj', 'normalize_cep', 'is_cep']

UFS = ('AC', 'AL', 'AP', 'AM', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MT', 'MS', 'MG', 'PA', 'PB', 'PR', 'PE', 'PI',
       'RJ', 'RN', 'RS', 'RO', 'RR', 'SC', 'SP', 'SE', 'TO')

_cpf = CPF()
_cnpj = CNPJ()


def normalize_document(value: object) -> str:
    """Strip the mask; alphanumeric CNPJ letters upper-case (anything but text: '')."""
    return re.sub(r'[^0-9A-Za-z]', '', value if isinstance(value, str) else '').upper()


def is_cpf(value: object) -> bool:
    """A valid CPF, masked or not (11 digits, check digits right)."""
    v = normalize_document(value)
    return len(v) == 11 and v.isdigit() and _cpf.validate(v)


def is_cnpj(value: object) -> bool:
    """A valid CNPJ, masked or not: 12 digits or upper-case letters, then 2 numeric check digits."""
    v = normalize_document(value)
    return len(v) == 14 and v[12:].isdigit() and _cnpj.validate(v)


def normalize_cep(value: object) -> str:
    """The digits of a CEP ('01001-000' -> '01001000'; anything but text: '')."""
    return re.sub(r'\D', '', value if isinstance(value, str) else '')


def is_cep(value: object) -> bool:
    """A CEP has 8 digits (masked or not)."""
    return len(normalize_cep(value)) == 8
