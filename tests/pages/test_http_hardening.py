"""HTTP hardening through the whole app (every middleware, NiceGUI's real upload route): upload bodies capped by the
element's own limit, text parts refused without a 500, security headers and the Secure cookie, page numbers
clamped, and an unexpected error in a page shown as the short apology only."""
from __future__ import annotations

import io
import logging
import tempfile

import pytest
from nicegui import ui
from nicegui.testing import User
from PIL import Image
from sqlmodel import select

from conton import config
from conton.models import Office, Supplier
from conton.pages.common import APOLOGY
from conton.services import office, validation
from conton.services.base import unit
from tests.factories import login, make_office, make_user

BOUNDARY = 'conton-test-boundary'
MULTIPART = {'content-type': f'multipart/form-data; boundary={BOUNDARY}'}


def png() -> bytes:
    out = io.BytesIO()
    Image.new('RGB', (10, 6), 'navy').save(out, format='PNG')
    return out.getvalue()


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    out = b''
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else '')
        kind = '\r\nContent-Type: image/png' if filename is not None else ''
        out += f'--{BOUNDARY}\r\nContent-Disposition: {disposition}{kind}\r\n\r\n'.encode() + data + b'\r\n'
    return out + f'--{BOUNDARY}--\r\n'.encode()


async def logo_upload_url(user: User) -> str:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/meus-dados')
    await user.should_see('Sem logotipo')
    return user.find(ui.upload).elements.pop().props['url']


def stored_logo() -> str:
    with unit() as session:
        return session.get(Office, 1).logo_file


async def test_upload_over_the_elements_own_limit_is_refused_with_413(user: User) -> None:
    url = await logo_upload_url(user)
    body = multipart(('file', 'logo.png', png() + b'\0' * (office.LOGO_MAX_BYTES + 100 * 1024)))  # < 25 MB
    response = await user.http_client.post(url, content=body, headers=MULTIPART)
    assert response.status_code == 413
    assert response.text == 'Arquivo grande demais: o envio passa do limite de 2 MB.'
    assert stored_logo() == '' and list(office.logo_dir().iterdir()) == []


async def test_a_text_field_in_an_upload_post_gets_400_not_500(user: User) -> None:
    url = await logo_upload_url(user)
    response = await user.http_client.post(url, content=multipart(('name', None, b'um texto')), headers=MULTIPART)
    assert response.status_code == 400
    assert response.text == 'Envio recusado: este endereço aceita apenas arquivos.'
    response = await user.http_client.post(url, data={'name': 'um texto'})  # a urlencoded form
    assert response.status_code == 400
    assert stored_logo() == ''  # and no ERROR was logged (the user fixture fails the test otherwise)


async def test_a_small_logo_posted_over_http_is_stored(user: User) -> None:
    url = await logo_upload_url(user)
    response = await user.http_client.post(url, content=multipart(('file', 'logo.png', png())), headers=MULTIPART)
    assert response.status_code == 200
    await user.should_see('Logotipo atualizado.', retries=50)
    assert stored_logo().endswith('.png')


async def test_temporary_files_go_to_the_data_folder(user: User) -> None:
    assert tempfile.gettempdir() == str((config.get_settings().data_dir / 'tmp').resolve())


async def test_security_headers_on_pages_and_routes(user: User) -> None:
    for path in ('/login', '/logo', '/nao-existe'):
        response = await user.http_client.get(path)
        assert response.headers['x-frame-options'] == 'DENY', path
        assert "frame-ancestors 'none'" in response.headers['content-security-policy']
        assert response.headers['x-content-type-options'] == 'nosniff'
        assert response.headers['referrer-policy'] == 'same-origin'
        assert 'strict-transport-security' not in response.headers
    user.http_client.cookies.clear()
    cookie = (await user.http_client.get('/login')).headers.get('set-cookie', '')
    assert cookie and 'secure' not in cookie.lower()  # plain http (CONTON_BASE_URL http://conton.test)


@pytest.fixture
def https_site(db, monkeypatch):
    monkeypatch.setenv('CONTON_BASE_URL', 'https://portal.conton.test')
    config.reset_settings()


async def test_https_base_url_gives_a_secure_cookie_and_hsts(https_site, user: User) -> None:
    user.http_client.cookies.clear()
    response = await user.http_client.get('/login')
    assert response.headers['strict-transport-security'] == 'max-age=31536000'
    cookie = response.headers['set-cookie'].lower()
    assert 'secure' in cookie and 'httponly' in cookie and 'samesite=lax' in cookie


HUGE = '9' * 30


@pytest.mark.parametrize('path, title', [('/emails', 'E-mails'), ('/auditoria', 'Auditoria'),
                                         ('/clientes', 'Clientes'), ('/fornecedores', 'Fornecedores')])
async def test_huge_page_numbers_are_clamped(user: User, path: str, title: str) -> None:
    make_office()
    await login(user, make_user('admin'))
    for page in (HUGE, '-5', 'abc', '1e9'):
        await user.open(f'{path}?pagina={page}')  # 200 (a 500 before: OverflowError ... SQLite INTEGER)
        await user.should_see(title)
        await user.should_not_see('Overflow')


async def test_an_unexpected_error_in_a_page_shows_only_the_apology(user: User, caplog) -> None:
    @ui.page('/_teste/erro')
    def broken() -> None:
        raise RuntimeError('segredo interno do servidor')

    make_office()
    await login(user, make_user('admin'))
    response = await user.http_client.get('/_teste/erro')
    assert response.status_code == 500
    assert APOLOGY in response.text
    assert 'segredo interno' not in response.text and 'RuntimeError' not in response.text
    errors = [r for r in caplog.get_records('call') if r.levelno >= logging.ERROR]
    assert errors and any(r.exc_info and 'segredo interno' in str(r.exc_info[1]) for r in errors)
    caplog.clear()  # logged with its trace, as it should be: not a failure of this test


async def test_forged_non_text_values_get_the_field_message(user: User) -> None:
    make_office()
    await login(user, make_user('admin'))
    await user.open('/fornecedores/novo')
    inputs = {e.props.get('label'): e for e in user.find(kind=ui.input).elements}
    inputs['CNPJ'].value = '11.222.333/0001-81'
    inputs['Razão social'].value = {'forjado': ['por', 'um', 'websocket']}  # what a forged event can send
    inputs['Categoria'].value = ['Aluguel']
    user.find('Cadastrar fornecedor').click()
    await user.should_see(validation.NOT_TEXT)
    assert inputs['Razão social'].error == validation.NOT_TEXT and inputs['Categoria'].error == validation.NOT_TEXT
    await user.should_not_see(APOLOGY)
    with unit() as session:
        assert session.exec(select(Supplier)).first() is None
