"""Authentication: throttling, same answer for unknown e-mails, rehash, single-use tokens, sessions."""
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from conton import clock
from conton.models import AuditLog, Client, LoginAttempt, OutboxEmail, User, UserToken
from conton.services import auth, passwords
from conton.services.base import unit
from conton.services.errors import AuthExpired, Throttled, ValidationError
from tests.factories import PASSWORD, actor_of, make_client, make_office, make_user

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _office():
    make_office()
    clock.set_now(T0)


def _fail(email: str, ip: str = '10.0.0.1', password: str = 'senha errada demais') -> str:
    with pytest.raises((ValidationError, Throttled)) as info:
        auth.authenticate(email, password, ip)
    return str(info.value)


def _at(minutes: float) -> None:
    clock.set_now(T0 + timedelta(minutes=minutes))


def _user(user_id) -> User:
    with unit() as session:
        return session.get(User, user_id)


# --- throttling ---------------------------------------------------------------------------------------------------

def test_five_failures_lock_the_email_for_15_minutes() -> None:
    admin = make_user('admin')
    for i in range(5):
        _at(i)
        assert _fail(admin.email) == auth.WRONG
    _at(5)
    assert _fail(admin.email, password=PASSWORD) == auth.LOCKED  # even the right password
    _at(18)  # 13 minutes after the 5th failure: still locked
    assert _fail(admin.email, password=PASSWORD) == auth.LOCKED
    _at(19.1)  # 15 minutes after the failure that locked it
    assert auth.authenticate(admin.email, PASSWORD, '10.0.0.1').user_id == admin.id


def test_failures_spread_over_more_than_15_minutes_do_not_lock() -> None:
    admin = make_user('admin')
    for i in range(6):
        _at(i * 4)  # 0, 4, 8, 12, 16, 20: never 5 within 15 minutes
        assert _fail(admin.email) == auth.WRONG
    assert auth.authenticate(admin.email, PASSWORD, '10.0.0.1').user_id == admin.id


def test_a_successful_login_starts_the_email_count_again() -> None:
    admin = make_user('admin')
    for _ in range(4):
        _fail(admin.email)
    auth.authenticate(admin.email, PASSWORD, '10.0.0.1')
    for _ in range(4):
        assert _fail(admin.email) == auth.WRONG
    auth.authenticate(admin.email, PASSWORD, '10.0.0.1')


def test_lock_is_per_email() -> None:
    a, b = make_user('admin'), make_user('staff')
    for _ in range(5):
        _fail(a.email)
    assert _fail(a.email, password=PASSWORD) == auth.LOCKED
    assert auth.authenticate(b.email, PASSWORD, '10.0.0.1').user_id == b.id


def test_thirty_failures_from_one_ip_lock_that_ip() -> None:
    admin = make_user('admin')
    for i in range(30):
        assert _fail(f'pessoa{i}@exemplo.test', ip='203.0.113.7') == auth.WRONG  # 30 e-mails, 1 failure each
    assert _fail(admin.email, ip='203.0.113.7', password=PASSWORD) == auth.LOCKED
    assert auth.authenticate(admin.email, PASSWORD, '198.51.100.1').user_id == admin.id  # another IP is fine
    _at(16)
    assert auth.authenticate(admin.email, PASSWORD, '203.0.113.7').user_id == admin.id


def test_unknown_email_gets_the_same_messages() -> None:
    admin = make_user('admin')
    assert _fail('ninguem@exemplo.test') == _fail(admin.email) == auth.WRONG
    for _ in range(4):
        _fail('ninguem@exemplo.test')
    assert _fail('ninguem@exemplo.test') == auth.LOCKED
    for _ in range(4):
        _fail(admin.email)
    assert _fail(admin.email) == auth.LOCKED


def test_disabled_or_passwordless_login_gets_the_same_message() -> None:
    disabled = make_user('staff')
    with unit() as session:
        session.get(User, disabled.id).active = False
        session.add(User(email='novo@exemplo.test', name='Novo', role='staff'))  # welcome link not used yet
    assert _fail(disabled.email, password=PASSWORD) == auth.WRONG
    assert _fail('novo@exemplo.test', password='') == auth.WRONG
    assert _fail('novo@exemplo.test', password='qualquer coisa longa') == auth.WRONG


def test_unknown_email_takes_about_as_long_as_a_wrong_password() -> None:
    """Both verify an argon2 hash (a dummy one for an unknown e-mail). Samples alternate, so a busy machine slows
    both kinds alike; the bound is loose on purpose: what it catches is a skipped hash (about 100× faster)."""
    admin = make_user('admin')
    known, unknown = [], []
    for n in range(4):  # fewer than the 5 failures that lock an e-mail
        for email, samples in ((admin.email, known), ('ninguem@exemplo.test', unknown)):
            start = time.perf_counter()
            _fail(email, ip=f'10.0.{len(samples)}.{n}')
            samples.append(time.perf_counter() - start)
    assert 0.33 < statistics.median(unknown) / statistics.median(known) < 3.0


def test_failed_and_successful_logins_are_audited_with_ip() -> None:
    admin = make_user('admin')
    _fail(admin.email, ip='10.9.8.7')
    _fail('ninguem@exemplo.test', ip='10.9.8.7')
    auth.authenticate(admin.email, PASSWORD, '10.9.8.7')
    with unit() as session:
        rows = session.exec(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(r.action, r.user_email, r.ip) for r in rows] == [
        ('login_failed', admin.email, '10.9.8.7'), ('login_failed', 'ninguem@exemplo.test', '10.9.8.7'),
        ('login', admin.email, '10.9.8.7')]


# --- rehash -------------------------------------------------------------------------------------------------------

def test_login_rehashes_when_parameters_change() -> None:
    from passlib.context import CryptContext
    admin = make_user('admin')
    weak = CryptContext(schemes=['argon2'], argon2__type='ID', argon2__memory_cost=8192, argon2__rounds=1,
                        argon2__parallelism=1).hash(PASSWORD)
    with unit() as session:
        session.get(User, admin.id).password_hash = weak
    auth.authenticate(admin.email, PASSWORD, '10.0.0.1')
    stored = _user(admin.id).password_hash
    assert stored != weak and 'm=19456,t=2,p=1' in stored
    assert passwords.verify(PASSWORD, stored) == (True, None)
    auth.authenticate(admin.email, PASSWORD, '10.0.0.1')
    assert _user(admin.id).password_hash == stored  # not rehashed again


# --- tokens -------------------------------------------------------------------------------------------------------

def _last_link(to: str) -> str:
    auth.drain_resets()
    with unit() as session:
        row = session.exec(select(OutboxEmail).where(OutboxEmail.to_addr == to)
                           .order_by(OutboxEmail.created_at.desc())).first()
    line = next(line for line in row.text.splitlines() if '/definir-senha/' in line)
    return line.rsplit('/definir-senha/', 1)[1].strip()


def test_reset_token_sets_password_once_and_expires_in_an_hour() -> None:
    admin = make_user('admin')
    auth.request_reset(admin.email.upper() + ' ', '10.0.0.1')
    token = _last_link(admin.email)
    with unit() as session:
        stored = session.exec(select(UserToken.token_hash)).all()
    assert token not in stored and len(stored) == 1  # only its hash is kept
    assert auth.token_user(token).id == admin.id
    _at(59)
    actor = auth.set_password_with_token(token, 'nova senha bem longa', '10.0.0.1')
    assert actor.user_id == admin.id
    assert auth.token_user(token) is None
    with pytest.raises(ValidationError):
        auth.set_password_with_token(token, 'outra senha bem longa')
    auth.authenticate(admin.email, 'nova senha bem longa', '10.0.0.1')

    _at(60)
    auth.request_reset(admin.email)
    late = _last_link(admin.email)
    _at(60 + 61)
    assert auth.token_user(late) is None
    with pytest.raises(ValidationError, match='não é mais válido'):
        auth.set_password_with_token(late, 'mais uma senha longa')


def test_a_new_reset_link_invalidates_the_old_one() -> None:
    admin = make_user('admin')
    auth.request_reset(admin.email)
    first = _last_link(admin.email)
    _at(1)
    auth.request_reset(admin.email)
    second = _last_link(admin.email)
    assert first != second
    assert auth.token_user(first) is None
    assert auth.token_user(second).id == admin.id


def test_reset_for_unknown_email_sends_nothing_and_says_nothing() -> None:
    assert auth.request_reset('ninguem@exemplo.test') is None
    assert auth.request_reset('não é e-mail') is None
    auth.drain_resets()
    with unit() as session:
        assert session.exec(select(OutboxEmail)).all() == []


def test_reset_emails_are_limited_per_hour() -> None:
    admin = make_user('admin')
    for _ in range(auth.MAX_RESETS + 2):
        auth.request_reset(admin.email)
    auth.drain_resets()
    with unit() as session:
        assert len(session.exec(select(OutboxEmail)).all()) == auth.MAX_RESETS
    _at(61)
    auth.request_reset(admin.email)
    auth.drain_resets()
    with unit() as session:
        assert len(session.exec(select(OutboxEmail)).all()) == auth.MAX_RESETS + 1


def test_welcome_link_is_valid_72_hours_and_never_contains_a_password() -> None:
    from conton.services import users
    admin = make_user('admin')
    staff = users.create_staff(actor_of(admin), name='Joana Lima', email='joana@exemplo.test', permissions={})
    with unit() as session:
        mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_addr == 'joana@exemplo.test')).one()
    assert 'joana@exemplo.test' in mail.text and 'senha' in mail.text.lower()
    assert _user(staff.id).password_hash is None
    token = _last_link('joana@exemplo.test')
    _at(71 * 60)
    assert auth.token_user(token).id == staff.id
    _at(73 * 60)
    assert auth.token_user(token) is None


def test_resent_welcome_invalidates_the_first_and_works() -> None:
    from conton.services import users
    admin = make_user('admin')
    staff = users.create_staff(actor_of(admin), name='Joana Lima', email='joana@exemplo.test', permissions={})
    first = _last_link('joana@exemplo.test')
    _at(80 * 60)  # the first link has expired; staff re-send it
    users.resend_welcome(actor_of(admin), staff.id)
    second = _last_link('joana@exemplo.test')
    assert auth.token_user(first) is None
    auth.set_password_with_token(second, 'minha senha nova e longa')
    assert auth.authenticate('joana@exemplo.test', 'minha senha nova e longa', '10.0.0.1').user_id == staff.id


def test_setting_a_password_ends_every_other_pending_link() -> None:
    from conton.services import users
    admin = make_user('admin')
    staff = users.create_staff(actor_of(admin), name='Joana Lima', email='joana@exemplo.test', permissions={})
    welcome = _last_link('joana@exemplo.test')
    _at(1)
    auth.request_reset('joana@exemplo.test')
    reset = _last_link('joana@exemplo.test')
    auth.set_password_with_token(reset, 'minha senha nova e longa')
    assert auth.token_user(welcome) is None
    assert _user(staff.id).password_hash


def test_token_password_must_follow_the_rules() -> None:
    admin = make_user('admin')
    auth.request_reset(admin.email)
    token = _last_link(admin.email)
    with pytest.raises(ValidationError, match='muito comum'):
        auth.set_password_with_token(token, '12345678')
    assert auth.token_user(token) is not None  # still usable after a refused password


# --- sessions -----------------------------------------------------------------------------------------------------

def test_changing_password_ends_other_sessions() -> None:
    admin = make_user('admin')
    old = auth.authenticate(admin.email, PASSWORD, '10.0.0.1')
    assert auth.load_actor(old.user_id, old.session_version) is not None
    with pytest.raises(ValidationError, match='Senha atual incorreta'):
        auth.change_password(old, 'errada errada', 'nova senha bem longa')
    fresh = auth.change_password(old, PASSWORD, 'nova senha bem longa')
    assert fresh.session_version == old.session_version + 1
    assert auth.load_actor(old.user_id, old.session_version) is None
    assert auth.load_actor(fresh.user_id, fresh.session_version) is not None


def test_stale_actor_is_refused_by_services() -> None:
    from conton.services import notifications
    admin = make_user('admin')
    old = auth.authenticate(admin.email, PASSWORD, '10.0.0.1')
    auth.change_password(old, PASSWORD, 'nova senha bem longa')
    with pytest.raises(AuthExpired):
        notifications.unread_counts(old)


def test_a_disabled_login_cannot_export_or_write_even_right_after_its_page_loaded() -> None:
    """The actor a page loaded a moment ago is re-checked on every call: no grace period for an export or a write."""
    from conton.services import payables, suppliers, users
    admin = make_user('admin')
    staff = make_user('staff', permissions={'payables': 'write', 'suppliers': 'write'})
    actor = auth.load_actor(staff.id, 1)  # the page render that is about to offer "Exportar CSV"
    assert payables.export_csv(actor, payables.BillFilter()).startswith('\ufeff'.encode())
    users.set_active(actor_of(admin), staff.id, False)
    with pytest.raises(AuthExpired):
        payables.export_csv(actor, payables.BillFilter())
    with pytest.raises(AuthExpired):
        payables.export_pdf(actor, payables.BillFilter())
    with pytest.raises(AuthExpired):
        suppliers.create(actor, kind='PJ', document='11.222.333/0001-81', name='Fornecedor Novo')
    with unit() as session:
        assert session.exec(select(AuditLog.action).where(AuditLog.user_id == staff.id)).all() == []


def test_idle_timeout(monkeypatch) -> None:
    monkeypatch.setenv('CONTON_IDLE_TIMEOUT_HOURS', '0.5')
    from conton import config
    config.reset_settings()
    assert not auth.idle_expired(time.time() - 29 * 60)
    assert auth.idle_expired(time.time() - 31 * 60)
    assert not auth.idle_expired(None)


# --- overlong passwords -------------------------------------------------------------------------------------------

def test_an_overlong_password_is_simply_wrong_and_counted_for_known_and_unknown_emails() -> None:
    admin = make_user('admin')
    overlong = 'x' * 5000  # passlib itself refuses anything over 4,096 characters
    assert _fail(admin.email, password=overlong) == auth.WRONG
    assert _fail('ninguem@exemplo.test', password=overlong) == auth.WRONG
    with unit() as session:
        attempts = session.exec(select(LoginAttempt.email, LoginAttempt.success).order_by(LoginAttempt.id)).all()
    assert attempts == [(admin.email, False), ('ninguem@exemplo.test', False)]
    for _ in range(4):
        _fail('ninguem@exemplo.test', password=overlong)
    assert _fail('ninguem@exemplo.test', password=overlong) == auth.LOCKED


# --- "Esqueci minha senha" off the request ------------------------------------------------------------------------

def test_reset_request_returns_before_the_lookup_and_the_worker_queues_the_email(monkeypatch) -> None:
    admin = make_user('admin')
    gate, started = threading.Event(), threading.Event()
    real = auth._send_reset

    def held(email: str, ip: str) -> None:
        started.set()
        gate.wait(60)
        real(email, ip)

    monkeypatch.setattr(auth, '_send_reset', held)
    try:
        assert auth.request_reset(admin.email, '10.0.0.1') is None  # returns while the worker is held
        auth.request_reset('ninguem@exemplo.test', '10.0.0.1')
        assert started.wait(60)
        with unit() as session:
            assert session.exec(select(OutboxEmail)).all() == []
            assert session.exec(select(UserToken)).all() == []
    finally:
        gate.set()
        auth.drain_resets()
    with unit() as session:
        assert [m.to_addr for m in session.exec(select(OutboxEmail)).all()] == [admin.email]
        assert len(session.exec(select(UserToken)).all()) == 1


def test_a_failing_reset_request_is_logged_and_the_worker_goes_on(monkeypatch, caplog) -> None:
    admin = make_user('admin')
    real, calls = auth._send_reset, []

    def first_fails(email: str, ip: str) -> None:
        calls.append(email)
        if len(calls) == 1:
            raise RuntimeError('banco fora do ar')
        real(email, ip)

    monkeypatch.setattr(auth, '_send_reset', first_fails)
    auth.request_reset(admin.email)
    auth.request_reset(admin.email)
    auth.drain_resets()
    assert 'password reset request failed' in caplog.text
    caplog.clear()  # the error was expected
    assert _last_link(admin.email)


# --- client logins of an inactive client --------------------------------------------------------------------------

def _client_login() -> tuple[Client, User]:
    client = make_client()
    return client, make_user('client', client=client)


def _deactivate_client_only(client: Client) -> None:
    """The client goes inactive while its login stays 'active' (how the demo left them; or a direct data fix)."""
    with unit() as session:
        session.get(Client, client.id).active = False


def test_a_login_of_an_inactive_client_cannot_log_in() -> None:
    client, login = _client_login()
    _deactivate_client_only(client)
    assert _fail(login.email, password=PASSWORD) == auth.WRONG
    with unit() as session:
        assert session.exec(select(AuditLog.action)).all() == ['login_failed']


def test_a_login_of_an_inactive_client_loses_its_open_sessions() -> None:
    from conton.services import notifications
    client, login = _client_login()
    actor = auth.authenticate(login.email, PASSWORD, '10.0.0.1')
    assert auth.load_actor(actor.user_id, actor.session_version) is not None
    _deactivate_client_only(client)
    assert auth.load_actor(actor.user_id, actor.session_version) is None
    with pytest.raises(AuthExpired):
        notifications.unread_counts(actor)


def test_a_login_of_an_inactive_client_cannot_use_a_reset_link() -> None:
    client, login = _client_login()
    auth.request_reset(login.email)
    token = _last_link(login.email)
    assert auth.token_user(token).id == login.id
    _deactivate_client_only(client)
    assert auth.token_user(token) is None  # the page says the link is no longer valid
    with pytest.raises(ValidationError, match='não é mais válido'):
        auth.set_password_with_token(token, 'uma senha nova bem longa')
    auth.request_reset(login.email)
    auth.drain_resets()
    with unit() as session:
        assert len(session.exec(select(OutboxEmail)).all()) == 1  # no second link for an inactive client's login
