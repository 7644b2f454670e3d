import os
import tempfile

import pytest

from tests.helpers import join_pool, patient_user_checks


@pytest.fixture(autouse=True)
def _database(db):
    return db


@pytest.fixture(autouse=True)
def _patient_user(monkeypatch):
    """`user.should_see` / `should_not_see` wait for the element up to tests.helpers.DEADLINE (see there)."""
    patient_user_checks(monkeypatch)


@pytest.fixture(autouse=True)
def _io_bound_work_done(db):
    """After the test (and after the `user` fixture has stopped the app), wait for the `run.io_bound` threads it
    started, e.g. a PIX QR code drawn after the page showed: their database work belongs to this test, whose
    database is reset right after (the fixture needs `db`, so it is torn down before it)."""
    from nicegui import run
    pool = run.thread_pool  # the pool this test's app uses; NiceGUI replaces it when the app stops
    yield
    if run.thread_pool is not pool:  # the app ran and stopped (a test without `user` leaves the pool in use)
        join_pool(pool, "the test's run.io_bound threads")


@pytest.fixture(autouse=True)
def _forget_old_page_modules():
    """After the test (its app stopped), empty FastAPI's caches of endpoint callables: NiceGUI's `user` fixture
    imports the page modules afresh for every test, and those caches (4,096 entries) kept ~20 tests' worth of old
    modules alive, ~80,000 objects that every gc.collect() of NiceGUI's plugin scanned."""
    yield
    from fastapi.dependencies import models
    for name in ('_is_gen_callable_cached', '_is_async_gen_callable_cached', '_is_coroutine_callable_cached'):
        cached = getattr(models, name, None)
        if cached is not None and hasattr(cached, 'cache_clear'):
            cached.cache_clear()


@pytest.fixture(autouse=True)
def _temporary_folder_given_back():
    """main.py (run by the `user` fixture) points TMPDIR and `tempfile` at the test's data folder, for the upload
    spools; a later test in this worker must not inherit that folder (a browser journey's Chrome did not start
    with it: "Chrome instance exited", whenever a page test had run before it in the same worker)."""
    env, folder = os.environ.get('TMPDIR'), tempfile.tempdir
    yield
    tempfile.tempdir = folder
    if env is None:
        os.environ.pop('TMPDIR', None)
    else:
        os.environ['TMPDIR'] = env
