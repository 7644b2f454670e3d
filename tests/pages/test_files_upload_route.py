"""The Arquivos upload element's own route (conton/uploads.py): the multipart body is read as it streams in and each
file written once into a temporary file of the documents folder, hashed on the way; the page's handler then stores
those files without copying them again. Hostile bodies are refused with the page's Portuguese message and nothing
stored (no row, no stored file, no temporary file); a request from another site or another login's session is
refused before a byte is stored."""
from __future__ import annotations

import gc
import hashlib

from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from conton.models import DocFile
from conton.services import files, storage
from conton.services.base import unit
from conton.services.filetypes import DANGEROUS, EMPTY
from conton.uploads import FOREIGN_SESSION, StreamingUpload
from conton.web import FOREIGN
from tests.factories import login
from tests.helpers import wait_until
from tests.pages.test_files_pages import HTML, content, doc_count, setup, stored, switch
from tests.services.test_filetypes import real_pdf

BOUNDARY = 'conton-route-test'
SAME_SITE = {'Origin': 'http://test'}


def body(*parts: tuple[str, bytes]) -> tuple[bytes, dict]:
    out = b''
    for name, data in parts:
        out += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f'Content-Type: application/pdf\r\n\r\n').encode() + data + b'\r\n'
    return out + f'--{BOUNDARY}--\r\n'.encode(), {'content-type': f'multipart/form-data; boundary={BOUNDARY}'}


def temporaries() -> list[str]:
    gc.collect()  # an upload object no handler took deletes its temporary file when it goes
    return [p.name for p in storage.folder_path(files.FOLDER).iterdir() if p.name.startswith(storage.TEMP_PREFIX)]


def big_pdf(size: int) -> bytes:
    pdf = real_pdf()
    end = pdf.rindex(b'%%EOF')
    return pdf[:end] + b'%' + b'y' * (size - len(pdf) - 2) + b'\n' + pdf[end:]


async def open_portal(user: User, account) -> StreamingUpload:
    await login(user, account)
    await user.open('/portal/arquivos')
    await user.should_see(marker='uploader')
    element = user.find(ui.upload).elements.pop()
    assert isinstance(element, StreamingUpload)
    return element


async def test_files_posted_to_the_route_are_stored_once_with_their_sha256(user: User) -> None:
    o = setup()
    element = await open_portal(user, o['login_a'])
    first, second = big_pdf(3 * 1024 * 1024 + 17), real_pdf()  # more than one of the route's pieces
    data, headers = body(('Extrato anual.pdf', first), ('Recibo.pdf', second))
    response = await user.http_client.post(element.props['url'], content=data, headers={**headers, **SAME_SITE})
    assert response.status_code == 200
    await wait_until(lambda: doc_count() == 2, 'the two uploads were not stored')
    with unit() as session:
        rows = {d.original_name: d for d in session.exec(select(DocFile)).all()}
    for name, content_ in (('Extrato anual.pdf', first), ('Recibo.pdf', second)):
        doc = rows[name]
        assert (doc.size, doc.sha256, doc.sender_side) == (len(content_), hashlib.sha256(content_).hexdigest(), 'client')
        assert (storage.folder_path(files.FOLDER) / doc.stored_name).read_bytes() == content_
    assert temporaries() == []
    await user.should_see('2 arquivos enviados para caixa de entrada do escritório')


async def test_hostile_files_through_the_route_are_refused_in_portuguese_and_nothing_is_kept(user: User) -> None:
    o = setup()
    element = await open_portal(user, o['login_a'])
    before = stored()
    data, headers = body(('boleto.pdf', real_pdf()), ('fatura.pdf', HTML))  # HTML named .pdf, after a good file
    response = await user.http_client.post(element.props['url'], content=data, headers={**headers, **SAME_SITE})
    assert response.status_code == 200  # the verdict is the handler's, shown on the page
    await user.should_see(f'fatura.pdf: {DANGEROUS}')
    assert doc_count() == 0 and stored() == before and temporaries() == []

    data, headers = body(('vazio.pdf', b''))
    await user.http_client.post(element.props['url'], content=data, headers={**headers, **SAME_SITE})
    await user.should_see(f'vazio.pdf: {EMPTY}')
    assert doc_count() == 0 and stored() == before and temporaries() == []

    broken = body(('boleto.pdf', real_pdf()))[0][:-8]  # the body ends before its closing boundary
    response = await user.http_client.post(element.props['url'], content=broken, headers={**headers, **SAME_SITE})
    assert response.status_code == 400 and response.text == 'Envio incompleto. Envie o arquivo de novo.'
    assert doc_count() == 0 and stored() == before and temporaries() == []


async def test_the_route_refuses_another_site_and_another_logins_session(user: User) -> None:
    o = setup()
    element = await open_portal(user, o['login_a'])
    url, before = element.props['url'], stored()
    data, headers = body(('boleto.pdf', real_pdf()))
    response = await user.http_client.post(url, content=data, headers=headers)  # no Origin nor Referer
    assert response.status_code == 403 and response.text == FOREIGN
    response = await user.http_client.post(url, content=data, headers={**headers, 'Origin': 'https://evil.example'})
    assert response.status_code == 403 and response.text == FOREIGN
    await switch(user, o['login_b'])  # this browser now holds client B's session; the page was A's
    response = await user.http_client.post(url, content=data, headers={**headers, **SAME_SITE})
    assert response.status_code == 403 and response.text == FOREIGN_SESSION
    assert doc_count() == 0 and stored() == before and temporaries() == []


async def test_staff_publish_through_the_route(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open(f'/arquivos?cliente={o["alfa"].id}')
    user.find(marker='publish').click()
    await user.should_see(marker='publish-folder')
    element = user.find(ui.upload).elements.pop()
    assert isinstance(element, StreamingUpload)
    data, headers = body(('Guia DAS.pdf', real_pdf()))
    response = await user.http_client.post(element.props['url'], content=data, headers={**headers, **SAME_SITE})
    assert response.status_code == 200
    await user.should_see('1 arquivo enviado para 1 cliente; o cliente foi avisado.')
    assert 'Guia DAS.pdf' in content(user, 'files') and temporaries() == []


def test_uvicorn_hands_request_bodies_over_in_larger_pieces() -> None:
    """http_guard.install raises uvicorn's per-connection read-ahead (64 KiB) to READ_AHEAD: each piece of a body
    crosses every BaseHTTPMiddleware of the stack, so a 200 MB upload in 64 KiB pieces spent its time there."""
    from uvicorn.protocols.http import h11_impl

    from conton import http_guard
    http_guard.larger_body_chunks()
    assert h11_impl.HIGH_WATER_LIMIT >= http_guard.READ_AHEAD
    try:
        from uvicorn.protocols.http import httptools_impl
    except ImportError:
        return
    assert httptools_impl.HIGH_WATER_LIMIT >= http_guard.READ_AHEAD
