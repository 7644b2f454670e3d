"""PIX BR Code against tests/vectors/pix.json and the CPF/CNPJ vectors in documents.json."""

from __future__ import annotations

import re

import pytest

from conton.br import pix

from tests.vectors import load

VECTORS = load('pix')
PAYLOADS = VECTORS['payloads']
DOCUMENTS = load('documents')


@pytest.mark.parametrize('data', PAYLOADS)
def test_vector_crc_verifies(data):
    assert pix.crc16(data[:-4]) == data[-4:]
    parsed = pix.parse(data)
    assert parsed['raw']['63'] == data[-4:]


@pytest.mark.parametrize('data', PAYLOADS)
def test_vector_reencodes_identically(data):
    assert pix.encode(pix.parse(data)['raw']) == data


@pytest.mark.parametrize(('check', 'expected'), VECTORS['crc_check_value'].items())
def test_crc_check_value(check, expected):
    assert pix.crc16(check) == expected


def test_vector_fields():
    first, second, third = (pix.parse(data) for data in PAYLOADS)
    assert first['key'] == '123e4567-e12b-12d1-a456-426655440000'
    assert (first['name'], first['city'], first['amount_cents'], first['txid']) == ('Fulano de Tal', 'BRASILIA',
                                                                                     None, '***')
    assert (first['mcc'], first['currency'], first['country']) == ('0000', '986', 'BR')
    assert second['key'] is None
    assert second['url'] == 'pix.example.com/qr/93598be0-1bd0-4997-8318-81776a1d8a99'
    assert second['point_of_initiation'] == '12'
    assert (second['name'], second['city']) == ('EMPRESA', 'SAO PAULO')
    assert third['key'] == '57946663234'
    assert (third['name'], third['city'], third['amount_cents']) == ('CLENILTON CRUZ DE ALENCAR', 'MANAUS', 100)
    assert third['gui'] == 'BR.GOV.BCB.PIX'


def test_payload_reproduces_vector_1():
    # Banco Central's manual example keeps the name in mixed case and the GUI in lower case
    data = pix.payload('123e4567-e12b-12d1-a456-426655440000', 'Fulano de Tal', 'BRASILIA', uppercase=False)
    assert data == PAYLOADS[0]


def test_payload_reproduces_vector_3():
    data = pix.payload('57946663234', 'Clenilton Cruz de Alencar', 'Manaus', 100, gui='BR.GOV.BCB.PIX')
    assert data == PAYLOADS[2]


def test_payload_normalises_name_city_and_txid():
    data = pix.payload('+55 (11) 98765-4321', 'José da Conceição Açaí & Filhos Comércio Ltda', 'São João del-Rei',
                       123456, 'NF2026x01')
    parsed = pix.parse(data)
    assert parsed['key'] == '+5511987654321'
    assert parsed['name'] == 'JOSE DA CONCEICAO ACAI &'  # cut at 25 characters, trailing space removed
    assert len(parsed['name']) <= 25
    assert parsed['city'] == 'SAO JOAO DEL-RE'
    assert len(parsed['city']) <= 15
    assert parsed['amount_cents'] == 123456
    assert parsed['raw']['54'] == '1234.56'
    assert parsed['txid'] == 'NF2026x01'
    assert data.isascii()


@pytest.mark.parametrize(('cents', 'text'), [(1, '0.01'), (10, '0.10'), (100, '1.00'), (123456789, '1234567.89')])
def test_payload_amount_format(cents, text):
    assert pix.parse(pix.payload('a@b.com', 'Nome', 'Cidade', cents))['raw']['54'] == text


@pytest.mark.parametrize(
    'kwargs',
    [{'amount_cents': 0}, {'amount_cents': -5}, {'txid': 'com espaço'}, {'txid': 'x' * 26}, {'name': '日本'},
     {'city': '   '}, {'key': 'not a key'}],
)
def test_payload_rejects_bad_fields(kwargs):
    args = {'key': 'a@b.com', 'name': 'Nome', 'city': 'Cidade'} | kwargs
    with pytest.raises(ValueError):
        pix.payload(**args)


def test_crc_is_always_four_upper_hex_digits():
    crcs = []
    for index in range(200):
        data = pix.payload('123e4567-e12b-12d1-a456-426655440000', 'Conton Contabilidade', 'Sao Paulo',
                           1000 + index * 37, f'TX{index}')
        assert re.search(r'6304[0-9A-F]{4}$', data)
        assert pix.parse(data)['amount_cents'] == 1000 + index * 37
        crcs.append(data[-4:])
    assert any(crc.startswith('0') for crc in crcs), 'no CRC with a leading zero: padding not exercised'


def test_bad_crc_raises():
    data = PAYLOADS[0]
    wrong = data[:-4] + ('0000' if data[-4:] != '0000' else '1111')
    with pytest.raises(ValueError, match='CRC'):
        pix.parse(wrong)
    with pytest.raises(ValueError, match='CRC'):
        pix.parse(data.replace('Fulano', 'Fulana'))
    with pytest.raises(ValueError):
        pix.parse(data[:-8])


def _with_crc(body: str) -> str:
    return body + '6304' + pix.crc16(body + '6304')


@pytest.mark.parametrize(
    'body',
    [
        '000201' + '2699' + '0014br.gov.bcb.pix',  # declared length longer than the data
        '000201' + '26180014br.gov.bcb.pix' + '5X0400',  # non-numeric tag
        '000201' + '26200014br.gov.bcb.pix01',  # nested TLV truncated
        '000201' + '5204000',  # truncated header
        '000202' + '26180014br.gov.bcb.pix',  # wrong payload format indicator
        '000201' + '26180014br.gov.bcb.xyz',  # not a PIX GUI
        '000201' + '5303986' + '5303986' + '26180014br.gov.bcb.pix',  # repeated field
        '000201' + '26180014br.gov.bcb.pix' + '54041,00',  # malformed amount
    ],
)
def test_malformed_tlv_raises(body):
    with pytest.raises(ValueError):
        pix.parse(_with_crc(body))


# ---- keys ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('cnpj', DOCUMENTS['cnpj_valid'])
def test_valid_cnpj_keys(cnpj):
    assert pix.validate_key(cnpj) == ('cnpj', re.sub(r'[./-]', '', cnpj))


@pytest.mark.parametrize('cpf', DOCUMENTS['cpf_valid'])
def test_valid_cpf_keys(cpf):
    assert pix.validate_key(cpf) == ('cpf', re.sub(r'\D', '', cpf))


@pytest.mark.parametrize('document', DOCUMENTS['cnpj_invalid'] + DOCUMENTS['cpf_invalid'])
def test_invalid_documents_rejected_in_portuguese(document):
    with pytest.raises(ValueError, match='Chave PIX inválida'):
        pix.validate_key(document)


def test_lower_case_alphanumeric_cnpj_is_normalised():
    assert pix.validate_key('12.abc.345/01de-35') == ('cnpj', '12ABC34501DE35')


@pytest.mark.parametrize(
    ('key', 'expected'),
    [
        ('Fulano@Example.COM', ('email', 'fulano@example.com')),
        ('+55 11 98765-4321', ('telefone', '+5511987654321')),
        ('(21) 99876-5432', ('telefone', '+5521998765432')),
        ('+551133334444', ('telefone', '+551133334444')),
        ('123E4567-E12B-12D1-A456-426655440000', ('aleatoria', '123e4567-e12b-12d1-a456-426655440000')),
        ('123e4567e12b12d1a456426655440000', ('aleatoria', '123e4567-e12b-12d1-a456-426655440000')),
        ('  529.982.247-25 ', ('cpf', '52998224725')),
    ],
)
def test_key_kinds(key, expected):
    assert pix.validate_key(key) == expected


@pytest.mark.parametrize(
    'key',
    ['', '   ', 'fulano@', 'a b@c.com', '+1 415 555 2671', '+55 00 98765-4321', '12345', '52998224724', 'x' * 78,
     '123e4567-e12b-12d1-a456-42665544000'],
)
def test_bad_keys(key):
    with pytest.raises(ValueError, match='Chave PIX inválida'):
        pix.validate_key(key)


def test_ascii_text():
    assert pix.ascii_text('  São   Paulo\tÇ ') == 'Sao Paulo C'
