"""Password rules (length, common passwords, no composition rules) and argon2id hashing."""
import pytest

from conton.services import passwords
from conton.services.errors import ValidationError


def _refused(password: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        passwords.check_rules(password, **kwargs)
    return next(iter(info.value.errors.values()))


def test_length_between_8_and_at_least_64() -> None:
    assert 'pelo menos 8' in _refused('curta7!')
    passwords.check_rules('oito car')  # exactly 8, with a space
    passwords.check_rules(('minha frase secreta ' * 4)[:64])  # 64 characters
    passwords.check_rules('frase longa ' * 10)  # 120 characters
    assert 'no máximo' in _refused('a1' * 100)


def test_any_characters_and_no_composition_rules() -> None:
    for good in ('só letras minúsculas', 'ÇÃÕ ÉÍÚ ção 😀 emoji', 'cavalo bateria grampo correto',
                 '   espaços   ', 'tudominusculosemnumero'):
        passwords.check_rules(good)


@pytest.mark.parametrize('common', ['12345678', 'password123', 'senha123', 'PASSWORD123', 'aaaaaaaaaa', 'abababab'])
def test_common_and_trivial_passwords_are_refused(common: str) -> None:
    assert 'muito comum' in _refused(common)


def test_own_email_or_name_is_refused() -> None:
    assert 'e-mail' in _refused('maria.souza@exemplo.test', email='maria.souza@exemplo.test')
    assert 'e-mail' in _refused('maria.souza', email='maria.souza@exemplo.test')
    assert 'nome' in _refused('Maria Souza', name='maria souza')


def test_field_name_is_kept_for_the_form() -> None:
    with pytest.raises(ValidationError) as info:
        passwords.check_rules('curta', field='new')
    assert set(info.value.errors) == {'new'}


def test_hash_is_argon2id_with_the_configured_parameters_and_verifies() -> None:
    hashed = passwords.hash_password('uma senha boa de verdade')
    assert hashed.startswith('$argon2id$')
    assert 'm=19456,t=2,p=1' in hashed
    assert passwords.verify('uma senha boa de verdade', hashed) == (True, None)
    assert passwords.verify('outra senha qualquer', hashed) == (False, None)


def test_unknown_or_broken_hash_never_verifies() -> None:
    assert passwords.verify('qualquer coisa', None) == (False, None)
    assert passwords.verify('qualquer coisa', 'não é um hash') == (False, None)


def test_weaker_hash_is_upgraded_on_verify() -> None:
    from passlib.context import CryptContext
    weak = CryptContext(schemes=['argon2'], argon2__type='ID', argon2__memory_cost=1024, argon2__rounds=1,
                        argon2__parallelism=1).hash('uma senha boa de verdade')
    ok, new_hash = passwords.verify('uma senha boa de verdade', weak)
    assert ok and new_hash and 'm=19456,t=2,p=1' in new_hash


def test_input_over_1024_characters_is_never_checked_and_never_raises() -> None:
    overlong = 'frase secreta ' * 100  # 1,400 characters
    really_its_hash = passwords.context.hash(overlong)
    assert passwords.verify(overlong, really_its_hash) == (False, None)  # simply wrong, however it was stored
    assert passwords.verify('x' * 5000, None) == (False, None)  # passlib alone raises over 4,096
    assert passwords.verify('x' * 5000, really_its_hash) == (False, None)
    with pytest.raises(ValidationError, match='no máximo'):
        passwords.hash_password(overlong)
    edge = 'y' * passwords.MAX_CHECKED
    assert passwords.verify(edge, passwords.context.hash(edge))[0]
