"""Real concurrency against the login rules: threads released together by a Barrier, on SQLite and PostgreSQL.

A set-password link used twice at the same moment sets the password once; a burst of simultaneous guesses on one
e-mail gets no more passwords verified than the lock allows.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import func, select

from conton import clock
from conton.models import AuditLog, LoginAttempt, User
from conton.services import auth, passwords
from conton.services.base import unit
from conton.services.errors import ServiceError
from tests.factories import PASSWORD, make_office, make_user

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
USED = 'Este link já foi usado.'
WAIT = 120  # seconds a Barrier waits before it breaks: a deadlock guard on a loaded machine, never a timing


@pytest.fixture(autouse=True)
def _office():
    make_office()
    clock.set_now(T0)


def _together(n: int, work: Callable[[int], str]) -> list[str]:
    """Run work(0..n-1) on n threads released at the same moment; each returns a result or the service's message."""
    start = threading.Barrier(n, timeout=WAIT)

    def one(i: int) -> str:
        start.wait()
        try:
            return work(i)
        except ServiceError as e:
            return str(e)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _token(user_id) -> str:
    with unit() as session:
        return auth.issue_token(session, session.get(User, user_id), 'reset')


def test_a_link_used_twice_at_the_same_moment_sets_the_password_once(monkeypatch) -> None:
    """Both requests pass the first check and finish hashing before either consumes the link (a second Barrier
    inside the hash), which is the window where a check-then-update lets both through."""
    admin = make_user('admin')
    real_hash = passwords.hash_password
    for attempt in range(6):
        clock.set_now(T0 + timedelta(minutes=attempt))
        token = _token(admin.id)
        hashed = threading.Barrier(2, timeout=WAIT)

        def hash_together(password: str, hashed=hashed) -> str:
            value = real_hash(password)
            hashed.wait()
            return value

        monkeypatch.setattr(passwords, 'hash_password', hash_together)
        choices = [f'primeira senha longa {attempt}', f'segunda senha longa {attempt}']
        results = _together(2, lambda i, token=token, choices=choices: (
            auth.set_password_with_token(token, choices[i], '10.0.0.1') and choices[i]))
        assert results.count(USED) == 1, results  # exactly one wins
        winner = next(r for r in results if r != USED)
        assert winner in choices
        with unit() as session:
            audited = session.exec(select(func.count()).select_from(AuditLog).where(
                AuditLog.action == 'password', AuditLog.detail.contains('pelo link'))).one()
            stored = session.get(User, admin.id).password_hash
        assert audited == attempt + 1  # one audit entry per link
        assert passwords.verify(winner, stored)[0]


def test_a_burst_of_guesses_on_one_email_gets_at_most_five_verified(monkeypatch) -> None:
    admin = make_user('admin')
    real_verify, checked = passwords.verify, []

    def counting(password: str, hashed: str | None):
        if hashed:  # a real hash: a guess that was checked (locked attempts verify against a dummy hash)
            checked.append(password)
        return real_verify(password, hashed)

    monkeypatch.setattr(passwords, 'verify', counting)
    burst = 16
    answers = _together(burst, lambda i: auth.authenticate(admin.email, f'palpite errado {i}', '10.0.0.1') and 'ok')
    assert len(checked) == auth.MAX_FAILS_EMAIL
    assert sorted(answers) == sorted([auth.WRONG] * auth.MAX_FAILS_EMAIL + [auth.LOCKED] * (burst - 5))
    with unit() as session:
        counted = session.exec(select(func.count()).select_from(LoginAttempt)).one()
        refused = session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.detail == 'bloqueado')).one()
    assert (counted, refused) == (auth.MAX_FAILS_EMAIL, burst - auth.MAX_FAILS_EMAIL)
    with pytest.raises(ServiceError, match='bloqueado'):
        auth.authenticate(admin.email, PASSWORD, '10.0.0.1')  # even the right password, afterwards


def test_a_burst_with_the_right_password_logs_in_and_starts_the_count_again() -> None:
    """Simultaneous correct logins (two tabs, a double click) all succeed and leave no failure behind."""
    admin = make_user('admin')
    answers = _together(4, lambda i: auth.authenticate(admin.email, PASSWORD, '10.0.0.1').email)
    assert answers == [admin.email] * 4
    with unit() as session:
        assert session.exec(select(LoginAttempt.success)).all() == [True] * 4
