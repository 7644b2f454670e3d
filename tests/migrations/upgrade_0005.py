"""Upgrade-with-data check of revision 0005 (the Agenda), registered in test_upgrades.py: an office with clients and
logins at 0004; at head the shipped catalogue is there (with the ids the revision gives them), the old clients can
be given obligations, their due dates are right, and events shared with them reach their logins only."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import sqlalchemy as sa
import sqlmodel

from conton import clock, db
from conton.models import Client, User
from conton.services import agenda, auth, obligations
from conton.services.base import unit
from tests.factories import PASSWORD, cnpj, password_hash

SHIPPED = {'DAS', 'DAS_MEI', 'DAE_MEI', 'FGTS', 'DARF_INSS_IRRF', 'PIS_COFINS', 'ESOCIAL', 'EFD_REINF', 'DCTFWEB',
           'EFD_CONTRIBUICOES', 'IRPJ_CSLL', 'IRPJ_CSLL_Q2', 'IRPJ_CSLL_Q3', 'DEFIS', 'DASN_SIMEI', 'ISS'}


TYPES = {'id': sa.Uuid(), 'client_id': sa.Uuid(), 'created_at': sqlmodel.sql.sqltypes.UTCDateTime(),
         'permissions': sa.JSON()}


def fill(ctx) -> dict:
    """With SQL: later revisions add client columns (0006: responsible_id) that today's models would write."""
    clock.set_now(None)
    simples, mei, login = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    client = sa.table('client', *(sa.column(c, TYPES.get(c)) for c in (
        'id', 'kind', 'document', 'name', 'trade_name', 'tax_regime', 'email', 'phone', 'phone2', 'cep', 'street',
        'number', 'complement', 'district', 'city', 'uf', 'fee_cents', 'due_day', 'notes', 'active', 'is_test',
        'sort_name', 'search_text', 'created_at')))
    user = sa.table('user', *(sa.column(c, TYPES.get(c)) for c in (
        'id', 'email', 'name', 'role', 'client_id', 'password_hash', 'active', 'permissions', 'session_version',
        'created_at')))
    blank = dict.fromkeys(('trade_name', 'email', 'phone', 'phone2', 'cep', 'street', 'number', 'complement',
                           'district', 'city', 'uf', 'notes', 'search_text'), '')
    stamp = datetime.now(timezone.utc)
    with db.get_engine().begin() as conn:
        conn.execute(sa.insert(client), [
            {**blank, 'id': simples, 'kind': 'PJ', 'document': cnpj(8101), 'name': 'Padaria Pão Quente Ltda',
             'tax_regime': 'Simples Nacional', 'fee_cents': 50000, 'due_day': 10, 'active': True, 'is_test': False,
             'sort_name': 'padaria pao quente ltda', 'created_at': stamp},
            {**blank, 'id': mei, 'kind': 'PJ', 'document': cnpj(8102), 'name': 'Maria Doces MEI', 'tax_regime': 'MEI',
             'fee_cents': 15000, 'due_day': 5, 'active': True, 'is_test': False, 'sort_name': 'maria doces mei',
             'created_at': stamp}])
        conn.execute(sa.insert(user).values(id=login, email='dono@paoquente.test', name='Dono da Padaria',
                                            role='client', client_id=simples, password_hash=password_hash(),
                                            active=True, permissions={}, session_version=1,
                                            created_at=stamp))
    return dict(simples=simples, mei=mei, login=login)


def check(ctx, state: dict) -> None:
    admin = auth.authenticate('ana@escritorio.test', PASSWORD)
    rows = obligations.catalogue(admin)
    assert {o.code for o in rows} == SHIPPED and obligations.seed_catalogue() == 0
    assert {o.id for o in rows} == {uuid.uuid5(obligations.SEED_NAMESPACE, o.code) for o in rows}
    clock.set_now(datetime(2026, 2, 2, 12, tzinfo=timezone.utc))
    obligations.assign_defaults(admin, state['simples'], with_employees=True)
    obligations.assign_defaults(admin, state['mei'])
    assert {r.code for r in obligations.assignments(admin, state['mei'])} == {'DAS_MEI', 'DASN_SIMEI'}
    assert obligations.due_for(admin, state['simples'], 'DAS', '01/2026').due_date == date(2026, 2, 20)
    assert obligations.due_for(admin, state['simples'], 'ESOCIAL', '01/2026').due_date == date(2026, 2, 18)
    agenda.create(admin, title='Reunião de fechamento', start_day=date(2026, 2, 10), start_time='09:00',
                  client_id=state['simples'])
    agenda.create(admin, title='Visita à doceira', start_day=date(2026, 2, 11), all_day=True, client_id=state['mei'])
    with unit() as session:
        client_login = auth.to_actor(session.get(User, state['login']))
        assert session.get(Client, state['simples']).name == 'Padaria Pão Quente Ltda'
    seen = agenda.occurrences(client_login, date(2026, 2, 1), date(2026, 3, 1))
    assert [o.title for o in seen] == ['Reunião de fechamento']
    clock.set_now(None)
