"""Agenda events: recurrence edge cases, edit/delete one / following / all, client isolation, bad input, reminders
exactly once (controllable clock, a restart in the middle, late at start-up, none for past/cancelled/deleted)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import func, select

from conton import clock, db
from conton.models import Notification, OutboxEmail, ReminderSent
from conton.services import agenda, channels, obligations, reminders
from conton.services.agenda import Recurrence
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user

UTC = timezone.utc


@pytest.fixture
def office():
    make_office()
    obligations.seed_catalogue()  # PostgreSQL tests start from TRUNCATEd tables
    clock.set_now(datetime(2026, 1, 5, 12, tzinfo=UTC))
    admin = make_user('admin')
    return actor_of(admin), admin


def _days(occs) -> list[date]:
    return [o.start_day for o in occs]


def _new(actor, **fields):
    base = dict(title='Reunião', start_day=date(2026, 1, 31), start_time='09:00', end_time='10:00')
    return agenda.create(actor, **{**base, **fields})


# --- recurrence -----------------------------------------------------------------------------------------------------

def test_monthly_on_day_31_falls_on_the_last_day_of_short_months(office) -> None:
    actor, _ = office
    _new(actor, recurrence={'freq': 'monthly_day', 'day': 31})
    occs = agenda.occurrences(actor, date(2026, 1, 1), date(2027, 1, 1))
    assert _days(occs) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
                           date(2026, 5, 31), date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31),
                           date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31)]
    assert all(o.starts_at.time() == time(9) for o in occs)


def test_monthly_on_day_30_in_february_of_a_leap_year(office) -> None:
    actor, _ = office
    _new(actor, start_day=date(2027, 12, 30), recurrence={'freq': 'monthly_day', 'count': 4})
    assert _days(agenda.occurrences(actor, date(2027, 12, 1), date(2028, 6, 1))) == [
        date(2027, 12, 30), date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]


def test_yearly_on_29_february_falls_on_28_february_in_common_years(office) -> None:
    actor, _ = office
    _new(actor, start_day=date(2028, 2, 29), all_day=True, recurrence={'freq': 'yearly', 'count': 5})
    occs = agenda.occurrences(actor, date(2028, 1, 1), date(2034, 1, 1))
    assert _days(occs) == [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28), date(2031, 2, 28),
                           date(2032, 2, 29)]
    assert all(o.all_day and o.end_day == o.start_day for o in occs)


def test_last_business_day_is_not_the_last_weekday(office) -> None:
    """30/04/2026 is a Thursday: with a municipal holiday that day the last business day is 29/04; Carnival and
    national holidays count too; the plain 'last weekday' rule would say 30/04."""
    actor, _ = office
    obligations.add_holiday(actor, date(2026, 4, 30), 'Feriado municipal', scope='municipal')
    _new(actor, start_day=date(2026, 1, 1), recurrence={'freq': 'monthly_last_business', 'until': date(2026, 12, 31)})
    occs = agenda.occurrences(actor, date(2026, 1, 1), date(2027, 1, 1))
    assert _days(occs)[:5] == [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 31), date(2026, 4, 29),
                               date(2026, 5, 29)]
    assert _days(occs)[-1] == date(2026, 12, 31)  # a filing calendar: 31/12/2026 (Thursday) is a business day
    weekday_rule = list(agenda._rr.rrule(agenda._rr.MONTHLY, dtstart=datetime(2026, 4, 1), count=1,
                                         byweekday=range(5), bysetpos=-1))
    assert weekday_rule[0].date() == date(2026, 4, 30)


def test_monthly_on_the_nth_weekday_and_the_last(office) -> None:
    actor, _ = office
    _new(actor, start_day=date(2026, 1, 1), recurrence={'freq': 'monthly_nth', 'nth': 2, 'weekday': 1, 'count': 3})
    _new(actor, title='Fechamento', start_day=date(2026, 1, 1),
         recurrence={'freq': 'monthly_nth', 'nth': -1, 'weekday': 4, 'count': 3})
    occs = agenda.occurrences(actor, date(2026, 1, 1), date(2026, 4, 1))
    assert [o.start_day for o in occs if o.title == 'Reunião'] == [date(2026, 1, 13), date(2026, 2, 10),
                                                                   date(2026, 3, 10)]
    assert [o.start_day for o in occs if o.title == 'Fechamento'] == [date(2026, 1, 30), date(2026, 2, 27),
                                                                      date(2026, 3, 27)]


def test_weekly_on_chosen_weekdays_starts_on_the_first_matching_day(office) -> None:
    actor, _ = office
    event_id = _new(actor, start_day=date(2026, 1, 6),  # a Tuesday
                    recurrence={'freq': 'weekly', 'weekdays': [0, 2], 'count': 4})
    assert _days(agenda.occurrences(actor, date(2026, 1, 1), date(2026, 3, 1))) == [
        date(2026, 1, 7), date(2026, 1, 12), date(2026, 1, 14), date(2026, 1, 19)]
    assert agenda.get(actor, event_id).starts_at.date() == date(2026, 1, 7)


def test_sao_paulo_has_no_daylight_saving_time(office) -> None:
    """Until 2019 São Paulo moved its clocks in November; since then 09:00 local is always 12:00 UTC."""
    actor, _ = office
    _new(actor, start_day=date(2026, 10, 1), recurrence={'freq': 'weekly', 'until': date(2027, 3, 31)})
    occs = agenda.occurrences(actor, date(2026, 10, 1), date(2027, 4, 1))
    assert len(occs) == 26
    assert {o.starts_at.astimezone(UTC).hour for o in occs} == {12}
    assert {o.starts_at.utcoffset() for o in occs} == {timedelta(hours=-3)}


def test_a_series_without_end_is_expanded_only_for_the_range(office) -> None:
    actor, _ = office
    _new(actor, start_day=date(2026, 1, 1), recurrence={'freq': 'daily'})
    assert len(agenda.occurrences(actor, date(2030, 3, 1), date(2030, 3, 8))) == 7
    with unit() as session:
        from conton.models import Event
        assert session.exec(select(Event.series_end)).one() is None


def test_range_reads_a_fixed_number_of_statements(office) -> None:
    actor, _ = office
    for n in range(3):
        _new(actor, title=f'E{n}', start_day=date(2026, 1, 10 + n), client_id=make_client().id,
             recurrence={'freq': 'daily', 'count': 20})
    before = db.query_counter['n']
    agenda.occurrences(actor, date(2026, 1, 1), date(2026, 2, 1))
    few = db.query_counter['n'] - before
    for n in range(30):
        _new(actor, title=f'F{n}', start_day=date(2026, 1, 10), client_id=make_client().id,
             recurrence={'freq': 'weekly'})
    before = db.query_counter['n']
    occs = agenda.occurrences(actor, date(2026, 1, 1), date(2026, 2, 1))
    assert db.query_counter['n'] - before == few <= 5  # login check, events, exceptions, owners, clients
    assert len(occs) == 3 * 20 + 30 * 4


# --- edit and delete ------------------------------------------------------------------------------------------------

def _form(**fields) -> dict:
    return {**dict(title='Plantão', start_day=date(2026, 2, 2), start_time='14:00', end_time='15:00',
                   recurrence={'freq': 'daily', 'count': 5}), **fields}


def test_edit_and_delete_one_occurrence(office) -> None:
    actor, _ = office
    event_id = agenda.create(actor, **_form())
    occs = agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))
    second, third = occs[1], occs[2]
    agenda.update(actor, event_id, scope='one', occurrence=second.occurrence,
                  **_form(title='Plantão remarcado', start_day=date(2026, 2, 10), start_time='08:00',
                          end_time='09:00'))
    agenda.delete(actor, event_id, scope='one', occurrence=third.occurrence)
    occs = agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))
    assert [(o.start_day, o.title) for o in occs] == [
        (date(2026, 2, 2), 'Plantão'), (date(2026, 2, 5), 'Plantão'), (date(2026, 2, 6), 'Plantão'),
        (date(2026, 2, 10), 'Plantão remarcado')]
    moved = occs[-1]
    assert moved.changed and moved.occurrence == second.occurrence and moved.starts_at.time() == time(8)
    assert agenda.get(actor, event_id).cancelled == (third.occurrence,)
    # a moved occurrence shows in the range it moved to, even outside the series' own span
    assert [o.title for o in agenda.occurrences(actor, date(2026, 2, 10), date(2026, 2, 11))] == ['Plantão remarcado']
    with pytest.raises(NotFound):
        agenda.occurrence(actor, event_id, third.occurrence)


def test_this_and_following_splits_the_series_and_keeps_its_count(office) -> None:
    actor, _ = office
    event_id = agenda.create(actor, **_form())
    fourth = agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))[3]
    new_id = agenda.update(actor, event_id, scope='following', occurrence=fourth.occurrence,
                           **_form(title='Plantão novo', start_day=fourth.start_day, start_time='16:00',
                                   end_time='17:00'))
    assert new_id != event_id
    occs = agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))
    assert [(o.start_day.day, o.starts_at.hour, o.title) for o in occs] == [
        (2, 14, 'Plantão'), (3, 14, 'Plantão'), (4, 14, 'Plantão'), (5, 16, 'Plantão novo'), (6, 16, 'Plantão novo')]
    assert agenda.get(actor, new_id).series_id == event_id
    agenda.delete(actor, event_id, scope='following', occurrence=occs[1].occurrence)
    assert [o.start_day.day for o in agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))] == [2, 5, 6]
    agenda.delete(actor, new_id, scope='all')
    assert [o.start_day.day for o in agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))] == [2]


def test_edit_all_changes_every_occurrence_and_drops_stale_exceptions(office) -> None:
    actor, _ = office
    event_id = agenda.create(actor, **_form())
    first = agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))[0]
    agenda.delete(actor, event_id, scope='one', occurrence=first.occurrence)
    agenda.update(actor, event_id, scope='all', **_form(title='Plantão da tarde', start_time='15:00',
                                                        end_time='16:00'))
    occs = agenda.occurrences(actor, date(2026, 2, 1), date(2026, 3, 1))
    assert len(occs) == 5 and {o.title for o in occs} == {'Plantão da tarde'} and occs[0].starts_at.hour == 15


def test_an_occurrence_the_rule_does_not_have_is_not_found(office) -> None:
    actor, _ = office
    event_id = agenda.create(actor, **_form())
    with pytest.raises(NotFound):
        agenda.delete(actor, event_id, scope='one', occurrence=datetime(2026, 2, 2, 18, tzinfo=UTC))


# --- bad input ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(('fields', 'field', 'message'), [
    (dict(end_time='08:00'), 'end_time', 'O fim deve ser depois do início.'),
    (dict(all_day=True, end_day=date(2026, 1, 30)), 'end_day', 'O fim deve ser depois do início.'),
    (dict(recurrence={'freq': 'daily', 'until': date(2026, 1, 30)}), 'recurrence_until',
     'A repetição deve terminar depois do início do evento.'),
    (dict(start_day=date(2026, 1, 6), recurrence={'freq': 'weekly', 'weekdays': [0], 'until': date(2026, 1, 10)}),
     'recurrence_until', 'A repetição termina antes da primeira ocorrência.'),
    (dict(recurrence={'freq': 'daily', 'count': 0}), 'recurrence_count', 'O número de vezes deve ser de 1 a 1000.'),
    (dict(recurrence={'freq': 'weekly', 'end': 'until', 'until': ''}), 'recurrence_until',
     'Informe a data final da repetição.'),
    (dict(recurrence={'freq': 'daily', 'end': 'until', 'until': None}), 'recurrence_until',
     'Informe a data final da repetição.'),
    (dict(recurrence={'freq': 'daily', 'end': 'count', 'count': None}), 'recurrence_count',
     'Informe o número de vezes.'),
    (dict(recurrence={'freq': 'daily', 'end': 'sempre'}), 'recurrence_end', 'Escolha como a repetição termina.'),
    (dict(reminders=[{'lead': 'custom', 'minutes': 0}]), 'reminders',
     'O tempo de antecedência deve ser maior que zero.'),
    (dict(reminders=[{'lead': 'custom', 'minutes': '-5'}]), 'reminders',
     'O tempo de antecedência deve ser maior que zero.'),
    (dict(reminders=[{'lead': -15}]), 'reminders', 'O tempo de antecedência deve ser maior que zero.'),
    (dict(reminders=[{'lead': 15, 'drawer': False}]), 'reminders',
     'Escolha ao menos um meio: notificação ou e-mail.'),
    (dict(title='  '), 'title', 'Informe o título.'),
    (dict(kind='festa'), 'kind', 'Escolha o tipo.'),
    (dict(start_time='25:00'), 'start_time', 'Hora inválida. Use hh:mm.'),
    (dict(shared=True), 'shared', 'Escolha o cliente com quem compartilhar.'),
])
def test_bad_input_gets_its_message_by_the_field(office, fields, field, message) -> None:
    actor, _ = office
    with pytest.raises(ValidationError) as e:
        _new(actor, **fields)
    assert e.value.errors.get(field) == message
    with unit() as session:
        from conton.models import Event
        assert session.exec(select(func.count()).select_from(Event)).one() == 0


def test_every_bad_field_is_reported_at_once(office) -> None:
    actor, _ = office
    with pytest.raises(ValidationError) as e:
        _new(actor, title='', end_time='08:00', reminders=[{'lead': 'custom', 'minutes': 0}])
    assert {'title', 'end_time', 'reminders'} <= set(e.value.errors)


# --- isolation and permissions --------------------------------------------------------------------------------------

def test_a_client_sees_only_its_own_shared_events(office) -> None:
    actor, _ = office
    a, b = make_client('Cliente A'), make_client('Cliente B')
    login_a = actor_of(make_user('client', client=a))
    shared_a = _new(actor, title='Reunião com A', client_id=a.id)
    internal_a = _new(actor, title='Preparar balanço de A', client_id=a.id, shared=False)
    shared_b = _new(actor, title='Reunião com B', client_id=b.id)
    office_only = _new(actor, title='Interno')
    seen = agenda.occurrences(login_a, date(2026, 1, 1), date(2026, 3, 1))
    assert [o.title for o in seen] == ['Reunião com A']
    assert agenda.occurrences(login_a, date(2026, 1, 1), date(2026, 3, 1), client_id=b.id) == []
    assert agenda.get(login_a, shared_a).reminders == ()
    for other in (internal_a, shared_b, office_only, 'not-a-uuid'):
        with pytest.raises(NotFound):
            agenda.get(login_a, other)
        with pytest.raises(NotFound):
            agenda.occurrence(login_a, other)
    with pytest.raises(PermissionDenied):
        agenda.delete(login_a, shared_a)
    with pytest.raises(PermissionDenied):
        _new(login_a)
    assert len(agenda.occurrences(actor, date(2026, 1, 1), date(2026, 3, 1))) == 4


def test_staff_need_the_agenda_permission(office) -> None:
    reader = actor_of(make_user('staff', permissions={'agenda': 'read'}))
    outsider = actor_of(make_user('staff', permissions={'clients': 'write'}))
    assert agenda.occurrences(reader, date(2026, 1, 1), date(2026, 2, 1)) == []
    with pytest.raises(PermissionDenied):
        _new(reader)
    with pytest.raises(PermissionDenied):
        agenda.occurrences(outsider, date(2026, 1, 1), date(2026, 2, 1))


def test_a_shared_event_notifies_the_client_logins(office) -> None:
    actor, _ = office
    a = make_client('Cliente A')
    login = make_user('client', client=a)
    _new(actor, title='Assinatura do contrato', client_id=a.id)
    with unit() as session:
        rows = session.exec(select(Notification).where(Notification.user_id == login.id)).all()
    assert [(n.category, n.title) for n in rows] == [('agenda', 'Novo evento na agenda')]
    assert rows[0].link.startswith('/portal/agenda')
    with unit() as session:  # and by e-mail, the login's channel for Agenda being the default (both)
        assert [(m.to_addr, m.subject) for m in session.exec(select(OutboxEmail)).all()] == \
            [(login.email, 'Novo evento na agenda')]
    channels.set_preferences(actor_of(login), {'agenda': 'drawer'})
    _new(actor, title='Reunião de balanço', client_id=a.id)
    with unit() as session:
        assert session.exec(select(func.count()).select_from(OutboxEmail)).one() == 1  # the drawer only, as chosen
        assert session.exec(select(func.count()).select_from(Notification)
                            .where(Notification.user_id == login.id)).one() == 2


# --- reminders ------------------------------------------------------------------------------------------------------

def _notes(user) -> list[Notification]:
    with unit() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id,
                                                            Notification.title.startswith('Lembrete'))).all())


def _at(hour: int, minute: int, day: date = date(2026, 3, 10)) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.tz())


def test_reminders_are_delivered_exactly_once_also_across_a_restart(office) -> None:
    actor, admin = office
    client = make_client('Cliente A')
    login = make_user('client', client=client)
    colleague = make_user('staff', permissions={'agenda': 'read'})
    _new(actor, title='Reunião de balanço', start_day=date(2026, 3, 10), start_time='10:00', end_time='11:00',
         client_id=client.id, location='Sala 2',
         reminders=[{'lead': 15, 'email': True, 'to_client': True, 'staff_ids': [colleague.id]}, {'lead': 1440}])
    clock.set_now(_at(9, 44, date(2026, 3, 9)))
    assert reminders.sweep(['event']) == {'event': 0}
    clock.set_now(_at(10, 0, date(2026, 3, 9)))
    assert reminders.sweep(['event']) == {'event': 1}  # the day before
    clock.set_now(_at(9, 44))
    assert reminders.sweep(['event']) == {'event': 0}
    clock.set_now(_at(9, 45))
    assert reminders.sweep(['event']) == {'event': 1}
    assert reminders.sweep(['event']) == {'event': 0}
    reminders.reset()  # a restart
    assert reminders.startup_sweep().get('event') == 0
    clock.set_now(_at(9, 59))
    assert reminders.sweep(['event']) == {'event': 0}
    assert len(_notes(admin)) == 2 and len(_notes(colleague)) == 1 and len(_notes(login)) == 1
    [note] = _notes(login)
    assert note.link.startswith('/portal/agenda') and 'Sala 2' in note.body and note.category == 'agenda'
    assert _notes(colleague)[0].link.startswith('/agenda?evento=')
    with unit() as session:
        # the 15-minute reminder: 3 e-mails; and the client's login was told of the new shared event (its channel)
        assert session.exec(select(func.count()).select_from(OutboxEmail)).one() == 3 + 1
        assert session.exec(select(func.count()).select_from(ReminderSent)).one() == 2


def test_a_reminder_missed_while_down_goes_out_once_at_start_up_marked_late(office) -> None:
    actor, admin = office
    _new(actor, start_day=date(2026, 3, 10), start_time='10:00', end_time='11:00', reminders=[{'lead': 60}])
    clock.set_now(_at(9, 50))  # the server was down at 09:00
    reminders.reset()
    assert reminders.startup_sweep()['event'] == 1
    assert reminders.sweep(['event']) == {'event': 0}
    [note] = _notes(admin)
    assert note.body.endswith(reminders.LATE_NOTE)
    with unit() as session:
        assert session.exec(select(ReminderSent.late)).one() is True


def test_no_reminder_for_past_cancelled_or_deleted_occurrences(office) -> None:
    actor, admin = office
    series = _new(actor, start_day=date(2026, 3, 10), start_time='10:00', end_time='11:00',
                  recurrence={'freq': 'daily', 'count': 3}, reminders=[{'lead': 15}])
    gone = _new(actor, title='Apagado', start_day=date(2026, 3, 11), start_time='10:00', end_time='11:00',
                reminders=[{'lead': 15}])
    past = _new(actor, title='Passado', start_day=date(2026, 3, 9), start_time='08:00', end_time='09:00',
                reminders=[{'lead': 15}])
    second = agenda.occurrences(actor, date(2026, 3, 11), date(2026, 3, 12))
    agenda.delete(actor, series, scope='one', occurrence=[o for o in second if o.event_id == series][0].occurrence)
    agenda.delete(actor, gone)
    clock.set_now(_at(12, 0, date(2026, 3, 9)))  # "Passado" ended at 09:00: not reminded, not even late
    assert reminders.sweep(['event']) == {'event': 0}
    delivered = []
    for day in (10, 11, 12):
        clock.set_now(_at(9, 45, date(2026, 3, day)))
        delivered.append(reminders.sweep(['event'])['event'])
    assert delivered == [1, 0, 1]
    assert past and len(_notes(admin)) == 2


def test_a_daily_series_reminds_each_occurrence_once(office) -> None:
    actor, admin = office
    _new(actor, start_day=date(2026, 3, 10), start_time='10:00', end_time='10:30',
         recurrence={'freq': 'daily'}, reminders=[{'lead': 0}])
    counts = []
    for day in range(10, 15):
        for minute in (0, 5):
            clock.set_now(_at(10, minute, date(2026, 3, day)))
            counts.append(reminders.sweep(['event'])['event'])
    assert counts == [1, 0] * 5
    assert len(_notes(admin)) == 5


def test_recurrence_label_reads_in_portuguese() -> None:
    assert Recurrence('weekly', weekdays=(0, 2), until=date(2026, 6, 30)).label == \
        'Semanal, segunda, quarta, até 30/06/2026'
    assert Recurrence('monthly_day', day=31, count=12).label == 'Mensal (no dia), no último dia, 12 vezes'
    assert Recurrence('monthly_nth', interval=2, nth=-1, weekday=4).label == 'A cada 2 meses, último sexta'


# --- choices and the home count -------------------------------------------------------------------------------------

def test_form_choices_list_active_staff_and_clients_only_for_the_office(office) -> None:
    actor, admin = office
    staff = make_user('staff', name='Bruno Prazos', permissions={'agenda': 'read'})
    gone = make_user('staff', name='Saiu Daqui', permissions={'agenda': 'read'})
    users_off(gone)
    alfa, beta = make_client('Alfa Ltda'), make_client('Beta Ltda', active=False)
    people = agenda.staff_options(actor)
    assert people[str(staff.id)] == 'Bruno Prazos' and str(admin.id) in people and str(gone.id) not in people
    assert list(agenda.client_options(actor)) == [str(alfa.id)]
    assert str(beta.id) in agenda.client_options(actor, include=beta.id)  # the one already chosen stays offered
    login = make_user('client', client=alfa)
    with pytest.raises(PermissionDenied):
        agenda.client_options(actor_of(login))
    with pytest.raises(PermissionDenied):
        agenda.staff_options(actor_of(make_user('staff', permissions={})))


def test_client_options_search_on_the_server_a_page_at_a_time(office) -> None:
    actor, _ = office
    alfa = make_client('Padaria São João Ltda', document='11222333000181')
    for n in range(agenda.CLIENT_OPTIONS + 5):
        make_client(f'Cliente {n:03d}')
    assert len(agenda.client_options(actor)) == agenda.CLIENT_OPTIONS  # never every client
    for text in ('sao joao', 'PADARIA', '11.222.333/0001', '11222333'):
        assert list(agenda.client_options(actor, text)) == [str(alfa.id)], text
    assert agenda.client_options(actor, '%') == {} and agenda.client_options(actor, 'nada disso') == {}
    assert agenda.client_options(actor, include=alfa.id, limit=0) == {str(alfa.id): 'Padaria São João Ltda'}
    assert agenda.client_options(actor, include='lixo', limit=0) == {}


def users_off(user) -> None:
    from conton.models import User
    with unit() as session:
        row = session.get(User, user.id)
        row.active = False


def test_upcoming_count_is_the_next_seven_days_and_a_client_counts_only_its_own(office) -> None:
    actor, _ = office  # now: 05/01/2026 12:00 UTC (09:00 in São Paulo)
    alfa, beta = make_client('Alfa Ltda', tax_regime='Simples Nacional'), make_client('Beta Ltda')
    _new(actor, title='Ontem', start_day=date(2026, 1, 4))
    _new(actor, title='Amanhã com Alfa', start_day=date(2026, 1, 6), client_id=alfa.id)
    _new(actor, title='Amanhã com Beta', start_day=date(2026, 1, 6), client_id=beta.id)
    _new(actor, title='Interno', start_day=date(2026, 1, 7), client_id=alfa.id, shared=False)
    _new(actor, title='Longe', start_day=date(2026, 1, 20))
    das = next(o for o in obligations.catalogue(actor) if o.code == 'DAS')
    obligations.assign(actor, alfa.id, das.id, since='11/2025', visible_to_client=True)
    obligations.assign(actor, beta.id, das.id, since='11/2025')  # not visible to Beta: the office's count only
    obligations.set_override(actor, das.id, '12/2025', date(2026, 1, 8), note='Portaria')  # due within the week
    login = actor_of(make_user('client', client=alfa))
    with unit(actor) as session:
        assert agenda.upcoming_count(session, actor) == 3 + 2  # Amanhã ×2, Interno; DAS of Alfa and of Beta
    with unit(login) as session:
        assert agenda.upcoming_count(session, login) == 1 + 1  # its shared event and its visible DAS
    obligations.mark_done(actor, alfa.id, das.id, '12/2025')
    with unit(login) as session:
        assert agenda.upcoming_count(session, login) == 1


def test_expansion_started_near_the_range_gives_what_the_whole_series_gives() -> None:
    """expand() lets rrule start whole periods after the series' first occurrence (_fast_forward): for every kind
    of rule, interval and window it must give exactly what rrule from the first occurrence gives."""
    import random

    from conton.services.agenda import _rrule
    rng = random.Random(31)
    for _ in range(400):
        freq = rng.choice(('daily', 'weekly', 'monthly_day', 'monthly_nth', 'yearly'))
        first = datetime(2024, 1, 1, 9, 30) + timedelta(days=rng.randrange(0, 800), minutes=30 * rng.randrange(20))
        rule = Recurrence(freq, interval=rng.choice((1, 1, 2, 3, 5)),
                          weekdays=tuple(sorted(rng.sample(range(7), rng.randint(1, 3)))) if freq == 'weekly' else (),
                          day=rng.choice((None, 1, 15, 29, 30, 31)) if freq == 'monthly_day' else None,
                          nth=rng.choice((1, 2, 4, -1)) if freq == 'monthly_nth' else None,
                          weekday=rng.randrange(7) if freq == 'monthly_nth' else None,
                          until=first.date() + timedelta(days=rng.randrange(30, 4000)) if rng.random() < 0.5 else None)
        start = first + timedelta(days=rng.randrange(-30, 3000), hours=rng.randrange(24))
        end = start + timedelta(days=rng.choice((1, 7, 42, 400)))
        assert agenda.expand(rule, first, start, end) == _rrule(rule, first).between(start, end, inc=True), \
            (rule, first, start)
