"""Services hand pages read models (frozen dataclasses), never ORM rows: a page cannot lazy-load or change a row
after its unit of work has ended (issue 8 §3)."""
from __future__ import annotations

import dataclasses

import pytest

from conton.services import audit
from conton.services.base import unit
from tests.factories import actor_of, make_office, make_user


def test_audit_search_returns_frozen_rows() -> None:
    make_office()
    admin = actor_of(make_user('admin'))
    with unit() as session:
        audit.record(session, admin, 'create', 'cliente', 'abc', 'Cliente Alfa incluído')
    row = next(r for r in audit.search(admin).rows if r.detail == 'Cliente Alfa incluído')
    assert isinstance(row, audit.AuditRow)
    assert (row.action, row.entity, row.entity_id, row.user_email) == ('create', 'cliente', 'abc', admin.email)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.detail = 'outra coisa'
