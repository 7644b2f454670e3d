"""Pedidos de documentos (services/docrequests.py): asking, answering with files or "nada a enviar", review, the monthly
generation (exactly once per rule and competência: job run twice, two threads at once, across a restart), the
reminders (every N days, at most M, at the office's time; they stop the moment the client answers, staff close it
or the client becomes inactive), bad input with nothing half-saved, and isolation between clients."""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta, timezone

import pytest
from nicegui.elements.upload_files import SmallFileUpload
from sqlmodel import func, select

from conton import clock, config, db
from conton.models import (Client, DocFile, DocFolder, DocRequest, DocRequestFile, DocRequestRule, Notification,
                           OutboxEmail, ReminderSent, User)
from conton.services import channels, docrequests, files, office_settings, reminders, storage
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf

TZ_OFFSET = 3  # America/Sao_Paulo is UTC-3 (no daylight saving)


def utc(day: int, hour: int = 12, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """Office-local `day/month hour:minute` as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc) + timedelta(hours=TZ_OFFSET)


def up(name: str = 'extrato.pdf', data: bytes | None = None) -> SmallFileUpload:
    return SmallFileUpload(name, 'application/pdf', data if data is not None else real_pdf())


def run(coro):
    return asyncio.run(coro)


def count(model, *where) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def notes_of(user: User, category: str = 'documentos') -> list[Notification]:
    with unit() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id,
                                                            Notification.category == category)
                                 .order_by(Notification.created_at, Notification.title)).all())


def mails_to(address: str) -> list[OutboxEmail]:
    with unit() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.to_addr == address)
                                 .order_by(OutboxEmail.created_at)).all())


def stored_names() -> list[str]:
    folder = storage.folder_path(files.FOLDER)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def restart() -> None:
    db.reset_engine()
    reminders.reset()


@pytest.fixture
def office():
    make_office()
    clock.set_now(utc(2, 10))  # Monday 02/11/2026 10:00 in the office
    admin = make_user('admin', email='dona@escritorio.test')
    staff = make_user('staff', email='ana@escritorio.test', permissions={'docrequests': 'write'})
    reader = make_user('staff', permissions={'docrequests': 'read'})
    client = make_client('Padaria Pão Quente Ltda')
    other = make_client('Oficina do Zé Ltda')
    login = make_user('client', client=client, email='dono@paoquente.test')
    login2 = make_user('client', client=client, email='socia@paoquente.test')
    other_login = make_user('client', client=other, email='ze@oficina.test')
    return dict(admin=actor_of(admin), admin_user=admin, staff=actor_of(staff), reader=actor_of(reader),
                client=client, other=other, login=actor_of(login), login_user=login, login2=actor_of(login2),
                login2_user=login2,
                other_login=actor_of(other_login), other_user=other_login)


def ask(office, client=None, title='Extrato bancário 10/2026', due='06/11/2026', **kw) -> docrequests.DocRequestRow:
    return docrequests.create_now(office['staff'], client_id=(client or office['client']).id, title=title,
                                  due_date=due, **kw)


# --- asking -----------------------------------------------------------------------------------------------------------

def test_staff_asks_a_client_who_is_told_in_the_drawer_and_by_email(office) -> None:
    row = ask(office, description='Todas as contas, em PDF.')
    assert (row.status, row.due_date, row.client_name, row.overdue) == ('pendente', date(2026, 11, 6),
                                                                        'Padaria Pão Quente Ltda', False)
    assert (row.remind_every_days, row.remind_max) == (3, 3)  # the office defaults
    assert row.created_by_name and not row.generated
    for user in (office['login_user'], office['login2_user']):
        notes = notes_of(user)
        assert [n.title for n in notes] == ['Novo pedido de documentos: Extrato bancário 10/2026']
        assert notes[0].link == f'/portal/documentos?pedido={row.id}' and '06/11/2026' in notes[0].body
    mails = mails_to('dono@paoquente.test')
    assert [m.subject for m in mails] == ['Novo pedido de documentos: Extrato bancário 10/2026']
    assert f'http://conton.test/portal/documentos?pedido={row.id}' in mails[0].text
    assert notes_of(office['other_user']) == [] and mails_to('ze@oficina.test') == []


def test_a_login_that_chose_the_drawer_only_gets_no_email(office) -> None:
    channels.set_preference(office['login'], 'documentos', 'drawer')
    ask(office)
    assert len(notes_of(office['login_user'])) == 1
    assert mails_to('dono@paoquente.test') == [] and len(mails_to('socia@paoquente.test')) == 1


@pytest.mark.parametrize('fields, errors', [
    (dict(title='  '), {'title': 'Informe o título do pedido.'}),
    (dict(due='01/11/2026'), {'due_date': 'O prazo não pode ser uma data passada.'}),
    (dict(due='31/02/2026'), {'due_date': 'Data inválida. Use dd/mm/aaaa.'}),
    (dict(due=''), {'due_date': 'Informe o prazo.'}),
    (dict(title='x' * 201, remind_every_days='0', remind_max='abc'),
     {'title': 'Máximo de 200 caracteres.', 'remind_every_days': 'Informe um número de 1 a 30.',
      'remind_max': 'Informe um número inteiro de 0 a 20.'}),
    (dict(description='linha\x00oculta'), {'description': 'O texto tem caracteres de controle (invisíveis), que não '
                                                          'são aceitos.'}),
])
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(office, fields, errors) -> None:
    fields = dict(fields)  # the parameter is shared by both backends' runs
    args = dict(title=fields.pop('title', 'Extrato'), due=fields.pop('due', '06/11/2026'), **fields)
    with pytest.raises(ValidationError) as e:
        ask(office, **args)
    assert e.value.errors == errors
    assert count(DocRequest) == 0 and count(Notification) == 0 and count(OutboxEmail) == 0


def test_an_inactive_or_unknown_client_cannot_be_asked(office) -> None:
    inactive = make_client('Fechada Ltda', active=False)
    with pytest.raises(ValidationError) as e:
        ask(office, client=inactive)
    assert e.value.errors == {'client_id': 'O cliente Fechada Ltda está inativo.'}
    for bad in ('', 'não-é-um-id', '00000000-0000-0000-0000-000000000000'):
        with pytest.raises(ValidationError) as e:
            docrequests.create_now(office['staff'], client_id=bad, title='X', due_date='06/11/2026')
        assert set(e.value.errors) == {'client_id'}
    assert count(DocRequest) == 0


def test_only_staff_with_write_may_ask_and_clients_never(office) -> None:
    for actor in (office['reader'], office['login']):
        with pytest.raises(PermissionDenied):
            ask(office | {'staff': actor})
    nobody = actor_of(make_user('staff', permissions={'files': 'write'}))
    with pytest.raises(PermissionDenied):
        docrequests.search(nobody)
    assert count(DocRequest) == 0


def test_a_template_file_goes_to_the_clients_arquivos_and_a_bad_one_stores_nothing(office, monkeypatch) -> None:
    row = run(docrequests.create(office['staff'], client_id=office['client'].id, title='Planilha de vendas',
                                 due_date='10/11/2026', uploads=[up('modelo vendas.pdf')]))
    assert row.template_name == 'modelo vendas.pdf' and row.template_file_id is not None
    with unit() as session:
        doc = session.get(DocFile, row.template_file_id)
        folder = session.get(DocFolder, doc.folder_id)
        assert (doc.client_id, doc.sender_side, doc.origin, folder.path) == (office['client'].id, 'office', '',
                                                                               'Pedidos de documentos')
    before = stored_names()
    with pytest.raises(ValidationError) as e:
        run(docrequests.create(office['staff'], client_id=office['client'].id, title='Outro', due_date='10/11/2026',
                               uploads=[SmallFileUpload('virus.exe', 'application/octet-stream', b'MZ' + b'\0' * 64)]))
    assert set(e.value.errors) == {'template'}
    monkeypatch.setenv('CONTON_FILE_MAX_MB', '1')
    config.reset_settings()
    with pytest.raises(ValidationError) as e:  # valid template, but the client is inactive: the file goes too
        with unit() as session:
            session.get(Client, office['other'].id).active = False
        run(docrequests.create(office['staff'], client_id=office['other'].id, title='Outro', due_date='10/11/2026',
                               uploads=[up('modelo.pdf')]))
    assert set(e.value.errors) == {'client_id'}
    assert stored_names() == before and count(DocRequest) == 1 and count(DocFile) == 1


# --- answering --------------------------------------------------------------------------------------------------------

def test_the_client_answers_with_files_into_arquivos_and_the_office_is_told(office) -> None:
    row = ask(office)
    answered = run(docrequests.answer_files(office['login'], row.id, [up('extrato outubro.pdf'), up('cartao.pdf')],
                                            'Seguem os dois bancos.'))
    assert (answered.status, answered.file_count, answered.answer_comment) == ('respondido', 2,
                                                                               'Seguem os dois bancos.')
    detail = docrequests.get(office['staff'], row.id)
    assert sorted(f.name for f in detail.files) == ['cartao.pdf', 'extrato outubro.pdf']
    with unit() as session:
        docs = session.exec(select(DocFile).join(DocRequestFile, DocRequestFile.file_id == DocFile.id)
                            .where(DocRequestFile.request_id == row.id)).all()
        assert {(d.client_id, d.folder_id, d.sender_side, d.origin) for d in docs} == {
            (office['client'].id, None, 'client', '')}  # the office's inbox of that client, listed in Arquivos
    inbox = files.search(office['admin'], client_id=office['client'].id, folder=files.INBOX)
    assert sorted(f.name for f in inbox.rows) == ['cartao.pdf', 'extrato outubro.pdf']
    staff_notes = [n.title for n in notes_of(office['admin_user'])]
    assert staff_notes == ['Padaria Pão Quente Ltda respondeu: Extrato bancário 10/2026']
    # more files may follow until the office reviews it
    again = run(docrequests.answer_files(office['login'], row.id, [up('poupanca.pdf')]))
    assert again.file_count == 3 and again.answer_comment == 'Seguem os dois bancos.'


def test_nada_a_enviar_with_a_comment_and_no_second_answer(office) -> None:
    row = ask(office)
    done = docrequests.answer_nothing(office['login'], row.id, 'Sem movimento em outubro.')
    assert (done.status, done.answer_comment, done.status_label) == ('nada', 'Sem movimento em outubro.',
                                                                     'Nada a enviar')
    with pytest.raises(ValidationError) as e:
        docrequests.answer_nothing(office['login'], row.id)
    assert 'já foi respondido' in str(e.value)
    with pytest.raises(ValidationError):
        docrequests.answer_nothing(office['login'], row.id, 'x' * 1001)


def test_a_refused_answer_file_stores_nothing_and_leaves_the_request_waiting(office, monkeypatch) -> None:
    row = ask(office)
    monkeypatch.setenv('CONTON_FILE_MAX_MB', '1')
    config.reset_settings()
    big = real_pdf()
    end = big.rindex(b'%%EOF')
    big = big[:end] + b'%' + b'x' * (1024 * 1024) + b'\n' + big[end:]
    with pytest.raises(ValidationError) as e:
        run(docrequests.answer_files(office['login'], row.id, [up('ok.pdf'), up('grande.pdf', big)]))
    assert 'grande.pdf' in e.value.errors['file']
    with pytest.raises(ValidationError):
        run(docrequests.answer_files(office['login'], row.id, [SmallFileUpload('a.exe', 'x', b'MZ' + b'\0' * 99)]))
    with pytest.raises(ValidationError):
        run(docrequests.answer_files(office['login'], row.id, []))
    monkeypatch.setenv('CONTON_CLIENT_QUOTA_MB', '1')
    monkeypatch.setenv('CONTON_FILE_MAX_MB', '5')
    config.reset_settings()
    with pytest.raises(ValidationError) as e:
        run(docrequests.answer_files(office['login'], row.id, [up('grande.pdf', big)]))
    assert 'Espaço insuficiente' in e.value.errors['file']
    assert stored_names() == [] and count(DocFile) == 0 and count(DocRequestFile) == 0
    assert docrequests.get(office['staff'], row.id).request.status == 'pendente'
    assert notes_of(office['admin_user']) == []


def test_review_accept_send_back_and_close(office) -> None:
    row = ask(office)
    with pytest.raises(ValidationError) as e:
        docrequests.accept(office['staff'], row.id)
    assert 'ainda aguarda o cliente' in str(e.value)
    docrequests.answer_nothing(office['login'], row.id)
    with pytest.raises(ValidationError) as e:
        docrequests.send_back(office['staff'], row.id, '  ')
    assert e.value.errors == {'reason': 'Informe o motivo da devolução.'}
    back = docrequests.send_back(office['staff'], row.id, 'Houve movimento: vimos o PIX de 12/10.')
    assert (back.status, back.return_reason) == ('devolvido', 'Houve movimento: vimos o PIX de 12/10.')
    note = next(n for n in notes_of(office['login_user']) if n.title.startswith('Pedido devolvido'))
    assert note.title == 'Pedido devolvido: Extrato bancário 10/2026' and 'vimos o PIX' in note.body
    run(docrequests.answer_files(office['login'], row.id, [up()]))
    accepted = docrequests.accept(office['staff'], row.id)
    assert accepted.status == 'aceito' and accepted.reviewed_by_name and accepted.closed_at is not None
    assert 'Documentos recebidos: Extrato bancário 10/2026' in [n.title for n in notes_of(office['login_user'])]
    with pytest.raises(ValidationError):
        run(docrequests.answer_files(office['login'], row.id, [up()]))
    with pytest.raises(ValidationError):
        docrequests.close(office['staff'], row.id)
    other = ask(office, title='Notas fiscais')
    closed = docrequests.close(office['staff'], other.id, 'Recebido por e-mail.')
    assert closed.status == 'fechado' and closed.status_label == 'Encerrado'
    with pytest.raises(ValidationError) as e:
        docrequests.answer_nothing(office['login'], other.id)
    assert 'encerrado pelo escritório' in str(e.value)
    with pytest.raises(PermissionDenied):
        docrequests.accept(office['reader'], row.id)


# --- isolation --------------------------------------------------------------------------------------------------------

def test_a_client_never_reaches_another_clients_requests_files_or_counts(office) -> None:
    mine = ask(office)
    theirs = ask(office, client=office['other'], title='Folha de outubro')
    run(docrequests.answer_files(office['other_login'], theirs.id, [up('folha.pdf')]))
    their_file = docrequests.get(office['staff'], theirs.id).files[0].id
    me = office['login']
    for call in (lambda: docrequests.get(me, theirs.id),
                 lambda: docrequests.answer_nothing(me, theirs.id),
                 lambda: run(docrequests.answer_files(me, theirs.id, [up()])),
                 lambda: docrequests.download(me, theirs.id, their_file),
                 lambda: docrequests.download(me, mine.id, their_file),
                 lambda: docrequests.get(me, 'nao-e-um-id')):
        with pytest.raises(NotFound):
            call()
    assert [r.id for r in docrequests.search(me).rows] == [mine.id]
    assert [r.id for r in docrequests.portal(me).waiting] == [mine.id]
    assert docrequests.search(me, docrequests.DocRequestFilter(client_id=office['other'].id)).total == 1  # own only
    with unit() as session:
        assert docrequests.client_pending_count(session, me) == 1
        assert docrequests.to_review_count(session, me) == 0
    assert [p.id for p in docrequests.home_pending(me).rows] == [mine.id]
    assert all('Folha' not in n.title for n in notes_of(office['login_user']))
    for call in (lambda: docrequests.rules(me), lambda: docrequests.client_options(me),
                 lambda: docrequests.missing_this_month(me), lambda: docrequests.accept(me, mine.id),
                 lambda: docrequests.create_rule_now(me, client_id=office['client'].id, title='X', due_day=5)):
        with pytest.raises(PermissionDenied):
            call()
    assert {r.id for r in docrequests.search(office['staff']).rows} == {mine.id, theirs.id}
    with pytest.raises(PermissionDenied):
        docrequests.portal(office['staff'])


def test_downloads_of_templates_and_answers(office) -> None:
    row = run(docrequests.create(office['staff'], client_id=office['client'].id, title='Planilha',
                                 due_date='10/11/2026', uploads=[up('modelo.pdf')]))
    got = docrequests.download(office['login'], row.id, row.template_file_id)
    assert got.name == 'modelo.pdf' and got.path.read_bytes()[:4] == b'%PDF'
    run(docrequests.answer_files(office['login'], row.id, [up('resposta.pdf')]))
    answer = docrequests.get(office['staff'], row.id).files[0]
    assert docrequests.download(office['reader'], row.id, answer.id).name == 'resposta.pdf'
    with unit() as session:
        assert session.get(DocFile, answer.id).office_downloaded_at is not None
    unrelated = run(files.publish(office['admin'], [up('outro.pdf')], client_ids=[office['client'].id]))[0]
    with pytest.raises(NotFound):  # a file of the same client that is not this request's
        docrequests.download(office['login'], row.id, unrelated.id)
    assert docrequests.file_url(row.id, answer.id) == f'/pedidos-documentos/{row.id}/arquivos/{answer.id}'


# --- recurring rules and the monthly generation ----------------------------------------------------------------------

def rule(office, client=None, title='Extrato bancário {mm/aaaa}', day=5, **kw) -> docrequests.RuleRow:
    return docrequests.create_rule_now(office['staff'], client_id=(client or office['client']).id, title=title,
                                       due_day=day, **kw)


def test_a_rule_makes_this_months_request_at_once_and_each_later_one_exactly_once(office) -> None:
    r = rule(office, description='Todas as contas.')  # 02/11: the October statements, due 05/11
    assert r.last_competence == '2026-10'
    with unit() as session:
        made = session.exec(select(DocRequest).where(DocRequest.rule_id == r.id)).all()
    assert [(m.competence, m.title, m.due_date, m.created_by) for m in made] == [
        ('2026-10', 'Extrato bancário 10/2026', date(2026, 11, 5), None)]
    assert docrequests.generate_due() == 0  # the job, twice
    assert docrequests.generate_due() == 0
    restart()
    assert docrequests.generate_due() == 0  # and after a restart
    clock.set_now(utc(1, 0, 30, month=12))
    assert docrequests.generate_due() == 1
    assert docrequests.generate_due() == 0
    restart()
    assert docrequests.generate_due() == 0
    with unit() as session:
        comps = session.exec(select(DocRequest.competence, DocRequest.due_date).where(DocRequest.rule_id == r.id)
                             .order_by(DocRequest.competence)).all()
    assert comps == [('2026-10', date(2026, 11, 5)), ('2026-11', date(2026, 12, 5))]
    assert [n.title for n in notes_of(office['login_user'])] == [
        'Novo pedido de documentos: Extrato bancário 10/2026', 'Novo pedido de documentos: Extrato bancário 11/2026']


def test_a_rule_made_after_this_months_day_starts_next_month_and_ended_rules_or_inactive_clients_get_none(office):
    clock.set_now(utc(20, 10))
    late = rule(office, title='Notas fiscais')
    assert late.last_competence == ''
    ended = rule(office, title='Folha', day=25)
    assert ended.last_competence == '2026-10'
    docrequests.end_rule(office['staff'], ended.id)
    assert rule(office, client=office['other'], title='Contrato', day=28).last_competence == '2026-10'
    with unit() as session:
        session.get(Client, office['other'].id).active = False
    clock.set_now(utc(1, 8, month=12))
    assert docrequests.generate_due() == 1
    with unit() as session:
        titles = session.exec(select(DocRequest.title).order_by(DocRequest.title)).all()
    assert titles == ['Contrato — 10/2026', 'Folha — 10/2026', 'Notas fiscais — 11/2026']  # Dec.: only 'Notas'
    with pytest.raises(ValidationError):
        docrequests.end_rule(office['staff'], ended.id)
    with pytest.raises(ValidationError):
        docrequests.update_rule(office['staff'], ended.id, title='Folha', due_day=5)


@pytest.mark.parametrize('fields, errors', [
    (dict(day='29'), {'due_day': 'Informe um dia de 1 a 28.'}),
    (dict(day=''), {'due_day': 'Informe um dia de 1 a 28.'}),
    (dict(title='', day=0), {'title': 'Informe o título do pedido.', 'due_day': 'Informe um dia de 1 a 28.'}),
    (dict(title='Extrato {aaaa}'), {'title': 'Use só {mm/aaaa} entre chaves (o mês de referência).'}),
    (dict(remind_max='21'), {'remind_max': 'Informe um número de 0 a 20.'}),
])
def test_bad_rules_are_refused_and_nothing_is_saved(office, fields, errors) -> None:
    with pytest.raises(ValidationError) as e:
        rule(office, **fields)
    assert e.value.errors == errors
    assert count(DocRequestRule) == 0 and count(DocRequest) == 0


def test_two_generation_jobs_at_once_create_each_request_once(office) -> None:
    clients = [make_client(f'Cliente {n:02d} Ltda') for n in range(30)]
    for c in clients:
        make_user('client', client=c)
    clock.set_now(utc(20, 10))  # rules made after this month's day 5: none made now
    for c in clients:
        rule(office, client=c)
    assert count(DocRequest) == 0
    clock.set_now(utc(1, 0, 10, month=12))
    start = threading.Barrier(2)

    def job() -> int:
        start.wait()
        return docrequests.generate_due()
    with ThreadPoolExecutor(2) as pool:
        results = [f.result() for f in [pool.submit(job), pool.submit(job)]]
    assert sum(results) == 30
    assert count(DocRequest) == 30
    assert count(Notification, Notification.category == 'documentos') == 30  # one per new request and login
    restart()
    assert docrequests.generate_due() == 0 and count(DocRequest) == 30


def test_rules_list_and_update(office) -> None:
    a = rule(office, title='Extrato {mm/aaaa}', remind_every_days=2, remind_max='4')
    rule(office, client=office['other'], title='Notas')
    page = docrequests.rules(office['reader'], client_id=office['client'].id)
    assert [r.id for r in page.rows] == [a.id] and page.total == 1
    assert (page.rows[0].remind_every_days, page.rows[0].remind_max) == (2, 4)
    assert docrequests.rules(office['reader'], client='oficina').rows[0].title == 'Notas'
    changed = docrequests.update_rule(office['staff'], a.id, title='Extratos {mm/aaaa}', due_day=10)
    assert (changed.title, changed.due_day, changed.title_for('2026-12')) == ('Extratos {mm/aaaa}', 10,
                                                                                'Extratos 12/2026')
    with pytest.raises(PermissionDenied):
        docrequests.update_rule(office['reader'], a.id, title='X', due_day=5)


# --- reminders --------------------------------------------------------------------------------------------------------

def sweep() -> int:
    return reminders.sweep([docrequests.ITEM_KIND])[docrequests.ITEM_KIND]


def reminder_notes(user) -> list[Notification]:
    return [n for n in notes_of(user) if n.title.startswith('Lembrete')]


def test_schedule_starts_n_days_before_the_due_date_never_before_the_request() -> None:
    at = time(9, 0)
    # made 01/11 10:00, due 05/11, every 2 days: 03/11, 05/11, 07/11 at 09:00
    assert docrequests.schedule(utc(1, 10), date(2026, 11, 5), 2, 3, at) == [
        (1, utc(3, 9)), (2, utc(5, 9)), (3, utc(7, 9))]
    # due far ahead: the first reminder 3 days before it
    assert docrequests.schedule(utc(1, 10), date(2026, 11, 30), 3, 2, at) == [(1, utc(27, 9)), (2, utc(30, 9))]
    # due today, made after today's time: tomorrow; made before it: today
    assert docrequests.schedule(utc(5, 10), date(2026, 11, 5), 1, 1, at) == [(1, utc(6, 9))]
    assert docrequests.schedule(utc(5, 8), date(2026, 11, 5), 1, 1, at) == [(1, utc(5, 9))]
    assert docrequests.schedule(utc(5, 8), date(2026, 11, 5), 1, 0, at) == []


def test_reminders_every_n_days_at_most_m_at_the_office_time_exactly_once(office) -> None:
    office_settings.set(office['admin'], 'docrequests.remind_time', '08:30')
    row = ask(office, due='05/11/2026', remind_every_days=2, remind_max=2)  # made 02/11 10:00 -> 03/11, 05/11 08:30
    clock.set_now(utc(3, 8, 29))
    assert sweep() == 0
    clock.set_now(utc(3, 8, 31))
    assert sweep() == 1
    assert sweep() == 0
    restart()
    assert reminders.startup_sweep()[docrequests.ITEM_KIND] == 0
    notes = reminder_notes(office['login_user'])
    assert [n.title for n in notes] == ['Lembrete: envie Extrato bancário 10/2026']
    assert 'o prazo é 05/11/2026' in notes[0].body and notes[0].link == f'/portal/documentos?pedido={row.id}'
    assert len(reminder_notes(office['login2_user'])) == 1 and reminder_notes(office['other_user']) == []
    assert [m.subject for m in mails_to('dono@paoquente.test')][-1] == 'Lembrete: envie Extrato bancário 10/2026'
    clock.set_now(utc(5, 8, 31))
    assert sweep() == 1
    assert 'o prazo é hoje' in reminder_notes(office['login_user'])[-1].body
    for day in (7, 9, 11):  # at most 2
        clock.set_now(utc(day, 8, 31))
        assert sweep() == 0
    assert len(reminder_notes(office['login_user'])) == 2
    assert count(ReminderSent, ReminderSent.item_kind == 'docrequest') == 2


def test_reminders_stop_the_moment_the_client_answers(office) -> None:
    files_row = ask(office, title='Notas de entrada', due='04/11/2026', remind_every_days=1, remind_max=5)
    nothing_row = ask(office, title='Extrato', due='04/11/2026', remind_every_days=1, remind_max=5)
    clock.set_now(utc(3, 9, 1))
    assert sweep() == 2
    run(docrequests.answer_files(office['login'], files_row.id, [up()]))
    docrequests.answer_nothing(office['login2'], nothing_row.id)
    for day in range(4, 9):
        clock.set_now(utc(day, 9, 1))
        assert sweep() == 0
    assert len(reminder_notes(office['login_user'])) == 2


def test_reminders_stop_when_staff_close_it_or_the_client_becomes_inactive_and_restart_when_sent_back(office):
    closed = ask(office, title='Contrato', due='04/11/2026', remind_every_days=1, remind_max=5)
    theirs = ask(office, client=office['other'], title='Folha', due='04/11/2026', remind_every_days=1, remind_max=5)
    back = ask(office, title='Extrato', due='04/11/2026', remind_every_days=1, remind_max=1)
    clock.set_now(utc(3, 9, 1))
    assert sweep() == 3
    docrequests.close(office['staff'], closed.id)
    with unit() as session:
        session.get(Client, office['other'].id).active = False
    docrequests.answer_nothing(office['login'], back.id)
    clock.set_now(utc(4, 9, 1))
    assert sweep() == 0
    docrequests.send_back(office['staff'], back.id, 'Faltou a conta poupança.')  # a new series from now (04/11 09:01)
    clock.set_now(utc(5, 9, 1))
    assert sweep() == 1
    assert reminder_notes(office['login_user'])[-1].title == 'Lembrete: envie Extrato'
    assert 'o prazo era 04/11/2026' in reminder_notes(office['login_user'])[-1].body
    clock.set_now(utc(6, 9, 1))
    assert sweep() == 0
    assert len(reminder_notes(office['other_user'])) == 1 and theirs.id


def test_no_reminders_when_the_request_asks_for_none(office) -> None:
    ask(office, due='03/11/2026', remind_max=0)
    for day in range(2, 8):
        clock.set_now(utc(day, 23))
        assert sweep() == 0


# --- settings and the homes -------------------------------------------------------------------------------------------

def test_reminder_settings_are_validated_together(office) -> None:
    assert docrequests.reminder_settings(office['reader']) == docrequests.ReminderSettings(3, 3, '09:00')
    with pytest.raises(ValidationError) as e:
        docrequests.save_reminder_settings(office['staff'], every_days='0', max_count='2', at='25:00')
    assert set(e.value.errors) == {'docrequests.remind_every_days', 'docrequests.remind_time'}
    assert docrequests.reminder_settings(office['reader']).max_count == 3  # nothing saved
    saved = docrequests.save_reminder_settings(office['staff'], every_days='2', max_count='5', at='7:30')
    assert saved == docrequests.ReminderSettings(2, 5, '07:30')
    assert ask(office).remind_every_days == 2
    with pytest.raises(PermissionDenied):
        docrequests.save_reminder_settings(office['reader'], every_days='2', max_count='5', at='07:30')


def test_staff_home_shows_per_client_what_is_missing_this_month_in_one_query(office) -> None:
    ask(office, title='Extrato', due='03/11/2026')
    ask(office, title='Notas', due='20/11/2026')
    answered = ask(office, title='Folha', due='10/11/2026')
    docrequests.answer_nothing(office['login'], answered.id)
    ask(office, client=office['other'], title='Contrato', due='05/11/2026')
    ask(office, client=office['other'], title='Próximo mês', due='05/12/2026')
    clock.set_now(utc(4, 10))
    before = db.query_counter['n']
    missing = docrequests.missing_this_month(office['reader'])
    assert db.query_counter['n'] - before <= 1 + 1  # the login's re-check, then the one query
    assert missing.total_clients == 2 and missing.month == date(2026, 11, 1)
    first, second = missing.clients
    assert (first.client_name, first.count, first.overdue, first.first_due, first.titles) == (
        'Padaria Pão Quente Ltda', 2, 1, date(2026, 11, 3), ['Extrato', 'Notas'])
    assert (second.client_name, second.count, second.overdue, second.titles) == ('Oficina do Zé Ltda', 1, 0,
                                                                                  ['Contrato'])
    assert docrequests.missing_this_month(office['reader'], limit=1).clients[0].client_name == first.client_name


def test_client_home_pending_first_with_due_dates(office) -> None:
    ask(office, title='B', due='20/11/2026')
    ask(office, title='A', due='03/11/2026')
    done = ask(office, title='C', due='04/11/2026')
    docrequests.answer_nothing(office['login'], done.id)
    clock.set_now(utc(4, 10))
    pending = docrequests.home_pending(office['login'])
    assert [(p.title, p.due_date, p.overdue, p.status_label) for p in pending.rows] == [
        ('A', date(2026, 11, 3), True, 'Atrasado'), ('B', date(2026, 11, 20), False, 'Pendente')]
    assert pending.total == 2
    view = docrequests.portal(office['login'])
    assert [r.title for r in view.waiting] == ['A', 'B'] and [r.title for r in view.answered] == ['C']
    assert view.overdue_count == 1


def test_search_filters_status_client_competence_and_overdue(office) -> None:
    r = rule(office)  # 10/2026, due 05/11
    ask(office, title='Notas', due='03/11/2026')
    answered = ask(office, client=office['other'], title='Folha', due='10/11/2026')
    docrequests.answer_nothing(office['other_login'], answered.id)
    clock.set_now(utc(4, 10))
    staff = office['reader']

    def titles(**kw) -> list[str]:
        return [x.title for x in docrequests.search(staff, docrequests.parse_filter(**kw)).rows]
    assert titles() == ['Folha', 'Notas', 'Extrato bancário 10/2026']  # to review, then waiting by due date
    assert titles(status='revisar') == ['Folha']
    assert titles(status='aguardando', client='padaria') == ['Notas', 'Extrato bancário 10/2026']
    assert titles(competence='10/2026') == ['Extrato bancário 10/2026']
    assert titles(overdue='1') == ['Notas']
    assert titles(status='bogus', competence='13/2026') == titles()
    page = docrequests.search(staff)
    assert (page.total, page.waiting, page.overdue, page.to_review) == (3, 2, 1, 1)
    assert r.id


def test_the_generation_and_the_reminders_are_scheduled() -> None:
    from conton import jobs
    assert ('docrequest_generation', jobs.docrequest_generation) in [(j[0], j[1]) for j in jobs.JOBS]
    assert docrequests.ITEM_KIND in reminders.sources()
