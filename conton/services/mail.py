"""E-mail outbox: every message is a row; a periodic job sends the due ones with retries and back-off."""
from __future__ import annotations

import base64
import html
import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

import emails
from emails.backend.smtp import SMTPBackend
from sqlalchemy import func
from sqlmodel import Session, select

from ..clock import now
from ..config import get_settings
from ..models import OutboxEmail
from .base import as_uuid, unit
from .errors import NotFound, ValidationError
from .permissions import Actor, require

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12  # then 'failed' (kept, readable, can be re-sent by hand)
STATUS_LABELS = {'queued': 'Na fila', 'sent': 'Enviado', 'failed': 'Falhou'}
PASSWORD_LINK = re.compile(r'(/definir-senha/)[A-Za-z0-9_-]+')
HIDDEN_LINK = r'\1[link oculto: só um administrador vê links de senha]'
_sending = threading.Lock()


def smtp_configured() -> bool:
    return bool(get_settings().smtp_host)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most one hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def layout(office_name: str, logo_url: str, body_html: str) -> str:
    logo = f'<img src="{html.escape(logo_url)}" alt="" style="max-height:60px"><br>' if logo_url else ''
    return ('<!doctype html><html><body style="font-family:Arial,sans-serif;color:#222;max-width:600px;margin:auto">'
            f'<div style="padding:12px 0;border-bottom:2px solid #1565c0">{logo}'
            f'<strong style="font-size:18px">{html.escape(office_name)}</strong></div>'
            f'<div style="padding:16px 0;line-height:1.5">{body_html}</div>'
            '<div style="color:#777;font-size:12px;border-top:1px solid #ddd;padding-top:8px">'
            'Mensagem automática do portal Conton. Não responda a este e-mail.</div></body></html>')


def queue(session: Session, to: str, subject: str, paragraphs: list[str], *, link: tuple[str, str] | None = None,
          attachments: list[tuple[str, str, bytes]] | None = None) -> OutboxEmail:
    """Queue a message: plain paragraphs (escaped), an optional (label, url) button, optional (name, mime, data)."""
    row = OutboxEmail(**render(to, subject, paragraphs, link=link, attachments=attachments))
    session.add(row)
    return row


def render(to: str, subject: str, paragraphs: list[str], *, link: tuple[str, str] | None = None,
           attachments: list[tuple[str, str, bytes]] | None = None) -> dict:
    """The outbox row of a message, as column values (for `queue`, or a set-based insert of many: `queue_many`)."""
    from .office import branding
    brand = branding()
    body = ''.join(f'<p>{html.escape(p)}</p>' for p in paragraphs)
    text = '\n\n'.join(paragraphs)
    if link:
        label, url = link
        body += (f'<p><a href="{html.escape(url)}" style="background:#1565c0;color:#fff;padding:10px 16px;'
                 f'border-radius:4px;text-decoration:none">{html.escape(label)}</a></p>'
                 f'<p style="font-size:12px;color:#555">Se o botão não funcionar, copie este endereço: '
                 f'{html.escape(url)}</p>')
        text += f'\n\n{label}: {url}'
    text += f'\n\n-- \n{brand.name}'
    logo_url = f'{get_settings().public_url}/logo' if brand.has_logo else ''
    return {'to_addr': to, 'subject': subject[:300], 'html': layout(brand.name, logo_url, body), 'text': text,
            'attachments': [{'name': n, 'mime': m, 'b64': base64.b64encode(d).decode()}
                            for n, m, d in attachments or []]}


def queue_many(session: Session, messages: list[dict]) -> list[uuid.UUID]:
    """Queue many `render`ed messages with one INSERT (thousands at once: no ORM object each). Returns their ids."""
    from sqlalchemy import insert
    moment = now()
    rows = [{**m, 'id': uuid.uuid4(), 'status': 'queued', 'attempts': 0, 'next_attempt_at': moment, 'last_error': '',
             'created_at': moment} for m in messages]
    if rows:
        session.execute(insert(OutboxEmail), rows)
    return [r['id'] for r in rows]


def _backend() -> SMTPBackend:
    s = get_settings()
    return SMTPBackend(host=s.smtp_host, port=s.smtp_port, user=s.smtp_user or None,
                       password=s.smtp_password or None, ssl=s.smtp_security == 'ssl',
                       tls=s.smtp_security == 'starttls', timeout=15)


def _message(row: OutboxEmail) -> emails.Message:
    from .office import branding
    s = get_settings()
    sender = s.mail_from or s.smtp_user or 'conton@localhost'
    msg = emails.Message(subject=row.subject, html=row.html, text=row.text, mail_from=(branding().name, sender))
    for a in row.attachments or []:
        msg.attach(data=base64.b64decode(a['b64']), filename=a['name'], content_disposition='attachment',
                   mime_type=a['mime'])
    return msg


def send_due(limit: int = 50) -> int:
    """Send queued messages whose time has come. Blocking (SMTP): run it off the event loop. Returns how many sent.

    One run at a time in this process (two overlapping runs would pick the same rows and send them twice).
    """
    if not smtp_configured():
        return 0
    if not _sending.acquire(blocking=False):
        return 0
    try:
        return _send_due(limit)
    finally:
        _sending.release()


def _send_due(limit: int) -> int:
    with unit() as session:
        rows = session.exec(select(OutboxEmail).where(OutboxEmail.status == 'queued',
                                                      OutboxEmail.next_attempt_at <= now())
                            .order_by(OutboxEmail.created_at).limit(limit)).all()
    if not rows:
        return 0
    sent = 0
    backend = _backend()
    try:
        for row in rows:
            error = ''
            try:
                response = _message(row).send(to=row.to_addr, smtp=backend)
                if response is None or response.status_code != 250:
                    error = str(getattr(response, 'error', None) or getattr(response, 'status_text', '') or
                                'falha no envio')
            except Exception as e:  # noqa: BLE001  (a broken server must not stop the others)
                error = f'{type(e).__name__}: {e}'
            _record_attempt(row.id, error)
            sent += not error
            if error:
                backend.close()  # reconnect for the next message
    finally:
        backend.close()
    return sent


def _record_attempt(row_id: uuid.UUID, error: str) -> None:
    with unit() as session:
        row = session.get(OutboxEmail, row_id)
        row.attempts += 1
        if not error:
            row.status, row.sent_at, row.last_error = 'sent', now(), ''
        else:
            row.last_error = error[:1000]
            row.next_attempt_at = now() + backoff(row.attempts)
            if row.attempts >= MAX_ATTEMPTS:
                row.status = 'failed'
            log.warning('e-mail %s to %s not sent (attempt %d): %s', row.id, row.to_addr, row.attempts, error)


@dataclass
class OutboxPage:
    rows: list[OutboxEmail]
    total: int
    counts: dict[str, int]


def search(actor: Actor, *, status: str = '', text: str = '', page: int = 1, per_page: int = 30) -> OutboxPage:
    require(actor, 'emails')
    with unit(actor) as session:
        query = select(OutboxEmail)
        if status:
            query = query.where(OutboxEmail.status == status)
        if text:
            like = f'%{text.strip().lower()}%'
            query = query.where(func.lower(OutboxEmail.to_addr).like(like) | func.lower(OutboxEmail.subject).like(like))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(OutboxEmail.created_at.desc()).offset((page - 1) * per_page)
                            .limit(per_page)).all()
        counts = dict(session.exec(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
        return OutboxPage(list(rows), total, counts)


def get(actor: Actor, email_id: uuid.UUID | str) -> OutboxEmail:
    """One message (detached; never saved back). Set-password links show only to administrators: staff allowed to
    read the e-mail log could otherwise ask for a reset of someone else's login and take it over."""
    require(actor, 'emails')
    with unit(actor) as session:
        row = session.get(OutboxEmail, as_uuid(email_id))
        if row is None:
            raise NotFound()
        session.expunge(row)
    if not actor.is_admin:
        row.text = PASSWORD_LINK.sub(HIDDEN_LINK, row.text)
        row.html = PASSWORD_LINK.sub(HIDDEN_LINK, row.html)
    return row


def retry(actor: Actor, email_id: uuid.UUID | str) -> None:
    """Put a queued or failed message back in the queue to be sent at the next run (a failed one gets a fresh
    series of attempts)."""
    from . import audit
    require(actor, 'emails', 'write')
    with unit(actor) as session:
        row = session.get(OutboxEmail, as_uuid(email_id))
        if row is None:
            raise NotFound()
        if row.status == 'sent':
            raise ValidationError('Esta mensagem já foi enviada.')
        if row.status == 'failed':
            row.attempts = 0
        row.status, row.next_attempt_at = 'queued', now()
        audit.record(session, actor, 'email', 'email', row.id, f'reenvio para {row.to_addr}')


def pending_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.status != 'sent')).one()
