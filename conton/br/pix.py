"""PIX static BR Code (EMV QRCPS merchant-presented mode), as in Banco Central's "Manual do BR Code".

Pure functions: build a "copia e cola" payload, parse/verify one, and validate PIX keys. Error messages of
`validate_key` and `payload` are in Portuguese because they are shown to users; `parse` errors are technical.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ['GUI', 'payload', 'crc16', 'parse', 'encode', 'validate_key', 'ascii_text']

GUI = 'br.gov.bcb.pix'
_NAME_MAX = 25
_CITY_MAX = 15
_TXID_MAX = 25
_KEY_MAX = 77
_MAX_AMOUNT_CENTS = 9_999_999_999_99  # tag 54 holds at most 13 characters ('9999999999.99')
# Merchant account information templates (26..51) may carry the PIX GUI; 62 is the additional data template
_TEMPLATES = {str(tag) for tag in range(26, 52)} | {'62'}
_EMAIL = re.compile(r"^[a-z0-9.!#$&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}"
                    r'[a-z0-9])?)+$')
_UUID = re.compile(r'^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$')
_PHONE_CHARS = re.compile(r'^\+?[\d\s().-]+$')
_CNPJ_CHARS = re.compile(r'^[0-9A-Z]{12}[0-9]{2}$')
# Brazilian area codes (DDD) in use
_DDD = frozenset(
    [*range(11, 20), 21, 22, 24, 27, 28, *range(31, 36), 37, 38, *range(41, 50), 51, 53, 54, 55,
     *range(61, 70), 71, 73, 74, 75, 77, 79, *range(81, 90), *range(91, 100)]
)


# --------------------------------------------------------------------------------------------------------------------
# CRC and TLV
# --------------------------------------------------------------------------------------------------------------------

def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xor-out) as 4 upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode('utf-8'):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return f'{crc:04X}'


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f'Campo {tag} do PIX excede 99 caracteres')
    return f'{tag}{len(value):02d}{value}'


def _split_tlv(data: str, where: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    pos = 0
    while pos < len(data):
        head = data[pos:pos + 4]
        if len(head) < 4 or not head.isascii() or not head.isdigit():
            raise ValueError(f'malformed TLV in {where} at position {pos}: {head!r}')
        size = int(head[2:])
        value = data[pos + 4:pos + 4 + size]
        if len(value) != size:
            raise ValueError(f'malformed TLV in {where}: field {head[:2]} declares {size} characters, '
                             f'only {len(value)} left')
        items.append((head[:2], value))
        pos += 4 + size
    return items


def encode(fields: dict[str, Any]) -> str:
    """Serialise an ordered {tag: value | {subtag: value}} mapping (as in `parse(...)['raw']`) and append the CRC.
    A '63' entry in `fields` is ignored and recomputed."""
    body = ''
    for tag, value in fields.items():
        if tag == '63':
            continue
        if isinstance(value, dict):
            value = ''.join(_tlv(sub, str(subvalue)) for sub, subvalue in value.items())
        body += _tlv(tag, str(value))
    body += '6304'
    return body + crc16(body)


def parse(payload: str) -> dict[str, Any]:
    """Parse and verify a BR Code payload.

    Returns {'key', 'url', 'gui', 'name', 'city', 'amount_cents', 'txid', 'mcc', 'currency', 'country',
    'point_of_initiation', 'raw'} where 'raw' keeps every top-level tag in order (templates 26..51 and 62 as nested
    dicts). Raises ValueError on a wrong CRC or malformed TLV.
    """
    if not isinstance(payload, str):
        raise ValueError('payload must be a string')
    text = payload.strip()
    if not text.isascii():
        raise ValueError('payload must be ASCII')
    if len(text) < 8 or text[-8:-4] != '6304':
        raise ValueError('payload does not end with the CRC field 6304XXXX')
    expected = crc16(text[:-4])
    if text[-4:].upper() != expected:
        raise ValueError(f'bad CRC: payload has {text[-4:]}, computed {expected}')
    items = _split_tlv(text[:-8], 'payload')
    raw: dict[str, Any] = {}
    for tag, value in items:
        if tag in raw:
            raise ValueError(f'malformed payload: field {tag} repeated')
        raw[tag] = dict(_split_tlv(value, f'field {tag}')) if tag in _TEMPLATES else value
    raw['63'] = text[-4:]
    if raw.get('00') != '01':
        raise ValueError('malformed payload: it must start with 000201 (payload format indicator)')
    pix = next(
        (value for tag, value in raw.items()
         if tag != '62' and isinstance(value, dict) and value.get('00', '').lower() == GUI),
        None,
    )
    if pix is None:
        raise ValueError('not a PIX payload: no merchant account template with GUI br.gov.bcb.pix')
    amount_cents = None
    if '54' in raw:
        amount = raw['54']
        if not re.fullmatch(r'\d+(\.\d{1,2})?', amount):
            raise ValueError(f'malformed amount {amount!r}')
        try:
            amount_cents = int(Decimal(amount) * 100)
        except InvalidOperation as error:  # pragma: no cover - the regex already guarantees a number
            raise ValueError(f'malformed amount {amount!r}') from error
    additional = raw.get('62') or {}
    return {
        'key': pix.get('01'),
        'url': pix.get('25'),
        'gui': pix.get('00'),
        'name': raw.get('59'),
        'city': raw.get('60'),
        'amount_cents': amount_cents,
        'txid': additional.get('05') if isinstance(additional, dict) else None,
        'mcc': raw.get('52'),
        'currency': raw.get('53'),
        'country': raw.get('58'),
        'point_of_initiation': raw.get('01'),
        'raw': raw,
    }


# --------------------------------------------------------------------------------------------------------------------
# Payload
# --------------------------------------------------------------------------------------------------------------------

def ascii_text(text: str) -> str:
    """Strip accents and keep printable ASCII, collapsing whitespace ('São Paulo' -> 'Sao Paulo')."""
    decomposed = unicodedata.normalize('NFKD', text or '')
    stripped = ''.join(char for char in decomposed if not unicodedata.combining(char))
    printable = ''.join(char if ' ' <= char <= '~' else ' ' for char in stripped)
    return ' '.join(printable.split())


def _amount(amount_cents: int) -> str:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise ValueError('Valor do PIX deve ser um número inteiro de centavos')
    if not 0 < amount_cents <= _MAX_AMOUNT_CENTS:
        raise ValueError('Valor do PIX deve ser maior que zero e menor que 10 bilhões')
    return f'{amount_cents // 100}.{amount_cents % 100:02d}'


def payload(
    key: str,
    name: str,
    city: str,
    amount_cents: int | None = None,
    txid: str | None = None,
    *,
    uppercase: bool = True,
    gui: str = GUI,
) -> str:
    """Static PIX "copia e cola" payload.

    Name and city are stripped of accents, kept ASCII, upper-cased (unless `uppercase=False`) and cut to 25 and 15
    characters. txid is alphanumeric (max 25), default '***'. The amount is optional (payer types it when absent).
    `gui` may only change the case of 'br.gov.bcb.pix' (some issuers print it upper-case).
    """
    _, normalised_key = validate_key(key)
    if gui.lower() != GUI:
        raise ValueError(f'GUI do PIX deve ser {GUI}')
    clean_name = ascii_text(name)
    clean_city = ascii_text(city)
    if uppercase:
        clean_name, clean_city = clean_name.upper(), clean_city.upper()
    clean_name = clean_name[:_NAME_MAX].rstrip()
    clean_city = clean_city[:_CITY_MAX].rstrip()
    if not clean_name:
        raise ValueError('Nome do recebedor do PIX é obrigatório')
    if not clean_city:
        raise ValueError('Cidade do recebedor do PIX é obrigatória')
    if txid is None or txid == '':
        reference = '***'
    else:
        reference = txid.strip()
        if not re.fullmatch(r'[A-Za-z0-9]{1,25}', reference):
            raise ValueError('Identificador (txid) do PIX deve ter de 1 a 25 letras ou números, sem espaços')
    fields: dict[str, Any] = {
        '00': '01',
        '26': {'00': gui, '01': normalised_key},
        '52': '0000',
        '53': '986',
    }
    if amount_cents is not None:
        fields['54'] = _amount(amount_cents)
    fields.update({'58': 'BR', '59': clean_name, '60': clean_city, '62': {'05': reference}})
    return encode(fields)


# --------------------------------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------------------------------

def _cpf_valid(digits: str) -> bool:
    if len(digits) != 11 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    numbers = [int(char) for char in digits]
    for size in (9, 10):
        total = sum(numbers[i] * (size + 1 - i) for i in range(size))
        if (total * 10) % 11 % 10 != numbers[size]:
            return False
    return True


def _cnpj_valid(value: str) -> bool:
    """Numeric and alphanumeric CNPJ (from July 2026): character value ord(c) - 48, check digits numeric."""
    if not _CNPJ_CHARS.fullmatch(value) or len(set(value)) == 1:
        return False
    numbers = [ord(char) - 48 for char in value]
    for size in (12, 13):
        weights = list(range(size - 7, 1, -1)) + list(range(9, 1, -1))
        remainder = sum(n * w for n, w in zip(numbers[:size], weights)) % 11
        if (0 if remainder < 2 else 11 - remainder) != numbers[size]:
            return False
    return True


def _phone(digits: str) -> str | None:
    """+55DDDNNNNNNNN from 10/11 national digits or 12/13 digits starting with 55; None when not a phone."""
    if len(digits) in (12, 13) and digits.startswith('55'):
        digits = digits[2:]
    if len(digits) not in (10, 11) or int(digits[:2]) not in _DDD:
        return None
    if len(digits) == 11 and digits[2] != '9':
        return None
    return '+55' + digits


def validate_key(key: str) -> tuple[str, str]:
    """Classify and normalise a PIX key: ('cpf'|'cnpj'|'email'|'telefone'|'aleatoria', key).

    CPF/CNPJ keep only digits (upper-case letters for the alphanumeric CNPJ); e-mail is lower-cased; phone becomes
    +55DDDNNNNNNNN; random keys become the canonical lower-case UUID. Raises ValueError with a Portuguese message.
    """
    if not isinstance(key, str) or not key.strip():
        raise ValueError('Chave PIX inválida: informe a chave')
    text = key.strip()
    if len(text) > _KEY_MAX:
        raise ValueError(f'Chave PIX inválida: no máximo {_KEY_MAX} caracteres')
    if '@' in text:
        email = text.lower()
        if not _EMAIL.fullmatch(email):
            raise ValueError(f'Chave PIX inválida: e-mail {text!r} mal formado')
        return 'email', email
    lowered = text.lower()
    if _UUID.fullmatch(lowered):
        return 'aleatoria', str(uuid.UUID(lowered))
    if text.startswith('+'):
        digits = re.sub(r'\D', '', text)
        phone = _phone(digits) if _PHONE_CHARS.fullmatch(text) and digits.startswith('55') else None
        if phone is None:
            raise ValueError(f'Chave PIX inválida: telefone {text!r} deve estar no formato +55 DDD número')
        return 'telefone', phone
    compact = re.sub(r'[\s./-]', '', text).upper()
    if len(compact) == 14 and re.fullmatch(r'[0-9A-Z]{14}', compact):
        if _cnpj_valid(compact):
            return 'cnpj', compact
        raise ValueError(f'Chave PIX inválida: CNPJ {text!r} com dígitos verificadores errados')
    if _PHONE_CHARS.fullmatch(text):
        digits = re.sub(r'\D', '', text)
        if len(digits) == 11 and _cpf_valid(digits):
            return 'cpf', digits
        if re.fullmatch(r'\d{3}\.\d{3}\.\d{3}-\d{2}', text):
            raise ValueError(f'Chave PIX inválida: CPF {text!r} com dígitos verificadores errados')
        phone = _phone(digits)
        if phone is not None:
            return 'telefone', phone
        if len(digits) == 11:
            raise ValueError(f'Chave PIX inválida: CPF {text!r} com dígitos verificadores errados')
    raise ValueError(f'Chave PIX inválida: {text!r} não é CPF, CNPJ, e-mail, telefone nem chave aleatória')
