"""How each login is told (services/channels.py): per category 'drawer', 'email', 'both' or 'none', else the office
default, else 'both'. The drawer row is always written; the e-mail goes only where the channel says so, on every path
that tells a login something (tell, the reminder engine, new charges and receipts, due-date digests, a cancelled
protocol); the live pop is left out for 'email' and 'none' (`silent`, asked by live at dispatch). A login is offered
only the categories it can receive; only the office (Meus Dados, write) sets the default."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from conton import clock
from conton.models import AuditLog, Notification, NotificationDefault, NotificationPreference, OutboxEmail
from conton.services import channels, payables, protocols, receivables, reminders
from conton.services.base import unit
from conton.services.errors import PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user
from tests.services.test_files import up
from tests.services.test_filetypes import real_pdf


def at(day: int, month: int = 11, hour: int = 12) -> None:
    clock.set_now(datetime(2026, month, day, hour, 0, tzinfo=timezone.utc) + timedelta(hours=3))


@pytest.fixture
def office():
    make_office()
    at(10)
    admin = make_user('admin', email='dona@escritorio.test')
    client = make_client('Padaria Pão Quente Ltda')
    login = make_user('client', client=client, email='dono@paoquente.test')
    return {'admin': admin, 'client': client, 'login': login}


def notes(user) -> list[str]:
    with unit() as session:
        return list(session.exec(select(Notification.title).where(Notification.user_id == user.id)
                                 .order_by(Notification.created_at, Notification.title)).all())


def mailed(address: str) -> list[str]:
    with unit() as session:
        return list(session.exec(select(OutboxEmail.subject).where(OutboxEmail.to_addr == address)
                                 .order_by(OutboxEmail.created_at)).all())


def test_a_login_is_offered_only_the_categories_it_can_receive(office) -> None:
    mine = list(channels.preferences(actor_of(office['admin'])))  # (issue 11's categories too, once their tools exist)
    assert mine[:4] == ['agenda', 'pagamentos', 'recebimentos', 'protocolos'] and 'arquivos' in mine
    theirs = list(channels.preferences(actor_of(office['login'])))
    assert theirs[:3] == ['agenda', 'recebimentos', 'protocolos'] and 'arquivos' in theirs
    assert 'pagamentos' not in theirs  # no client tool for it
    clerk = make_user('staff', permissions={'receivables': 'read', 'clients': 'write'})
    assert channels.preferences(actor_of(clerk)) == {'recebimentos': ''}
    assert channels.preferences(actor_of(make_user('staff'))) == {}
    # nor can it store a choice for another one, nor a made-up channel; all or nothing
    with pytest.raises(ValidationError) as e:
        channels.set_preferences(actor_of(clerk), {'recebimentos': 'email', 'pagamentos': 'none'})
    assert e.value.errors == {'pagamentos': 'Categoria desconhecida.'}
    with pytest.raises(ValidationError) as e:
        channels.set_preferences(actor_of(office['login']), {'agenda': 'none', 'arquivos': 'sms'})
    assert e.value.errors == {'arquivos': 'Escolha como quer ser avisado.'}
    with pytest.raises(ValidationError):
        channels.set_preference(actor_of(office['login']), 'pagamentos', 'email')
    with unit() as session:
        assert session.exec(select(NotificationPreference)).all() == []


def test_own_choice_beats_the_office_default_and_empty_goes_back_to_it(office) -> None:
    admin, login = actor_of(office['admin']), actor_of(office['login'])
    assert channels.defaults(admin)['arquivos'] == 'both'
    assert channels.set_preferences(login, {'arquivos': 'drawer', 'protocolos': 'none'}) == 2
    chosen = channels.preferences(login)
    assert {k: chosen[k] for k in ('agenda', 'recebimentos', 'protocolos', 'arquivos')} == {
        'agenda': '', 'recebimentos': '', 'protocolos': 'none', 'arquivos': 'drawer'}
    assert channels.set_defaults(admin, {'arquivos': 'email', 'agenda': 'none', 'recebimentos': 'both'}) == 2
    with unit() as session:
        ids = [office['login'].id]
        assert channels.channels(session, ids, 'arquivos') == {office['login'].id: 'drawer'}  # her own choice
        assert channels.channels(session, ids, 'agenda') == {office['login'].id: 'none'}  # the office's
        assert channels.channels(session, ids, 'recebimentos') == {office['login'].id: 'both'}
        audited = session.exec(select(AuditLog.detail).where(AuditLog.entity == 'notification_default')
                               .order_by(AuditLog.detail)).all()
    assert audited == ['both → email', 'both → none']  # 'recebimentos' did not change
    channels.set_preference(login, 'arquivos', '')
    assert channels.preferences(login)['arquivos'] == ''
    with unit() as session:
        assert channels.channels(session, [office['login'].id], 'arquivos') == {office['login'].id: 'email'}


def test_only_the_office_with_write_sets_the_default(office) -> None:
    for who in (office['login'], make_user('staff', permissions={'office': 'read', 'files': 'write'})):
        with pytest.raises(PermissionDenied):
            channels.set_defaults(actor_of(who), {'arquivos': 'none'})
    with pytest.raises(ValidationError) as e:
        channels.set_defaults(actor_of(office['admin']), {'arquivos': 'none', 'protocolos': ''})
    assert e.value.errors == {'protocolos': 'Escolha como avisar.'}
    with pytest.raises(ValidationError):
        channels.set_defaults(actor_of(office['admin']), {'nada': 'none'})
    with unit() as session:
        assert session.exec(select(NotificationDefault)).all() == []
    channels.set_defaults(actor_of(make_user('staff', permissions={'office': 'write'})), {'arquivos': 'none'})
    assert channels.defaults(actor_of(office['admin']))['arquivos'] == 'none'


def test_tell_writes_every_drawer_row_and_mails_only_email_and_both(office) -> None:
    people = {channel: make_user('staff', email=f'{channel}@escritorio.test', permissions={'files': 'read'})
              for channel in channels.CHANNELS}
    for channel, user in people.items():
        channels.set_preference(actor_of(user), 'arquivos', channel)
    with unit() as session:
        assert channels.tell(session, [u.id for u in people.values()], 'arquivos', 'Novo arquivo', 'extrato.pdf',
                             '/arquivos') == 2
    for channel, user in people.items():
        assert notes(user) == ['Novo arquivo']  # the drawer row, whatever the channel
        assert mailed(user.email) == (['Novo arquivo'] if channel in ('email', 'both') else [])


def test_silent_names_the_logins_that_get_no_live_pop(office) -> None:
    a, b, c = (make_user('staff', permissions={'files': 'read', 'agenda': 'read'}) for _ in range(3))
    channels.set_preference(actor_of(a), 'arquivos', 'none')
    channels.set_preference(actor_of(b), 'arquivos', 'email')
    channels.set_preference(actor_of(c), 'arquivos', 'drawer')
    channels.set_defaults(actor_of(office['admin']), {'agenda': 'email'})
    channels.set_preference(actor_of(c), 'agenda', 'both')
    pairs = {(u.id, cat) for u in (a, b, c) for cat in ('arquivos', 'agenda', 'protocolos')}
    with unit() as session:
        quiet = channels.silent(session, pairs)
        assert channels.silent(session, set()) == set()
    assert quiet == {(a.id, 'arquivos'), (b.id, 'arquivos'), (a.id, 'agenda'), (b.id, 'agenda')}


def test_reminder_engine_mails_only_where_the_channel_says(office) -> None:
    loud, quiet, panel = (make_user('staff', email=f'{n}@escritorio.test', permissions={'agenda': 'read'})
                          for n in ('loud', 'quiet', 'panel'))
    channels.set_preference(actor_of(quiet), 'agenda', 'none')
    channels.set_preference(actor_of(panel), 'agenda', 'drawer')
    due = [reminders.Reminder('test', uuid.uuid4(), '1d', '', clock.now(), (loud.id, quiet.id, panel.id), 'agenda',
                              'Reunião amanhã', 'Às 09:00', '/agenda'),
           reminders.Reminder('test', uuid.uuid4(), '1d', '', clock.now(), (loud.id, quiet.id), 'agenda',
                              'Sem e-mail', 'Só no painel', '/agenda', email=False)]
    with unit() as session:
        reminders.deliver_each(session, due)
    assert notes(loud) == notes(quiet) == ['Reunião amanhã', 'Sem e-mail'] and notes(panel) == ['Reunião amanhã']
    assert mailed(loud.email) == ['Reunião amanhã']
    assert mailed(quiet.email) == mailed(panel.email) == []


def test_new_charge_and_receipt_mail_the_client_logins_as_each_chose(office) -> None:
    admin = actor_of(office['admin'])
    partner = make_user('client', client=office['client'], email='socia@paoquente.test')
    channels.set_preference(actor_of(office['login']), 'recebimentos', 'drawer')
    charge_id = receivables.create(admin, client_id=office['client'].id, description='Consultoria', amount='500,00',
                                   due_date='18/11/2026', issue_date='01/11/2026')[0]
    assert notes(office['login']) == notes(partner) == ['Nova cobrança: Consultoria']
    assert mailed('dono@paoquente.test') == [] and mailed('socia@paoquente.test') == ['Nova cobrança: Consultoria']
    channels.set_preference(actor_of(partner), 'recebimentos', 'none')
    receivables.pay(admin, charge_id, paid_date='09/11/2026', payment_form='pix')
    assert notes(partner)[-1] == 'Pagamento recebido — recibo disponível'
    assert mailed('socia@paoquente.test') == ['Nova cobrança: Consultoria'] and mailed('dono@paoquente.test') == []
    # a client without any login still gets the charge at its own address (nobody there to choose)
    bare = make_client('Oficina do Zé Ltda')
    receivables.create(admin, client_id=bare.id, description='Abertura', amount='300,00', due_date='20/11/2026',
                       issue_date='01/11/2026')
    assert mailed(bare.email) == ['Nova cobrança: Abertura']


def test_due_date_digests_mail_staff_and_clients_as_each_chose(office) -> None:
    admin = actor_of(office['admin'])
    reader = make_user('staff', email='leitor@escritorio.test', permissions={'payables': 'read',
                                                                              'receivables': 'read'})
    channels.set_preference(actor_of(reader), 'pagamentos', 'drawer')
    channels.set_preference(actor_of(office['admin']), 'recebimentos', 'none')
    channels.set_preference(actor_of(office['login']), 'recebimentos', 'drawer')
    payables.create(admin, description='Aluguel', amount='1.500,00', due_date='05/11/2026', issue_date='01/10/2026')
    receivables.create(admin, client_id=office['client'].id, description='Honorários', amount='500,00',
                       due_date='05/11/2026', issue_date='01/10/2026', notify=False)
    payables.sweep_alerts()
    receivables.sweep_alerts()
    bill, charge = 'Conta a pagar vencida: Aluguel', 'Cobrança vencida: Padaria Pão Quente Ltda'
    for user in (reader, office['admin']):  # the drawer rows, whatever the channel
        assert bill in notes(user) and charge in notes(user)
    assert mailed('leitor@escritorio.test') == [charge]  # 'drawer' for pagamentos, the default for recebimentos
    assert mailed('dona@escritorio.test') == [bill]  # 'none' for recebimentos
    assert any(t.startswith('Cobrança vencida') for t in notes(office['login']))
    assert mailed('dono@paoquente.test') == []  # she chose the drawer only


def test_a_cancelled_protocol_is_told_to_the_client_logins_as_each_chose(office) -> None:
    partner = make_user('client', client=office['client'], email='socia@paoquente.test')
    channels.set_preference(actor_of(office['login']), 'protocolos', 'drawer')
    admin = actor_of(office['admin'])
    row = asyncio.run(protocols.create(admin, client_id=office['client'].id, kind='guia', competence='10/2026',
                                       uploads=[up('DAS 10-2026.pdf', real_pdf())]))
    protocols.cancel(admin, row.id, 'Guia emitida com valor errado')
    title = 'Protocolo cancelado: Guia de imposto'
    assert title in notes(office['login']) and title in notes(partner)
    assert title in mailed('socia@paoquente.test') and title not in mailed('dono@paoquente.test')
