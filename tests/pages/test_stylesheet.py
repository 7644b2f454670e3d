"""The one stylesheet: served publicly under a URL that carries a hash of its content, and linked once by the frame
and by the login card pages (tests/unit/test_layering.py: no page module carries CSS of its own)."""
from __future__ import annotations

import hashlib

from nicegui.testing import User

from conton import web
from tests.factories import login, make_office, make_user


async def test_the_stylesheet_is_public_versioned_by_its_content_and_cached(user: User) -> None:
    text = web.STYLESHEET.read_bytes()
    assert web.STYLESHEET_URL == f'/assets/conton.css?v={hashlib.sha256(text).hexdigest()[:12]}'
    user.http_client.cookies.clear()  # anonymous: the login page needs it too
    response = await user.http_client.get(web.STYLESHEET_URL)
    assert response.status_code == 200
    assert response.headers['content-type'].startswith('text/css')
    assert 'immutable' in response.headers['cache-control']
    assert response.content == text
    assert b'.conton-fin' in text and b'@media print' in text


async def test_the_frame_and_the_login_page_link_it_once(user: User) -> None:
    make_office()
    admin = make_user('admin')
    await user.open('/login')
    await user.should_see('Acesse sua conta')
    assert user.client.head_html.count(web.STYLESHEET_URL) == 1
    await login(user, admin)
    for path, text in (('/', 'Olá'), ('/clientes', 'Clientes'), ('/recebimentos', 'Recebimentos'),
                       ('/emails', 'E-mails'), ('/auditoria', 'Auditoria')):
        await user.open(path)
        await user.should_see(text)
        assert user.client.head_html.count(web.STYLESHEET_URL) == 1, path
        assert '<style' not in user.client.head_html.replace(web.STYLESHEET_LINK, ''), path

