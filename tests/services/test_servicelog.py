"""Atendimentos: recording, editing and deleting with audit; the follow-up event in the staff member's Agenda (and
its reminder), moved, removed; a request link only to the same client's request; bad input refused with every
field's message and nothing saved; internal atendimentos never reach a client login (list, id, notifications), a
client sees only its own client's visible ones."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlmodel import func, select

from conton import clock
from conton.models import (AuditLog, ClientRequest, Event, Notification, OutboxEmail, RequestCategory,
                           ServiceRecord)
from conton.services import agenda, channels, notifications, reminders, servicelog
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user

UTC = timezone.utc


@pytest.fixture
def office():
    make_office()
    clock.set_now(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))  # 10:00 in São Paulo, Wednesday 04/03/2026
    admin = make_user('admin', name='Ana Admin')
    staff = make_user('staff', name='Bia Staff', permissions={'servicelog': 'write', 'agenda': 'read'})
    alfa, beta = make_client('Alfa Padaria Ltda'), make_client('Beta Oficina Ltda')
    login_a = make_user('client', client=alfa, name='Olavo Alfa')
    login_b = make_user('client', client=beta, name='Bruno Beta')
    return {'admin': actor_of(admin), 'staff': actor_of(staff), 'staff_user': staff, 'alfa': alfa, 'beta': beta,
            'login_a': actor_of(login_a), 'login_b': actor_of(login_b), 'login_a_user': login_a}


def _request(client, subject='Certidão negativa') -> ClientRequest:
    with unit() as session:
        category = session.exec(select(RequestCategory)).first()
        if category is None:  # PostgreSQL tests start from TRUNCATEd tables
            category = RequestCategory(name='Certidão', position=1)
            session.add(category)
            session.flush()
        number = (session.exec(select(func.max(ClientRequest.number))).one() or 0) + 1
        user = make_user('admin')
        request = ClientRequest(number=number, client_id=client.id, subject=subject, category_id=category.id,
                                opened_by=user.id, opened_side='office')
        session.add(request)
    return request


def _new(actor, client, **fields):
    base = dict(client_id=str(client.id), channel='telefone', subject='Dúvida sobre o DAS', duration_minutes='15',
                description='Cliente ligou perguntando do boleto.', outcome='Explicado.')
    return servicelog.create(actor, **{**base, **fields})


def _count(model) -> int:
    with unit() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_record_with_defaults_and_audit(office) -> None:
    row = _new(office['staff'], office['alfa'])
    assert (row.client_name, row.channel_label, row.subject, row.staff_name) == \
        ('Alfa Padaria Ltda', 'Telefone', 'Dúvida sobre o DAS', 'Bia Staff')
    assert row.happened_on == date(2026, 3, 4) and row.duration_minutes == 15 and row.duration_label == '15 min'
    assert row.visible_to_client is False and row.follow_up_on is None and row.agenda_event_id is None
    found = servicelog.search(office['admin'], servicelog.parse_filter(client='alfa'))
    assert [r.id for r in found.rows] == [row.id] and found.total == 1
    assert servicelog.search(office['admin'], servicelog.parse_filter(client='beta')).total == 0
    assert servicelog.search(office['admin'], servicelog.parse_filter(channel='presencial')).total == 0
    assert servicelog.search(office['admin'], servicelog.parse_filter(staff=str(office['staff'].user_id))).total == 1
    assert servicelog.search(office['admin'], servicelog.parse_filter(start='05/03/2026')).total == 0
    assert servicelog.search(office['admin'], servicelog.parse_filter(end='04/03/2026')).total == 1
    with unit() as session:
        logged = session.exec(select(AuditLog).where(AuditLog.entity == 'servicerecord')).all()
    assert [(a.action, a.entity_id) for a in logged] == [('create', str(row.id))]


def test_follow_up_creates_moves_and_removes_the_agenda_event(office) -> None:
    staff = office['staff']
    row = _new(office['admin'], office['alfa'], staff_id=str(staff.user_id), follow_up_on='10/03/2026')
    assert row.agenda_event_id is not None
    occ = agenda.occurrence(staff, row.agenda_event_id)
    assert occ.owner_id == staff.user_id and occ.start_day == date(2026, 3, 10) and occ.shared is False
    assert occ.title == 'Retorno: Dúvida sobre o DAS' and 'Alfa Padaria Ltda' in occ.description
    # the staff member was told it is theirs
    assert any('Atendimento registrado em seu nome' in i.title for i in notifications.drawer(staff).items)
    # in the staff member's Agenda, not shared with the client
    mine = agenda.occurrences(staff, date(2026, 3, 1), date(2026, 4, 1), owner_id=staff.user_id)
    assert [o.event_id for o in mine] == [row.agenda_event_id]
    assert agenda.occurrences(office['login_a'], date(2026, 3, 1), date(2026, 4, 1)) == []
    # its reminder reaches the staff member at 09:00 of that day
    clock.set_now(datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    reminders.sweep(['event'])
    assert 'Lembrete: Retorno: Dúvida sobre o DAS' in [i.title for i in notifications.drawer(staff).items]
    clock.set_now(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))
    moved = servicelog.update(office['admin'], row.id, follow_up_on='12/03/2026', subject='DAS atrasado')
    assert moved.agenda_event_id == row.agenda_event_id
    occ = agenda.occurrence(staff, row.agenda_event_id)
    assert occ.start_day == date(2026, 3, 12) and occ.title == 'Retorno: DAS atrasado'
    cleared = servicelog.update(office['admin'], row.id, follow_up_on='')
    assert cleared.agenda_event_id is None and cleared.follow_up_on is None
    assert _count(Event) == 0
    again = servicelog.update(office['admin'], row.id, follow_up_on='20/03/2026')
    assert again.agenda_event_id is not None and _count(Event) == 1
    servicelog.delete(office['admin'], row.id)
    assert _count(Event) == 0
    with pytest.raises(NotFound):
        servicelog.get(office['admin'], row.id)
    assert servicelog.search(office['admin']).total == 0
    with unit() as session:  # soft: the row stays, marked
        assert session.get(ServiceRecord, row.id).deleted_at is not None
        actions = [a.action for a in session.exec(select(AuditLog).where(AuditLog.entity == 'servicerecord')
                                                  .order_by(AuditLog.at, AuditLog.id)).all()]
    assert actions == ['create', 'update', 'update', 'update', 'delete']
    with pytest.raises(NotFound):
        servicelog.update(office['admin'], row.id, subject='x')


def test_the_follow_up_comes_at_the_time_chosen_and_the_agendas_time_is_kept_unless_changed(office) -> None:
    staff = office['staff']
    row = _new(office['admin'], office['alfa'], staff_id=str(staff.user_id), follow_up_on='10/03/2026',
               follow_up_time='14:30')
    occ = agenda.occurrence(staff, row.agenda_event_id)
    assert clock.local(occ.starts_at).strftime('%d/%m/%Y %H:%M') == '10/03/2026 14:30'
    assert row.follow_up_time.strftime('%H:%M') == '14:30' and row.follow_up_label == '10/03/2026 às 14:30'
    # its reminder comes at 14:30, not at 09:00
    clock.set_now(datetime(2026, 3, 10, 12, 5, tzinfo=UTC))  # 09:05 local
    reminders.sweep(['event'])
    assert not any('Retorno' in i.title for i in notifications.drawer(staff).items)
    clock.set_now(datetime(2026, 3, 10, 17, 31, tzinfo=UTC))  # 14:31 local
    reminders.sweep(['event'])
    assert 'Lembrete: Retorno: Dúvida sobre o DAS' in [i.title for i in notifications.drawer(staff).items]
    clock.set_now(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))
    # the form sends the time it shows: another date with no time keeps 14:30; a new time moves it in its day
    moved = servicelog.update(office['admin'], row.id, follow_up_on='12/03/2026', follow_up_time='')
    assert moved.follow_up_label == '12/03/2026 às 14:30'
    later = servicelog.update(office['admin'], row.id, follow_up_time='16:00')
    assert later.follow_up_label == '12/03/2026 às 16:00' and later.agenda_event_id == row.agenda_event_id
    assert clock.local(agenda.occurrence(staff, row.agenda_event_id).starts_at).strftime('%H:%M') == '16:00'
    with unit() as session:
        last = session.exec(select(AuditLog).where(AuditLog.entity == 'servicerecord')
                            .order_by(AuditLog.at.desc(), AuditLog.id.desc())).first()
    assert 'hora do retorno: 14:30 → 16:00' in last.detail
    assert servicelog.update(office['admin'], row.id, follow_up_time='16:00').updated_at == later.updated_at
    # a bad time leaves everything as it was
    with pytest.raises(ValidationError) as e:
        servicelog.update(office['admin'], row.id, follow_up_time='24:00', subject='Outro assunto')
    assert e.value.errors == {'follow_up_time': 'Hora inválida. Use hh:mm.'}
    assert servicelog.get(office['admin'], row.id).subject == 'Dúvida sobre o DAS'
    # without a date the time is ignored (a form whose date was cleared still sends it)
    plain = _new(office['admin'], office['beta'], follow_up_time='11:00')
    assert plain.agenda_event_id is None and plain.follow_up_label == ''


def test_the_follow_up_deleted_in_the_agenda_lets_go_of_the_atendimento(office) -> None:
    row = _new(office['admin'], office['alfa'], follow_up_on='10/03/2026')
    agenda.delete(office['admin'], row.agenda_event_id)
    kept = servicelog.get(office['admin'], row.id)
    assert kept.agenda_event_id is None and kept.follow_up_on == date(2026, 3, 10)
    # an unrelated edit does not bring it back; a new date does
    assert servicelog.update(office['admin'], row.id, outcome='Resolvido').agenda_event_id is None
    assert servicelog.update(office['admin'], row.id, follow_up_on='11/03/2026').agenda_event_id is not None


@pytest.mark.parametrize(('fields', 'field', 'message'), [
    ({'subject': '  '}, 'subject', 'Informe o assunto.'),
    ({'duration_minutes': '-5'}, 'duration_minutes', 'A duração não pode ser negativa.'),
    ({'duration_minutes': ''}, 'duration_minutes', 'Informe a duração em minutos.'),
    ({'duration_minutes': '1441'}, 'duration_minutes', 'A duração pode ser de até 1.440 minutos (24 horas).'),
    ({'duration_minutes': 'dez'}, 'duration_minutes', 'Duração inválida: informe os minutos em números inteiros.'),
    ({'happened_on': '05/03/2026'}, 'happened_on', 'A data do atendimento não pode estar no futuro.'),
    ({'happened_on': '31/02/2026'}, 'happened_on', None),
    ({'follow_up_on': '03/03/2026'}, 'follow_up_on', 'A data de retorno não pode estar no passado.'),
    ({'channel': 'fax'}, 'channel', 'Escolha o canal do atendimento.'),
    ({'client_id': ''}, 'client_id', 'Escolha o cliente.'),
    ({'client_id': '00000000-0000-0000-0000-000000000000'}, 'client_id', 'Cliente não encontrado.'),
    ({'staff_id': 'x'}, 'staff_id', 'Escolha o funcionário que atendeu.'),
    ({'subject': 'a\x00b'}, 'subject', None),
    ({'visible_to_client': 'sim'}, 'visible_to_client', None),
    ({'follow_up_time': '25:90'}, 'follow_up_time', 'Hora inválida. Use hh:mm.'),
    ({'follow_up_time': 'nove'}, 'follow_up_time', 'Hora inválida. Use hh:mm.'),
])
def test_bad_input_is_refused_and_nothing_is_saved(office, fields, field, message) -> None:
    fields = dict(fields)  # the parameter is shared by the SQLite and PostgreSQL runs
    with pytest.raises(ValidationError) as e:
        _new(office['admin'], office['alfa'], follow_up_on=fields.pop('follow_up_on', '10/03/2026'), **fields)
    assert field in e.value.errors
    if message:
        assert e.value.errors[field] == message
    assert _count(ServiceRecord) == 0 and _count(Event) == 0 and _count(Notification) == 0


def test_every_bad_field_is_reported_at_once(office) -> None:
    with pytest.raises(ValidationError) as e:
        servicelog.create(office['admin'], client_id='', channel='', subject='', duration_minutes='-1')
    assert {'client_id', 'channel', 'subject', 'duration_minutes'} <= set(e.value.errors)


def test_a_request_link_only_to_the_same_clients_request(office) -> None:
    mine, theirs = _request(office['alfa']), _request(office['beta'], 'Alteração')
    row = _new(office['admin'], office['alfa'], request_id=str(mine.id))
    assert (row.request_id, row.request_number, row.request_subject) == (mine.id, mine.number, 'Certidão negativa')
    assert servicelog.request_options(office['admin'], office['alfa'].id) == {str(mine.id): f'#{mine.number} — '
                                                                                             'Certidão negativa'}
    for bad in (str(theirs.id), '00000000-0000-0000-0000-000000000000', 'x'):
        with pytest.raises(ValidationError) as e:
            _new(office['admin'], office['alfa'], request_id=bad)
        assert e.value.errors == {'request_id': 'Solicitação não encontrada para este cliente.'}
        with pytest.raises(ValidationError):
            servicelog.update(office['admin'], row.id, request_id=bad)
    # moving the atendimento to another client while keeping Alfa's request is refused too
    with pytest.raises(ValidationError) as e:
        servicelog.update(office['admin'], row.id, client_id=str(office['beta'].id))
    assert 'request_id' in e.value.errors
    assert servicelog.get(office['admin'], row.id).client_id == office['alfa'].id
    assert _count(ServiceRecord) == 1


def test_an_edit_past_the_follow_up_date_keeps_it(office) -> None:
    row = _new(office['admin'], office['alfa'], follow_up_on='05/03/2026')
    clock.set_now(datetime(2026, 3, 9, 13, 0, tzinfo=UTC))
    kept = servicelog.update(office['admin'], row.id, outcome='Cliente retornou')
    assert kept.follow_up_on == date(2026, 3, 5)
    with pytest.raises(ValidationError) as e:
        servicelog.update(office['admin'], row.id, follow_up_on='06/03/2026')
    assert e.value.errors == {'follow_up_on': 'A data de retorno não pode estar no passado.'}


def test_internal_atendimentos_never_reach_a_client_login(office) -> None:
    internal = _new(office['admin'], office['alfa'], subject='Cliente devendo honorários')
    visible = _new(office['admin'], office['alfa'], subject='Envio da DCTF', visible_to_client=True)
    other = _new(office['admin'], office['beta'], subject='Beta visível', visible_to_client=True)
    login_a, login_b = office['login_a'], office['login_b']
    page = servicelog.portal(login_a)
    assert [r.subject for r in page.rows] == ['Envio da DCTF'] and page.total == 1
    assert not hasattr(page.rows[0], 'follow_up_on') and not hasattr(page.rows[0], 'client_id')
    assert servicelog.portal_get(login_a, visible.id).subject == 'Envio da DCTF'
    for target in (internal.id, other.id, '00000000-0000-0000-0000-000000000000', 'nada'):
        with pytest.raises(NotFound):
            servicelog.portal_get(login_a, target)
    assert [r.subject for r in servicelog.portal(login_b).rows] == ['Beta visível']
    for call in (lambda: servicelog.search(login_a), lambda: servicelog.get(login_a, internal.id),
                 lambda: servicelog.get(login_a, visible.id), lambda: servicelog.request_options(login_a, None),
                 lambda: servicelog.create(login_a, client_id=str(office['alfa'].id), channel='portal',
                                           subject='x', duration_minutes=1),
                 lambda: servicelog.delete(login_a, visible.id)):
        with pytest.raises(PermissionDenied):
            call()
    # notifications: the visible one told Alfa's logins, the internal nothing, Beta's login only its own
    titles_a = [i.title for i in notifications.drawer(login_a).items]
    assert titles_a == ['Atendimento registrado: Envio da DCTF']
    assert [i.title for i in notifications.drawer(login_b).items] == ['Atendimento registrado: Beta visível']
    # ... and by e-mail, as each login chose for Atendimentos (here the default: both): never the internal one
    with unit() as session:
        mails = {(m.to_addr, m.subject) for m in session.exec(select(OutboxEmail)).all()}
    assert mails == {(login_a.email, 'Atendimento registrado: Envio da DCTF'),
                     (login_b.email, 'Atendimento registrado: Beta visível')}
    # made internal again: gone from the portal and its notification taken back; deleted: the same
    servicelog.update(office['admin'], visible.id, visible_to_client=False)
    assert servicelog.portal(login_a).total == 0 and notifications.drawer(login_a).items == []
    with pytest.raises(NotFound):
        servicelog.portal_get(login_a, visible.id)
    servicelog.update(office['admin'], visible.id, visible_to_client=True)
    assert servicelog.portal(login_a).total == 1 and len(notifications.drawer(login_a).items) == 1
    servicelog.delete(office['admin'], visible.id)
    assert servicelog.portal(login_a).total == 0 and notifications.drawer(login_a).items == []
    assert notifications.unread_counts(login_a).get('atendimentos', 0) == 0
    # staff never pass through the portal's functions
    with pytest.raises(PermissionDenied):
        servicelog.portal(office['admin'])


def test_a_login_that_chose_the_drawer_only_for_atendimentos_gets_no_email(office) -> None:
    channels.set_preferences(office['login_a'], {'atendimentos': 'drawer'})
    channels.set_preferences(office['staff'], {'atendimentos': 'email'})
    _new(office['admin'], office['alfa'], subject='Envio da DCTF', visible_to_client=True,
         staff_id=str(office['staff'].user_id))
    with unit() as session:
        mails = [(m.to_addr, m.subject) for m in session.exec(select(OutboxEmail)).all()]
    assert mails == [(office['staff'].email, 'Atendimento registrado em seu nome: Envio da DCTF')]
    assert [i.title for i in notifications.drawer(office['login_a']).items] == ['Atendimento registrado: Envio da DCTF']


def test_permissions(office) -> None:
    reader = actor_of(make_user('staff', permissions={'servicelog': 'read'}))
    nobody = actor_of(make_user('staff', permissions={'agenda': 'write'}))
    row = _new(office['staff'], office['alfa'])
    assert servicelog.get(reader, row.id).id == row.id
    with pytest.raises(PermissionDenied):
        _new(reader, office['alfa'])
    with pytest.raises(PermissionDenied):
        servicelog.update(reader, row.id, subject='outro')
    with pytest.raises(PermissionDenied):
        servicelog.search(nobody)
    assert servicelog.get(office['staff'], row.id).subject == 'Dúvida sobre o DAS'
