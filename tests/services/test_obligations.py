"""Obrigações: the shipped catalogue, defaults by regime, due dates per client (published Agenda Tributária of
February 2026, a municipal holiday, an override by decree), done marks and the lists, isolation, bad input, and the
reminders (exactly once, restart, none once done)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from sqlmodel import func, select

from conton import clock, db
from conton.models import Notification, Obligation
from conton.services import obligations, reminders
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user

SHIPPED = {'DAS', 'DAS_MEI', 'DAE_MEI', 'FGTS', 'DARF_INSS_IRRF', 'PIS_COFINS', 'ESOCIAL', 'EFD_REINF', 'DCTFWEB',
           'EFD_CONTRIBUICOES', 'IRPJ_CSLL', 'IRPJ_CSLL_Q2', 'IRPJ_CSLL_Q3', 'DEFIS', 'DASN_SIMEI', 'ISS'}


@pytest.fixture
def office():
    make_office()
    obligations.seed_catalogue()  # PostgreSQL tests start from TRUNCATEd tables
    clock.set_now(datetime(2026, 1, 5, 12, tzinfo=timezone.utc))
    admin = make_user('admin')
    return actor_of(admin), admin


def _ob(actor, code: str):
    return next(o for o in obligations.catalogue(actor) if o.code == code)


def _assign(actor, client, *codes, **kwargs) -> dict[str, object]:
    return {code: obligations.assign(actor, client.id, _ob(actor, code).id, since='01/2025', **kwargs)
            for code in codes}


def test_the_shipped_catalogue_holds_every_obligation_of_the_issue(office) -> None:
    actor, _ = office
    rows = obligations.catalogue(actor)
    assert {o.code for o in rows} == SHIPPED
    assert all(o.active and not o.custom for o in rows)
    assert _ob(actor, 'DAS').rule_label == 'Dia 20 do mês seguinte, prorroga'
    assert _ob(actor, 'EFD_CONTRIBUICOES').rule_label == '10º dia útil do segundo mês seguinte'
    assert {r.code for r in obligations.shipped()} == SHIPPED and obligations.seed_catalogue() == 0


@pytest.mark.parametrize(('regime', 'employees', 'codes'), [
    ('MEI', False, ['DAS_MEI', 'DASN_SIMEI']),
    ('MEI', True, ['DAS_MEI', 'DASN_SIMEI', 'DAE_MEI', 'FGTS']),
    ('Simples Nacional', False, ['DAS', 'DEFIS']),
    ('Simples Nacional', True, ['DAS', 'DEFIS', 'FGTS', 'ESOCIAL', 'DCTFWEB', 'DARF_INSS_IRRF']),
    ('Lucro Presumido', False, ['PIS_COFINS', 'DCTFWEB', 'EFD_CONTRIBUICOES', 'IRPJ_CSLL']),
    ('Lucro Real', True, ['PIS_COFINS', 'DCTFWEB', 'EFD_CONTRIBUICOES', 'IRPJ_CSLL', 'FGTS', 'ESOCIAL',
                          'DARF_INSS_IRRF']),
])
def test_defaults_by_regime(office, regime, employees, codes) -> None:
    actor, admin = office
    client = make_client(tax_regime=regime)
    created = obligations.assign_defaults(actor, client.id, with_employees=employees, responsible_id=admin.id)
    rows = obligations.assignments(actor, client.id)
    assert sorted(r.code for r in rows) == sorted(codes) and len(created) == len(codes)
    assert {r.responsible_name for r in rows} == {admin.name}
    assert obligations.assign_defaults(actor, client.id, with_employees=employees) == []  # nothing twice


def test_due_dates_of_february_2026_match_the_published_agenda(office) -> None:
    """Agenda Tributária, February 2026: the 15th is a Sunday and 16-17 are Carnival."""
    actor, _ = office
    client = make_client(tax_regime='Lucro Presumido')
    _assign(actor, client, 'EFD_CONTRIBUICOES', 'EFD_REINF', 'ESOCIAL', 'DAS', 'FGTS', 'DARF_INSS_IRRF',
            'PIS_COFINS', 'DCTFWEB')
    expected = {('EFD_CONTRIBUICOES', '2025-12'): date(2026, 2, 13), ('EFD_REINF', '2026-01'): date(2026, 2, 18),
                ('ESOCIAL', '2026-01'): date(2026, 2, 18), ('DAS', '2026-01'): date(2026, 2, 20),
                ('FGTS', '2026-01'): date(2026, 2, 20), ('DARF_INSS_IRRF', '2026-01'): date(2026, 2, 20),
                ('PIS_COFINS', '2026-01'): date(2026, 2, 25), ('DCTFWEB', '2026-01'): date(2026, 2, 27)}
    got = {(i.code, i.competence): i.due_date for i in obligations.month(actor, 2026, 2)}
    assert got == expected
    assert obligations.due_for(actor, client.id, 'DCTFWEB', '01/2026').due_date == date(2026, 2, 27)


def test_a_municipal_holiday_moves_only_that_citys_clients(office) -> None:
    actor, _ = office
    here = make_client(city='Campinas', uf='SP')
    there = make_client(city='Santos', uf='SP')
    for c in (here, there):
        _assign(actor, c, 'ISS')
    obligations.add_holiday(actor, date(2026, 3, 10), 'Aniversário da cidade', scope='municipal', uf='SP',
                            city='campinas')
    due = {i.client_id: i.due_date for i in obligations.month(actor, 2026, 3)}
    assert due == {here.id: date(2026, 3, 11), there.id: date(2026, 3, 10)}  # ISS prorroga


def test_a_state_holiday_moves_an_antecipa_rule_back(office) -> None:
    actor, _ = office
    sp, rj = make_client(uf='SP', city='São Paulo'), make_client(uf='RJ', city='Rio de Janeiro')
    for c in (sp, rj):
        _assign(actor, c, 'PIS_COFINS')
    obligations.add_holiday(actor, date(2026, 3, 25), 'Feriado estadual', scope='estadual', uf='RJ')
    due = {i.client_id: i.due_date for i in obligations.month(actor, 2026, 3)}
    assert due == {sp.id: date(2026, 3, 25), rj.id: date(2026, 3, 24)}


def test_an_override_wins_over_the_rule_and_says_so(office) -> None:
    """The DAS of 04/2025 was moved to 28/05/2025; one client got its own date on top."""
    actor, _ = office
    clock.set_now(datetime(2025, 5, 2, 12, tzinfo=timezone.utc))
    a, b = make_client('A'), make_client('B')
    for c in (a, b):
        _assign(actor, c, 'DAS')
    das = _ob(actor, 'DAS').id
    obligations.set_override(actor, das, '04/2025', '28/05/2025', note='Resolução CGSN 183/2025')
    obligations.set_override(actor, das, '2025-04', date(2025, 5, 30), client_id=b.id, note='Caso especial')
    items = {i.client_name: i for i in obligations.search(actor, date(2025, 5, 1), date(2025, 5, 31))}
    assert items['A'].due_date == date(2025, 5, 28) and items['A'].overridden
    assert items['A'].rule_date == date(2025, 5, 20) and items['A'].override_note == 'Resolução CGSN 183/2025'
    assert items['B'].due_date == date(2025, 5, 30) and items['B'].override_note == 'Caso especial'
    assert len(obligations.overrides(actor)) == 2
    obligations.remove_override(actor, obligations.overrides(actor, obligation_id=das)[0].id)
    assert len(obligations.overrides(actor)) == 1


def test_mark_done_undo_and_the_lists(office) -> None:
    actor, admin = office
    clock.set_now(datetime(2026, 2, 20, 15, tzinfo=timezone.utc))  # Friday 20/02/2026
    client = make_client('Padaria')
    ids = _assign(actor, client, 'DAS', 'FGTS', 'ESOCIAL', 'PIS_COFINS')
    assert {i.code for i in obligations.due_today(actor)} == {'DAS', 'FGTS'}
    assert {i.code for i in obligations.due_this_week(actor)} == {'DAS', 'FGTS'}
    overdue = obligations.overdue(actor)
    assert ('ESOCIAL', '2026-01') in {(i.code, i.competence) for i in overdue}
    assert all(i.status == 'vencido' for i in overdue) and all(i.competence >= '2025-01' for i in overdue)
    done = obligations.mark_done(actor, client.id, _ob(actor, 'DAS').id, '01/2026', no_movement=True)
    assert done.done and done.no_movement and done.status == 'feito' and done.done_by_name == admin.name
    late = obligations.mark_done(actor, client.id, _ob(actor, 'ESOCIAL').id, '2026-01')
    assert late.status == 'feito_atraso'
    assert {i.code for i in obligations.due_today(actor)} == {'FGTS'}
    assert [(i.code, i.competence) for i in obligations.done_late(actor, date(2026, 2, 1), date(2026, 2, 28))] == [
        ('ESOCIAL', '2026-01')]
    obligations.undo_done(actor, client.id, _ob(actor, 'DAS').id, '01/2026')
    assert {i.code for i in obligations.due_today(actor)} == {'DAS', 'FGTS'}
    with pytest.raises(NotFound):
        obligations.undo_done(actor, client.id, _ob(actor, 'DAS').id, '01/2026')
    assert ids


def test_lists_read_a_fixed_number_of_statements(office) -> None:
    actor, _ = office
    clock.set_now(datetime(2026, 2, 20, 15, tzinfo=timezone.utc))

    def statements() -> int:
        before = db.query_counter['n']
        obligations.month(actor, 2026, 2)
        return db.query_counter['n'] - before

    for _ in range(2):
        obligations.assign_defaults(actor, make_client(tax_regime='Simples Nacional').id, with_employees=True)
    few = statements()
    for _ in range(25):
        obligations.assign_defaults(actor, make_client(tax_regime='Lucro Presumido').id, with_employees=True)
    assert statements() == few <= 6
    # from competência 01/2026 on (assigned in February): Simples DAS, FGTS, eSocial, DCTFWeb, DARF; Presumido
    # PIS/COFINS, DCTFWeb, FGTS, eSocial, DARF (its EFD-Contribuições 12/2025 and IRPJ/CSLL fall outside)
    assert len(obligations.month(actor, 2026, 2)) == 2 * 5 + 25 * 5


def test_a_client_sees_only_its_own_visible_obligations(office) -> None:
    actor, _ = office
    a, b = make_client('A'), make_client('B')
    login_a = actor_of(make_user('client', client=a))
    _assign(actor, a, 'DAS', visible_to_client=True)
    _assign(actor, a, 'FGTS')  # the office's own work: not shown to the client
    _assign(actor, b, 'DAS', 'FGTS', visible_to_client=True)
    seen = obligations.search(login_a, date(2026, 1, 1), date(2026, 12, 31))
    assert {(i.client_id, i.code) for i in seen} == {(a.id, 'DAS')}
    assert obligations.search(login_a, date(2026, 1, 1), date(2026, 12, 31), client_id=b.id) == []
    assert [r.code for r in obligations.assignments(login_a)] == ['DAS']
    obligations.mark_done(actor, b.id, _ob(actor, 'DAS').id, '01/2026')
    with pytest.raises(NotFound):
        obligations.file_of(login_a, b.id, _ob(actor, 'DAS').id, '01/2026')
    with pytest.raises(NotFound):
        obligations.due_for(login_a, b.id, 'DAS', '01/2026')
    with pytest.raises(PermissionDenied):
        obligations.mark_done(login_a, a.id, _ob(actor, 'DAS').id, '01/2026')
    with pytest.raises(PermissionDenied):
        obligations.overrides(login_a)


@pytest.mark.parametrize(('call', 'field', 'message'), [
    (lambda a, c, ob: obligations.mark_done(a, c, ob('DAS'), '13/2026'), 'competence',
     'Competência inválida. Use mm/aaaa.'),
    (lambda a, c, ob: obligations.mark_done(a, c, ob('DEFIS'), '05/2025'), 'competence',
     'A competência desta obrigação é dezembro do ano-base (12/aaaa).'),
    (lambda a, c, ob: obligations.set_override(a, ob('DAS'), '04/2025', '31/02/2025'), 'due_date', None),
    (lambda a, c, ob: obligations.assign(a, c, ob('ISS'), remind_days=99), 'remind_days',
     'Lembrar de 0 a 30 dias antes.'),
    (lambda a, c, ob: obligations.assign(a, c, ob('DAS')), 'obligation_id', 'O cliente já tem esta obrigação.'),
    (lambda a, c, ob: obligations.create_obligation(a, code='DAS', name='Outro', sphere='federal',
                                                    periodicity='mensal', kind='pagamento', due_rule='dia',
                                                    shift='prorroga', day=10), 'code',
     'Já existe uma obrigação com este código.'),
    (lambda a, c, ob: obligations.create_obligation(a, code='TAXA', name='Taxa', sphere='municipal',
                                                    periodicity='mensal', kind='pagamento', due_rule='dia',
                                                    shift='prorroga', day=40), 'day', 'O dia deve ser de 1 a 31.'),
    (lambda a, c, ob: obligations.add_holiday(a, '01/05/2026', 'Estadual', scope='estadual'), 'uf',
     'Informe a UF.'),
])
def test_bad_input_gets_its_message(office, call, field, message) -> None:
    actor, _ = office
    client = make_client()
    _assign(actor, client, 'DAS', 'DEFIS')
    with pytest.raises(ValidationError) as e:
        call(actor, client.id, lambda code: _ob(actor, code).id)
    assert field in e.value.errors
    if message:
        assert e.value.errors[field] == message


def test_the_office_adds_and_edits_obligations(office) -> None:
    actor, _ = office
    new_id = obligations.create_obligation(actor, code='taxa lixo', name='Taxa do lixo', sphere='municipal',
                                           periodicity='anual', kind='pagamento', due_rule='data_anual',
                                           shift='antecipa', day=15, month=4)
    row = _ob(actor, 'TAXA_LIXO')
    assert row.id == new_id and row.custom and row.rule_label == '15/04 do ano seguinte, antecipa'
    client = make_client()
    _assign(actor, client, 'TAXA_LIXO')
    assert obligations.due_for(actor, client.id, 'TAXA_LIXO', '12/2025').due_date == date(2026, 4, 15)
    iss = _ob(actor, 'ISS')
    obligations.update_obligation(actor, iss.id, code='ISS', name='ISS Campinas', sphere='municipal',
                                  periodicity='mensal', kind='pagamento', due_rule='dia', shift='antecipa', day=15)
    assert _ob(actor, 'ISS').name == 'ISS Campinas' and _ob(actor, 'ISS').day == 15
    obligations.set_obligation_active(actor, iss.id, False)
    assert 'ISS' not in {o.code for o in obligations.catalogue(actor, include_inactive=False)}
    with pytest.raises(ValidationError):
        obligations.delete_obligation(actor, new_id)  # a client has it
    with pytest.raises(ValidationError):
        obligations.delete_obligation(actor, iss.id)  # shipped
    with unit() as session:
        assert session.exec(select(func.count()).select_from(Obligation)).one() == len(SHIPPED) + 1


# --- reminders ------------------------------------------------------------------------------------------------------

def _reminded(user) -> list[Notification]:
    with unit() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user.id,
                                                            Notification.category == 'agenda')).all())


def test_reminders_go_to_the_responsible_and_the_client_exactly_once(office) -> None:
    actor, _ = office
    responsible = make_user('staff', permissions={'agenda': 'write'})
    client = make_client('Padaria')
    login = make_user('client', client=client)
    _assign(actor, client, 'DAS', responsible_id=responsible.id, visible_to_client=True, remind_client=True,
            remind_days=3)
    tz = clock.tz()
    clock.set_now(datetime(2026, 2, 17, 7, 59, tzinfo=tz))  # DAS 01/2026 due 20/02: reminded 17/02 at 08:00
    assert reminders.sweep(['obligation']) == {'obligation': 0}
    clock.set_now(datetime(2026, 2, 17, 8, 0, tzinfo=tz))
    assert reminders.sweep(['obligation']) == {'obligation': 1}
    assert reminders.sweep(['obligation']) == {'obligation': 0}
    reminders.reset()
    clock.set_now(datetime(2026, 2, 17, 9, 0, tzinfo=tz))
    assert reminders.startup_sweep()['obligation'] == 0
    [staff_note] = _reminded(responsible)
    [client_note] = _reminded(login)
    assert staff_note.title == 'DAS / PGDAS-D (Simples Nacional) vence em 20/02/2026'
    assert 'competência 01/2026' in staff_note.body and staff_note.link.startswith('/agenda?obrigacao=')
    assert client_note.link == '/portal/agenda'


def test_no_reminder_once_done_nor_after_the_due_date(office) -> None:
    actor, _ = office
    responsible = make_user('staff', permissions={'agenda': 'write'})
    client = make_client()
    _assign(actor, client, 'DAS', 'FGTS', responsible_id=responsible.id, remind_days=0)
    obligations.mark_done(actor, client.id, _ob(actor, 'DAS').id, '01/2026')
    tz = clock.tz()
    clock.set_now(datetime.combine(date(2026, 2, 20), time(8, 30), tzinfo=tz))
    assert reminders.sweep(['obligation']) == {'obligation': 1}  # FGTS only
    assert [n.title for n in _reminded(responsible)] == ['FGTS Digital vence hoje']
    clock.set_now(datetime.combine(date(2026, 2, 21), time(8, 30), tzinfo=tz))
    assert reminders.sweep(['obligation']) == {'obligation': 0}


def _grouped(items) -> list[tuple]:
    """What the calendars show of DueItems, per day and obligation."""
    out: dict[tuple, list] = {}
    for i in items:
        out.setdefault((i.due_date, i.obligation_id), []).append(i)
    rows = []
    for (day, ob), found in sorted(out.items(), key=lambda kv: (kv[0][0], kv[1][0].name)):
        one = found[0] if len(found) == 1 else None
        rows.append((day, ob, min(i.competence for i in found), len(found), sum(1 for i in found if not i.done),
                     any(i.overridden for i in found), one.client_name if one else '',
                     one.status_label if one else ''))
    return rows


def _of_groups(groups) -> list[tuple]:
    return [(g.due_date, g.obligation_id, g.competence, g.count, g.open, g.overridden, g.client_name,
             g.status_label if g.count == 1 else '') for g in groups]


def test_the_grouped_due_dates_match_the_one_per_client_list(office) -> None:
    """obligations.groups (the calendars, grouped queries) gives the same days, counts, open counts, overrides and
    single-client situations as obligations.search (one row per client): places with their own holiday, different
    first competências, an override for all and one for a single client, marks on time and late, a filter, and a
    client login's view."""
    actor, admin = office
    clock.set_now(datetime(2026, 3, 4, 13, tzinfo=timezone.utc))
    other = make_user('staff', permissions={'agenda': 'write'})
    sp = [make_client(f'SP {n}', city='São Paulo', uf='SP') for n in range(3)]
    rio = make_client('Rio 1', city='Rio de Janeiro', uf='RJ')
    late = make_client('Começou depois', city='São Paulo', uf='SP')
    for c in sp + [rio]:
        _assign(actor, c, 'DAS', 'FGTS', 'ESOCIAL', 'DCTFWEB', responsible_id=admin.id, visible_to_client=True)
    obligations.assign(actor, late.id, _ob(actor, 'DAS').id, since='03/2026', responsible_id=other.id)
    obligations.add_holiday(actor, date(2026, 3, 20), 'Feriado do Rio', scope='municipal', uf='RJ',
                            city='Rio de Janeiro')
    obligations.set_override(actor, _ob(actor, 'FGTS').id, '02/2026', date(2026, 3, 23), note='Decreto')
    obligations.set_override(actor, _ob(actor, 'DAS').id, '02/2026', date(2026, 3, 27), client_id=sp[1].id)
    obligations.mark_done(actor, sp[0].id, _ob(actor, 'DAS').id, '02/2026')
    obligations.mark_done(actor, sp[1].id, _ob(actor, 'DAS').id, '02/2026')
    obligations.mark_done(actor, rio.id, _ob(actor, 'ESOCIAL').id, '01/2026')  # late: due 18/02
    start, end = date(2026, 1, 26), date(2026, 4, 30)
    assert _of_groups(obligations.groups(actor, start, end)) == _grouped(obligations.search(actor, start, end))
    assert any(g.count == 1 and g.overridden and g.client_name == 'SP 1' for g in obligations.groups(actor, start, end))
    for filters in ({'responsible_id': admin.id}, {'responsible_id': other.id}, {'client_id': sp[1].id},
                    {'client_id': rio.id}, {'obligation_id': _ob(actor, 'DAS').id}):
        assert _of_groups(obligations.groups(actor, start, end, **filters)) == \
            _grouped(obligations.search(actor, start, end, **filters)), filters
    login = actor_of(make_user('client', client=sp[1]))
    seen = obligations.groups(login, start, end)
    assert _of_groups(seen) == _grouped(obligations.search(login, start, end)) and seen
    assert all(g.count == 1 and g.client_name == 'SP 1' for g in seen)
    assert obligations.groups(login, start, end, client_id=rio.id) == []
