"""Logins: first run, authentication with throttling, sessions, single-use tokens (welcome, reset), passwords.

Everything here that hashes (argon2) is blocking: pages call it through `run.io_bound`.
"""
from __future__ import annotations

import hashlib
import logging
import queue
import secrets
import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy import delete, func, insert, text, update
from sqlmodel import Session, select

from ..clock import now
from ..config import get_settings
from ..models import Client, LoginAttempt, User, UserToken
from . import audit, mail, office, passwords, validation
from .base import as_uuid, unit
from .errors import AuthExpired, NotFound, Throttled, ValidationError
from .permissions import Actor

WINDOW = timedelta(minutes=15)
MAX_FAILS_EMAIL = 5
MAX_FAILS_IP = 30
TOKEN_TTL = {'reset': timedelta(hours=1), 'welcome': timedelta(hours=72)}
MAX_RESETS, RESET_WINDOW = 5, timedelta(hours=1)  # reset e-mails per login per hour
WRONG = 'E-mail ou senha incorretos.'
LOCKED = 'Muitas tentativas sem sucesso. Por segurança, o acesso foi bloqueado por 15 minutos.'
log = logging.getLogger(__name__)


def needs_setup() -> bool:
    with unit() as session:
        return session.exec(select(User.id).limit(1)).first() is None


def setup(*, office_name: str, name: str, email: str, password: str, ip: str = '') -> Actor:
    """First run: create the admin account and name the office. Refused once any user exists."""
    cleaned: dict[str, str] = {}  # stored as validation.text cleans it (format characters removed), not as typed
    validation.collect(
        lambda: cleaned.update(office=validation.text(office_name, 'office_name', 'o nome do escritório',
                                                      required=True)),
        lambda: cleaned.update(name=validation.text(name, 'name', 'o seu nome', required=True, max_len=120)),
        lambda: validation.email(email),
        lambda: passwords.check_rules(password, email=email, name=name),
    )
    office_name, name = cleaned['office'], cleaned['name']
    hashed = passwords.hash_password(password)
    with unit() as session:
        if session.exec(select(User.id).limit(1)).first() is not None:
            raise ValidationError('O escritório já foi configurado. Entre com seu e-mail e senha.')
        off = office.ensure(session)
        off.trade_name = off.legal_name = office_name
        user = User(email=validation.email(email), name=name, role='admin', password_hash=hashed,
                    last_login_at=now())
        session.add(user)
        session.flush()
        actor = to_actor(user, ip)
        audit.record(session, actor, 'setup', 'office', 1, f'escritório "{office_name}" criado')
    office.reset_cache()
    return actor


def to_actor(user: User, ip: str = '') -> Actor:
    return Actor(user_id=user.id, role=user.role, name=user.name, email=user.email, client_id=user.client_id,
                 permissions=dict(user.permissions or {}), session_version=user.session_version, ip=ip)


def load_actor(user_id: str | uuid.UUID | None, session_version: int | None, ip: str = '') -> Actor | None:
    """The actor for a stored session, or None when the login is gone, disabled or its sessions were ended."""
    if not user_id:
        return None
    try:
        key = as_uuid(user_id)
    except NotFound:
        return None
    with unit() as session:
        user, usable = _user(session, User.id == key)
    if not usable or user.session_version != session_version or not user.password_hash:
        return None
    return to_actor(user, ip)


def _user(session: Session, condition) -> tuple[User | None, bool]:
    """The login matching `condition` and whether it may log in: it is active and, for a client login, so is its
    client (one query). A deactivated client takes its logins with it, whatever their own flag says."""
    row = session.exec(select(User, Client.active).outerjoin(Client, Client.id == User.client_id)
                       .where(condition)).first()
    if row is None:
        return None, False
    user, client_active = row
    return user, bool(user.active and (user.client_id is None or client_active))


def _locked(session: Session, column, value: str, limit: int, after_success: bool, pending: int) -> bool:
    """`limit` failures within WINDOW lock further attempts for WINDOW after the last of them.

    Attempts refused while locked are not counted (they are audited), so a lock ends 15 minutes after the failure
    that caused it. For an e-mail, a successful login starts the count again; for an IP it does not. Attempts still
    being verified count as failures; `pending` is the one being decided now.
    """
    if not value:
        return False
    current = now()
    query = select(LoginAttempt.at, LoginAttempt.success).where(
        column == value, LoginAttempt.at > current - 2 * WINDOW, LoginAttempt.id != pending)
    rows = session.exec(query.order_by(LoginAttempt.at, LoginAttempt.id)).all()
    times: list = []
    for at, success in rows:
        if not success:
            times.append(at)
        elif after_success:
            times = []
    return any(times[i] > current - WINDOW and times[i] - times[i - limit + 1] <= WINDOW
               for i in range(limit - 1, len(times)))


def authenticate(email: str, password: str, ip: str = '') -> Actor:
    """Check e-mail and password. Raises Throttled or ValidationError with the same words for unknown e-mails.

    The attempt is recorded (as a failure) before the password is verified, in the transaction that checked the
    lock and serialised per e-mail and IP, so a burst of simultaneous guesses gets at most MAX_FAILS_EMAIL of them
    verified; a correct password then marks its attempt a success.
    """
    email = (email or '').strip().lower()
    if not email or not password or not isinstance(password, str):
        raise ValidationError(WRONG)
    with unit() as session:
        attempt_id, locked = _begin_attempt(session, email, ip)
        user, usable = _user(session, User.email == email)
        if locked:  # audited, but not counted: the lock ends 15 minutes after the failure that caused it
            audit.record(session, None, 'login_failed', 'user', user.id if user else '', 'bloqueado', email=email,
                         ip=ip)
    if locked:
        passwords.verify(password, None)  # same cost as a real attempt
        raise Throttled(LOCKED)
    ok, new_hash = passwords.verify(password, user.password_hash if usable else None)
    with unit() as session:
        if not ok:
            audit.record(session, None, 'login_failed', 'user', user.id if user else '', '', email=email, ip=ip)
        else:
            session.exec(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(success=True))
            db_user = session.get(User, user.id)
            db_user.last_login_at = now()
            if new_hash:
                db_user.password_hash = new_hash
            actor = to_actor(db_user, ip)
            audit.record(session, actor, 'login', 'user', db_user.id)
    if not ok:
        raise ValidationError(WRONG)
    return actor


def _begin_attempt(session: Session, email: str, ip: str) -> tuple[int | None, bool]:
    """Record a login attempt (a failure until proven otherwise), unless the e-mail or IP is locked.

    Serialised per e-mail and per IP: PostgreSQL takes transaction-scoped advisory locks (e-mail first, then IP, in
    two key spaces, so two attempts can never wait on each other crosswise); on SQLite the insert comes first and
    holds the database's write lock until commit, so the next attempt's check sees this one. Returns the attempt's
    id (None when refused) and whether it was refused.
    """
    if session.get_bind().dialect.name == 'postgresql':
        session.exec(text('SELECT pg_advisory_xact_lock(1, hashtext(:email))').bindparams(email=email))
        if ip:
            session.exec(text('SELECT pg_advisory_xact_lock(2, hashtext(:ip))').bindparams(ip=ip))
    attempt = LoginAttempt(email=email, ip=ip, at=now(), success=False)
    session.add(attempt)
    session.flush()
    locked = (_locked(session, LoginAttempt.email, email, MAX_FAILS_EMAIL, True, attempt.id) or
              _locked(session, LoginAttempt.ip, ip, MAX_FAILS_IP, False, attempt.id))
    if locked:
        session.exec(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
        return None, True
    return attempt.id, False


def logout(actor: Actor) -> None:
    with unit() as session:
        audit.record(session, actor, 'logout', 'user', actor.user_id)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _end_tokens(session: Session, user_id: uuid.UUID, kind: str | None = None) -> None:
    query = select(UserToken).where(UserToken.user_id == user_id, UserToken.used_at.is_(None))
    if kind:
        query = query.where(UserToken.kind == kind)
    for old in session.exec(query).all():
        old.used_at = now()


def issue_token(session: Session, user: User, kind: str) -> str:
    """A new single-use token for the user; earlier unused tokens of the same kind stop working."""
    _end_tokens(session, user.id, kind)
    token = secrets.token_urlsafe(32)
    session.add(UserToken(user_id=user.id, kind=kind, token_hash=_hash_token(token),
                          expires_at=now() + TOKEN_TTL[kind]))
    return token


def issue_tokens(session: Session, user_ids: list[uuid.UUID], kind: str) -> dict[uuid.UUID, str]:
    """`issue_token` for many logins at once (a comunicado's first-use e-mails): one UPDATE ends their earlier unused
    tokens of that kind, one INSERT adds the new ones. Returns each login's token."""
    if not user_ids:
        return {}
    moment = now()
    session.exec(update(UserToken).where(UserToken.user_id.in_(user_ids), UserToken.kind == kind,
                                         UserToken.used_at.is_(None)).values(used_at=moment))
    tokens = {uid: secrets.token_urlsafe(32) for uid in user_ids}
    session.execute(insert(UserToken), [
        {'id': uuid.uuid4(), 'user_id': uid, 'kind': kind, 'token_hash': _hash_token(token),
         'expires_at': moment + TOKEN_TTL[kind], 'created_at': moment} for uid, token in tokens.items()])
    return tokens


def password_link(token: str) -> str:
    return f'{get_settings().public_url}/definir-senha/{token}'


def queue_welcome(session: Session, user: User) -> None:
    """Welcome e-mail with the login and a set-password link valid 72 hours (never a password)."""
    token = issue_token(session, user, 'welcome')
    brand = office.branding()
    mail.queue(session, user.email, f'Bem-vindo(a) ao portal {brand.name}', [
        f'Olá, {user.name}!',
        f'Seu acesso ao portal {brand.name} foi criado. Seu login é o e-mail {user.email}.',
        'Para começar, defina a sua senha pelo botão abaixo. O link vale por 72 horas e só pode ser usado uma vez.',
    ], link=('Definir minha senha', password_link(token)))


def request_reset(email: str, ip: str = '') -> None:
    """'Esqueci minha senha': e-mail a reset link if the login exists; the answer is the same either way.

    Only the address is checked here; looking the login up, issuing the token and queueing the e-mail happen on one
    background worker, so the call takes as long for an unknown e-mail as for a known one.
    """
    try:
        email = validation.email(email)
    except ValidationError:
        return
    _resets.submit(email, ip)


def drain_resets() -> None:
    """Wait until every reset request handed to the worker so far has been handled (tests, shutdown)."""
    _resets.drain()


def _send_reset(email: str, ip: str) -> None:
    with unit() as session:
        user, usable = _user(session, User.email == email)
        if not usable:
            return
        recent = session.exec(select(func.count()).select_from(UserToken).where(
            UserToken.user_id == user.id, UserToken.kind == 'reset', UserToken.created_at > now() - RESET_WINDOW)).one()
        if recent >= MAX_RESETS:  # nobody needs more; spares their mailbox from whoever keeps asking
            audit.record(session, None, 'password', 'user', user.id, 'pedido de redefinição ignorado (limite)',
                         email=email, ip=ip)
            return
        token = issue_token(session, user, 'reset')
        mail.queue(session, user.email, 'Redefinição de senha', [
            f'Olá, {user.name}!',
            'Recebemos um pedido para redefinir a sua senha. Se foi você, use o botão abaixo; o link vale por 1 hora '
            'e só pode ser usado uma vez.',
            'Se não foi você, ignore esta mensagem: sua senha continua a mesma.',
        ], link=('Redefinir minha senha', password_link(token)))
        audit.record(session, None, 'password', 'user', user.id, 'pedido de redefinição', email=email, ip=ip)


class _ResetWorker:
    """One daemon thread that handles reset requests in order, started on the first request. The queue is bounded:
    a flood of requests is dropped (and logged) instead of growing memory."""

    def __init__(self, size: int = 1000) -> None:
        self.queue: queue.Queue[tuple[str, str]] = queue.Queue(size)
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def submit(self, email: str, ip: str) -> None:
        try:
            self.queue.put_nowait((email, ip))
        except queue.Full:
            log.warning('password reset queue full; request from %s dropped', ip or '?')
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name='conton-password-reset', daemon=True)
                self.thread.start()

    def drain(self) -> None:
        self.queue.join()

    def _run(self) -> None:
        while True:
            email, ip = self.queue.get()
            try:
                _send_reset(email, ip)
            except Exception:
                log.exception('password reset request failed')
            finally:
                self.queue.task_done()


_resets = _ResetWorker()


def _valid_token(session: Session, token: str) -> UserToken | None:
    row = session.exec(select(UserToken).where(UserToken.token_hash == _hash_token(token or ''))).first()
    if row is None or row.used_at is not None or row.expires_at < now():
        return None
    return row


def token_user(token: str) -> User | None:
    """The login a token belongs to, if the token is still valid (unused, not expired) and the login may log in."""
    with unit() as session:
        row = _valid_token(session, token)
        user, usable = _user(session, User.id == row.user_id) if row else (None, False)
    return user if usable else None


def set_password_with_token(token: str, password: str, ip: str = '') -> Actor:
    """Use a welcome/reset token once: set the password, end other sessions, log the person in.

    The token is consumed by one conditional UPDATE in the transaction that sets the password: of two requests
    with the same link at the same moment exactly one updates the row; the other gets "already used".
    """
    with unit() as session:
        row = _valid_token(session, token)
        user, usable = _user(session, User.id == row.user_id) if row else (None, False)
    if not usable:
        raise ValidationError('Este link não é mais válido. Peça um novo em "Esqueci minha senha".', 'token')
    passwords.check_rules(password, email=user.email, name=user.name)
    hashed = passwords.hash_password(password)
    with unit() as session:
        moment = now()
        consumed = session.exec(update(UserToken).where(
            UserToken.id == row.id, UserToken.used_at.is_(None), UserToken.expires_at > moment,
        ).values(used_at=moment)).rowcount
        if consumed != 1:
            raise ValidationError('Este link já foi usado.', 'token')
        user = session.get(User, row.user_id)
        _end_tokens(session, user.id)  # a pending welcome or reset link stops working too
        user.password_hash = hashed
        user.session_version += 1
        user.last_login_at = moment
        actor = to_actor(user, ip)
        audit.record(session, actor, 'password', 'user', user.id, f'senha definida pelo link ({row.kind})')
    return actor


def change_password(actor: Actor, current: str, new: str) -> Actor:
    """Change one's own password; every other session of this login ends. Returns the refreshed actor."""
    with unit(actor) as session:
        user = session.get(User, actor.user_id)
    ok, _ = passwords.verify(current, user.password_hash)
    if not ok:
        raise ValidationError('Senha atual incorreta.', 'current')
    passwords.check_rules(new, email=user.email, name=user.name, field='new')
    if new == current:
        raise ValidationError('A nova senha deve ser diferente da atual.', 'new')
    hashed = passwords.hash_password(new)
    with unit(actor) as session:
        user = session.get(User, actor.user_id)
        if user.session_version != actor.session_version:
            raise AuthExpired()
        user.password_hash = hashed
        user.session_version += 1
        _end_tokens(session, user.id)
        fresh = to_actor(user, actor.ip)
        audit.record(session, actor, 'password', 'user', user.id, 'senha alterada pelo próprio usuário')
    return fresh


def idle_expired(last_seen: float | None) -> bool:
    return last_seen is not None and time.time() - last_seen > get_settings().idle_timeout_hours * 3600
