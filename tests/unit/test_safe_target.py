"""safe_target: where a browser may be sent after login (or back from a form) — only paths on this site."""
import pytest

from conton.pages.common import safe_target

HOSTILE = [
    '//evil.example', '//evil.example/x', '///evil.example',
    '/\\evil.example', '\\\\evil.example', '/\\/evil.example', '\\/evil.example',
    '/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '\t//evil.example', '/\t\\evil.example',
    '/%09/evil.example', '/%2F/evil.example', '/%5Cevil.example', '%2F%2Fevil.example', '/%5C%5Cevil.example',
    'https://evil.example', 'http:/evil.example', 'HTTPS://evil.example/', 'javascript:alert(1)',
    'data:text/html,oi', 'evil.example', '', ' /', ' //evil.example', '/\x00/evil.example', '/\x0b/x', '/\x7f',
    None, 42, b'/',
]

SAFE = [
    ('/', '/'), ('/clientes', '/clientes'),
    ('/recebimentos?cliente=Pão&pagina=2', '/recebimentos?cliente=Pão&pagina=2'),
    ('/perfil#senha', '/perfil#senha'), ('/portal/financeiro', '/portal/financeiro'),
    ('/meus-dados?aviso=bem-vindo', '/meus-dados?aviso=bem-vindo'), ('/a\\b', '/a/b'), ('/a\tb', '/ab'),
    ('/busca?q=https://x.example', '/busca?q=https://x.example'),
]


@pytest.mark.parametrize('value', HOSTILE, ids=repr)
def test_hostile_targets_fall_back_to_home(value) -> None:
    assert safe_target(value) == '/'
    assert safe_target(value, default='/login') == '/login'


@pytest.mark.parametrize(('value', 'expected'), SAFE, ids=repr)
def test_same_site_paths_are_kept(value, expected) -> None:
    assert safe_target(value) == expected
