"""Arquivos pages (pages/files.py, pages/portal_files.py): staff publish → the client sees it; a client's upload →
the office's inbox shows it (and its "baixado" once downloaded); hostile uploads through the page's own upload
element are refused with the Portuguese message next to it and nothing stored, or neutralised (a ZIP named .docx,
a 300-character name, a right-to-left override); isolation: another client's folder and file ids by URL and by the
download route answer not-found, and its files and counts never show; the raw upload route answers 413 before the
body is stored; the pages update live; folders, templates and the admin's integrity page."""
from __future__ import annotations

import uuid

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlmodel import func, select

from conton import config
from conton.models import DocFile
from conton.services import files, storage
from conton.services.base import unit
from conton.services.filetypes import DANGEROUS, EMPTY
from tests.factories import actor_of, login, make_client, make_office, make_user
from tests.helpers import wait_until
from tests.services.test_filetypes import plain_zip, real_pdf

HTML = b'<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>'
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'
NO_ACCESS = 'não encontrada ou sem acesso'


def up(name: str, data: bytes, mime: str = 'application/pdf') -> SmallFileUpload:
    return SmallFileUpload(name, mime, data)


def padded_pdf(extra: int) -> bytes:
    pdf = real_pdf()
    end = pdf.rindex(b'%%EOF')
    return pdf[:end] + b'%' + b'x' * (extra - 2) + b'\n' + pdf[end:]


def setup():
    make_office()
    admin = make_user('admin', name='Ana Admin')
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a = make_user('client', client=alfa, name='Olavo Alfa')
    login_b = make_user('client', client=beta, name='Bruno Beta')
    return dict(admin=admin, alfa=alfa, beta=beta, login_a=login_a, login_b=login_b)


def content(user: User, marker: str) -> str:
    found = user.find(marker=marker).elements if user._gather_elements(None, None, marker, None) else None
    assert found, f'no {marker} on the page; history {user.back_history}'
    return found.pop().content


def doc_count() -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(DocFile)).one()


def stored() -> list[str]:
    return sorted(p.name for p in storage.folder_path(files.FOLDER).iterdir())


async def switch(user: User, account) -> None:
    """Log out (the user menu's 'Sair') and in as another login."""
    await user.http_client.post('/sair', headers={'Origin': 'http://test'})
    await login(user, account)


async def send(user: User, uploads: list[SmallFileUpload]) -> None:
    upload = user.find(ui.upload).elements.pop()
    await upload.handle_uploads(uploads)


# --- both ways -------------------------------------------------------------------------------------------------------

async def test_staff_publishes_and_the_client_sees_it_in_its_folder(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open(f'/arquivos?cliente={o["alfa"].id}')
    await user.should_see(marker='folders')
    user.find(marker='publish').click()
    await user.should_see(marker='publish-folder')
    user.find(marker='publish-folder').type('Fiscal/2026-10')
    user.find(marker='publish-competence').type('10/2026')
    await send(user, [up('Guia DAS.pdf', real_pdf()), up('Recibo.pdf', real_pdf())])
    await user.should_see('2 arquivos enviados para 1 cliente; o cliente foi avisado.')
    await user.should_see(marker='files')
    listed = content(user, 'files')
    assert 'Guia DAS.pdf' in listed and 'Recibo.pdf' in listed and '10/2026' in listed
    assert 'Fiscal/2026-10' in content(user, 'folders')

    await switch(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='files')
    listed = content(user, 'files')
    assert 'Guia DAS.pdf' in listed and 'Fiscal/2026-10' in content(user, 'folders')
    [row] = [r for r in files.search(actor_of(o['login_a'])).rows if r.name == 'Guia DAS.pdf']
    assert f'href="{files.download_url(row.id)}"' in listed
    response = await user.http_client.get(files.download_url(row.id))
    assert response.status_code == 200 and response.headers['content-disposition'].startswith('attachment')


async def test_publishing_to_several_clients_at_once(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open('/arquivos')
    user.find(marker='publish').click()
    await user.should_see(marker='publish-clients')
    await send(user, [up('Tabela INSS.pdf', real_pdf())])
    await user.should_see('Escolha pelo menos um cliente.')  # next to the client picker; nothing stored
    assert doc_count() == 0
    user.find(marker='publish-clients').elements.pop().value = [str(o['alfa'].id), str(o['beta'].id)]
    await send(user, [up('Tabela INSS.pdf', real_pdf())])
    await user.should_see('1 arquivo enviado para 2 clientes; eles foram avisados.')
    for login_user in (o['login_a'], o['login_b']):
        assert [r.name for r in files.search(actor_of(login_user)).rows] == ['Tabela INSS.pdf']


async def test_a_client_upload_reaches_the_inbox_and_the_client_sees_when_it_was_downloaded(user: User) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='uploader')
    user.find(marker='send-note').type('Extratos de outubro')
    await send(user, [up('extrato banco.pdf', real_pdf()), up('nota fiscal.pdf', real_pdf())])
    await user.should_see(marker='files')
    await user.should_see('Ainda não baixado pelo escritório')
    assert 'extrato banco.pdf' in content(user, 'files')

    admin = actor_of(o['admin'])
    page = files.search(admin, client_id=o['alfa'].id, folder=files.INBOX)
    assert page.total == 2 and {r.note for r in page.rows} == {'Extratos de outubro'}
    files.download(admin, page.rows[0].id)  # what the route records
    await user.open('/portal/arquivos?vista=enviados')
    await user.should_see('Baixado pelo escritório em')

    await switch(user, o['admin'])
    await user.open(f'/arquivos?cliente={o["alfa"].id}&pasta=inbox')
    await user.should_see(marker='files')
    listed = content(user, 'files')
    assert 'extrato banco.pdf' in listed and 'nota fiscal.pdf' in listed
    assert 'baixado' in listed and 'novo' in listed
    assert '1 novo' in content(user, 'folders')
    await user.open('/arquivos')  # the landing lists what no one downloaded yet, of every client
    await user.should_see(marker='files')
    assert 'Alfa Padaria Ltda' in content(user, 'files') and content(user, 'files').count('conton-tag wait') == 1


async def test_the_client_uploads_into_a_folder_open_for_uploads(user: User) -> None:
    o = setup()
    admin = actor_of(o['admin'])
    opened = files.create_folder(admin, o['alfa'].id, 'Documentos para o escritório', open_for_uploads=True)
    files.create_folder(admin, o['alfa'].id, 'Folha de pagamento')  # closed: not offered
    await login(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='send-folder')
    select_ = user.find(marker='send-folder').elements.pop()
    assert list(select_.options.values()) == ['Caixa de entrada do escritório', 'Pasta Documentos para o escritório']
    select_.value = str(opened.id)
    user.find(marker='send-competence').type('10/2026')
    await send(user, [up('contrato.pdf', real_pdf())])
    await user.should_see('1 arquivo enviado para Documentos para o escritório. O escritório foi avisado.')
    [row] = files.search(admin, client_id=o['alfa'].id).rows
    assert row.folder_id == opened.id and row.competence == '2026-10' and row.sender_side == 'client'


# --- hostile uploads through the page --------------------------------------------------------------------------------

@pytest.mark.parametrize('name, data, message', [
    ('vazio.pdf', b'', EMPTY),
    ('guia.pdf', HTML, DANGEROUS),
    ('logo.pdf', SVG, DANGEROUS),
], ids=['empty', 'html-as-pdf', 'svg-as-pdf'])
async def test_hostile_client_uploads_are_refused_next_to_the_upload_and_nothing_stored(
        user: User, name: str, data: bytes, message: str) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='uploader')
    await send(user, [up('bom.pdf', real_pdf()), up(name, data)])
    await user.should_see(f'{name}: {message}')
    assert content_error(user, 'send-error') == f'{name}: {message}'
    assert doc_count() == 0 and stored() == []  # the good one of the batch is not kept either


async def test_hostile_office_uploads_are_refused_in_the_publish_dialog(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open(f'/arquivos?cliente={o["alfa"].id}')
    user.find(marker='publish').click()
    await user.should_see(marker='publish-folder')
    await send(user, [up('guia.pdf', HTML)])
    await user.should_see(f'guia.pdf: {DANGEROUS}')
    assert doc_count() == 0 and stored() == []


def content_error(user: User, marker: str) -> str:
    return user.find(marker=marker).elements.pop().text


async def test_names_and_disguised_types_are_neutralised(user: User) -> None:
    o = setup()
    await login(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='uploader')
    long_name = 'a' * 300 + '.pdf'
    zipped = plain_zip({'segredo.txt': b'nada aqui'})
    await send(user, [up('relatório\u202efdp.exe', real_pdf()), up(long_name, real_pdf()),
                      up('planilha.docx', zipped), up('../../etc/passwd.pdf', real_pdf())])
    await user.should_see('4 arquivos enviados')
    rows = {r.name: r for r in files.search(actor_of(o['login_a'])).rows}
    assert 'relatóriofdp.exe' in rows and all('\u202e' not in n for n in rows)
    assert all(len(n) <= 120 for n in rows) and any(n.startswith('aaaa') for n in rows)
    assert all('/' not in n for n in rows)
    [as_zip] = [r for r in rows.values() if r.name.startswith('planilha')]
    assert as_zip.mime == 'application/zip'  # stored as what it is, never unpacked
    response = await user.http_client.get(files.download_url(as_zip.id))
    assert response.headers['content-type'] == 'application/zip' and '.zip' in response.headers['content-disposition']
    listed = content(user, 'files')
    assert '\u202e' not in listed and '<script' not in listed


async def test_past_the_quota_the_whole_batch_is_refused(user: User, monkeypatch) -> None:
    monkeypatch.setenv('CONTON_CLIENT_QUOTA_MB', '1')
    config.reset_settings()
    o = setup()
    await login(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='uploader')
    await send(user, [up(f'parte {n}.pdf', padded_pdf(300 * 1024)) for n in range(4)])
    await user.should_see('Espaço insuficiente')
    assert 'Espaço insuficiente' in content_error(user, 'send-error')
    assert doc_count() == 0 and stored() == []
    assert user.find(marker='usage').elements.pop().text == 'Espaço usado: 0 bytes de 1 MB'


def raw_upload(size: int) -> tuple[bytes, dict]:
    boundary = 'conton-raw'
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="grande.pdf"\r\n'
            f'Content-Type: application/pdf\r\n\r\n').encode() + b'%PDF-1.4\n' + b'0' * size \
        + f'\r\n--{boundary}--\r\n'.encode()
    return body, {'content-type': f'multipart/form-data; boundary={boundary}'}


async def test_a_raw_request_past_what_fits_is_answered_413_before_the_body_is_stored(user: User, monkeypatch) -> None:
    """The page's upload element carries the caps (per file, the batch, the client's free space) that http_guard
    enforces from Content-Length, before the app reads a byte of the body."""
    monkeypatch.setenv('CONTON_FILE_MAX_MB', '1')
    monkeypatch.setenv('CONTON_CLIENT_QUOTA_MB', '2')
    config.reset_settings()
    o = setup()
    await files.upload(actor_of(o['login_a']), [up('antes.pdf', padded_pdf(600 * 1024))])
    await login(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='uploader')
    element = user.find(ui.upload).elements.pop()
    assert element.props['max-file-size'] == element.props['max-total-size'] == 1024 * 1024  # one file's limit
    before = stored()
    body, headers = raw_upload(1024 * 1024 + 100 * 1024)  # past the limit, under the general cap (25 MB)
    response = await user.http_client.post(element.props['url'], content=body, headers=headers)
    assert response.status_code == 413 and response.text == 'Arquivo grande demais: o envio passa do limite de 1 MB.'
    assert doc_count() == 1 and stored() == before
    await files.upload(actor_of(o['login_a']), [up('depois.pdf', padded_pdf(900 * 1024))])
    await user.should_see(marker='files')
    free = 2 * 1024 * 1024 - files.usage(actor_of(o['login_a'])).used
    await wait_until(lambda: element.props['max-total-size'] == free, 'the cap follows the free space, live')
    before = stored()
    body, headers = raw_upload(free + 100 * 1024)  # under one file's limit, past the free space
    response = await user.http_client.post(element.props['url'], content=body, headers=headers)
    assert response.status_code == 413 and response.text.startswith('Arquivo grande demais')
    assert doc_count() == 2 and stored() == before
    tmp = config.get_settings().data_dir / 'tmp'
    assert not tmp.exists() or [p for p in tmp.iterdir() if p.stat().st_size > 1024 * 1024] == []


# --- isolation -------------------------------------------------------------------------------------------------------

async def test_a_client_never_sees_another_clients_folders_files_or_counts(user: User) -> None:
    o = setup()
    admin = actor_of(o['admin'])
    folder_b = files.create_folder(admin, o['beta'].id, 'Segredos da Beta', open_for_uploads=True)
    [file_b] = await files.publish(admin, [up('balanço beta.pdf', real_pdf())], client_ids=[o['beta'].id],
                                   folder_id=folder_b.id)
    [upload_b] = await files.upload(actor_of(o['login_b']), [up('extrato beta.pdf', real_pdf())])
    [file_a] = await files.publish(admin, [up('balanço alfa.pdf', real_pdf())], client_ids=[o['alfa'].id])
    await login(user, o['login_a'])
    for url in ('/portal/arquivos', '/portal/arquivos?vista=enviados', f'/portal/arquivos?pasta={folder_b.id}',
                f'/portal/arquivos?excluir={upload_b.id}', f'/portal/arquivos?excluir={file_b.id}'):
        await user.open(url)
        await user.should_see(marker='files')
        page = ''.join(str(getattr(e, 'content', '')) + str(getattr(e, 'text', ''))
                       for e in user.find(ui.element).elements)
        assert 'Beta' not in page and 'beta' not in page, url
        tabs = content(user, 'portal-files-views')
        assert 'Do escritório (1)' in tabs and 'Meus envios (0)' in tabs
        options = user.find(marker='send-folder').elements.pop().options
        assert str(folder_b.id) not in options
    await user.open(f'/portal/arquivos?pasta={folder_b.id}')
    await user.should_see('Pasta não encontrada.')
    await user.open(f'/portal/arquivos?excluir={upload_b.id}')
    await user.should_see('Arquivo não encontrado.')
    for target in (file_b.id, upload_b.id, uuid.uuid4(), 'x'):
        response = await user.http_client.get(files.download_url(target))
        assert response.status_code == 404 and 'Beta' not in response.text
    assert (await user.http_client.get(files.download_url(file_a.id))).status_code == 200
    # a client upload into B's folder by id is refused as not found, nothing stored
    before = doc_count()
    await user.open('/portal/arquivos')
    await user.should_see(marker='send-folder')
    user.find(marker='send-folder').elements.pop().set_options({str(folder_b.id): 'x'}, value=str(folder_b.id))
    await send(user, [up('invasão.pdf', real_pdf())])
    await user.should_see(marker='send-folder')
    await wait_until(lambda: user.find(marker='uploader').elements, 'uploader')
    await user.should_not_see('1 arquivo enviado')
    assert doc_count() == before
    # the office's pages are not the client's
    for url in ('/arquivos', f'/arquivos?cliente={o["beta"].id}', '/arquivos/integridade'):
        await user.open(url)
        await user.should_see(NO_ACCESS)


async def test_staff_see_only_what_their_permission_allows(user: User) -> None:
    o = setup()
    reader = make_user('staff', permissions={'files': 'read'})
    await login(user, reader)
    await user.open(f'/arquivos?cliente={o["alfa"].id}')
    await user.should_see(marker='folders')
    await user.should_not_see(marker='publish')
    await user.should_not_see(marker='new-folder')
    await user.open('/arquivos/integridade')
    await user.should_see(NO_ACCESS)  # the admin's
    await user.open(f'/arquivos?cliente={uuid.uuid4()}')
    await user.should_see('Cliente não encontrado.')
    await user.open(f'/arquivos?cliente={o["alfa"].id}&arquivo={uuid.uuid4()}')
    await user.should_see('Arquivo não encontrado.')


# --- live ------------------------------------------------------------------------------------------------------------

async def test_the_staff_page_updates_when_the_client_uploads(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open(f'/arquivos?cliente={o["alfa"].id}')
    await user.should_see(marker='files')
    assert 'holerite.pdf' not in content(user, 'files')
    await files.upload(actor_of(o['login_a']), [up('holerite.pdf', real_pdf())])
    await wait_until(lambda: 'holerite.pdf' in content(user, 'files'), 'the upload listed live')
    await user.should_see('Alfa Padaria Ltda enviou um arquivo')  # the drawer's live notification
    assert 'Arquivos' in content(user, 'notifications')


async def test_the_client_page_updates_when_the_office_publishes_or_downloads(user: User) -> None:
    # (a test of its own: after a logout in the simulated user, a live event to the old tab's ended session sends
    # the one simulated browser to /login)
    o = setup()
    await login(user, o['login_a'])
    await user.open('/portal/arquivos')
    await user.should_see(marker='files')
    await files.publish(actor_of(o['admin']), [up('pró-labore.pdf', real_pdf())], client_ids=[o['alfa'].id])
    await wait_until(lambda: 'pró-labore.pdf' in content(user, 'files'), 'the publication listed live')
    await user.should_see('Novo arquivo do escritório')
    await files.upload(actor_of(o['login_a']), [up('holerite.pdf', real_pdf())])
    await user.open('/portal/arquivos?vista=enviados')
    await user.should_see('Ainda não baixado pelo escritório')
    [mine] = files.search(actor_of(o['admin']), client_id=o['alfa'].id, folder=files.INBOX).rows
    files.download(actor_of(o['admin']), mine.id)
    await wait_until(lambda: 'Baixado pelo escritório em' in content(user, 'files'), 'the download shown live')


# --- folders, templates, details, integrity --------------------------------------------------------------------------

async def test_folders_are_created_opened_renamed_and_deleted_from_the_page(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open(f'/arquivos?cliente={o["alfa"].id}')
    user.find(marker='new-folder').click()
    await user.should_see(marker='folder-path')
    user.find(marker='folder-path').type('../Folha')
    user.find(marker='folder-save').click()
    await user.should_see('Nome de pasta inválido')
    user.find(marker='folder-path').clear().type('Folha de pagamento/2026-10')
    user.find(marker='folder-save').click()
    await user.should_see(marker='folder-open')
    [folder] = files.folders(actor_of(o['admin']), o['alfa'].id)
    assert folder.path == 'Folha de pagamento/2026-10' and not folder.open_for_uploads
    user.find(marker='folder-open').click()
    await wait_until(lambda: files.folders(actor_of(o['admin']), o['alfa'].id)[0].open_for_uploads, 'opened')
    user.find(marker='rename-folder').click()
    await user.should_see(marker='folder-path')
    user.find(marker='folder-path').clear().type('Folha/2026-10')
    user.find(marker='folder-save').click()
    await wait_until(lambda: 'Folha/2026-10' in content(user, 'folders'), 'renamed')
    await files.publish(actor_of(o['admin']), [up('folha.pdf', real_pdf())], client_ids=[o['alfa'].id],
                        folder_id=folder.id)
    user.find(marker='delete-folder').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('A pasta não está vazia')
    [row] = files.search(actor_of(o['admin']), client_id=o['alfa'].id).rows
    await user.open(f'/arquivos?cliente={o["alfa"].id}&pasta={folder.id}&arquivo={row.id}')
    await user.should_see(marker='file-details')
    assert row.sha256 in content(user, 'file-details')
    user.find(marker='delete-file').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Arquivo excluído.')
    await wait_until(lambda: files.search(actor_of(o['admin']), client_id=o['alfa'].id).total == 0, 'in the trash')
    user.find(marker='delete-folder').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await wait_until(lambda: files.folders(actor_of(o['admin']), o['alfa'].id) == [], 'the folder deleted')


async def test_a_template_gives_every_client_its_folder(user: User) -> None:
    o = setup()
    await login(user, o['admin'])
    await user.open('/arquivos')
    user.find(marker='templates').click()
    await user.should_see(marker='template-path')
    user.find(marker='template-path').type('Fiscal/{mês}')
    user.find(marker='template-add').click()
    await user.should_see('Use apenas {aaaa-mm} ou {aaaa} no modelo.')
    user.find(marker='template-path').clear().type('Fiscal/{aaaa-mm}')
    user.find(marker='template-add').click()
    await user.should_see('todos os clientes ativos ganharam a pasta')
    for client in (o['alfa'], o['beta']):
        assert [f.path.startswith('Fiscal/20') for f in files.folders(actor_of(o['admin']), client.id)] == [True]
    user.find(marker='template-delete').click()
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Modelo excluído.')
    assert files.templates(actor_of(o['admin'])) == []


async def test_search_filters_and_pages_through_the_url(user: User) -> None:
    o = setup()
    admin = actor_of(o['admin'])
    await files.publish(admin, [up(f'Holerite {n:02d}.pdf', real_pdf()) for n in range(35)], client_ids=[o['alfa'].id])
    await files.publish(admin, [up('Contrato social.pdf', real_pdf())], client_ids=[o['alfa'].id])
    await login(user, o['admin'])
    await user.open(f'/arquivos?cliente={o["alfa"].id}&ordem=nome')
    await user.should_see(marker='files')
    listed = content(user, 'files')
    assert 'Contrato social.pdf' in listed and 'Holerite 28.pdf' in listed and 'Holerite 29.pdf' not in listed
    assert 'pagina=2' in listed  # the pager
    await user.open(f'/arquivos?cliente={o["alfa"].id}&ordem=nome&pagina=2')
    await user.should_see(marker='files')
    assert 'Holerite 34.pdf' in content(user, 'files')
    await user.open(f'/arquivos?cliente={o["alfa"].id}&busca=contrato')
    await user.should_see(marker='files')
    assert 'Contrato social.pdf' in content(user, 'files') and 'Holerite' not in content(user, 'files')
    await user.open(f'/arquivos?cliente={o["alfa"].id}&remetente=client')
    await user.should_see('Nenhum arquivo encontrado com estes filtros.')
    await user.open(f'/arquivos?cliente={o["alfa"].id}&de=31/02/2026')
    await user.should_see('Data inválida em “De”')


async def test_the_integrity_page_shows_the_report_and_runs_the_check(user: User) -> None:
    o = setup()
    [row] = await files.publish(actor_of(o['admin']), [up('guia.pdf', real_pdf())], client_ids=[o['alfa'].id])
    (storage.folder_path(files.FOLDER) / 'sobrando.pdf').write_bytes(b'%PDF-1.4 orphan')
    with unit() as session:
        stored_name = session.get(DocFile, row.id).stored_name
    (storage.folder_path(files.FOLDER) / stored_name).unlink()
    await login(user, o['admin'])
    await user.open('/arquivos/integridade')
    await user.should_see('Nenhuma conferência feita ainda')
    await user.should_not_see(marker='trash-orphans')
    user.find(marker='run-check').click()
    await user.should_see('Conferência concluída.')
    report = content(user, 'integrity-report')
    assert 'Arquivos ausentes (1)' in report and 'guia.pdf' in report and 'Alfa Padaria Ltda' in report
    assert 'Arquivos órfãos (1)' in report and 'sobrando.pdf' in report
    assert 'problemas encontrados' in report
    user.find(marker='trash-orphans').click()
    await user.should_see('Mover os arquivos órfãos para a lixeira?')
    user.find(marker='confirm-yes').click()
    await user.should_see('1 arquivo(s) órfão(s) movido(s) para a lixeira.')
    report = content(user, 'integrity-report')
    assert 'Arquivos órfãos (0)' in report and 'sobrando.pdf' not in report and 'Arquivos ausentes (1)' in report
    assert (storage.trash_path(files.FOLDER) / 'sobrando.pdf').exists()
    assert not (storage.folder_path(files.FOLDER) / 'sobrando.pdf').exists()
    await user.should_not_see(marker='trash-orphans')


async def test_home_badges_count_only_what_is_the_logins(user: User) -> None:
    o = setup()
    admin = actor_of(o['admin'])
    await files.publish(admin, [up('alfa 1.pdf', real_pdf()), up('alfa 2.pdf', real_pdf())], client_ids=[o['alfa'].id])
    await files.publish(admin, [up('beta.pdf', real_pdf())], client_ids=[o['beta'].id])
    await files.upload(actor_of(o['login_b']), [up('extrato beta.pdf', real_pdf())])
    await login(user, o['login_a'])
    await user.should_see(marker='quick-access')
    tiles = content(user, 'quick-access')
    assert 'title="2 novos nos últimos 7 dias"' in tiles  # Beta's file is not counted
    await switch(user, o['admin'])
    await user.should_see(marker='quick-access')
    assert 'title="1 envios de clientes não baixados"' in content(user, 'quick-access')
    [pending] = files.search(admin, not_downloaded=True).rows
    files.download(admin, pending.id)
    await wait_until(lambda: 'envios de clientes não baixados' not in content(user, 'quick-access'), 'badge live')


async def test_the_client_deletes_its_own_upload_only_until_the_office_downloads_it(user: User) -> None:
    o = setup()
    login_a = actor_of(o['login_a'])
    [wrong, kept] = await files.upload(login_a, [up('errado.pdf', real_pdf()), up('certo.pdf', real_pdf())])
    files.download(actor_of(o['admin']), kept.id)
    await login(user, o['login_a'])
    await user.open('/portal/arquivos?vista=enviados')
    await user.should_see(marker='files')
    listed = content(user, 'files')
    assert f'excluir={wrong.id}' in listed and f'excluir={kept.id}' not in listed  # downloaded: no longer its own
    await user.open(f'/portal/arquivos?vista=enviados&excluir={wrong.id}')
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Envio excluído.')
    assert [r.name for r in files.search(actor_of(o['admin']), client_id=o['alfa'].id).rows] == ['certo.pdf']
    await user.open(f'/portal/arquivos?vista=enviados&excluir={kept.id}')
    await user.should_see(marker='confirm-yes')
    user.find(marker='confirm-yes').click()
    await user.should_see('Só é possível excluir os seus envios que o escritório ainda não baixou.')
    assert files.search(actor_of(o['admin']), client_id=o['alfa'].id).total == 1


# --- statements per render -------------------------------------------------------------------------------------------

async def test_folder_pages_render_with_at_most_ten_statements(user: User) -> None:
    """Issue 10 §4: a folder's page, office and portal, in at most 10 SQL statements (the frame's three, then one
    unit for the overview with the staff picker's options, one for the page of files with its total)."""
    from conton import db
    o = setup()
    admin = actor_of(o['admin'])
    folder = files.create_folder(admin, o['alfa'].id, 'Fiscal/2026')
    await files.publish(admin, [up(f'Guia {n}.pdf', real_pdf()) for n in range(3)], client_ids=[o['alfa'].id],
                        folder_id=folder.id)
    await login(user, o['admin'])
    await user.open('/arquivos')
    before = db.query_counter['n']
    await user.open(f'/arquivos?cliente={o["alfa"].id}&pasta={folder.id}')
    await user.should_see(marker='files')
    assert 'Guia 2.pdf' in content(user, 'files')
    assert db.query_counter['n'] - before <= 10
    await switch(user, o['login_a'])
    await user.open('/portal/arquivos')
    before = db.query_counter['n']
    await user.open(f'/portal/arquivos?pasta={folder.id}')
    await user.should_see(marker='files')
    assert 'Guia 2.pdf' in content(user, 'files')
    assert db.query_counter['n'] - before <= 10
