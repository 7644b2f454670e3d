"""Text as it comes from a form, forged or not: anything but a str (a forged websocket event can send numbers,
lists, dicts, booleans) and control characters get the field's message; format characters (right-to-left override,
zero-width marks) are removed; multi-line fields keep line feeds and tabs. (The services: tests/services/
test_validation.py.)"""
from __future__ import annotations

import pytest

from conton.services import form_input, validation
from conton.services.errors import ValidationError
from conton.services.storage import safe_display_name

NOT_TEXT = validation.NOT_TEXT
CONTROL = validation.CONTROL
FORGED = [0, 42, -1, 3.5, True, False, [], ['Maria'], [1, 2], {}, {'value': 'Maria'}, {'a': [1]}]
FORGED_IDS = [repr(v) for v in FORGED]
CONTROLS = ['Maria\x00', '\x1b[31mMaria', 'Ma\x07ria', 'Maria\x7f', 'Maria\x9b', 'Maria\ud800', 'a\x0bb', 'a\x0cb']


def errors_of(call) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.errors


VALIDATORS = {
    'text': lambda v: validation.text(v, 'f', 'o campo'),
    'text multiline': lambda v: validation.text(v, 'f', 'o campo', multiline=True),
    'clean': lambda v: validation.clean(v, 'f'),
    'email': lambda v: validation.email(v, 'f'),
    'optional email': lambda v: validation.email(v, 'f', required=False),
    'cep': lambda v: validation.cep(v, 'f'),
    'uf': lambda v: validation.uf(v, 'f'),
    'phone': lambda v: validation.phone(v, 'f'),
    'document': lambda v: validation.document(v, None, 'f'),
    'cpf': lambda v: validation.document(v, 'PF', 'f', required=False),
    'cnpj': lambda v: validation.document(v, 'PJ', 'f'),
}


@pytest.mark.parametrize('value', FORGED, ids=FORGED_IDS)
@pytest.mark.parametrize('name', VALIDATORS)
def test_every_validator_refuses_what_is_not_text_with_the_field_message(name: str, value) -> None:
    assert errors_of(lambda: VALIDATORS[name](value)) == {'f': NOT_TEXT}


@pytest.mark.parametrize('value', CONTROLS)
@pytest.mark.parametrize('name', VALIDATORS)
def test_every_validator_refuses_control_characters(name: str, value: str) -> None:
    assert errors_of(lambda: VALIDATORS[name](value)) == {'f': CONTROL}


@pytest.mark.parametrize('value', FORGED + CONTROLS, ids=FORGED_IDS + [repr(v) for v in CONTROLS])
def test_form_input_text_collects_the_message(value) -> None:
    errors: dict[str, str] = {}
    assert form_input.text(value, 'description', errors, label='a descrição') == ''
    assert errors == {'description': CONTROL if isinstance(value, str) else NOT_TEXT}


@pytest.mark.parametrize('value', [v for v in FORGED if not isinstance(v, int | float) or isinstance(v, bool)],
                         ids=[repr(v) for v in FORGED if not isinstance(v, int | float) or isinstance(v, bool)])
def test_form_input_money_and_day_refuse_forged_values(value) -> None:
    errors: dict[str, str] = {}
    assert form_input.money(value, 'amount', errors) is None
    assert form_input.day(value, 'due_date', errors, required=False) is None
    assert set(errors) == {'amount', 'due_date'}


def test_format_characters_are_removed_and_line_breaks_follow_the_field() -> None:
    assert validation.text(' \u202eMaria\u200b da\u00ad Silva\ufeff ', 'f', 'o nome') == 'Maria da Silva'
    assert validation.text('Rua A\tnº 1\r\nfundos', 'f', 'x') == 'Rua A nº 1 fundos'
    assert validation.text('linha 1\r\nlinha 2\rlinha 3\u2028\tfim', 'f', 'x', multiline=True) == \
        'linha 1\nlinha 2\nlinha 3\n\tfim'
    assert validation.text('Jose\u0301', 'f', 'x') == 'José'  # NFC
    assert validation.email(' \u200bMaria@Exemplo.TEST ') == 'maria@exemplo.test'
    assert validation.text(None, 'f', 'x') == '' and validation.cep(None) == ''
    assert validation.text('R$\xa01.234,56 — ação', 'f', 'x') == 'R$\xa01.234,56 — ação'


def test_stored_file_names_lose_format_and_control_characters() -> None:
    assert safe_display_name('\u202efdp.exe') == 'fdp.exe'
    assert safe_display_name('nota\u200b\u2066fiscal\u2069.pdf') == 'notafiscal.pdf'
    assert safe_display_name('a\x00b\x1f\x85c\u2028.pdf') == 'abc.pdf'
    assert safe_display_name('../../etc/\u202epasswd') == 'passwd'
    assert safe_display_name({'name': 'x'}) == 'arquivo'
