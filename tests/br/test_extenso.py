"""Amounts in words against tests/vectors/extenso.json (rule: 'e' before the last group only when it is under
100 or a round hundred; 'de reais' after a whole million/billion)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conton.br.extenso import numero, reais

from tests.vectors import load

CASES = load('extenso')['cases']


@pytest.mark.parametrize(('amount', 'words'), CASES.items())
def test_vectors(amount, words):
    assert reais(Decimal(amount)) == words


@pytest.mark.parametrize(
    ('amount', 'words'),
    [
        ('0', 'zero reais'),
        ('0.00', 'zero reais'),
        ('0.50', 'cinquenta centavos'),
        ('2', 'dois reais'),
        ('1.01', 'um real e um centavo'),
        ('14', 'quatorze reais'),
        ('21', 'vinte e um reais'),
        ('100', 'cem reais'),
        ('101', 'cento e um reais'),
        ('110', 'cento e dez reais'),
        ('999', 'novecentos e noventa e nove reais'),
        ('1000', 'mil reais'),
        ('1001', 'mil e um reais'),
        ('1100', 'mil e cem reais'),
        ('1101', 'mil cento e um reais'),
        ('2000', 'dois mil reais'),
        ('21000', 'vinte e um mil reais'),
        ('100000', 'cem mil reais'),
        ('101000', 'cento e um mil reais'),
        ('1000001', 'um milhão e um reais'),
        ('1000100', 'um milhão e cem reais'),
        ('1001000', 'um milhão e mil reais'),
        ('1200000', 'um milhão e duzentos mil reais'),
        ('1234000', 'um milhão duzentos e trinta e quatro mil reais'),
        ('1001234', 'um milhão mil duzentos e trinta e quatro reais'),
        ('2000000', 'dois milhões de reais'),
        ('2500000', 'dois milhões e quinhentos mil reais'),
        ('1000000.10', 'um milhão de reais e dez centavos'),
        ('1000000000', 'um bilhão de reais'),
        ('3000000000', 'três bilhões de reais'),
        ('1000001000', 'um bilhão e mil reais'),
        (
            '999999999999.99',
            'novecentos e noventa e nove bilhões novecentos e noventa e nove milhões novecentos e noventa e nove mil '
            'novecentos e noventa e nove reais e noventa e nove centavos',
        ),
    ],
)
def test_more_amounts(amount, words):
    assert reais(Decimal(amount)) == words


def test_integer_amount_and_numero():
    assert reais(1518) == 'mil quinhentos e dezoito reais'
    assert numero(0) == 'zero'
    assert numero(16) == 'dezesseis'


@pytest.mark.parametrize('amount', [Decimal('-1'), Decimal('-0.01'), Decimal('1.005'), Decimal('NaN'), 1.5, '10'])
def test_invalid_amounts(amount):
    with pytest.raises(ValueError):
        reais(amount)


def test_too_large():
    with pytest.raises(ValueError):
        reais(Decimal(10) ** 15)
