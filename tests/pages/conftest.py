import pytest

from tests.helpers import patient_user_checks


@pytest.fixture(autouse=True)
def _database(db):
    return db


@pytest.fixture(autouse=True)
def _patient_user(monkeypatch):
    """`user.should_see` / `should_not_see` wait for the element up to tests.helpers.DEADLINE (see there)."""
    patient_user_checks(monkeypatch)
