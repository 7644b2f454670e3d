"""The office's tool settings (services/office_settings.py): defaults without a row, typed reads, validation with a
Portuguese message on the field, only staff with write on the owning tool may change one, audited."""
from __future__ import annotations

from datetime import time

import pytest
from sqlmodel import select

from conton.models import AuditLog, OfficeSetting
from conton.services import office_settings
from conton.services.base import unit
from conton.services.errors import NotFound, PermissionDenied, ValidationError
from tests.factories import actor_of, make_client, make_office, make_user


@pytest.fixture
def admin(db):
    make_office()
    return actor_of(make_user('admin'))


def test_defaults_then_stored_values_typed(admin) -> None:
    assert office_settings.get_int('requests.reopen_days') == 7
    assert office_settings.get_time('docrequests.remind_time') == time(9, 0)
    assert office_settings.set(admin, 'requests.reopen_days', ' 15 ') == '15'
    assert office_settings.set(admin, 'docrequests.remind_time', '7h30') == '07:30'
    assert office_settings.get_int('requests.reopen_days') == 15
    assert office_settings.get_time('docrequests.remind_time') == time(7, 30)
    with unit() as session:
        assert office_settings.get_many(['requests.reopen_days', 'announcements.batch_size'], session) == {
            'requests.reopen_days': '15', 'announcements.batch_size': '50'}
        logged = session.exec(select(AuditLog).where(AuditLog.entity == 'setting')).all()
    assert {row.entity_id for row in logged} == {'requests.reopen_days', 'docrequests.remind_time'}


@pytest.mark.parametrize('key, value, message', [
    ('requests.reopen_days', 'sete', 'número inteiro'),
    ('requests.reopen_days', '91', 'de 0 a 90'),
    ('requests.reopen_days', '-1', 'número inteiro'),
    ('docrequests.remind_time', '25:00', 'Horário inválido'),
    ('docrequests.remind_time', '9', 'hh:mm'),
])
def test_bad_values_are_refused_on_the_field_and_nothing_is_stored(admin, key, value, message) -> None:
    with pytest.raises(ValidationError, match=message) as e:
        office_settings.set(admin, key, value)
    assert set(e.value.errors) == {key}
    with unit() as session:
        assert session.exec(select(OfficeSetting)).all() == []


def test_only_staff_with_write_on_the_owning_tool_changes_a_setting(admin) -> None:
    client_login = actor_of(make_user('client', client=make_client()))
    reader = actor_of(make_user('staff', permissions={'requests': 'read'}))
    for actor in (client_login, reader):
        with pytest.raises(PermissionDenied):
            office_settings.set(actor, 'requests.reopen_days', '3')
    with pytest.raises(NotFound):
        office_settings.set(admin, 'no.such.key', '3')
    with unit() as session:  # a stored value outside today's bounds reads as the default
        session.add(OfficeSetting(key='announcements.batch_size', value='99999'))
    assert office_settings.get_int('announcements.batch_size') == 50
