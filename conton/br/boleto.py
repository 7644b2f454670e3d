"""FEBRABAN boleto encoder: due-date factor, 44-digit barcode, linha digitável and per-bank "campo livre".

Pure functions, no I/O. References:
- FEBRABAN "Layout padrão de código de barras" (cobrança: bank 3 + currency 1 + DV 1 + factor 4 + amount 10 +
  campo livre 25) and the 2025-02-22 reset of the "fator de vencimento" (9999 on 2025-02-21, 1000 on 2025-02-22).
- FEBRABAN "Layout padrão de arrecadação/recebimento" for barcodes starting with '8' (utility bills, taxes).
- Each bank's "campo livre" layout is documented on its builder below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

__all__ = [
    'SUPPORTED_BANKS',
    'FACTOR_BASE',
    'FACTOR_RESET',
    'fator_vencimento',
    'date_from_fator',
    'barcode',
    'linha_digitavel',
    'barcode_from_linha',
    'linha_arrecadacao',
    'campo_livre',
    'nosso_numero_impresso',
    'campo_livre_bb',
    'campo_livre_itau',
    'campo_livre_bradesco',
    'campo_livre_caixa',
    'campo_livre_caixa_sicob',
    'campo_livre_santander',
    'santander_nosso_numero_dv',
    'itau_nosso_numero_dac',
    'caixa_nosso_numero',
    'modulo10',
    'modulo11',
    'bank_dv',
]

SUPPORTED_BANKS: dict[str, str] = {
    '001': 'Banco do Brasil',
    '341': 'Itaú',
    '237': 'Bradesco',
    '104': 'Caixa Econômica Federal',
    '033': 'Santander',
}

FACTOR_BASE = date(1997, 10, 7)  # factor 0 ("no due date"); 1000 on 2000-07-03, 9999 on 2025-02-21
FACTOR_RESET = date(2025, 2, 22)  # factor restarts at 1000, then wraps again every 9000 days
_FACTOR_CYCLE = 9000
_WINDOW_PAST_DAYS = 3000
_WINDOW_FUTURE_DAYS = 5500
_MAX_AMOUNT_CENTS = 9_999_999_999  # 10 digits in the barcode

_SEPARATORS = re.compile(r'[\s.\-/]')


# --------------------------------------------------------------------------------------------------------------------
# Check digits
# --------------------------------------------------------------------------------------------------------------------

def modulo10(digits: str) -> int:
    """Mod 10 with weights 2,1,2,1... from the right; products over 9 have their digits summed."""
    total = 0
    weight = 2
    for char in reversed(digits):
        product = int(char) * weight
        total += product // 10 + product % 10
        weight = 3 - weight
    return (10 - total % 10) % 10


def _modulo11_sum(digits: str, max_weight: int = 9) -> int:
    total = 0
    weight = 2
    for char in reversed(digits):
        total += int(char) * weight
        weight = weight + 1 if weight < max_weight else 2
    return total


def modulo11(digits: str) -> int:
    """General mod 11 DV of the cobrança barcode: weights 2..9 from the right, results 0, 10 and 11 become 1."""
    result = 11 - _modulo11_sum(digits) % 11
    return 1 if result in (0, 10, 11) else result


def _modulo11_zero(digits: str) -> int:
    """Mod 11 weights 2..9 where results 10 and 11 become 0 (Caixa, Santander, arrecadação)."""
    result = 11 - _modulo11_sum(digits) % 11
    return 0 if result > 9 else result


def bank_dv(bank: str) -> str:
    """Check digit printed after the bank code in the boleto header ('001-9', '341-7', '237-2', '104-0', '033-7'):
    mod 11 weights 2..9, results 10 and 11 become 0."""
    return str(_modulo11_zero(_require_digits(bank, 'bank code', 3)))


# --------------------------------------------------------------------------------------------------------------------
# Due-date factor
# --------------------------------------------------------------------------------------------------------------------

def fator_vencimento(due: date) -> int:
    """Return the 4-digit FEBRABAN due-date factor of `due`.

    Days since 1997-10-07 until 2025-02-21 (factor 9999); from 2025-02-22 the factor restarts at 1000 and wraps to
    1000 again every 9000 days.
    """
    if not isinstance(due, date):
        raise ValueError(f'due date must be a date, got {type(due).__name__}')
    if due >= FACTOR_RESET:
        return (due - FACTOR_RESET).days % _FACTOR_CYCLE + 1000
    days = (due - FACTOR_BASE).days
    if days < 1:
        raise ValueError(f'due date {due.isoformat()} is not after the factor base date 1997-10-07')
    return days


def date_from_fator(fator: int, today: date | None = None) -> date:
    """Decode a due-date factor to the date it means within the window [today - 3000 days, today + 5500 days].

    The factor cycle is 9000 days, longer than the window, so the answer is unique. Factors 1..999 only existed
    before 2000-07-03 and are decoded directly. Factor 0 means "no due date" and raises ValueError.
    """
    if isinstance(fator, bool) or not isinstance(fator, int):
        raise ValueError(f'factor must be an integer, got {fator!r}')
    if not 0 <= fator <= 9999:
        raise ValueError(f'factor must have at most 4 digits, got {fator}')
    if fator == 0:
        raise ValueError('factor 0000 means the boleto has no due date')
    first = FACTOR_BASE + timedelta(days=fator)
    if fator < 1000:
        return first
    today = today or date.today()
    earliest = today - timedelta(days=_WINDOW_PAST_DAYS)
    cycles = max(0, -(-(earliest - first).days // _FACTOR_CYCLE))  # ceil division, never before the first date
    return first + timedelta(days=cycles * _FACTOR_CYCLE)


# --------------------------------------------------------------------------------------------------------------------
# Barcode and linha digitável
# --------------------------------------------------------------------------------------------------------------------

def _require_digits(value: str, name: str, length: int | None = None) -> str:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise ValueError(f'{name} must contain only digits, got {value!r}')
    if length is not None and len(value) != length:
        raise ValueError(f'{name} must have exactly {length} digits, got {len(value)}')
    return value


def barcode(bank: str, due: date | None, amount_cents: int, campo_livre: str) -> str:
    """Build the 44-digit cobrança barcode.

    bank(3) + currency '9' + DV + factor(4, '0000' without due date) + amount in cents(10) + campo livre(25).
    """
    _require_digits(bank, 'bank code', 3)
    if bank[0] == '8':
        raise ValueError('bank code cannot start with 8 (reserved for arrecadação barcodes)')
    _require_digits(campo_livre, 'campo livre', 25)
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise ValueError(f'amount_cents must be an integer number of cents, got {amount_cents!r}')
    if not 0 <= amount_cents <= _MAX_AMOUNT_CENTS:
        raise ValueError(f'amount_cents must be between 0 and {_MAX_AMOUNT_CENTS}, got {amount_cents}')
    factor = '0000' if due is None else f'{fator_vencimento(due):04d}'
    body = f'{bank}9{factor}{amount_cents:010d}{campo_livre}'
    return body[:4] + str(modulo11(body)) + body[4:]


def _check_cobranca_barcode(code: str) -> None:
    _require_digits(code, 'barcode', 44)
    if code[0] == '8':
        raise ValueError('barcode starts with 8: it is an arrecadação (utility/tax) barcode, not a boleto')
    expected = modulo11(code[:4] + code[5:])
    if int(code[4]) != expected:
        raise ValueError(f'barcode general check digit is {code[4]}, expected {expected}')


def linha_digitavel(barcode: str) -> str:
    """Format a 44-digit barcode as the printed linha digitável.

    Cobrança: 'AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE' (47 digits, fields 1-3 with mod 10 DVs).
    A barcode starting with '8' (arrecadação) is delegated to `linha_arrecadacao`.
    """
    code = barcode
    _require_digits(code, 'barcode', 44)
    if code[0] == '8':
        return linha_arrecadacao(code)
    _check_cobranca_barcode(code)
    free = code[19:]
    field1 = code[:4] + free[:5]
    field2 = free[5:15]
    field3 = free[15:25]
    field1 += str(modulo10(field1))
    field2 += str(modulo10(field2))
    field3 += str(modulo10(field3))
    return (
        f'{field1[:5]}.{field1[5:]} {field2[:5]}.{field2[5:]} {field3[:5]}.{field3[5:]} '
        f'{code[4]} {code[5:19]}'
    )


def _arrecadacao_block_dv(code: str) -> Callable[[str], int]:
    # Third digit is the "identificador de valor": 6/7 -> mod 10, 8/9 -> mod 11
    if code[2] in '67':
        return modulo10
    if code[2] in '89':
        return _modulo11_zero
    raise ValueError(f'arrecadação barcode has invalid value identifier {code[2]!r} (expected 6, 7, 8 or 9)')


def linha_arrecadacao(barcode: str) -> str:
    """Format a 44-digit arrecadação barcode (starting with '8') as 4 blocks of 11 digits + DV."""
    code = barcode
    _require_digits(code, 'barcode', 44)
    if code[0] != '8':
        raise ValueError('an arrecadação barcode starts with 8')
    dv = _arrecadacao_block_dv(code)
    expected = dv(code[:3] + code[4:])
    if int(code[3]) != expected:
        raise ValueError(f'barcode general check digit is {code[3]}, expected {expected}')
    blocks = [code[i:i + 11] for i in range(0, 44, 11)]
    return ' '.join(f'{block}-{dv(block)}' for block in blocks)


def barcode_from_linha(linha: str) -> str:
    """Convert a linha digitável (47 digits for boletos, 48 for arrecadação) back to the 44-digit barcode.

    Spaces, dots, hyphens and slashes are ignored. Raises ValueError on any wrong check digit.
    """
    if not isinstance(linha, str):
        raise ValueError(f'linha digitável must be a string, got {type(linha).__name__}')
    digits = _SEPARATORS.sub('', linha)
    _require_digits(digits, 'linha digitável')
    if len(digits) == 48 and digits[0] == '8':
        return _barcode_from_linha_arrecadacao(digits)
    if len(digits) != 47:
        raise ValueError(f'linha digitável must have 47 digits (48 for arrecadação), got {len(digits)}')
    fields = ((digits[0:9], digits[9]), (digits[10:20], digits[20]), (digits[21:31], digits[31]))
    for index, (field, dv) in enumerate(fields, start=1):
        expected = modulo10(field)
        if int(dv) != expected:
            raise ValueError(f'linha digitável field {index} check digit is {dv}, expected {expected}')
    code = digits[0:4] + digits[32] + digits[33:47] + digits[4:9] + digits[10:20] + digits[21:31]
    _check_cobranca_barcode(code)
    return code


def _barcode_from_linha_arrecadacao(digits: str) -> str:
    blocks = [(digits[i:i + 11], digits[i + 11]) for i in range(0, 48, 12)]
    code = ''.join(block for block, _ in blocks)
    dv = _arrecadacao_block_dv(code)
    for index, (block, block_dv) in enumerate(blocks, start=1):
        expected = dv(block)
        if int(block_dv) != expected:
            raise ValueError(f'linha digitável block {index} check digit is {block_dv}, expected {expected}')
    linha_arrecadacao(code)  # validates the general DV
    return code


# --------------------------------------------------------------------------------------------------------------------
# Campo livre builders
# --------------------------------------------------------------------------------------------------------------------

def _field(value: str, name: str, max_len: int, *, bank: str = '') -> str:
    """Digits of a user-typed field, left-padded with zeros to `max_len`.

    Spaces and dots are ignored; a trailing check digit after a hyphen ('1234-5') is dropped.
    """
    prefix = f'{bank}: ' if bank else ''
    if value is None or not str(value).strip():
        raise ValueError(f'{prefix}{name} is required')
    text = re.sub(r'[\s.]', '', str(value))
    if '-' in text:
        text = text.split('-', 1)[0]
    if not text.isascii() or not text.isdigit():
        raise ValueError(f'{prefix}{name} must contain only digits, got {value!r}')
    if len(text) > max_len:
        raise ValueError(f'{prefix}{name} must have at most {max_len} digits, got {len(text)}')
    return text.zfill(max_len)


def campo_livre_bb(*, convenio: str, nosso_numero: str, carteira: str, agencia: str = '', conta: str = '') -> str:
    """Banco do Brasil campo livre ("Especificações técnicas para confecção de boleto de cobrança do BB").

    - convênio with 7 digits ("nosso número 17 posições", carteiras 17/18): '000000' + convênio(7) +
      sequence(10) + carteira(2). The nosso número may be given as the 10-digit sequence or as the full 17 digits
      starting with the convênio.
    - convênio with 4 or 6 digits: convênio + sequence (7 or 5 digits; 11 in all) + agência(4) + conta(8) + carteira(2).
    - convênio with 6 digits and a 17-digit nosso número "livre do cliente" (service 21): convênio(6) +
      nosso número(17) + '21'.
    """
    bank = 'Banco do Brasil'
    raw_conv = re.sub(r'[\s.\-]', '', str(convenio or ''))
    if raw_conv and len(raw_conv) not in (4, 6, 7):
        raise ValueError(f'{bank}: convênio must have 4, 6 or 7 digits, got {convenio!r}')
    conv = _field(raw_conv, 'convênio', 7, bank=bank)[-len(raw_conv):]
    size = len(conv)
    cart = _field(carteira, 'carteira', 2, bank=bank)
    nn = re.sub(r'[\s.]', '', str(nosso_numero or '')).split('-', 1)[0]
    if size == 7:
        if len(nn) == 17 and nn.startswith(conv):
            nn = nn[7:]
        seq = _field(nn, 'nosso número', 10, bank=bank)
        return f'000000{conv}{seq}{cart}'
    if size == 6 and len(nn) == 17:
        return f'{conv}{_field(nn, "nosso número", 17, bank=bank)}21'
    if len(nn) == 11 and nn.startswith(conv):
        nn = nn[size:]
    seq = _field(nn, 'nosso número', 11 - size, bank=bank)
    ag = _field(agencia, 'agência', 4, bank=bank)
    cc = _field(conta, 'conta', 8, bank=bank)
    return f'{conv}{seq}{ag}{cc}{cart}'


# Itaú carteiras whose nosso número DAC is computed over carteira + nosso número only
_ITAU_DAC_WITHOUT_ACCOUNT = {'126', '131', '146', '150', '168'}
# Itaú carteiras with the special 15-position layout (seu número + código do cliente), not supported here
_ITAU_SPECIAL = {'106', '107', '122', '142', '143', '195', '196', '198'}


def itau_nosso_numero_dac(*, agencia: str, conta: str, carteira: str, nosso_numero: str) -> int:
    """Itaú DAC of the nosso número: mod 10 of agência + conta + carteira + nosso número (carteira + nosso número
    only for carteiras 126, 131, 146, 150, 168)."""
    bank = 'Itaú'
    cart = _field(carteira, 'carteira', 3, bank=bank)
    nn = _field(nosso_numero, 'nosso número', 8, bank=bank)
    if cart in _ITAU_DAC_WITHOUT_ACCOUNT:
        return modulo10(cart + nn)
    return modulo10(_field(agencia, 'agência', 4, bank=bank) + _field(conta, 'conta', 5, bank=bank) + cart + nn)


def campo_livre_itau(*, agencia: str, conta: str, carteira: str, nosso_numero: str) -> str:
    """Itaú campo livre (Itaú "Cobrança - Boleto de Pagamento", layout of the barcode):

    carteira(3) + nosso número(8) + DAC[agência/conta/carteira/nosso número] + agência(4) + conta(5) +
    DAC[agência/conta] + '000'.
    """
    bank = 'Itaú'
    cart = _field(carteira, 'carteira', 3, bank=bank)
    if cart in _ITAU_SPECIAL:
        raise ValueError(f'{bank}: carteira {cart} uses the special layout with seu número, which is not supported')
    nn = _field(nosso_numero, 'nosso número', 8, bank=bank)
    ag = _field(agencia, 'agência', 4, bank=bank)
    cc = _field(conta, 'conta', 5, bank=bank)
    dac_nn = itau_nosso_numero_dac(agencia=ag, conta=cc, carteira=cart, nosso_numero=nn)
    return f'{cart}{nn}{dac_nn}{ag}{cc}{modulo10(ag + cc)}000'


def campo_livre_bradesco(*, agencia: str, conta: str, carteira: str, nosso_numero: str) -> str:
    """Bradesco campo livre ("Boleto de Cobrança Bradesco - Manual Operacional"):

    agência(4, without DV) + carteira(2) + nosso número(11, without DV) + conta(7, without DV) + '0'.
    """
    bank = 'Bradesco'
    ag = _field(agencia, 'agência', 4, bank=bank)
    cart = _field(carteira, 'carteira', 2, bank=bank)
    nn = _field(nosso_numero, 'nosso número', 11, bank=bank)
    cc = _field(conta, 'conta', 7, bank=bank)
    return f'{ag}{cart}{nn}{cc}0'


def caixa_nosso_numero(nosso_numero: str, carteira: str = '') -> str:
    """The 17-digit SIGCB nosso número: modalidade (1 registrada / 2 sem registro) + '4' (emitted by the
    beneficiário) + 15 digits. A 17-digit value is validated and kept; a shorter one gets the prefix from the
    carteira ('1', 'RG' or '14' -> '14'; '2', 'SR' or '24' -> '24')."""
    bank = 'Caixa'
    text = re.sub(r'[\s.]', '', str(nosso_numero or '')).split('-', 1)[0]
    if len(text) == 17:
        nn = _field(text, 'nosso número', 17, bank=bank)
        if nn[0] not in '12' or nn[1] != '4':
            raise ValueError(f'{bank}: a 17-digit nosso número must start with 14 (registrada) or 24 (sem registro)')
        return nn
    seq = _field(text, 'nosso número', 15, bank=bank)
    cart = str(carteira or '').strip().upper()
    if not cart:
        raise ValueError(f'{bank}: carteira is required (RG/1 registrada or SR/2 sem registro)')
    prefixes = {'1': '14', 'RG': '14', '14': '14', '2': '24', 'SR': '24', '24': '24'}
    if cart not in prefixes:
        raise ValueError(f'{bank}: carteira must be RG/1 (registrada) or SR/2 (sem registro), got {carteira!r}')
    return prefixes[cart] + seq


def campo_livre_caixa(*, convenio: str, nosso_numero: str, carteira: str = '') -> str:
    """Caixa SIGCB campo livre ("Especificações do código de barras - SIGCB", Caixa):

    código do beneficiário(6) + DV(mod 11) + nosso número[3..5] + constante 1 (modalidade 1/2) +
    nosso número[6..8] + constante 2 ('4', emissão pelo beneficiário) + nosso número[9..17] + DV of the previous 24
    digits (mod 11, results 10 and 11 become 0).
    """
    bank = 'Caixa'
    code = _field(convenio, 'convênio (código do beneficiário)', 6, bank=bank)
    nn = caixa_nosso_numero(nosso_numero, carteira)
    body = f'{code}{_modulo11_zero(code)}{nn[2:5]}{nn[0]}{nn[5:8]}{nn[1]}{nn[8:17]}'
    return body + str(_modulo11_zero(body))


def campo_livre_caixa_sicob(*, nosso_numero: str, agencia: str, conta: str) -> str:
    """Legacy Caixa SICOB layout (nosso número with 10 positions), kept to decode old boletos:

    nosso número(10) + agência(4) + operação(3) + código do cedente(8); `conta` is operação + código (11 digits).
    """
    bank = 'Caixa'
    return (
        _field(nosso_numero, 'nosso número', 10, bank=bank)
        + _field(agencia, 'agência', 4, bank=bank)
        + _field(conta, 'conta (operação + código do cedente)', 11, bank=bank)
    )


def santander_nosso_numero_dv(nosso_numero: str) -> int:
    """Santander DV of the 12-digit nosso número: mod 11 weights 2..9, results 10 and 11 become 0."""
    return _modulo11_zero(_field(nosso_numero, 'nosso número', 12, bank='Santander'))


def campo_livre_santander(*, convenio: str, nosso_numero: str, carteira: str) -> str:
    """Santander campo livre ("Layout de boletos Santander", cobrança simples/registrada):

    '9' + código do beneficiário(7) + nosso número(12) + DV + IOF '0' (only insurers use 7/8/9) + carteira(3:
    101 registrada rápida, 102 sem registro, 201 penhor...). A 13-digit nosso número is taken as number + DV and
    its DV is checked.
    """
    bank = 'Santander'
    code = _field(convenio, 'convênio (código do beneficiário)', 7, bank=bank)
    text = re.sub(r'[\s.\-]', '', str(nosso_numero or ''))
    if len(text) == 13:
        nn = _field(text[:12], 'nosso número', 12, bank=bank)
        if int(text[12]) != santander_nosso_numero_dv(nn):
            raise ValueError(f'{bank}: nosso número check digit {text[12]} is wrong')
    else:
        nn = _field(text, 'nosso número', 12, bank=bank)
    cart = _field(carteira, 'carteira', 3, bank=bank)
    return f'9{code}{nn}{santander_nosso_numero_dv(nn)}0{cart}'


def campo_livre(
    bank: str,
    *,
    agencia: str = '',
    conta: str = '',
    carteira: str = '',
    convenio: str = '',
    nosso_numero: str = '',
) -> str:
    """Build the 25-digit campo livre for one of `SUPPORTED_BANKS`.

    Fields used per bank: 001 convênio, carteira, nosso número (+ agência, conta for 4/6-digit convênios);
    341 agência, conta, carteira, nosso número; 237 agência, conta, carteira, nosso número;
    104 convênio (código do beneficiário), carteira (RG/SR) unless nosso número has 17 digits, nosso número;
    033 convênio (código do beneficiário), carteira, nosso número.
    """
    code = str(bank or '').strip().zfill(3)
    if code not in SUPPORTED_BANKS:
        supported = ', '.join(f'{key} {name}' for key, name in SUPPORTED_BANKS.items())
        raise ValueError(f'bank {bank!r} is not supported for boletos (supported: {supported})')
    if code == '001':
        result = campo_livre_bb(convenio=convenio, nosso_numero=nosso_numero, carteira=carteira, agencia=agencia,
                                conta=conta)
    elif code == '341':
        result = campo_livre_itau(agencia=agencia, conta=conta, carteira=carteira, nosso_numero=nosso_numero)
    elif code == '237':
        result = campo_livre_bradesco(agencia=agencia, conta=conta, carteira=carteira, nosso_numero=nosso_numero)
    elif code == '104':
        result = campo_livre_caixa(convenio=convenio, nosso_numero=nosso_numero, carteira=carteira)
    else:
        result = campo_livre_santander(convenio=convenio, nosso_numero=nosso_numero, carteira=carteira)
    assert len(result) == 25, result
    return result


def nosso_numero_impresso(
    bank: str,
    *,
    agencia: str = '',
    conta: str = '',
    carteira: str = '',
    convenio: str = '',
    nosso_numero: str = '',
) -> str:
    """The nosso número as the bank prints it on the boleto (and as a person should see it anywhere else): BB the
    17-digit number with the convênio (or the 11 digits of a 4/6-digit convênio), Itaú 'carteira/número-DAC',
    Bradesco 'carteira/número', Caixa the 17-digit number with its carteira prefix, Santander 'número-DV'. Same
    fields as `campo_livre` (ValueError when they do not fit the bank's layout)."""
    code = str(bank or '').strip().zfill(3)
    cl = campo_livre(code, agencia=agencia, conta=conta, carteira=carteira, convenio=convenio,
                     nosso_numero=nosso_numero)
    if code == '001':
        return cl[6:23] if cl.startswith('000000') else cl[:11]
    if code == '341':
        return f'{cl[0:3]}/{cl[3:11]}-{cl[11]}'
    if code == '237':
        return f'{cl[4:6]}/{cl[6:17]}'
    if code == '104':
        return caixa_nosso_numero(nosso_numero, carteira)
    return f'{cl[8:20]}-{cl[20]}'
