"""Protocolos (services/protocols.py): sending with files from Arquivos or uploaded, "Visualizado" once and only by
the client's logins, confirmation, manual delivery, cancellation, the overdue status, the event log, the receipt PDF,
isolation, and the reminders (exactly once, with a controllable clock)."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from conton import clock
from conton.models import Notification, OutboxEmail, ProtocolEvent, ReminderSent
from conton.models.documents import AppendOnly
from conton.services import channels, files, protocols, reminders
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.conftest import require_tools
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_filetypes import real_pdf
from tests.services.test_files import up

require_tools('pdftotext')

NOON = datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc)  # 12:00 in São Paulo


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def office():
    clock.set_now(NOON)
    make_office()
    admin = make_user('admin', name='Ana Admin')
    client = make_client('Padaria Pão Quente Ltda')
    other = make_client('Oficina do Zé Ltda')
    login = make_user('client', client=client, name='Dono da Padaria')
    second = make_user('client', client=client, name='Sócia da Padaria')
    other_login = make_user('client', client=other)
    return dict(admin=actor_of(admin), admin_user=admin, client=client, other=other,
                login=actor_of(login, '203.0.113.7'), login_user=login, second=actor_of(second, '198.51.100.2'),
                other_login=actor_of(other_login))


def send(office, *, due: date | None = None, client=None, **extra) -> protocols.ProtocolRow:
    client = client or office['client']
    return run(protocols.create(office['admin'], client_id=client.id, kind='guia', competence='10/2026',
                                due_date=due, amount='1.234,56', note='Pagar até o vencimento',
                                uploads=[up('DAS 10-2026.pdf', real_pdf())], **extra))


def events(protocol_id) -> list[tuple[str, str]]:
    return [(e.kind, e.user_name) for e in protocols.get(actorless_admin(), protocol_id).events]


def actorless_admin():
    with unit() as session:
        from conton.models import User
        return actor_of(session.exec(select(User).where(User.role == 'admin')).first())


# --- sending and the log -------------------------------------------------------------------------------------------

def test_a_protocol_with_uploaded_and_existing_files_tells_the_client(office) -> None:
    [existing] = run(files.publish(office['admin'], [up('contrato.pdf', real_pdf())], client_ids=[office['client'].id]))
    row = send(office, due=date(2026, 11, 20), file_ids=[existing.id])
    assert (row.kind_label, row.title, row.status, row.status_label) == ('Guia de imposto', 'Guia de imposto',
                                                                         'enviado', 'Enviado')
    assert row.amount_cents == 123456 and row.competence == '2026-10' and row.file_count == 2
    detail = protocols.get(office['admin'], row.id)
    assert [f.name for f in detail.files] == ['contrato.pdf', 'DAS 10-2026.pdf']
    assert detail.files[1].folder_path == 'Protocolos'
    assert [e.kind for e in detail.events] == ['created', 'emailed']
    with unit() as session:
        told = session.exec(select(Notification.user_id).where(Notification.category == 'protocolos')).all()
        mails = session.exec(select(OutboxEmail.subject)).all()
    assert set(told) == {office['login_user'].id, office['second'].user_id}
    assert mails.count('Novo protocolo: Guia de imposto') == 2
    with pytest.raises(ValidationError, match='parte de um protocolo'):
        files.delete(office['admin'], [existing.id])


def test_bad_input_is_reported_per_field_and_nothing_is_stored(office) -> None:
    with pytest.raises(ValidationError) as caught:
        run(protocols.create(office['admin'], client_id=office['client'].id, kind='boleto', competence='13/2026',
                             due_date='31/02/2026', amount='abc', uploads=[up('a.pdf', real_pdf())]))
    assert set(caught.value.errors) == {'kind', 'competence', 'due_date', 'amount'}
    with pytest.raises(ValidationError, match='Anexe pelo menos um documento'):
        run(protocols.create(office['admin'], client_id=office['client'].id, kind='guia'))
    [theirs] = run(files.publish(office['admin'], [up('x.pdf', real_pdf())], client_ids=[office['other'].id]))
    with pytest.raises(NotFound):  # a file of another client cannot go into this client's protocol
        run(protocols.create(office['admin'], client_id=office['client'].id, kind='guia', file_ids=[theirs.id],
                             uploads=[up('a.pdf', real_pdf())]))
    assert protocols.search(office['admin']).total == 0
    assert files.search(office['admin']).total == 1  # the refused upload left no row


def test_viewed_is_recorded_once_by_the_first_client_login_never_by_staff(office) -> None:
    row = send(office)
    protocols.view(office['admin'], row.id, '10.0.0.1')
    protocols.get(office['login'], row.id)  # reading for a refresh records nothing either
    assert protocols.get(office['admin'], row.id).protocol.viewed_at is None
    clock.set_now(NOON + timedelta(hours=1))
    detail = protocols.view(office['login'], row.id)
    assert detail.protocol.status == 'visualizado' and detail.protocol.viewed_at == NOON + timedelta(hours=1)
    assert detail.protocol.viewed_by_name == 'Dono da Padaria' and detail.protocol.viewed_ip == '203.0.113.7'
    clock.set_now(NOON + timedelta(hours=2))
    protocols.view(office['second'], row.id)
    protocols.view(office['login'], row.id)
    assert protocols.get(office['admin'], row.id).protocol.viewed_at == NOON + timedelta(hours=1)
    assert [k for k, _ in events(row.id)].count('viewed') == 1


def test_a_client_download_counts_as_the_opening_and_is_logged(office) -> None:
    row = send(office)
    [doc] = protocols.get(office['admin'], row.id).files
    files.download(office['admin'], doc.id)
    assert protocols.get(office['admin'], row.id).protocol.status == 'enviado'
    files.download(office['second'], doc.id, '198.51.100.99')
    files.download(office['login'], doc.id)
    p = protocols.get(office['admin'], row.id).protocol
    assert p.status == 'visualizado' and p.viewed_by_name == 'Sócia da Padaria' and p.viewed_ip == '198.51.100.99'
    assert events(row.id)[2:] == [('viewed', 'Sócia da Padaria'), ('downloaded', 'Sócia da Padaria'),
                                  ('downloaded', 'Dono da Padaria')]


def test_confirm_manual_delivery_and_cancel(office) -> None:
    a, b, c = send(office), send(office), send(office)
    confirmed = protocols.confirm(office['login'], a.id)
    assert confirmed.status == 'confirmado' and confirmed.viewed_at is not None  # confirming opens it too
    assert protocols.confirm(office['second'], a.id).confirmed_at == confirmed.confirmed_at  # once
    with pytest.raises(PermissionDenied):
        protocols.confirm(office['admin'], a.id)
    with pytest.raises(ValidationError) as caught:
        protocols.deliver_manually(office['admin'], b.id, receiver_name=' ', delivered_on='01/01/2030')
    assert set(caught.value.errors) == {'receiver_name', 'delivered_on'}  # blank, and in the future
    delivered = protocols.deliver_manually(office['admin'], b.id, receiver_name='  Maria  Souza ',
                                           delivered_on='09/11/2026')
    assert (delivered.status, delivered.receiver_name, delivered.delivered_on) == ('confirmado', 'Maria Souza',
                                                                                   date(2026, 11, 9))
    with pytest.raises(ValidationError, match='motivo'):
        protocols.cancel(office['admin'], c.id, '   ')
    cancelled = protocols.cancel(office['admin'], c.id, 'Guia emitida com valor errado')
    assert cancelled.status_label == 'Cancelado' and cancelled.cancel_reason == 'Guia emitida com valor errado'
    with pytest.raises(ValidationError, match='cancelado'):
        protocols.confirm(office['login'], c.id)
    protocols.view(office['login'], c.id)
    assert protocols.get(office['admin'], c.id).protocol.viewed_at is None  # a cancelled one is not "viewed"
    assert [k for k, _ in events(c.id)] == ['created', 'emailed', 'cancelled']
    assert [k for k, _ in events(b.id)][-1] == 'delivered'


def test_the_event_log_is_append_only(office) -> None:
    row = send(office)
    with unit() as session:
        event = session.exec(select(ProtocolEvent).where(ProtocolEvent.protocol_id == row.id)).first()
        event.detail = 'alterado'
        with pytest.raises(AppendOnly):
            session.flush()
        session.rollback()
    with unit() as session:
        event = session.exec(select(ProtocolEvent).where(ProtocolEvent.protocol_id == row.id)).first()
        session.delete(event)
        with pytest.raises(AppendOnly):
            session.flush()
        session.rollback()


def test_overdue_unseen_and_the_staff_lists(office) -> None:
    late = send(office, due=date(2026, 11, 9))
    seen_late = send(office, due=date(2026, 11, 9))
    protocols.view(office['login'], seen_late.id)
    soon = send(office, due=date(2026, 11, 12))
    theirs = send(office, due=date(2026, 11, 30), client=office['other'])
    done = send(office, due=date(2026, 11, 1))
    protocols.confirm(office['login'], done.id)
    assert protocols.get(office['admin'], late.id).protocol.status_label == 'Vencido sem visualização'
    assert [r.id for r in protocols.overdue(office['admin']).rows] == [late.id]
    assert {r.id for r in protocols.search(office['admin'], status='enviado').rows} == {soon.id, theirs.id}
    pending = protocols.pending(office['admin'])
    assert pending.total == 4 and [r.due_date for r in pending.rows] == sorted(r.due_date for r in pending.rows)
    assert {r.client_id for r in protocols.search(office['login']).rows} == {office['client'].id}
    assert protocols.search(office['admin'], text='oficina').total == 1
    with pytest.raises(PermissionDenied):
        protocols.overdue(office['login'])


def test_a_client_login_gets_not_found_for_another_clients_protocols(office) -> None:
    theirs = send(office, client=office['other'])
    [doc] = protocols.get(office['admin'], theirs.id).files
    a = office['login']
    for call in (lambda: protocols.get(a, theirs.id), lambda: protocols.view(a, theirs.id),
                 lambda: protocols.confirm(a, theirs.id), lambda: protocols.receipt_pdf(a, theirs.id),
                 lambda: files.download(a, doc.id)):
        with pytest.raises(NotFound):
            call()
    assert protocols.search(a, client_id=office['other'].id).total == 0
    assert protocols.get(office['admin'], theirs.id).protocol.viewed_at is None
    for staff_only in (lambda: protocols.cancel(a, theirs.id, 'x'),
                       lambda: protocols.deliver_manually(a, theirs.id, receiver_name='x', delivered_on='01/11/2026'),
                       lambda: run(protocols.create(a, client_id=office['client'].id, kind='guia',
                                                    uploads=[up('a.pdf', real_pdf())]))):
        with pytest.raises(PermissionDenied):
            staff_only()


def test_the_receipt_lists_documents_with_their_sha256_and_the_events(office) -> None:
    import subprocess
    import tempfile
    from pathlib import Path
    row = send(office, due=date(2026, 11, 20))
    protocols.view(office['login'], row.id)
    protocols.confirm(office['login'], row.id)
    name, pdf = protocols.receipt_pdf(office['login'], row.id)
    assert name == f'protocolo-{row.number}.pdf' and pdf.startswith(b'%PDF')
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(pdf)
        text = subprocess.run(['pdftotext', '-layout', str(path), '-'], capture_output=True, text=True,
                              check=True).stdout
    sha = protocols.get(office['admin'], row.id).files[0].sha256
    for expected in (f'PROTOCOLO {row.number}', 'Padaria Pão Quente Ltda', 'DAS 10-2026.pdf', sha, 'R$ 1.234,56',
                     '10/2026', '20/11/2026', 'Visualizado', 'Recebimento confirmado', 'Dono da Padaria',
                     'IP 203.0.113.7', 'Confirmado'):
        assert expected in text, expected


# --- reminders -----------------------------------------------------------------------------------------------------

def test_reminders_go_out_exactly_once_3_and_1_days_before_and_to_the_responsible_on_the_due_day(office) -> None:
    staff = make_user('staff', permissions={'protocols': 'write', 'files': 'read'})
    other_staff = make_user('staff', permissions={'protocols': 'read'})
    files.set_client_responsible(office['admin'], office['client'].id, staff.id)
    channels.set_preference(actor_of(staff), 'protocolos', 'drawer')
    unopened = send(office, due=date(2026, 11, 20))
    opened = send(office, due=date(2026, 11, 20))
    protocols.view(office['login'], opened.id)
    other_client = send(office, due=date(2026, 11, 20), client=office['other'])

    def sweep_at(day: int, hour: int = 12) -> int:
        clock.set_now(datetime(2026, 11, day, hour + 3, 0, tzinfo=timezone.utc))  # local hour
        return reminders.sweep(['protocol'])['protocol']

    def told(kind: str) -> list:
        with unit() as session:
            return sorted(session.exec(select(Notification.user_id).where(Notification.title.like(f'{kind}%'))).all())

    assert sweep_at(16) == 0
    assert sweep_at(17, 8) == 0  # 9:00 is the hour
    assert sweep_at(17) == 2  # the unopened ones, 3 days before (its logins), not the one already opened
    assert sweep_at(17) == 0
    assert told('Protocolo não aberto vence em 3 dias') == sorted([office['login_user'].id, office['second'].user_id,
                                                                   *_logins(office['other'].id)])
    assert sweep_at(18) == 0
    assert sweep_at(19) == 2 and sweep_at(19, 18) == 0
    protocols.confirm(office['other_login'], other_client.id)
    assert sweep_at(20) == 1  # due today, still unopened: to the responsible only
    assert told('Protocolo vence hoje') == [staff.id]
    with unit() as session:
        assert session.exec(select(OutboxEmail).where(OutboxEmail.subject.like('Protocolo vence hoje%'))).all() == []
        sent = session.exec(select(ReminderSent.level).where(ReminderSent.item_id == unopened.id)).all()
    assert sorted(sent) == ['d1', 'd3', 'due']
    reminders.reset()  # a restart
    assert sweep_at(20, 20) == 0 and sweep_at(21) == 0
    assert other_staff.id not in told('Protocolo')


def test_a_reminder_missed_while_down_goes_out_late_once_and_none_before_the_protocol_existed(office) -> None:
    clock.set_now(datetime(2026, 11, 18, 15, 0, tzinfo=timezone.utc))
    row = send(office, due=date(2026, 11, 20))  # created after the 3-day moment: that one is never sent
    clock.set_now(datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc))  # down on the 19th: the 1-day one is late
    assert reminders.sweep(['protocol'])['protocol'] == 1
    with unit() as session:
        [(level, late)] = session.exec(select(ReminderSent.level, ReminderSent.late)
                                       .where(ReminderSent.item_id == row.id)).all()
        bodies = session.exec(select(Notification.body).where(Notification.title.like('Protocolo não aberto%'))).all()
    assert (level, late) == ('d1', True) and all(b.endswith(reminders.LATE_NOTE) for b in bodies)


def _logins(client_id) -> list:
    from conton.models import User
    with unit() as session:
        return list(session.exec(select(User.id).where(User.client_id == client_id)).all())


def test_the_search_ignores_accents_and_case_in_the_title_and_the_client(office) -> None:
    declaration = send(office, title='Declaração Anual – DEFIS')
    send(office, title='Guia do Simples', client=office['other'])
    def titles(words: str, actor=None) -> list[str]:
        return [r.title for r in protocols.search(actor or office['admin'], text=words).rows]
    assert titles('declaracao') == titles('DECLARAÇÃO anual') == titles('defis') == [declaration.title]
    assert titles('pao quente') == [declaration.title]  # the client's name, folded too
    assert titles('ze') == ['Guia do Simples']
    assert titles('guia', office['login']) == []  # a client login searches only its own
