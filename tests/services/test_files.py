"""Arquivos (services/files.py): publishing and client uploads, hostile uploads refused with nothing stored, names
neutralised, quotas, search in two queries, office downloads, deletion to the trash, templates, and the integrity
check (a crash between the rename and the row leaves an orphan it reports)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlmodel import func, select

from conton import clock, config, db
from conton.models import AuditLog, Client, DocFile, DocFolder, Notification, OutboxEmail
from conton.services import channels, files, storage
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from conton.services.filetypes import DANGEROUS, EMPTY
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import ooxml, plain_zip, real_pdf

ROOT = Path(__file__).resolve().parents[2]


def up(name: str, data: bytes, mime: str = 'application/pdf') -> SmallFileUpload:
    return SmallFileUpload(name, mime, data)


def padded_pdf(extra: int) -> bytes:
    """A valid PDF made `extra` bytes larger by a comment before its end marker."""
    pdf = real_pdf()
    end = pdf.rindex(b'%%EOF')
    return pdf[:end] + b'%' + b'x' * (extra - 2) + b'\n' + pdf[end:]


def run(coro):
    return asyncio.run(coro)


def stored_names() -> list[str]:
    """Every entry of the documents folder, temporaries included."""
    folder = storage.folder_path(files.FOLDER)
    return sorted(p.name for p in folder.iterdir())


def count(model, *where) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.fixture
def office():
    make_office()
    admin = make_user('admin')
    client = make_client('Padaria Pão Quente Ltda')
    other = make_client('Oficina do Zé Ltda')
    login = make_user('client', client=client, email='dono@paoquente.test')
    other_login = make_user('client', client=other, email='ze@oficina.test')
    return dict(admin=actor_of(admin), admin_user=admin, client=client, other=other, login=actor_of(login),
                login_user=login, other_login=actor_of(other_login))


# --- sending both ways -----------------------------------------------------------------------------------------------

def test_office_publishes_one_upload_to_several_clients_each_with_its_own_copy(office) -> None:
    pdf = real_pdf()
    rows = run(files.publish(office['admin'], [up('Guia DAS 10-2026.pdf', pdf)],
                             client_ids=[office['client'].id, office['other'].id],
                             folder_path=' Fiscal / 2026-10 ', competence='10/2026', note='Vence dia 20'))
    assert [r.client_name for r in rows] == ['Padaria Pão Quente Ltda', 'Oficina do Zé Ltda']
    assert {r.folder_path for r in rows} == {'Fiscal/2026-10'} and {r.competence for r in rows} == {'2026-10'}
    assert rows[0].mime == 'application/pdf' and rows[0].size == len(pdf) and rows[0].sender_side == 'office'
    with unit() as session:
        docs = session.exec(select(DocFile)).all()
        assert len({d.stored_name for d in docs}) == 2  # one stored file per client (hard links of one upload)
        names = session.exec(select(Notification.title).join(Client, Client.id == office['client'].id)
                             .where(Notification.user_id == office['login_user'].id)).all()
    assert names == ['Novo arquivo do escritório']
    assert [p for p in stored_names() if p.startswith('.')] == []
    for name in {d.stored_name for d in docs}:
        assert storage.sha256_of(files.FOLDER, name) == (len(pdf), rows[0].sha256)
    # the client sees its copy only
    assert [r.id for r in files.search(office['login']).rows] == [rows[0].id]


def test_client_upload_goes_to_the_inbox_and_tells_the_responsible_as_each_chose(office) -> None:
    admin = office['admin']
    staff = make_user('staff', permissions={'files': 'write'})
    bystander = make_user('staff', permissions={'files': 'read'})
    rows = run(files.upload(office['login'], [up('extrato.pdf', real_pdf())], note='Extrato de outubro'))
    assert rows[0].in_inbox and rows[0].sender_side == 'client' and rows[0].office_downloaded_at is None
    with unit() as session:
        told = set(session.exec(select(Notification.user_id).where(Notification.category == 'arquivos')).all())
    assert told == {office['admin_user'].id, staff.id, bystander.id}  # no responsible: every staff with Arquivos

    files.set_client_responsible(admin, office['client'].id, staff.id)
    channels.set_preference(actor_of(staff), 'arquivos', 'drawer')
    before = count(OutboxEmail)
    run(files.upload(office['login'], [up('nota.pdf', real_pdf())]))
    with unit() as session:
        latest = session.exec(select(Notification.user_id).where(Notification.title.like('%enviou um arquivo'))).all()
    assert latest.count(staff.id) == 2 and latest.count(bystander.id) == 1  # only the responsible this time
    assert count(OutboxEmail) == before  # he chose the drawer only
    channels.set_preference(actor_of(staff), 'arquivos', 'both')
    run(files.upload(office['login'], [up('nota2.pdf', real_pdf())]))
    with unit() as session:
        sent = session.exec(select(OutboxEmail.to_addr).order_by(OutboxEmail.created_at)).all()
    assert sent[before:] == [staff.email]


def test_client_uploads_only_into_folders_open_for_uploads(office) -> None:
    closed = files.create_folder(office['admin'], office['client'].id, 'Folha de pagamento/2026-10')
    opened = files.create_folder(office['admin'], office['client'].id, 'Documentos para o escritório',
                                 open_for_uploads=True)
    with pytest.raises(ValidationError, match='não recebe envios'):
        run(files.upload(office['login'], [up('a.pdf', real_pdf())], folder_id=closed.id))
    [row] = run(files.upload(office['login'], [up('a.pdf', real_pdf())], folder_id=opened.id))
    assert row.folder_path == 'Documentos para o escritório' and not row.in_inbox
    assert count(DocFile) == 1


# --- hostile uploads -------------------------------------------------------------------------------------------------

HTML = b'<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>'
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'
EXE = b'MZ\x90\x00\x03\x00\x00\x00' + b'\x00' * 56 + b'PE\x00\x00' + b'\x00' * 200


@pytest.mark.parametrize('name, data, message', [
    ('vazio.pdf', b'', EMPTY),
    ('guia.pdf', HTML, DANGEROUS),
    ('logo.pdf', SVG, DANGEROUS),
    ('nota.pdf', EXE, DANGEROUS),
    ('polyglot.pdf', b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n<html><script>alert(1)</script></html>\n%%EOF\n', DANGEROUS),
], ids=['empty', 'html-as-pdf', 'svg-as-pdf', 'exe-as-pdf', 'polyglot'])
@pytest.mark.parametrize('side', ['office', 'client'])
def test_hostile_uploads_are_refused_with_a_clear_message_and_nothing_stored(office, side, name, data,
                                                                           message) -> None:
    with pytest.raises(ValidationError) as caught:
        if side == 'office':
            run(files.publish(office['admin'], [up(name, data)], client_ids=[office['client'].id]))
        else:
            run(files.upload(office['login'], [up(name, data)]))
    assert caught.value.errors['file'] == f'{name}: {message}'
    assert count(DocFile) == 0 and stored_names() == []  # no row, no file, no temporary


def test_a_file_past_the_limit_is_refused_as_soon_as_it_passes_it(office, monkeypatch) -> None:
    monkeypatch.setenv('CONTON_FILE_MAX_MB', '1')
    config.reset_settings()
    read: list[int] = []

    class Endless(SmallFileUpload):
        def size(self) -> int:
            return 0  # a client that does not say: the running count refuses it

        def iterate(self, *, chunk_size: int = 256 * 1024):
            async def chunks():
                for n in range(100):
                    read.append(n)
                    yield b'%PDF-1.4\n' + b'0' * (chunk_size - 9) if n == 0 else b'0' * chunk_size
            return chunks()

    with pytest.raises(ValidationError, match='Arquivo grande demais: o limite é 1 MB por arquivo'):
        run(files.upload(office['login'], [Endless('grande.pdf', 'application/pdf', b'')]))
    assert len(read) == 5  # 4 × 256 KiB fit, the fifth chunk passes 1 MB: not one chunk more is read
    with pytest.raises(ValidationError, match='limite é 1 MB'):  # a declared size is refused before any byte
        run(files.upload(office['login'], [up('grande.pdf', b'%PDF-1.4\n' + b'0' * (1024 * 1024))]))
    assert count(DocFile) == 0 and stored_names() == []


def test_past_the_quota_one_or_many_at_once_is_refused_whole(office, monkeypatch) -> None:
    monkeypatch.setenv('CONTON_CLIENT_QUOTA_MB', '1')
    config.reset_settings()
    half = padded_pdf(600 * 1024)
    run(files.upload(office['login'], [up('primeiro.pdf', half)]))
    with pytest.raises(ValidationError, match=r'Espaço insuficiente: os seus arquivos ocupam 60\d,\d KB de 1 MB, '
                                              r'e este envio precisa de'):
        run(files.upload(office['login'], [up('segundo.pdf', half)]))
    with pytest.raises(ValidationError, match='Espaço insuficiente'):  # each fits alone, not all together
        run(files.upload(office['login'], [up(f'parte {n}.pdf', padded_pdf(100 * 1024)) for n in range(5)]))
    assert count(DocFile) == 1 and len(stored_names()) == 1
    assert files.usage(office['login']).used == len(half)


def test_the_quota_is_checked_again_when_the_rows_are_written(office, monkeypatch) -> None:
    """Two uploads of one client racing: the second finds the first's rows in the locked transaction."""
    monkeypatch.setenv('CONTON_CLIENT_QUOTA_MB', '1')
    config.reset_settings()
    body = padded_pdf(600 * 1024)
    original = files._precheck_client_upload
    monkeypatch.setattr(files, '_precheck_client_upload', lambda *a: None)  # both passed the early check
    run(files.upload(office['login'], [up('a.pdf', body)]))
    with pytest.raises(ValidationError, match='Espaço insuficiente'):
        run(files.upload(office['login'], [up('b.pdf', body)]))
    monkeypatch.setattr(files, '_precheck_client_upload', original)
    assert count(DocFile) == 1 and len(stored_names()) == 1


@pytest.mark.parametrize('sent, kept', [
    ('../../etc/passwd.pdf', 'passwd.pdf'),
    ('/var/lib/conton/secret.pdf', 'secret.pdf'),
    ('C:\\Users\\ana\\guia.pdf', 'guia.pdf'),
    ('fatura\u202efdp.exe', 'faturafdp.exe.pdf'),  # right-to-left override removed; the type's extension added
    ('a' * 300 + '.pdf', 'a' * 116 + '.pdf'),
])
def test_names_are_neutralised_and_never_used_as_paths(office, sent, kept) -> None:
    [row] = run(files.upload(office['login'], [up(sent, real_pdf())]))
    download = files.download(office['admin'], row.id)
    assert download.name == kept and len(row.name) <= 120
    assert download.path.parent == storage.folder_path(files.FOLDER) and download.path.name not in sent
    assert os.listdir(storage.folder_path(files.FOLDER)) == [download.path.name]


def test_a_zip_renamed_docx_is_stored_as_a_zip_and_downloads_as_one(office) -> None:
    [row] = run(files.upload(office['login'], [up('contrato.docx', plain_zip({'a.txt': b'oi'}))]))
    assert row.mime == 'application/zip' and files.download(office['admin'], row.id).name == 'contrato.docx.zip'
    [real] = run(files.upload(office['login'], [up('contrato.docx', ooxml('docx'))]))
    assert real.type_label == 'Documento Word' and files.download(office['admin'], real.id).name == 'contrato.docx'


# --- isolation -------------------------------------------------------------------------------------------------------

def test_a_client_login_gets_not_found_for_everything_of_another_client(office) -> None:
    admin, a, b = office['admin'], office['login'], office['other_login']
    folder_b = files.create_folder(admin, office['other'].id, 'Fiscal', open_for_uploads=True)
    [published_b] = run(files.publish(admin, [up('guia.pdf', real_pdf())], client_ids=[office['other'].id],
                                      folder_id=folder_b.id))
    [inbox_b] = run(files.upload(b, [up('extrato.pdf', real_pdf())]))
    for file_id in (published_b.id, inbox_b.id):
        for call in (lambda: files.get(a, file_id), lambda: files.download(a, file_id),
                     lambda: files.delete(a, [file_id])):
            with pytest.raises(NotFound):
                call()
    with pytest.raises(NotFound):
        files.get_folder(a, folder_b.id)
    with pytest.raises(NotFound):
        run(files.upload(a, [up('x.pdf', real_pdf())], folder_id=folder_b.id))
    assert files.folders(a, office['other'].id) == []  # its own (none), whatever id it names
    for folder in (None, files.INBOX, folder_b.id):
        assert files.search(a, client_id=office['other'].id, folder=folder).total == 0
    assert files.usage(a, office['other'].id).used == 0
    with pytest.raises(NotFound):
        files.get(a, 'not-a-uuid')
    for staff_only in (lambda: files.create_folder(a, office['client'].id, 'X'), lambda: files.templates(a),
                       lambda: files.mark_downloaded(a, [inbox_b.id]),
                       lambda: run(files.publish(a, [up('x.pdf', real_pdf())], client_ids=[office['client'].id]))):
        with pytest.raises(PermissionDenied):
            staff_only()
    assert count(DocFile) == 2


def test_staff_without_the_files_tool_is_refused(office) -> None:
    nobody = actor_of(make_user('staff', permissions={'clients': 'write'}))
    reader = actor_of(make_user('staff', permissions={'files': 'read'}))
    [row] = run(files.upload(office['login'], [up('a.pdf', real_pdf())]))
    for call in (lambda: files.search(nobody), lambda: files.download(nobody, row.id)):
        with pytest.raises(PermissionDenied):
            call()
    assert files.search(reader).total == 1
    with pytest.raises(PermissionDenied):
        files.delete(reader, [row.id])
    with pytest.raises(PermissionDenied):
        run(files.upload(reader, [up('a.pdf', real_pdf())]))



def test_request_attachments_stay_out_of_arquivos_and_internal_ones_never_reach_a_client(office) -> None:
    """DocFile.origin: 'request' (a visible request message's attachment) the client may open but Arquivos does not
    list; 'internal' (an internal note's) a client login gets NotFound for by every entry; staff with Solicitações
    but not Arquivos open attachments only."""
    admin, login, cid = office['admin'], office['login'], office['client'].id
    [plain] = run(files.publish(admin, [up('guia.pdf', real_pdf())], client_ids=[cid]))
    [visible] = run(files.publish(admin, [up('resposta.pdf', real_pdf())], client_ids=[cid]))
    [internal] = run(files.publish(admin, [up('nota interna.pdf', real_pdf())], client_ids=[cid]))
    with unit() as session:
        session.get(DocFile, visible.id).origin = 'request'
        session.get(DocFile, internal.id).origin = 'internal'
    for actor in (admin, login):
        assert [r.id for r in files.search(actor, client_id=cid).rows] == [plain.id]
        assert files.search(actor, text='nota').total == 0
    assert files.get(login, visible.id).name == 'resposta.pdf'
    assert files.download(login, visible.id).name == 'resposta.pdf'
    for call in (lambda: files.get(login, internal.id), lambda: files.download(login, internal.id)):
        with pytest.raises(NotFound):
            call()
    assert files.download(admin, internal.id).name == 'nota interna.pdf'
    requests_only = actor_of(make_user('staff', permissions={'requests': 'read'}))
    assert files.download(requests_only, internal.id).name == 'nota interna.pdf'
    assert files.get(requests_only, visible.id).name == 'resposta.pdf'
    with pytest.raises(NotFound):
        files.download(requests_only, plain.id)
    with pytest.raises(PermissionDenied):
        files.search(requests_only)
    for file_id in (visible.id, internal.id):  # removed with their request, never through Arquivos
        with pytest.raises(NotFound):
            files.delete(admin, [file_id])
    assert count(DocFile, DocFile.deleted_at.is_(None)) == 3

# --- lists, downloads, deletion ------------------------------------------------------------------------------------

def test_search_filters_sorts_and_pages_in_two_queries(office) -> None:
    admin, cid = office['admin'], office['client'].id
    names = ['Folha Outubro.pdf', 'Guia DAS.pdf', 'Contrato Social.pdf', 'Relatório Ação.pdf']
    for n, name in enumerate(names):
        clock.set_now(clock.now().replace(microsecond=0).replace(second=n))
        run(files.publish(admin, [up(name, padded_pdf((n + 1) * 100))], client_ids=[cid],
                          competence='10/2026' if n % 2 else ''))
    clock.set_now(None)
    run(files.upload(office['login'], [up('Extrato.pdf', real_pdf())]))
    assert files.search(admin, client_id=cid, text='relatorio acao').rows[0].name == 'Relatório Ação.pdf'
    assert [r.name for r in files.search(admin, client_id=cid, sort='nome').rows][:2] == ['Contrato Social.pdf',
                                                                                        'Extrato.pdf']
    assert {r.name for r in files.search(admin, client_id=cid, competence='2026-10').rows} == {'Guia DAS.pdf',
                                                                                             'Relatório Ação.pdf'}
    assert [r.name for r in files.search(admin, folder=files.INBOX).rows] == ['Extrato.pdf']
    assert [r.name for r in files.search(admin, sender='client', not_downloaded=True).rows] == ['Extrato.pdf']
    assert files.search(admin, client_id=cid, text='50%_').total == 0  # LIKE wildcards are literal
    before = db.query_counter['n']
    page = files.search(admin, client_id=cid, sort='tamanho', page=2, per_page=2)
    assert db.query_counter['n'] - before <= 1 + 2  # the login's re-check, the page of ids with the total, the rows
    assert page.total == 5 and page.pages == 3 and [r.name for r in page.rows] == ['Guia DAS.pdf', 'Folha Outubro.pdf']


def test_the_office_first_download_is_recorded_once_and_the_client_sees_it(office) -> None:
    [row] = run(files.upload(office['login'], [up('extrato.pdf', real_pdf())]))
    staff = actor_of(make_user('staff', permissions={'files': 'read'}))
    clock.set_now(clock.now())
    first = clock.now()
    files.download(staff, row.id)
    clock.set_now(first.replace(year=first.year + 1))
    files.download(office['admin'], row.id)
    files.download(office['login'], row.id)  # the client's own download records nothing here
    assert files.get(office['login'], row.id).office_downloaded_at == first
    with pytest.raises(ValidationError, match='ainda não baixou'):
        files.delete(office['login'], [row.id])


def test_deleting_moves_to_the_trash_and_hides_the_file(office) -> None:
    [mine] = run(files.upload(office['login'], [up('errado.pdf', real_pdf())]))
    [other] = run(files.upload(office['login'], [up('certo.pdf', real_pdf())]))
    with unit() as session:
        stored = session.get(DocFile, mine.id).stored_name
    assert files.delete(office['login'], [mine.id]) == 1
    assert not (storage.folder_path(files.FOLDER) / stored).exists()
    assert (storage.trash_path(files.FOLDER) / stored).exists()
    assert [r.id for r in files.search(office['admin']).rows] == [other.id]
    for call in (lambda: files.get(office['admin'], mine.id), lambda: files.download(office['login'], mine.id)):
        with pytest.raises(NotFound):
            call()
    assert files.integrity_check().ok


# --- folders and templates -----------------------------------------------------------------------------------------

def test_folder_paths_are_cleaned_and_unsafe_ones_refused(office) -> None:
    assert files.clean_path('  Folha de pagamento //  2026-10 ') == 'Folha de pagamento/2026-10'
    assert files.clean_path('Fiscal\u202e/x') == 'Fiscal/x'
    for bad in ('', '  / ', '../segredo', 'a/../b', 'a:b', 'x' * 201, 'Fiscal/{aaaa-mm}'):
        with pytest.raises(ValidationError):
            files.clean_path(bad)
    assert files.clean_path('Fiscal/{aaaa-mm}', template=True) == 'Fiscal/{aaaa-mm}'
    with pytest.raises(ValidationError):
        files.clean_path('Fiscal/{mes}', template=True)
    files.create_folder(office['admin'], office['client'].id, 'Fiscal')
    with pytest.raises(ValidationError, match='já tem uma pasta'):
        files.create_folder(office['admin'], office['client'].id, ' Fiscal ')


def test_templates_give_every_active_client_its_folders_month_after_month(office) -> None:
    from datetime import datetime, timezone
    clock.set_now(datetime(2026, 10, 15, 15, 0, tzinfo=timezone.utc))
    make_client('Inativa Ltda', active=False)
    files.create_template(office['admin'], 'Fiscal/{aaaa-mm}', open_for_uploads=True)
    assert [f.path for f in files.folders(office['admin'], office['client'].id)] == ['Fiscal/2026-10']
    assert files.apply_templates() == 0  # idempotent
    clock.set_now(datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc))
    assert files.apply_templates() == 2  # the two active clients
    assert [f.path for f in files.folders(office['login'])] == ['Fiscal/2026-10', 'Fiscal/2026-11']
    assert all(f.open_for_uploads for f in files.folders(office['login']))
    assert count(DocFolder) == 4


# --- integrity -----------------------------------------------------------------------------------------------------

CRASH = """
import asyncio, os, sys
from nicegui.elements.upload_files import SmallFileUpload
from conton.services import files, storage, auth
from conton.services.base import unit
from conton.models import User
from sqlmodel import select
put = storage.LocalDisk.put
def put_then_die(self, tmp, folder, name):
    put(self, tmp, folder, name)
    os._exit(9)  # the process dies between the rename and the row's commit
storage.LocalDisk.put = put_then_die
with unit() as session:
    login = session.exec(select(User).where(User.email == sys.argv[1])).one()
    actor = auth.to_actor(login)
asyncio.run(files.upload(actor, [SmallFileUpload('extrato.pdf', 'application/pdf', open(sys.argv[2], 'rb').read())]))
"""


def test_a_crash_between_the_rename_and_the_row_leaves_an_orphan_the_check_reports(office, tmp_path) -> None:
    [kept] = run(files.upload(office['login'], [up('bom.pdf', real_pdf())]))
    sample = tmp_path / 'sample.pdf'
    sample.write_bytes(padded_pdf(1000))
    env = {**os.environ, 'CONTON_DATA_DIR': os.environ['CONTON_DATA_DIR'],
           'CONTON_DATABASE_URL': config.get_settings().db_url}
    env.pop('PYTEST_CURRENT_TEST', None)
    result = subprocess.run([sys.executable, '-c', CRASH, office['login_user'].email, str(sample)], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 9, result.stderr
    assert count(DocFile) == 1 and len(stored_names()) == 2  # no row, one more file
    report = files.integrity_check()
    assert report.files_checked == 1 and report.missing == [] and report.damaged == []
    assert [o['size'] for o in report.orphans] == [sample.stat().st_size]
    assert files.integrity_report(office['admin']).orphans == report.orphans
    with pytest.raises(PermissionDenied):
        files.integrity_report(office['login'])
    assert files.get(office['admin'], kept.id).name == 'bom.pdf'


def test_the_admin_moves_the_reported_orphans_to_the_trash_and_files_with_a_live_row_stay(office) -> None:
    kept, gone = run(files.upload(office['login'], [up('bom.pdf', real_pdf()), up('apagado.pdf', padded_pdf(5))]))
    with unit() as session:
        stored = {d.id: d.stored_name for d in session.exec(select(DocFile)).all()}
    folder = storage.folder_path(files.FOLDER)
    (folder / 'sobrando.pdf').write_bytes(b'%PDF-1.4 orphan')
    with unit() as session:  # a deletion whose commit landed but whose file was not moved yet (a crash)
        session.get(DocFile, gone.id).deleted_at = clock.now()
    assert files.trash_orphans(office['admin']) == 0  # no report yet: nothing is moved
    report = files.integrity_check()
    assert sorted(o['stored'] for o in report.orphans) == sorted(['sobrando.pdf', stored[gone.id]])
    staff = actor_of(make_user('staff', permissions={files.TOOL: 'write'}))
    for not_admin in (office['login'], staff):
        with pytest.raises(PermissionDenied):
            files.trash_orphans(not_admin)
    assert (folder / 'sobrando.pdf').exists()
    assert files.trash_orphans(office['admin']) == 2
    assert sorted(stored_names()) == [stored[kept.id]]
    trash = storage.trash_path(files.FOLDER)
    assert (trash / 'sobrando.pdf').read_bytes() == b'%PDF-1.4 orphan' and (trash / stored[gone.id]).exists()
    assert files.integrity_report(office['admin']).orphans == [] and files.integrity_check().ok
    assert files.get(office['admin'], kept.id).name == 'bom.pdf'
    with unit() as session:
        [entry] = session.exec(select(AuditLog).where(AuditLog.entity == 'orphan-files')).all()
    assert entry.user_id == office['admin'].user_id and 'sobrando.pdf' in entry.detail


def test_an_orphan_whose_row_appears_before_the_click_is_kept(office) -> None:
    [doc] = run(files.upload(office['login'], [up('bom.pdf', real_pdf())]))
    with unit() as session:
        row = session.get(DocFile, doc.id)
        name, row.deleted_at = row.stored_name, clock.now()
    files.integrity_check()  # the row was in the trash when the folder was read: its file was reported an orphan
    with unit() as session:
        session.get(DocFile, doc.id).deleted_at = None  # ... and it is live again by the time the admin clicks
    assert files.trash_orphans(office['admin']) == 0 and name in stored_names()
    assert [o['stored'] for o in files.integrity_report(office['admin']).orphans] == [name]


def test_the_check_reports_missing_and_damaged_files_and_removes_old_temporaries(office) -> None:
    from datetime import timedelta
    a, b = run(files.upload(office['login'], [up('a.pdf', real_pdf()), up('b.pdf', padded_pdf(10))]))
    with unit() as session:
        stored = {d.id: d.stored_name for d in session.exec(select(DocFile)).all()}
    folder = storage.folder_path(files.FOLDER)
    (folder / stored[a.id]).unlink()
    with open(folder / stored[b.id], 'r+b') as f:  # same size, one byte changed
        f.seek(3)
        f.write(b'X')
    temp = folder / f'{storage.TEMP_PREFIX}abandoned'
    temp.write_bytes(b'half an upload')
    fresh = files.integrity_check()
    assert [m['id'] for m in fresh.missing] == [str(a.id)] and [d['id'] for d in fresh.damaged] == [str(b.id)]
    assert fresh.orphans == [] and fresh.temporary == [] and temp.exists()  # a temporary may be an upload under way
    clock.set_now(clock.now() + files.TEMP_GRACE + timedelta(minutes=1))
    assert files.integrity_check().temporary == [{'stored': temp.name}] and not temp.exists()
