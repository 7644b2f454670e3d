"""Boleto encoder against the published vectors in tests/vectors/boleto.json and each bank's layout example."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from conton.br import boleto
from conton.br.boleto import (
    SUPPORTED_BANKS,
    barcode,
    barcode_from_linha,
    campo_livre,
    date_from_fator,
    fator_vencimento,
    linha_digitavel,
)

from tests.vectors import load

VECTORS = load('boleto')
COBRANCA = VECTORS['cobranca']
FACTORS = VECTORS['fator_vencimento']


def _digits(text: str) -> str:
    return re.sub(r'\D', '', text)


def _cents(value: str) -> int:
    return int(Decimal(value) * 100)


# ---- published cobrança vectors --------------------------------------------------------------------------------------

@pytest.mark.parametrize('vector', COBRANCA, ids=[v['name'] for v in COBRANCA])
def test_vector_barcode_rebuilt_from_fields(vector):
    code = vector['barcode']
    due = date.fromisoformat(vector['due'])
    assert code[:3] == vector['bank']
    assert code[5:9] == f'{fator_vencimento(due):04d}'
    assert int(code[9:19]) == _cents(vector['value'])
    assert barcode(vector['bank'], due, _cents(vector['value']), code[19:]) == code


@pytest.mark.parametrize('vector', COBRANCA, ids=[v['name'] for v in COBRANCA])
def test_vector_linha_digitavel(vector):
    linha = linha_digitavel(vector['barcode'])
    if ' ' in vector['linha']:
        assert linha == vector['linha']
    else:  # the BB specification prints it without punctuation
        assert _digits(linha) == vector['linha']
    assert re.fullmatch(r'\d{5}\.\d{5} \d{5}\.\d{6} \d{5}\.\d{6} \d \d{14}', linha)


@pytest.mark.parametrize('vector', COBRANCA, ids=[v['name'] for v in COBRANCA])
def test_vector_barcode_from_linha(vector):
    assert barcode_from_linha(vector['linha']) == vector['barcode']
    assert barcode_from_linha(_digits(vector['linha'])) == vector['barcode']


@pytest.mark.parametrize('vector', COBRANCA, ids=[v['name'] for v in COBRANCA])
def test_vector_due_date_decodes_in_window(vector):
    due = date.fromisoformat(vector['due'])
    assert date_from_fator(int(vector['barcode'][5:9]), today=due + timedelta(days=10)) == due


@pytest.mark.parametrize('vector', VECTORS['arrecadacao'])
def test_arrecadacao_vector(vector):
    code = vector['barcode']
    assert linha_digitavel(code) == vector['linha']
    assert barcode_from_linha(vector['linha']) == code
    assert Decimal(int(code[4:15])) / 100 == Decimal(vector['value'])
    wrong = list(_digits(vector['linha']))
    wrong[11] = str((int(wrong[11]) + 1) % 10)
    with pytest.raises(ValueError, match='block 1'):
        barcode_from_linha(''.join(wrong))


# ---- due-date factor -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(('day', 'factor'), FACTORS.items())
def test_factor_table(day, factor):
    due = date.fromisoformat(day)
    assert fator_vencimento(due) == factor
    assert date_from_fator(factor, today=due) == due
    assert date_from_fator(factor, today=due + timedelta(days=2999)) == due
    assert date_from_fator(factor, today=due - timedelta(days=5499)) == due


def test_factor_reset_and_wrap():
    assert fator_vencimento(date(2025, 2, 21)) == 9999
    assert fator_vencimento(date(2025, 2, 22)) == 1000
    assert fator_vencimento(date(2025, 2, 22) + timedelta(days=8999)) == 9999
    assert fator_vencimento(date(2025, 2, 22) + timedelta(days=9000)) == 1000


def test_factor_decoding_window_after_reset():
    today = date(2026, 11, 28)
    assert date_from_fator(1000, today=today) == date(2025, 2, 22)
    assert date_from_fator(9999, today=today) == date(2025, 2, 21)  # still within 3000 days in the past
    assert date_from_fator(fator_vencimento(date(2027, 1, 10)), today=today) == date(2027, 1, 10)
    # a factor from the first cycle that is more than 3000 days old is read as the next cycle
    assert date_from_fator(5316, today=today) == date(2012, 4, 27) + timedelta(days=9000)


def test_factor_round_trip_over_many_days():
    today = date(2026, 6, 1)
    for offset in range(-3000, 5500, 37):
        due = today + timedelta(days=offset)
        assert date_from_fator(fator_vencimento(due), today=today) == due


def test_factor_errors():
    with pytest.raises(ValueError, match='no due date'):
        date_from_fator(0)
    with pytest.raises(ValueError):
        date_from_fator(10000)
    with pytest.raises(ValueError):
        fator_vencimento(date(1997, 10, 7))
    assert date_from_fator(500) == date(1997, 10, 7) + timedelta(days=500)


# ---- barcode and linha -----------------------------------------------------------------------------------------------

def test_barcode_without_due_date_has_factor_zero():
    code = barcode('237', None, 1000, '0' * 25)
    assert code[5:9] == '0000'
    assert barcode_from_linha(linha_digitavel(code)) == code


def test_barcode_general_dv_never_zero():
    # DV results 0, 10 and 11 become 1: search campos livres until each case shows up
    seen = set()
    for number in range(2000):
        code = barcode('001', date(2026, 3, 10), 12345, f'{number:025d}')
        body = code[:4] + code[5:]
        total = boleto._modulo11_sum(body)
        seen.add(11 - total % 11)
        assert code[4] != '0'
        if 11 - total % 11 in (0, 10, 11):
            assert code[4] == '1'
    assert {10, 11} <= seen


@pytest.mark.parametrize(
    ('args', 'message'),
    [
        (('34', date(2026, 1, 1), 100, '0' * 25), 'bank code'),
        (('3a1', date(2026, 1, 1), 100, '0' * 25), 'bank code'),
        (('848', date(2026, 1, 1), 100, '0' * 25), 'arrecadação'),
        (('341', date(2026, 1, 1), -1, '0' * 25), 'amount_cents'),
        (('341', date(2026, 1, 1), 10_000_000_000, '0' * 25), 'amount_cents'),
        (('341', date(2026, 1, 1), 1.5, '0' * 25), 'amount_cents'),
        (('341', date(2026, 1, 1), 100, '0' * 24), 'campo livre'),
        (('341', date(2026, 1, 1), 100, 'x' * 25), 'campo livre'),
        (('341', date(1990, 1, 1), 100, '0' * 25), 'base date'),
    ],
)
def test_barcode_validation(args, message):
    with pytest.raises(ValueError, match=message):
        barcode(*args)


def _random_barcodes(count: int = 300) -> list[str]:
    rng = random.Random(20260222)
    codes = []
    for _ in range(count):
        bank = rng.choice(list(SUPPORTED_BANKS))
        due = None if rng.random() < 0.05 else date(2025, 1, 1) + timedelta(days=rng.randrange(4000))
        amount = rng.choice([0, 1, 99, 100, rng.randrange(10_000_000_000)])
        free = ''.join(rng.choice('0123456789') for _ in range(25))
        codes.append(barcode(bank, due, amount, free))
    return codes


@pytest.mark.parametrize('code', _random_barcodes())
def test_round_trip_generated(code):
    linha = linha_digitavel(code)
    assert len(_digits(linha)) == 47
    assert barcode_from_linha(linha) == code
    assert barcode_from_linha(_digits(linha)) == code
    assert barcode_from_linha(linha.replace(' ', '').replace('.', '-')) == code


@pytest.mark.parametrize('position', [9, 20, 31, 32], ids=['field1-dv', 'field2-dv', 'field3-dv', 'general-dv'])
@pytest.mark.parametrize('vector', COBRANCA, ids=[v['name'] for v in COBRANCA])
def test_wrong_check_digit_raises(vector, position):
    digits = list(_digits(vector['linha']))
    for delta in range(1, 10):
        wrong = digits.copy()
        wrong[position] = str((int(wrong[position]) + delta) % 10)
        with pytest.raises(ValueError, match='check digit'):
            barcode_from_linha(''.join(wrong))


@pytest.mark.parametrize('position', [0, 12, 25, 35, 46])
def test_changed_data_digit_raises(position):
    digits = list(_digits(COBRANCA[0]['linha']))
    digits[position] = str((int(digits[position]) + 1) % 10)
    with pytest.raises(ValueError, match='check digit'):
        barcode_from_linha(''.join(digits))


@pytest.mark.parametrize('linha', ['', '123', 'x' * 47, '0' * 46, '0' * 49])
def test_bad_linha_raises(linha):
    with pytest.raises(ValueError):
        barcode_from_linha(linha)


def test_linha_digitavel_rejects_bad_barcode():
    code = COBRANCA[0]['barcode']
    with pytest.raises(ValueError, match='general check digit'):
        linha_digitavel(code[:4] + str((int(code[4]) + 1) % 10) + code[5:])
    with pytest.raises(ValueError):
        linha_digitavel(code[:-1])


# ---- campo livre per bank --------------------------------------------------------------------------------------------

def _vector(name: str) -> dict:
    return next(v for v in COBRANCA if v['name'] == name)


def _full_barcode(vector: dict, free: str) -> str:
    return barcode(vector['bank'], date.fromisoformat(vector['due']), _cents(vector['value']), free)


def test_supported_banks():
    assert SUPPORTED_BANKS == {
        '001': 'Banco do Brasil',
        '341': 'Itaú',
        '237': 'Bradesco',
        '104': 'Caixa Econômica Federal',
        '033': 'Santander',
    }


def test_bank_dv():
    assert [boleto.bank_dv(code) for code in ('001', '341', '237', '104', '033', '041', '399')] == list('9720789')


def test_banco_do_brasil_convenio_7():
    # python-boleto tests/test_banco_do_brasil.py: convênio 7777777, nosso número 87654, carteira 18
    vector = _vector('Banco do Brasil')
    free = campo_livre('001', agencia='9999', conta='99999', carteira='18', convenio='7777777', nosso_numero='87654')
    assert free == '0000007777777000008765418'
    assert _full_barcode(vector, free) == vector['barcode']
    # the full 17-digit nosso número (convênio + sequence) is accepted too
    assert campo_livre('001', agencia='', conta='', carteira='18', convenio='7777777',
                       nosso_numero='77777770000087654') == free


def test_banco_do_brasil_convenio_6_spec_example():
    # BB specification example 0019.3 3737 ...: convênio(6) + nosso número(5) + agência(4) + conta(8) + carteira(2).
    # The split of its campo livre into fields follows that layout (convênio 050094, carteira 31).
    vector = _vector('Banco do Brasil (spec example)')
    free = campo_livre('001', agencia='1606', conta='6809350', carteira='31', convenio='050094', nosso_numero='1448')
    assert free == vector['barcode'][19:]
    assert _full_barcode(vector, free) == vector['barcode']


def test_banco_do_brasil_convenio_4_and_service_21():
    assert boleto.campo_livre_bb(convenio='1234', nosso_numero='5678901', carteira='18', agencia='0001',
                                 conta='12345') == '1234' + '5678901' + '0001' + '00012345' + '18'
    assert boleto.campo_livre_bb(convenio='123456', nosso_numero='12345678901234567', carteira='18') == (
        '123456' + '12345678901234567' + '21')
    with pytest.raises(ValueError, match='convênio must have 4, 6 or 7 digits'):
        boleto.campo_livre_bb(convenio='12345', nosso_numero='1', carteira='18')


def test_itau():
    # python-boleto tests/test_banco_itau.py: agência 0293, conta 01328, carteira 109, nosso número 157
    vector = _vector('Itau')
    free = campo_livre('341', agencia='0293', conta='01328', carteira='109', convenio='', nosso_numero='157')
    assert free == '1090000015710293013280000'
    assert _full_barcode(vector, free) == vector['barcode']
    assert boleto.itau_nosso_numero_dac(agencia='0293', conta='01328', carteira='109', nosso_numero='157') == 1
    assert boleto.modulo10('029301328') == 0


def test_itau_special_carteiras():
    # carteiras 126/131/146/150/168: DAC over carteira + nosso número only
    assert boleto.itau_nosso_numero_dac(agencia='0293', conta='01328', carteira='126', nosso_numero='157') == (
        boleto.modulo10('12600000157'))
    with pytest.raises(ValueError, match='special layout'):
        campo_livre('341', agencia='0293', conta='01328', carteira='198', convenio='', nosso_numero='157')


def test_bradesco():
    # python-boleto tests/test_banco_bradesco.py: agência 278-0, conta 039232-4, carteira 06, nosso número 2125525
    vector = _vector('Bradesco')
    free = campo_livre('237', agencia='278-0', conta='039232-4', carteira='06', convenio='', nosso_numero='2125525')
    assert free == '0278060000212552500392320'
    assert _full_barcode(vector, free) == vector['barcode']


def test_caixa_sigcb():
    # Caelum Stella, stella-boleto CaixaSIGCBTest: código do beneficiário 5507, carteira 1 (registrada), nosso número
    # 19 -> 14000000000000019, due 2006-08-23, R$ 321,12 -> 10491324200000321120055077000100040000000190
    expected = '10491324200000321120055077000100040000000190'
    free = campo_livre('104', agencia='1234', conta='4321', carteira='RG', convenio='5507', nosso_numero='19')
    assert free == expected[19:]
    assert barcode('104', date(2006, 8, 23), 32112, free) == expected
    assert boleto.caixa_nosso_numero('19', 'RG') == '14000000000000019'
    assert campo_livre('104', agencia='', conta='', carteira='', convenio='005507',
                       nosso_numero='14000000000000019') == free
    assert barcode_from_linha(linha_digitavel(expected)) == expected


def test_caixa_sigcb_without_registration_and_errors():
    free = campo_livre('104', agencia='', conta='', carteira='SR', convenio='5507', nosso_numero='19')
    assert free[7:17] == '0002000400'
    with pytest.raises(ValueError, match='carteira'):
        campo_livre('104', agencia='', conta='', carteira='', convenio='5507', nosso_numero='19')
    with pytest.raises(ValueError, match='14'):
        campo_livre('104', agencia='', conta='', carteira='', convenio='5507', nosso_numero='34000000000000019')


def test_caixa_legacy_sicob_vector():
    # python-boleto tests/test_banco_caixa.py (SICOB, nosso número 10 positions): the vector in boleto.json
    vector = _vector('Caixa')
    free = boleto.campo_livre_caixa_sicob(nosso_numero='8019525086', agencia='1565', conta='87000000414')
    assert _full_barcode(vector, free) == vector['barcode']


def test_santander():
    # python-boleto tests/test_banco_santander.py: código do beneficiário 0707077, nosso número 1234567 (DV 9),
    # IOF 0, carteira 102
    vector = _vector('Santander')
    free = campo_livre('033', agencia='1333', conta='', carteira='102', convenio='0707077', nosso_numero='1234567')
    assert free == '9070707700000123456790102'
    assert _full_barcode(vector, free) == vector['barcode']
    assert boleto.santander_nosso_numero_dv('1234567') == 9
    assert campo_livre('033', agencia='', conta='', carteira='102', convenio='707077',
                       nosso_numero='000001234567-9') == free
    with pytest.raises(ValueError, match='check digit'):
        campo_livre('033', agencia='', conta='', carteira='102', convenio='707077', nosso_numero='0000012345678')


@pytest.mark.parametrize(
    ('bank', 'missing'),
    [('001', 'carteira'), ('341', 'agência'), ('237', 'conta'), ('104', 'convênio'), ('033', 'nosso número')],
)
def test_campo_livre_names_missing_field(bank, missing):
    fields = {'agencia': '1234', 'conta': '12345', 'carteira': '18' if bank != '033' else '102',
              'convenio': '1234567' if bank != '104' else '123456', 'nosso_numero': '123'}
    key = {'carteira': 'carteira', 'agência': 'agencia', 'conta': 'conta', 'convênio': 'convenio',
           'nosso número': 'nosso_numero'}[missing]
    fields[key] = ''
    with pytest.raises(ValueError, match=missing):
        campo_livre(bank, **fields)


def test_campo_livre_unsupported_bank_and_bad_input():
    with pytest.raises(ValueError, match='not supported'):
        campo_livre('399', agencia='1', conta='1', carteira='1', convenio='1', nosso_numero='1')
    with pytest.raises(ValueError, match='at most 4 digits'):
        campo_livre('237', agencia='12345', conta='1', carteira='09', convenio='', nosso_numero='1')
    with pytest.raises(ValueError, match='only digits'):
        campo_livre('237', agencia='12a4', conta='1', carteira='09', convenio='', nosso_numero='1')


@pytest.mark.parametrize('bank', list(SUPPORTED_BANKS))
def test_every_supported_bank_builds_valid_boletos(bank):
    fields = {'agencia': '1234', 'conta': '5678', 'carteira': {'104': 'RG', '033': '101'}.get(bank, '17'),
              'convenio': {'104': '123456', '001': '1234567'}.get(bank, '1234567'), 'nosso_numero': '42'}
    if bank == '341':
        fields['carteira'] = '109'
    free = campo_livre(bank, **fields)
    assert len(free) == 25 and free.isdigit()
    code = barcode(bank, date(2026, 12, 10), 45678, free)
    assert barcode_from_linha(linha_digitavel(code)) == code


def test_nosso_numero_impresso_per_bank() -> None:
    assert boleto.nosso_numero_impresso('001', convenio='7777777', carteira='18', nosso_numero='87654') == \
        '77777770000087654'
    dac = boleto.itau_nosso_numero_dac(agencia='0293', conta='01328', carteira='109', nosso_numero='157')
    assert boleto.nosso_numero_impresso('341', agencia='0293', conta='01328', carteira='109', nosso_numero='157') == \
        f'109/00000157-{dac}'
    assert boleto.nosso_numero_impresso('237', agencia='278-0', conta='039232-4', carteira='06',
                                        nosso_numero='2125525') == '06/00002125525'
    assert boleto.nosso_numero_impresso('104', convenio='5507', carteira='RG', nosso_numero='19') == \
        '14000000000000019'
    santander = boleto.nosso_numero_impresso('033', convenio='1234567', carteira='101', nosso_numero='5')
    assert santander.startswith('000000000005-') and len(santander) == 14
    with pytest.raises(ValueError):
        boleto.nosso_numero_impresso('341', agencia='', conta='', carteira='109', nosso_numero='1')
