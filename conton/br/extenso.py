"""Amounts in words ("valor por extenso") in Brazilian Portuguese.

Wording of Brazilian federal texts: groups of thousands are joined by a space, and 'e' goes before the last group
only when that group is under 100 or a round hundred ('mil e cem reais', 'mil duzentos e trinta e quatro reais',
'um milhão e duzentos mil reais'). Amounts that end in a whole million/billion take 'de' ('um milhão de reais').
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ['reais', 'numero']

_UNITS = (
    'zero', 'um', 'dois', 'três', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove', 'dez', 'onze', 'doze', 'treze',
    'quatorze', 'quinze', 'dezesseis', 'dezessete', 'dezoito', 'dezenove',
)
_TENS = ('', '', 'vinte', 'trinta', 'quarenta', 'cinquenta', 'sessenta', 'setenta', 'oitenta', 'noventa')
_HUNDREDS = (
    '', 'cento', 'duzentos', 'trezentos', 'quatrocentos', 'quinhentos', 'seiscentos', 'setecentos', 'oitocentos',
    'novecentos',
)
# (singular, plural) per power of 1000, from thousands upwards
_SCALES = (('mil', 'mil'), ('milhão', 'milhões'), ('bilhão', 'bilhões'), ('trilhão', 'trilhões'))
_LIMIT = 1000 ** (len(_SCALES) + 1)  # up to 999 trilhões


def _below_thousand(number: int) -> str:
    """Words for 1..999 (masculine)."""
    if number == 100:
        return 'cem'
    hundreds, rest = divmod(number, 100)
    parts = [_HUNDREDS[hundreds]] if hundreds else []
    if rest:
        if rest < 20:
            parts.append(_UNITS[rest])
        else:
            tens, units = divmod(rest, 10)
            parts.append(_TENS[tens] if not units else f'{_TENS[tens]} e {_UNITS[units]}')
    return ' e '.join(parts)


def numero(number: int) -> str:
    """Cardinal number in words (masculine), 0 to 999 trilhões."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError(f'number must be an integer, got {number!r}')
    if number < 0:
        raise ValueError(f'number must not be negative, got {number}')
    if number >= _LIMIT:
        raise ValueError(f'number must be below {_LIMIT}, got {number}')
    if number == 0:
        return 'zero'
    groups: list[tuple[int, int]] = []  # (scale index, group value), most significant first
    scale = 0
    while number:
        number, group = divmod(number, 1000)
        if group:
            groups.insert(0, (scale, group))
        scale += 1
    words: list[str] = []
    for scale, group in groups:
        if scale == 0:
            words.append(_below_thousand(group))
        elif scale == 1:
            words.append('mil' if group == 1 else f'{_below_thousand(group)} mil')
        else:
            singular, plural = _SCALES[scale - 1]
            words.append(f'um {singular}' if group == 1 else f'{_below_thousand(group)} {plural}')
    if len(groups) > 1:
        last = groups[-1][1]
        if last < 100 or last % 100 == 0:
            words[-1] = 'e ' + words[-1]
    return ' '.join(words)


def reais(amount: Decimal) -> str:
    """Amount in reais written out: Decimal('1234.56') -> 'mil duzentos e trinta e quatro reais e cinquenta e seis
    centavos'. Zero is 'zero reais'. Raises ValueError for negative amounts, floats, or more than 2 decimals."""
    if isinstance(amount, bool) or isinstance(amount, float) or not isinstance(amount, (Decimal, int)):
        raise ValueError(f'amount must be a Decimal (or int), got {type(amount).__name__}')
    try:
        value = Decimal(amount)
        cents_total = value * 100
        if not value.is_finite() or cents_total != cents_total.to_integral_value():
            raise ValueError(f'amount must have at most 2 decimal places, got {amount}')
    except InvalidOperation as error:
        raise ValueError(f'invalid amount {amount!r}') from error
    if value < 0:
        raise ValueError(f'amount must not be negative, got {amount}')
    whole, cents = divmod(int(cents_total), 100)
    if whole == 0 and cents == 0:
        return 'zero reais'
    parts: list[str] = []
    if whole:
        if whole == 1:
            currency = 'real'
        elif whole % 1_000_000 == 0:
            currency = 'de reais'
        else:
            currency = 'reais'
        parts.append(f'{numero(whole)} {currency}')
    if cents:
        parts.append(f'{numero(cents)} {"centavo" if cents == 1 else "centavos"}')
    return ' e '.join(parts)
