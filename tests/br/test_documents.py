"""CPF, CNPJ (numeric and alphanumeric) and CEP checks against tests/vectors/documents.json; the service wrappers in
services.validation give each failure its Portuguese message."""

from __future__ import annotations

import pytest

from conton.br import documents
from conton.br.documents import UFS, is_cep, is_cnpj, is_cpf, normalize_cep, normalize_document
from conton.services import validation
from conton.services.errors import ValidationError
from tests.vectors import load

VECTORS = load('documents')


@pytest.mark.parametrize('value', VECTORS['cpf_valid'])
def test_valid_cpf_vectors(value) -> None:
    assert is_cpf(value) and not is_cnpj(value)


@pytest.mark.parametrize('value', VECTORS['cpf_invalid'])
def test_invalid_cpf_vectors(value) -> None:
    assert not is_cpf(value)


@pytest.mark.parametrize('value', VECTORS['cnpj_valid'])
def test_valid_cnpj_vectors(value) -> None:
    assert is_cnpj(value) and not is_cpf(value)
    assert is_cnpj(value.lower())  # letters of an alphanumeric CNPJ are read upper-case


@pytest.mark.parametrize('value', VECTORS['cnpj_invalid'])
def test_invalid_cnpj_vectors(value) -> None:
    assert not is_cnpj(value)


def test_normalize_document() -> None:
    assert normalize_document('12.abc.345/01de-35') == '12ABC34501DE35'
    assert normalize_document(' 529.982.247-25 ') == '52998224725'
    for not_text in (None, 52998224725, ['529.982.247-25']):
        assert normalize_document(not_text) == ''
        assert not is_cpf(not_text) and not is_cnpj(not_text)


def test_a_cpf_has_digits_only_and_a_cnpj_numeric_check_digits() -> None:
    assert not is_cpf('5299822472A')
    assert not is_cnpj('12ABC34501DE3A')
    assert not is_cpf('5299822472') and not is_cnpj('1122233300018')


def test_cep() -> None:
    assert normalize_cep('01001-000') == '01001000'
    assert is_cep('01001-000') and is_cep('01001000')
    assert not is_cep('0100100') and not is_cep('010010000') and not is_cep('') and not is_cep(1001000)


def test_ufs() -> None:
    assert len(UFS) == len(set(UFS)) == 27
    assert {'SP', 'RJ', 'DF', 'TO'} <= set(UFS)


def test_validation_keeps_its_names_and_messages() -> None:
    """services.validation builds on conton.br.documents, with the field's Portuguese message."""
    assert (validation.is_cpf, validation.is_cnpj, validation.normalize_document, validation.UFS) == \
        (documents.is_cpf, documents.is_cnpj, documents.normalize_document, documents.UFS)
    assert validation.document('12.abc.345/01de-35', 'PJ') == '12ABC34501DE35'
    assert validation.cep('01001-000') == '01001000'
    cases = [(lambda: validation.document('529.982.247-24', 'PF'), 'document', 'CPF inválido. Confira os dígitos.'),
             (lambda: validation.document('11.222.333/0001-82'), 'document', 'CNPJ inválido. Confira os dígitos.'),
             (lambda: validation.cep('0100-100'), 'cep', 'CEP inválido: são 8 dígitos.')]
    for check, field, message in cases:
        with pytest.raises(ValidationError) as error:
            check()
        assert error.value.errors == {field: message}
