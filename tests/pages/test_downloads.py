"""The document download route (conton/downloads.py): a logged-in browser gets its own files streamed as attachments
(cleaned name in RFC 5987 form, the type by content, nosniff); another client's file, a guessed id, a staff member
without Arquivos and an anonymous browser get nothing; the office's first download and a client's "Visualizado" are
recorded by the route."""
from __future__ import annotations

import io
import uuid
from datetime import date
from urllib.parse import quote

from fastapi.responses import FileResponse, StreamingResponse
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from conton import downloads
from conton.services import files, protocols, storage
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf


def pdf_of(size: int) -> bytes:
    pdf = real_pdf()
    end = pdf.rindex(b'%%EOF')
    return pdf[:end] + b'%' + b'x' * (size - len(pdf) - 2) + b'\n' + pdf[end:]


async def setup_office():
    make_office()
    admin = make_user('admin')
    a, b = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a, login_b = make_user('client', client=a), make_user('client', client=b)
    data = pdf_of(3 * 1024 * 1024 + 17)  # several chunks
    [mine] = await files.publish(actor_of(admin), [SmallFileUpload('Relatório de ação ‮fdp.exe', 'x', data)],
                                 client_ids=[a.id])
    theirs = await protocols.create(actor_of(admin), client_id=b.id, kind='guia', due_date=date(2030, 1, 10),
                                    uploads=[SmallFileUpload('guia.pdf', 'application/pdf', real_pdf())])
    [their_file] = protocols.get(actor_of(admin), theirs.id).files
    return dict(admin=admin, a=a, b=b, login_a=login_a, login_b=login_b, mine=mine, data=data, theirs=theirs,
                their_file=their_file)


async def test_a_client_downloads_its_file_streamed_as_an_attachment(user: User) -> None:
    o = await setup_office()
    await login(user, o['login_a'])
    response = await user.http_client.get(files.download_url(o['mine'].id))
    assert response.status_code == 200 and response.content == o['data']
    name = 'Relatório de ação fdp.exe.pdf'  # the right-to-left override gone, the type's extension added
    assert response.headers['content-disposition'] == \
        f'attachment; filename="Relat_rio de a__o fdp.exe.pdf"; filename*=UTF-8\'\'{quote(name, safe="")}'
    assert response.headers['content-type'] == 'application/pdf'
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert response.headers['content-length'] == str(len(o['data']))
    assert 'no-store' in response.headers['cache-control']
    assert files.get(actor_of(o['admin']), o['mine'].id).office_downloaded_at is None  # a client's download


async def test_another_clients_file_or_a_guessed_id_is_not_found_and_records_nothing(user: User) -> None:
    o = await setup_office()
    await login(user, o['login_a'])
    for target in (o['their_file'].id, uuid.uuid4(), 'nao-e-um-id', '..%2F..%2Fconton.db'):
        response = await user.http_client.get(f'/arquivos/baixar/{target}')
        assert response.status_code == 404 and b'%PDF' not in response.content  # (a '/' in it: the site's 404 page)
        assert response.text == downloads.NOT_FOUND or '%2F' in str(target)
    assert protocols.get(actor_of(o['admin']), o['theirs'].id).protocol.viewed_at is None


async def test_the_client_download_records_visualizado_once_with_its_ip(user: User) -> None:
    o = await setup_office()
    await login(user, o['login_b'])
    for _ in range(2):
        response = await user.http_client.get(files.download_url(o['their_file'].id))
        assert response.status_code == 200
    detail = protocols.get(actor_of(o['admin']), o['theirs'].id)
    assert detail.protocol.status == 'visualizado' and detail.protocol.viewed_ip
    assert [e.kind for e in detail.events] == ['created', 'emailed', 'viewed', 'downloaded', 'downloaded']


async def test_staff_downloads_are_recorded_and_staff_without_arquivos_get_nothing(user: User) -> None:
    o = await setup_office()
    [inbox] = await files.upload(actor_of(o['login_a']), [SmallFileUpload('extrato.pdf', 'x', real_pdf())])
    outsider = make_user('staff', permissions={'clients': 'write'})
    await login(user, outsider)
    assert (await user.http_client.get(files.download_url(inbox.id))).status_code == 404
    assert files.get(actor_of(o['admin']), inbox.id).office_downloaded_at is None
    user.http_client.cookies.clear()
    anonymous = await user.http_client.get(files.download_url(inbox.id))
    assert anonymous.status_code in (303, 307) and anonymous.headers['location'].startswith('/login')


async def test_the_office_first_download_is_recorded_by_the_route(user: User) -> None:
    o = await setup_office()
    [inbox] = await files.upload(actor_of(o['login_a']), [SmallFileUpload('extrato.pdf', 'x', real_pdf())])
    await login(user, o['admin'])
    response = await user.http_client.get(files.download_url(inbox.id))
    assert response.status_code == 200 and response.content.startswith(b'%PDF')
    assert files.get(actor_of(o['login_a']), inbox.id).office_downloaded_at is not None
    assert protocols.get(actor_of(o['admin']), o['theirs'].id).protocol.viewed_at is None  # staff record no view


def test_a_backend_without_local_files_is_streamed_in_chunks() -> None:
    """The route never reads a file whole: a local file goes out as a FileResponse (sent in chunks by Starlette),
    any other backend's stream through a StreamingResponse of CHUNK-sized reads."""
    data = b'x' * (downloads.CHUNK * 2 + 5)
    reads: list[int] = []

    class Counting(io.BytesIO):
        def read(self, size: int = -1) -> bytes:
            reads.append(size)
            return super().read(size)

    remote = files.Download('a.pdf', 'application/pdf', len(data), None, lambda: Counting(data))
    response = downloads.response_for(remote)
    assert isinstance(response, StreamingResponse) and response.headers['content-length'] == str(len(data))
    assert b''.join(downloads._chunks(remote.open)) == data and set(reads) == {downloads.CHUNK}
    local = files.Download('a.pdf', 'application/pdf', 1, storage.folder_path(files.FOLDER) / 'x.pdf', lambda: None)
    assert isinstance(downloads.response_for(local), FileResponse)
