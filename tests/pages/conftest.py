import pytest


@pytest.fixture(autouse=True)
def _database(db):
    return db
