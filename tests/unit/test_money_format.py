"""formatting.money writes exactly what Babel's pt-BR currency format writes."""
import random
from decimal import Decimal

from babel.numbers import format_currency

from conton import formatting


def test_same_as_babel() -> None:
    rng = random.Random(7)
    values = [0, 1, 99, 100, 123456, -5, -123456, 10**12] + [rng.randrange(-10**11, 10**11) for _ in range(2000)]
    for cents in values:
        assert formatting.money(cents) == format_currency(Decimal(cents) / 100, 'BRL', locale='pt_BR')
    assert formatting.money(None) == ''
    assert formatting.money(123456) == 'R$\xa01.234,56'
