"""Comunicados: one message from the office to many clients (all active ones, a tax regime, the clients of one
responsible staff member, or a hand-picked list), sent now or at a chosen moment.

How a comunicado travels:
- `create` validates everything (subject, text, audience, moment, attachments) before anything is written. Sent
  now, the same transaction picks the recipients — every active login of every matching active client, one
  `AnnouncementRecipient` row each — and writes their drawer notifications (set-based inserts: 4,000 logins in one
  statement each), pushed live after commit. Scheduled, it waits as 'agendado' until `run_due` (the job) starts it
  at `send_at`, with the audience as it is then; `cancel` stops a scheduled one. `save` rewrites a draft
  ('rascunho': only the subject required, nobody reached) or a scheduled one before it starts (the row locked), and
  sends or schedules a draft; `delete_draft` removes a draft with its attachments.
- The e-mails go out through the outbox (services/mail) but are not all queued at once: `release` hands the outbox
  at most `announcements.batch_size` e-mails every `announcements.batch_pause_seconds` (OfficeSetting, edited on
  the Comunicados page), oldest comunicado first, so a 2,000-client send never floods the SMTP server (the outbox job then
  sends them as it sends every e-mail). Until released a recipient is 'fila'; then it follows its outbox row
  ('fila', 'enviado', 'falhou'); `read_at` is set when that login opens it in the portal. A comunicado is 'enviado'
  once no recipient is left in the queue (every e-mail sent or given up).
- A login whose channel for Comunicados (Meu perfil › Como ser avisado, else the office default) leaves e-mail out
  ('Painel (sino)' or 'Nenhum') gets no e-mail: its recipient becomes 'portal' (the comunicado waits in its portal
  and drawer). The first-use template ignores the choice: its e-mail carries the login and the set-password link.
- The first-use template ('first_use') tells each login how to enter the portal; a login that has no password yet
  gets a set-password link made at release time (services/auth.issue_token: single use, 72 hours), never a password.
- A client login sees only the comunicados it is a recipient of (its own row: each login reads its own), by list,
  URL, guessed id, attachment or count. Attachments (storage folder 'announcements', type checked by content as in
  Arquivos) are downloaded in the portal; the e-mail names them and links to the comunicado.
"""
from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable

from sqlalchemy import case, func, insert, or_, update
from sqlalchemy import delete as sql_delete
from sqlmodel import Session, select

from .. import clock, formatting
from ..db import after_commit
from ..config import get_settings
from ..models import (Announcement, AnnouncementAttachment, AnnouncementClient, AnnouncementRecipient, Client,
                      ClientResponsible, Notification, OutboxEmail, User)
from . import audit, auth, channels, filetypes, live, mail, notifications, office, storage, validation
from .base import as_uuid, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .permissions import Actor, require

TOOL, PORTAL_TOOL = 'announcements', 'portal_announcements'
CATEGORY = 'comunicados'
FOLDER = 'announcements'  # storage folder of the attachments (backup.file_columns)
MAX_SUBJECT, MAX_BODY = 200, 20_000
MAX_ATTACHMENTS = 10
MAX_LIST = 5_000
CHUNK = 500  # rows per statement / per release transaction
AUDIENCES = {'all': 'Todos os clientes ativos', 'regime': 'Por regime tributário',
             'responsible': 'Por responsável no escritório', 'list': 'Clientes escolhidos'}
TEMPLATES = {'': 'Comunicado', 'first_use': 'Primeiro acesso ao portal'}
STATUS_LABELS = {'rascunho': 'Rascunho', 'agendado': 'Agendado', 'enviando': 'Enviando', 'enviado': 'Enviado',
                 'cancelado': 'Cancelado'}
RECIPIENT_LABELS = {'fila': 'Na fila', 'enviado': 'Enviado', 'falhou': 'Falhou', 'portal': 'Só no portal',
                    'lido': 'Lido no portal'}
BATCH_KEY, PAUSE_KEY = 'announcements.batch_size', 'announcements.batch_pause_seconds'  # services/office_settings
EDITABLE = ('rascunho', 'agendado')  # a comunicado that can still be changed (save) before it goes out
MIN_LEAD = timedelta(minutes=1)  # a scheduled comunicado is at least this far ahead
LINK_DAYS = 3  # TOKEN_TTL['welcome'] in days, said in the first-use e-mail
_releasing = threading.Lock()

FIRST_USE_SUBJECT = 'Conheça o portal do escritório {office}'
FIRST_USE_BODY = (
    'Temos uma novidade: o escritório {office} agora atende você também pelo portal do cliente.\n'
    'No portal você encontra seus boletos e recibos, os arquivos e guias que enviamos, os prazos da sua agenda e os '
    'nossos comunicados. Por ele você também nos envia documentos e abre solicitações, sem depender de e-mail ou '
    'telefone.\n'
    'O acesso é pelo navegador, no computador ou no celular, com o seu e-mail e uma senha só sua.')


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    fila: int = 0
    enviado: int = 0
    falhou: int = 0
    lido: int = 0
    portal: int = 0  # no e-mail: the login's channel for Comunicados leaves e-mail out

    @property
    def total(self) -> int:
        return self.fila + self.enviado + self.falhou + self.portal


@dataclass(frozen=True)
class AttachmentRow:
    id: uuid.UUID
    announcement_id: uuid.UUID
    name: str
    size: int
    mime: str

    @property
    def url(self) -> str:
        return attachment_url(self.id)

    @property
    def size_label(self) -> str:
        return _size_label(self.size)


@dataclass(frozen=True)
class AnnouncementRow:
    id: uuid.UUID
    subject: str
    status: str
    audience: str
    audience_label: str  # 'Simples Nacional', 'Responsável: Ana', '12 clientes escolhidos', 'Todos os clientes ativos'
    template: str
    send_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    sent_at: datetime | None
    author: str
    recipients: int
    clients: int
    counts: Counts
    attachments: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def moment(self) -> datetime:
        """When it went (or goes) out: the start, the scheduled moment, or its creation."""
        return self.started_at or self.send_at or self.created_at


@dataclass(frozen=True)
class AnnouncementDetail:
    row: AnnouncementRow
    body: str
    attachments: list[AttachmentRow]
    audience_value: str = ''  # the regime or the staff member's id, as stored (for the edit form)
    client_ids: list[str] = field(default_factory=list)  # the hand-picked clients (audience 'list')

    @property
    def editable(self) -> bool:
        return self.row.status in EDITABLE


@dataclass(frozen=True)
class AnnouncementPage:
    rows: list[AnnouncementRow]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]  # per announcement status, for the filter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class RecipientRow:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    user_name: str
    email: str
    status: str  # fila | enviado | falhou
    error: str
    sent_at: datetime | None
    read_at: datetime | None

    @property
    def status_label(self) -> str:
        return RECIPIENT_LABELS[self.status]


@dataclass(frozen=True)
class RecipientPage:
    rows: list[RecipientRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Preview:
    clients: int  # matching active clients with at least one active login
    logins: int  # recipients
    without_login: int  # matching active clients that nobody would receive it for
    without_password: int  # logins that would get a set-password link (first-use template)

    @property
    def label(self) -> str:
        parts = [f'{_n(self.clients, "cliente", "clientes")}, {_n(self.logins, "login", "logins")}']
        if self.without_login:
            parts.append(f'{_n(self.without_login, "cliente", "clientes")} sem login ativo no portal '
                         f'(não {"recebe" if self.without_login == 1 else "recebem"})')
        return ' · '.join(parts)


@dataclass(frozen=True)
class PortalItem:
    id: uuid.UUID
    subject: str
    body: str
    sent_at: datetime
    read_at: datetime | None
    attachments: list[AttachmentRow] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f'/portal/comunicados/{self.id}'

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.body)


@dataclass(frozen=True)
class Throttle:
    batch: int  # e-mails handed to the outbox per batch
    pause_seconds: int  # between two batches


@dataclass(frozen=True)
class ChoiceLists:
    """What the compose form offers."""
    regimes: list[str]
    staff: dict[str, str]  # user id -> name
    clients: dict[str, str]  # client id -> name (active clients)


# --------------------------------------------------------------------------------------------------------------------
# Compose: choices, preview, attachments
# --------------------------------------------------------------------------------------------------------------------

def choices(actor: Actor) -> ChoiceLists:
    require(actor, TOOL, 'write')
    from .clients import REGIMES
    with unit(actor) as session:
        staff = session.exec(select(User.id, User.name).where(User.role.in_(('admin', 'staff')),
                                                              User.active == True)  # noqa: E712
                             .order_by(User.name)).all()
        clients = session.exec(select(Client.id, Client.name).where(Client.active == True)  # noqa: E712
                               .order_by(Client.sort_name, Client.id)).all()
    return ChoiceLists(list(REGIMES), {str(i): n for i, n in staff}, {str(i): n for i, n in clients})


def template_text(template: str) -> tuple[str, str]:
    """The subject and text a template starts from (the office edits them before sending)."""
    if template != 'first_use':
        return '', ''
    name = office.branding().name
    return FIRST_USE_SUBJECT.format(office=name), FIRST_USE_BODY.format(office=name)


def preview(actor: Actor, audience: str, audience_value: str = '', client_ids: Iterable = ()) -> Preview:
    """How many clients and logins a comunicado with this audience would reach now."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        value, ids = _audience(session, audience, audience_value, client_ids)
        return _preview(session, audience, value, ids)


async def receive_attachment(actor: Actor, file) -> storage.Received:
    """Stream one upload (NiceGUI's e.file) to a temporary file, checking its size (CONTON_FILE_MAX_MB) and type by
    content (services/filetypes); raises ValidationError (field 'attachments'). `create` stores it; a page that
    drops it calls `discard_attachment`."""
    require(actor, TOOL, 'write')
    try:
        return await storage.receive_upload(file, folder=FOLDER, max_bytes=max_attachment_bytes())
    except ValidationError as e:
        name = filetypes.clean_name(getattr(file, 'name', ''))
        raise ValidationError(f'{name}: {next(iter(e.errors.values()))}', 'attachments') from e


def discard_attachment(received: storage.Received) -> None:
    received.discard()


def max_attachment_bytes() -> int:
    return get_settings().file_max_mb * 1024 * 1024


# --------------------------------------------------------------------------------------------------------------------
# Create, cancel
# --------------------------------------------------------------------------------------------------------------------

def create(actor: Actor, *, subject: str, body: str, audience: str, audience_value: str = '',
           client_ids: Iterable = (), template: str = '', send_on: str | date | None = None,
           send_time: str | time | None = None, attachments: Sequence[storage.Received] = (),
           draft: bool = False) -> AnnouncementRow:
    """Send now (no `send_on`), schedule for `send_on` + `send_time` (office time zone), or keep as a draft. Every
    field is checked before anything is saved; the attachments become stored files only in the transaction that
    writes the rows."""
    return save(actor, None, subject=subject, body=body, audience=audience, audience_value=audience_value,
                client_ids=client_ids, template=template, send_on=send_on, send_time=send_time,
                attachments=attachments, draft=draft)


def save(actor: Actor, announcement_id: uuid.UUID | str | None, *, subject: str, body: str, audience: str,
         audience_value: str = '', client_ids: Iterable = (), template: str = '', send_on: str | date | None = None,
         send_time: str | time | None = None, attachments: Sequence[storage.Received] = (),
         remove_attachments: Iterable = (), draft: bool = False) -> AnnouncementRow:
    """Write a comunicado, new (`announcement_id` None) or a draft or scheduled one that has not started (EDITABLE),
    whole: its text, audience, moment and attachments (`attachments` added, `remove_attachments` ids taken off).
    `draft`: kept as 'rascunho' — only the subject is required, what is incomplete is kept as far as it is valid —
    else sent now or scheduled, everything checked as `create` does. The row is locked while it is written, so the
    job cannot start a scheduled one under an edit (an edit that lands after the start is refused)."""
    require(actor, TOOL, 'write')
    cleaned: dict = {}
    ids_in = list(client_ids or [])
    try:
        removed = {as_uuid(i) for i in remove_attachments or ()}
    except NotFound:
        raise ValidationError('Anexo não encontrado.', 'attachments') from None

    def check_subject() -> None:
        cleaned['subject'] = validation.text(subject, 'subject', 'o assunto', required=True, max_len=MAX_SUBJECT)

    def check_body() -> None:
        cleaned['body'] = validation.text(body, 'body', 'o texto do comunicado', required=not draft,
                                          max_len=MAX_BODY, multiline=True)

    def check_template() -> None:
        if template not in TEMPLATES:
            raise ValidationError('Modelo desconhecido.', 'template')

    def check_moment() -> None:
        try:
            cleaned['send_at'] = _send_at(send_on, send_time)
        except ValidationError:
            if not draft:
                raise
            cleaned['send_at'] = None  # a draft keeps no moment that could not be sent

    stored: list[storage.Received] = []  # renamed into storage: removed again if the transaction fails
    try:
        with unit(actor) as session:
            item = None
            if announcement_id is not None:
                item = _editable(session, as_uuid(announcement_id))
            saved = [] if item is None else session.exec(select(AnnouncementAttachment).where(
                AnnouncementAttachment.announcement_id == item.id)).all()
            kept = [a for a in saved if a.id not in removed]
            gone = [a for a in saved if a.id in removed]

            def check_attachments() -> None:
                if len(kept) + len(attachments) > MAX_ATTACHMENTS:
                    raise ValidationError(f'Anexe no máximo {MAX_ATTACHMENTS} arquivos.', 'attachments')
                limit = max_attachment_bytes()
                for r in attachments:
                    if r.size > limit or not r.tmp.exists():
                        raise ValidationError(f'{r.original_name}: {storage.too_large_message(limit)}'
                                              if r.size > limit else
                                              f'{r.original_name}: o arquivo não está mais disponível; anexe de '
                                              f'novo.', 'attachments')

            def check_audience() -> None:
                try:
                    value, ids = cleaned['audience'] = _audience(session, audience, audience_value, ids_in)
                except ValidationError:
                    if not draft:
                        raise
                    cleaned['audience'] = ('', [])  # a draft keeps the kind of audience, not a bad choice
                    return
                if not draft and not _preview(session, audience, value, ids).logins:
                    raise ValidationError('Nenhum destinatário: nenhum cliente ativo com login no portal nesta '
                                          'escolha.', 'audience')
            validation.collect(check_subject, check_body, check_template, check_moment, check_attachments,
                               check_audience)
            value, ids = cleaned['audience']
            send_at = cleaned['send_at']
            status = 'rascunho' if draft else 'agendado' if send_at else 'enviando'
            fields = dict(subject=cleaned['subject'], body=cleaned['body'],
                          audience=audience if audience in AUDIENCES else 'all', audience_value=value,
                          template=template, status=status, send_at=send_at)
            if item is None:
                item = Announcement(**fields, created_by=actor.user_id, recipients=0)
                session.add(item)
                session.flush()
                action = 'create'
            else:
                before = item.status
                # conditional, as the job's start is: whatever the backend's locking, an edit never lands on a
                # comunicado that has started in the meantime
                if session.exec(update(Announcement).where(Announcement.id == item.id,
                                                           Announcement.status.in_(EDITABLE))
                                .values(**fields)).rowcount != 1:
                    raise ValidationError('Este comunicado já saiu (ou foi cancelado): não pode mais ser alterado.')
                session.refresh(item)
                session.exec(sql_delete(AnnouncementClient).where(AnnouncementClient.announcement_id == item.id))
                action = 'update'
                for a in gone:
                    session.delete(a)
                names = [a.stored_name for a in gone]
                after_commit(session, lambda: [storage.backend().trash(FOLDER, n) for n in names])
            if item.audience == 'list' and ids:
                _insert_many(session, AnnouncementClient, [{'announcement_id': item.id, 'client_id': c}
                                                           for c in ids])
            for r in attachments:
                name = r.commit()
                stored.append(r)
                session.add(AnnouncementAttachment(announcement_id=item.id, original_name=r.original_name,
                                                   stored_name=name, size=r.size, sha256=r.sha256, mime=r.mime))
            session.flush()
            if status == 'enviando':
                _start(session, item)
            what = ('rascunho' if draft else 'agendado para ' + formatting.when(send_at) if send_at else 'enviado')
            if action == 'update' and before != status:
                what = f'{STATUS_LABELS[before].lower()} → {what}'
            audit.record(session, actor, action, 'announcement', item.id,
                         f'{what}: {item.subject} ({_audience_text(session, item)})')
            live.announce(session, TOOL, None, item.id)
            item_id = item.id
    except BaseException:
        for r in stored:
            _discard_stored(r)
        raise
    return get(actor, item_id).row


def delete_draft(actor: Actor, announcement_id: uuid.UUID | str) -> None:
    """A draft goes away with its attachments (to the storage trash)."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        item = _editable(session, as_uuid(announcement_id))
        if item.status != 'rascunho':
            raise ValidationError('Só um rascunho pode ser excluído; um comunicado agendado pode ser cancelado.')
        files = session.exec(select(AnnouncementAttachment).where(
            AnnouncementAttachment.announcement_id == item.id)).all()
        names = [a.stored_name for a in files]
        for a in files:
            session.delete(a)
        session.exec(sql_delete(AnnouncementClient).where(AnnouncementClient.announcement_id == item.id))
        session.flush()
        audit.record(session, actor, 'delete', 'announcement', item.id, f'rascunho: {item.subject}')
        session.delete(item)
        after_commit(session, lambda: [storage.backend().trash(FOLDER, n) for n in names])
        live.announce(session, TOOL, None, item.id)


def _editable(session: Session, key: uuid.UUID) -> Announcement:
    """The comunicado, locked, while it is a draft or scheduled and not started (else the reason, in Portuguese)."""
    query = select(Announcement).where(Announcement.id == key)
    if session.get_bind().dialect.name == 'postgresql':
        query = query.with_for_update()
    item = session.exec(query).first()
    if item is None:
        raise NotFound('Comunicado não encontrado.')
    if item.status not in EDITABLE:
        raise ValidationError('Este comunicado já saiu (ou foi cancelado): não pode mais ser alterado.')
    return item


def cancel(actor: Actor, announcement_id: uuid.UUID | str) -> None:
    """A scheduled comunicado that has not started: it will not go out."""
    require(actor, TOOL, 'write')
    key = as_uuid(announcement_id)
    with unit(actor) as session:
        item = session.get(Announcement, key)
        if item is None:
            raise NotFound()
        changed = session.exec(update(Announcement).where(Announcement.id == key, Announcement.status == 'agendado')
                               .values(status='cancelado')).rowcount
        if changed != 1:
            raise ValidationError('Só um comunicado agendado que ainda não saiu pode ser cancelado.')
        audit.record(session, actor, 'update', 'announcement', key, f'cancelado: {item.subject}')
        live.announce(session, TOOL, None, key)


# --------------------------------------------------------------------------------------------------------------------
# The job: scheduled ones that are due, the e-mail batches, the final state
# --------------------------------------------------------------------------------------------------------------------

def run_due() -> dict[str, int]:
    """The periodic job (blocking: run it off the event loop): start the scheduled comunicados whose moment came,
    hand the outbox its next batch of e-mails if the pause since the last one is over, and mark 'enviado' those
    with nobody left in the queue."""
    started = start_due()
    released = release()
    finished = finish()
    return {'started': started, 'released': released, 'finished': finished}


def start_due() -> int:
    started = 0
    with unit() as session:
        due = session.exec(select(Announcement.id).where(Announcement.status == 'agendado',
                                                         Announcement.send_at <= clock.now())
                           .order_by(Announcement.send_at)).all()
    for key in due:
        with unit() as session:
            claimed = session.exec(update(Announcement).where(Announcement.id == key,
                                                              Announcement.status == 'agendado')
                                   .values(status='enviando')).rowcount
            if claimed != 1:
                continue  # cancelled meanwhile
            item = session.get(Announcement, key)
            _start(session, item)
            live.announce(session, TOOL, None, key)
            started += 1
    return started


def throttle(session: Session | None = None) -> Throttle:
    from . import office_settings
    values = office_settings.get_many([BATCH_KEY, PAUSE_KEY], session)
    return Throttle(int(values[BATCH_KEY]), int(values[PAUSE_KEY]))


def set_throttle(actor: Actor, batch: object, pause_seconds: object) -> Throttle:
    """The office's pace (Comunicados' settings): e-mails per batch and seconds between batches; both checked
    before either is saved (messages on the fields 'batch' and 'pause_seconds')."""
    from . import office_settings
    require(actor, TOOL, 'write')

    def check(key: str, value: object, name: str):
        def run() -> None:
            try:
                office_settings.parse(key, value)
            except ValidationError as e:
                raise ValidationError(next(iter(e.errors.values())), name) from None
        return run
    validation.collect(check(BATCH_KEY, batch, 'batch'), check(PAUSE_KEY, pause_seconds, 'pause_seconds'))
    office_settings.set(actor, BATCH_KEY, batch)
    office_settings.set(actor, PAUSE_KEY, pause_seconds)
    return throttle()


def release(limit: int | None = None) -> int:
    """Hand the outbox the next batch of comunicado e-mails (at most the batch size, and only once the pause since
    the previous batch is over). Blocking; one run at a time in this process. Returns how many were queued."""
    if not _releasing.acquire(blocking=False):
        return 0
    try:
        pace = throttle()
        batch = pace.batch if limit is None else limit
        with unit() as session:
            if limit is None and not _pause_over(session, pace):
                return 0
            pending = session.exec(select(Announcement.id).where(Announcement.status == 'enviando')
                                   .order_by(Announcement.started_at, Announcement.id)).all()
        queued = 0
        for key in pending:
            while queued < batch:
                done = _release_chunk(key, min(CHUNK, batch - queued))
                if not done:
                    break
                queued += done
            if queued >= batch:
                break
        return queued
    finally:
        _releasing.release()


def finish() -> int:
    """Comunicados being sent whose every recipient has left the queue: recipients' statuses are copied from their
    outbox rows (so the history outlives the e-mail log) and the comunicado becomes 'enviado'."""
    done = 0
    with unit() as session:
        sending = session.exec(select(Announcement.id).where(Announcement.status == 'enviando')).all()
    for key in sending:
        with unit() as session:
            r, o = AnnouncementRecipient, OutboxEmail
            waiting = session.exec(select(func.count()).select_from(r).outerjoin(o, o.id == r.email_id)
                                   .where(r.announcement_id == key, r.status == 'fila',
                                          or_(r.email_id.is_(None), o.status == 'queued'))).one()
            if waiting:
                continue
            outbox = select(o.status).where(o.id == r.email_id).scalar_subquery()
            last_error = select(o.last_error).where(o.id == r.email_id).scalar_subquery()
            session.exec(update(r).where(r.announcement_id == key, r.status == 'fila', r.email_id.is_not(None))
                         .values(status=case((outbox == 'sent', 'enviado'), else_='falhou'),
                                 error=func.substr(func.coalesce(last_error, ''), 1, 300)))
            changed = session.exec(update(Announcement).where(Announcement.id == key,
                                                              Announcement.status == 'enviando')
                                   .values(status='enviado', sent_at=clock.now())).rowcount
            if changed:
                live.announce(session, TOOL, None, key)
                done += 1
    return done


# --------------------------------------------------------------------------------------------------------------------
# Staff: lists and detail
# --------------------------------------------------------------------------------------------------------------------

def search(actor: Actor, *, status: str = '', page: int = 1, per_page: int = 20) -> AnnouncementPage:
    require(actor, TOOL)
    per_page = max(1, min(int(per_page), 100))
    page = max(1, int(page))
    a = Announcement
    with unit(actor) as session:
        conds = [a.status == status] if status in STATUS_LABELS else []
        found = session.exec(select(a.id, func.count().over()).where(*conds)
                             .order_by(func.coalesce(a.started_at, a.send_at, a.created_at).desc(), a.id)
                             .offset((page - 1) * per_page).limit(per_page)).all()
        total = found[0][1] if found else 0
        if not found and page > 1:
            return search(actor, status=status, page=1, per_page=per_page)
        rows = _rows(session, [f[0] for f in found])
        counts = dict(session.exec(select(a.status, func.count()).group_by(a.status)).all())
    return AnnouncementPage(rows, total, page, per_page, counts)


def get(actor: Actor, announcement_id: uuid.UUID | str) -> AnnouncementDetail:
    require(actor, TOOL)
    key = as_uuid(announcement_id)
    with unit(actor) as session:
        item = session.get(Announcement, key)
        if item is None:
            raise NotFound('Comunicado não encontrado.')
        picked = [str(c) for c in session.exec(select(AnnouncementClient.client_id).where(
            AnnouncementClient.announcement_id == key)).all()] if item.audience == 'list' else []
        return AnnouncementDetail(_rows(session, [key])[0], item.body, _attachments(session, [key]).get(key, []),
                                  item.audience_value, picked)


def recipients(actor: Actor, announcement_id: uuid.UUID | str, *, status: str = '', text: str = '', page: int = 1,
               per_page: int = 50) -> RecipientPage:
    """One page of a comunicado's recipients with each one's state (`status`: fila | enviado | falhou | lido)."""
    require(actor, TOOL)
    key = as_uuid(announcement_id)
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    r, o = AnnouncementRecipient, OutboxEmail
    state = _recipient_state()
    with unit(actor) as session:
        if session.get(Announcement, key) is None:
            raise NotFound('Comunicado não encontrado.')
        conds = [r.announcement_id == key]
        if status == 'lido':
            conds.append(r.read_at.is_not(None))
        elif status in ('fila', 'enviado', 'falhou', 'portal'):
            conds.append(state == status)
        words = (text or '').strip().lower()[:100]
        if words:
            like = f'%{_like(words)}%'
            conds.append(or_(func.lower(r.email).like(like, escape='\\'),
                             Client.search_text.like(f'%{_like(_fold(words))}%', escape='\\')))
        query = (select(r.id, r.client_id, Client.name, User.name, r.email, state, r.error, o.last_error, o.sent_at,
                        r.read_at, func.count().over())
                 .join(Client, Client.id == r.client_id).join(User, User.id == r.user_id)
                 .outerjoin(o, o.id == r.email_id).where(*conds)
                 .order_by(Client.sort_name, Client.id, User.name, r.id)
                 .offset((page - 1) * per_page).limit(per_page))
        found = session.exec(query).all()
    total = found[0][-1] if found else 0
    rows = [RecipientRow(f[0], f[1], f[2], f[3], f[4], f[5], (f[7] or f[6] or '')[:300] if f[5] == 'falhou' else '',
                         f[8], f[9]) for f in found]
    return RecipientPage(rows, total, page, per_page)


def badge_count(session: Session, actor: Actor) -> int:
    """Staff home: comunicados scheduled or still going out."""
    return session.exec(select(func.count()).select_from(Announcement)
                        .where(Announcement.status.in_(('agendado', 'enviando')))).one()


# --------------------------------------------------------------------------------------------------------------------
# The client's portal
# --------------------------------------------------------------------------------------------------------------------

def portal_list(actor: Actor, *, limit: int = 200) -> list[PortalItem]:
    """The comunicados this login received, newest first."""
    _require_portal(actor)
    r, a = AnnouncementRecipient, Announcement
    with unit(actor) as session:
        found = session.exec(select(a.id, a.subject, a.body, r.created_at, r.read_at).join(r, r.announcement_id == a.id)
                             .where(r.user_id == actor.user_id).order_by(r.created_at.desc(), a.id).limit(limit)).all()
        files = _attachments(session, [f[0] for f in found])
    return [PortalItem(f[0], f[1], f[2], f[3], f[4], files.get(f[0], [])) for f in found]


def unread(actor: Actor, limit: int = 5) -> tuple[int, list[PortalItem]]:
    """The client home: how many comunicados this login has not opened, and the latest of them."""
    _require_portal(actor)
    r, a = AnnouncementRecipient, Announcement
    with unit(actor) as session:
        count = unread_count(session, actor)
        found = session.exec(select(a.id, a.subject, a.body, r.created_at, r.read_at).join(r, r.announcement_id == a.id)
                             .where(r.user_id == actor.user_id, r.read_at.is_(None))
                             .order_by(r.created_at.desc(), a.id).limit(limit)).all() if count else []
    return count, [PortalItem(*f) for f in found]


def unread_count(session: Session, actor: Actor) -> int:
    if not actor.is_client:
        return 0
    r = AnnouncementRecipient
    return session.exec(select(func.count()).select_from(r).where(r.user_id == actor.user_id,
                                                                  r.read_at.is_(None))).one()


def read(actor: Actor, announcement_id: uuid.UUID | str) -> PortalItem:
    """Open one comunicado (NotFound unless this login received it); the first opening marks it read, and the
    drawer notification that points to it too."""
    _require_portal(actor)
    key = as_uuid(announcement_id)
    r, a = AnnouncementRecipient, Announcement
    with unit(actor) as session:
        found = session.exec(select(a.id, a.subject, a.body, r.created_at, r.read_at, r.id, r.client_id)
                             .join(r, r.announcement_id == a.id)
                             .where(a.id == key, r.user_id == actor.user_id)).first()
        if found is None:
            raise NotFound('Comunicado não encontrado.')
        read_at = found[4]
        if read_at is None:
            read_at = clock.now()
            session.exec(update(r).where(r.id == found[5], r.read_at.is_(None)).values(read_at=read_at))
            session.exec(update(Notification).where(Notification.user_id == actor.user_id,
                                                    Notification.link == portal_link(key),
                                                    Notification.read_at.is_(None)).values(read_at=read_at))
            live.announce(session, TOOL, None, key)
            live.announce(session, PORTAL_TOOL, found[6], key)
        files = _attachments(session, [key]).get(key, [])
    return PortalItem(found[0], found[1], found[2], found[3], read_at, files)


def portal_link(announcement_id: uuid.UUID | str) -> str:
    return f'/portal/comunicados/{announcement_id}'


# --------------------------------------------------------------------------------------------------------------------
# Attachments: download
# --------------------------------------------------------------------------------------------------------------------

def attachment_url(attachment_id: uuid.UUID | str) -> str:
    return f'/comunicados/anexo/{attachment_id}'


def download(actor: Actor, attachment_id: uuid.UUID | str):
    """Staff with Comunicados, or a client login that received the comunicado (NotFound for anyone else, by any
    id). Returns what the download route streams (files.Download)."""
    from .files import Download
    key = as_uuid(attachment_id)
    if actor.is_client:
        _require_portal(actor)
    else:
        require(actor, TOOL)
    with unit(actor) as session:
        att = session.get(AnnouncementAttachment, key)
        if att is None:
            raise NotFound('Arquivo não encontrado.')
        if actor.is_client:
            mine = session.exec(select(AnnouncementRecipient.id).where(
                AnnouncementRecipient.announcement_id == att.announcement_id,
                AnnouncementRecipient.user_id == actor.user_id)).first()
            if mine is None:
                raise NotFound('Arquivo não encontrado.')
        path = storage.backend().local_path(FOLDER, att.stored_name)
        if path is not None and not path.is_file():
            raise NotFound('O arquivo não foi encontrado no armazenamento. Avise o escritório.')
        stored = att.stored_name
        name = filetypes.download_name(att.original_name, _filetype(att.mime))
        return Download(name, att.mime, att.size, path, lambda: storage.backend().open(FOLDER, stored))


def file_columns() -> list[tuple[object, str]]:
    """For backup.file_columns."""
    return [(AnnouncementAttachment.stored_name, FOLDER)]


# --------------------------------------------------------------------------------------------------------------------
# Helpers: audience
# --------------------------------------------------------------------------------------------------------------------

def _audience(session: Session, audience: str, value: object, client_ids: Iterable) -> tuple[str, list[uuid.UUID]]:
    """Check the audience; returns (audience_value to store, client ids for 'list')."""
    if audience not in AUDIENCES:
        raise ValidationError('Escolha os destinatários.', 'audience')
    text = value.strip() if isinstance(value, str) else ''
    if audience == 'regime':
        from .clients import REGIMES
        if text not in REGIMES:
            raise ValidationError('Escolha o regime tributário.', 'audience_value')
        return text, []
    if audience == 'responsible':
        try:
            staff_id = as_uuid(text)
        except NotFound:
            raise ValidationError('Escolha o responsável.', 'audience_value') from None
        user = session.get(User, staff_id)
        if user is None or user.role not in ('admin', 'staff'):
            raise ValidationError('Escolha o responsável.', 'audience_value')
        return str(staff_id), []
    if audience == 'list':
        try:
            ids = list(dict.fromkeys(as_uuid(c) for c in client_ids or []))
        except NotFound:
            raise ValidationError('Um dos clientes escolhidos não existe.', 'client_ids') from None
        if not ids:
            raise ValidationError('Escolha pelo menos um cliente.', 'client_ids')
        if len(ids) > MAX_LIST:
            raise ValidationError(f'Escolha no máximo {MAX_LIST} clientes (ou use "Todos os clientes ativos").',
                                  'client_ids')
        known = 0
        for start in range(0, len(ids), CHUNK):
            known += session.exec(select(func.count()).select_from(Client)
                                  .where(Client.id.in_(ids[start:start + CHUNK]))).one()
        if known != len(ids):
            raise ValidationError('Um dos clientes escolhidos não existe.', 'client_ids')
        return '', ids
    return '', []


def _clients_query(audience: str, value: str, ids: list[uuid.UUID] | None, announcement_id: uuid.UUID | None = None):
    """The active clients an audience names (a select of Client.id)."""
    query = select(Client.id).where(Client.active == True)  # noqa: E712
    if audience == 'regime':
        query = query.where(Client.tax_regime == value)
    elif audience == 'responsible':
        query = query.join(ClientResponsible, ClientResponsible.client_id == Client.id) \
            .where(ClientResponsible.user_id == as_uuid(value))
    elif audience == 'list':
        if announcement_id is not None:
            query = query.where(Client.id.in_(select(AnnouncementClient.client_id)
                                              .where(AnnouncementClient.announcement_id == announcement_id)))
        else:
            query = query.where(Client.id.in_(ids or []))
    return query


def _logins_query(clients):
    return select(User.id, User.client_id, User.email, User.password_hash).where(
        User.role == 'client', User.active == True, User.client_id.in_(clients))  # noqa: E712


def _preview(session: Session, audience: str, value: str, ids: list[uuid.UUID]) -> Preview:
    if audience == 'list' and len(ids) > CHUNK:  # large IN lists: count in chunks
        parts = [_preview(session, audience, value, ids[s:s + CHUNK]) for s in range(0, len(ids), CHUNK)]
        return Preview(*(sum(getattr(p, f) for p in parts) for f in ('clients', 'logins', 'without_login',
                                                                      'without_password')))
    clients = _clients_query(audience, value, ids).subquery()
    logins = _logins_query(select(clients.c.id)).subquery()
    row = session.exec(select(func.count(), func.count(func.distinct(logins.c.client_id)),
                              func.count(case((logins.c.password_hash.is_(None), 1))))
                       .select_from(logins)).one()
    total_clients = session.exec(select(func.count()).select_from(clients)).one()
    return Preview(row[1], row[0], total_clients - row[1], row[2])


def _audience_text(session: Session, item: Announcement) -> str:
    if item.audience == 'regime':
        return item.audience_value
    if item.audience == 'responsible':
        try:
            user = session.get(User, as_uuid(item.audience_value))
        except NotFound:
            user = None
        return f'Responsável: {user.name if user else "?"}'
    if item.audience == 'list':
        n = session.exec(select(func.count()).select_from(AnnouncementClient)
                         .where(AnnouncementClient.announcement_id == item.id)).one()
        return f'{_n(n, "cliente escolhido", "clientes escolhidos")}'
    return AUDIENCES['all']


# --------------------------------------------------------------------------------------------------------------------
# Helpers: sending
# --------------------------------------------------------------------------------------------------------------------

def _start(session: Session, item: Announcement) -> int:
    """Inside the caller's transaction: the recipients as the audience stands now, their drawer notifications
    (pushed live after commit) and the clients' live views. Returns how many logins."""
    moment = clock.now()
    clients = _clients_query(item.audience, item.audience_value, None, item.id)
    found = session.exec(_logins_query(clients).order_by(User.client_id, User.id)).all()
    rows, notes = [], []
    title = f'Comunicado: {item.subject}'[:200]
    preview_text = re.sub(r'\s+', ' ', item.body).strip()[:300]
    link = portal_link(item.id)
    for user_id, client_id, email, _ in found:
        rows.append({'id': uuid.uuid4(), 'announcement_id': item.id, 'client_id': client_id, 'user_id': user_id,
                     'email': email, 'status': 'fila', 'error': '', 'created_at': moment})
        notes.append({'id': uuid.uuid4(), 'user_id': user_id, 'category': CATEGORY, 'title': title,
                      'body': preview_text, 'link': link, 'created_at': moment})
    _insert_many(session, AnnouncementRecipient, rows)
    _insert_many(session, Notification, notes)
    item.status, item.started_at, item.recipients = 'enviando', moment, len(rows)
    if notes:
        items = [notifications.Item(n['id'], n['user_id'], CATEGORY, title, preview_text, link, moment, False)
                 for n in notes]
        live.announce_notes(session, items)  # with the transaction's live changes, after commit
    for client_id in dict.fromkeys(r['client_id'] for r in rows):
        live.announce(session, PORTAL_TOOL, client_id, item.id)
    return len(rows)


def _pause_over(session: Session, pace: Throttle) -> bool:
    """No comunicado e-mail was handed to the outbox within the last pause."""
    if pace.pause_seconds <= 0:
        return True
    since = clock.now() - timedelta(seconds=pace.pause_seconds)
    r, o, a = AnnouncementRecipient, OutboxEmail, Announcement
    recent = session.exec(select(o.id).join(r, r.email_id == o.id).join(a, a.id == r.announcement_id)
                          .where(or_(a.status == 'enviando', a.sent_at > since), o.created_at > since).limit(1)).first()
    return recent is None


def _release_chunk(announcement_id: uuid.UUID, size: int) -> int:
    """Queue the e-mails of up to `size` recipients of one comunicado, in one transaction. Returns how many
    recipients it handled (0: none left)."""
    r = AnnouncementRecipient
    with unit() as session:
        item = session.get(Announcement, announcement_id)
        if item is None or item.status != 'enviando':
            return 0
        found = session.exec(select(r.id, r.user_id, r.client_id).where(r.announcement_id == announcement_id,
                                                                         r.status == 'fila', r.email_id.is_(None))
                             .order_by(r.created_at, r.id).limit(size)).all()
        if not found:
            return 0
        users = {u.id: u for u in session.exec(select(User).where(User.id.in_([f[1] for f in found]))).all()}
        active = set(session.exec(select(Client.id).where(Client.id.in_({f[2] for f in found}),
                                                          Client.active == True)).all())  # noqa: E712
        files = _attachments(session, [announcement_id]).get(announcement_id, [])
        tokens = {}
        if item.template == 'first_use':  # one statement each for every set-password link of the chunk
            tokens = auth.issue_tokens(session, [u.id for u in users.values() if not u.password_hash and u.active],
                                       'welcome')
        compose = _composer(item, files, tokens)
        by_email = (set(users) if item.template == 'first_use'  # the way in: sent whatever the channel
                    else channels.wants_email(session, list(users), CATEGORY))
        updates, messages, waiting = [], [], []
        for rid, user_id, client_id in found:
            user = users.get(user_id)
            if user is None or not user.active or client_id not in active:
                updates.append({'id': rid, 'status': 'falhou', 'error': 'Login ou cliente desativado antes do envio.'})
                continue
            if user_id not in by_email:
                updates.append({'id': rid, 'status': 'portal', 'error': ''})
                continue
            messages.append(compose(user))
            waiting.append(rid)
        email_ids = mail.queue_many(session, messages)  # one INSERT for the chunk's e-mails
        updates += [{'id': rid, 'email_id': eid} for rid, eid in zip(waiting, email_ids, strict=True)]
        for chunk_start in range(0, len(updates), CHUNK):
            part = updates[chunk_start:chunk_start + CHUNK]
            with_email = [u for u in part if 'email_id' in u]
            failed = [u for u in part if 'email_id' not in u]
            if with_email:
                session.execute(update(r), with_email)
            if failed:
                session.execute(update(r), failed)
        live.announce(session, TOOL, None, announcement_id)
        return len(found)


def _composer(item: Announcement, files: list[AttachmentRow],
              tokens: dict[uuid.UUID, str]) -> Callable[[User], dict]:
    """The e-mail of one recipient: its greeting, the office's text, the attachments' names, and the way in (the
    comunicado in the portal; with the first-use template, the login and, without a password, a set-password
    link)."""
    base = get_settings().public_url
    name = office.branding().name
    text = paragraphs(item.body)
    attached = ([f'Anexo{"s" if len(files) > 1 else ""} no portal: ' + ', '.join(f.name for f in files)]
                if files else [])

    def compose(user: User) -> dict:
        lines = [f'Olá, {user.name}!', *text, *attached]
        link = ('Ler no portal', f'{base}{portal_link(item.id)}')
        if item.template == 'first_use':
            lines.append(f'Seu login no portal {name} é o e-mail {user.email}.')
            if not user.password_hash:
                token = tokens[user.id]  # services/auth.issue_tokens: single use, 72 hours
                lines.append(f'Para o primeiro acesso, defina a sua senha pelo botão abaixo. O link vale por '
                             f'{LINK_DAYS} dias e só pode ser usado uma vez; depois disso, use "Esqueci minha senha" '
                             f'na página de entrada.')
                link = ('Definir minha senha', auth.password_link(token))
            else:
                lines.append('Você já tem senha: entre pelo botão abaixo. Se não se lembrar dela, use "Esqueci minha '
                             'senha" na página de entrada.')
                link = ('Entrar no portal', f'{base}/login')
        return mail.render(user.email, item.subject, lines, link=link)
    return compose


def _recipient_state():
    """A recipient's e-mail state: its outbox row's while there is one, else the one recorded on it."""
    r, o = AnnouncementRecipient, OutboxEmail
    return case((o.status == 'sent', 'enviado'), (o.status == 'failed', 'falhou'), (o.status == 'queued', 'fila'),
                else_=r.status)


def _rows(session: Session, ids: list[uuid.UUID]) -> list[AnnouncementRow]:
    if not ids:
        return []
    a, r, o = Announcement, AnnouncementRecipient, OutboxEmail
    items = {x.id: x for x in session.exec(select(a).where(a.id.in_(ids))).all()}
    authors = dict(session.exec(select(User.id, User.name).where(User.id.in_({x.created_by for x in items.values()
                                                                              if x.created_by}))).all())
    state = _recipient_state()
    stats: dict[uuid.UUID, dict[str, int]] = {}
    for key, st, n in session.exec(select(r.announcement_id, state, func.count()).outerjoin(o, o.id == r.email_id)
                                   .where(r.announcement_id.in_(ids)).group_by(r.announcement_id, state)).all():
        stats.setdefault(key, {})[st] = n
    reads = dict(session.exec(select(r.announcement_id, func.count()).where(r.announcement_id.in_(ids),
                                                                             r.read_at.is_not(None))
                              .group_by(r.announcement_id)).all())
    clients = dict(session.exec(select(r.announcement_id, func.count(func.distinct(r.client_id)))
                                .where(r.announcement_id.in_(ids)).group_by(r.announcement_id)).all())
    files = dict(session.exec(select(AnnouncementAttachment.announcement_id, func.count())
                              .where(AnnouncementAttachment.announcement_id.in_(ids))
                              .group_by(AnnouncementAttachment.announcement_id)).all())
    out = []
    for key in ids:
        x = items[key]
        s = stats.get(key, {})
        counts = Counts(s.get('fila', 0), s.get('enviado', 0), s.get('falhou', 0), reads.get(key, 0),
                        s.get('portal', 0))
        out.append(AnnouncementRow(x.id, x.subject, x.status, x.audience, _audience_text(session, x), x.template,
                                   x.send_at, x.created_at, x.started_at, x.sent_at, authors.get(x.created_by, ''),
                                   x.recipients, clients.get(key, 0), counts, files.get(key, 0)))
    return out


def _attachments(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AttachmentRow]]:
    if not ids:
        return {}
    t = AnnouncementAttachment
    out: dict[uuid.UUID, list[AttachmentRow]] = {}
    for f in session.exec(select(t).where(t.announcement_id.in_(ids)).order_by(t.original_name, t.id)).all():
        out.setdefault(f.announcement_id, []).append(AttachmentRow(f.id, f.announcement_id, f.original_name, f.size,
                                                                   f.mime))
    return out


def _insert_many(session: Session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start:start + CHUNK])


def _discard_stored(r: storage.Received) -> None:
    try:
        r.discard()
    except (OSError, ValueError):
        pass


def _send_at(send_on, send_time) -> datetime | None:
    if send_on in (None, '') and send_time in (None, ''):
        return None
    errors: dict[str, str] = {}
    day = None
    try:
        day = send_on if isinstance(send_on, date) else formatting.parse_day(str(send_on or ''))
    except ValueError:
        errors['send_on'] = 'Data inválida. Use dd/mm/aaaa.'
    if day is None and 'send_on' not in errors:
        errors['send_on'] = 'Informe a data do envio.'
    moment_time = None
    if isinstance(send_time, time):
        moment_time = send_time
    else:
        m = re.fullmatch(r'\s*(\d{1,2}):(\d{2})\s*', str(send_time or ''))
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            moment_time = time(int(m.group(1)), int(m.group(2)))
        else:
            errors['send_time'] = 'Informe a hora (hh:mm).'
    if errors:
        raise ValidationError(errors)
    moment = datetime.combine(day, moment_time, tzinfo=clock.tz()).astimezone(clock.now().tzinfo)
    if moment < clock.now() + MIN_LEAD:
        raise ValidationError('Escolha um momento no futuro (ou envie agora).', 'send_on')
    if moment > clock.now() + timedelta(days=366):
        raise ValidationError('Agende para no máximo um ano à frente.', 'send_on')
    return moment


def _require_portal(actor: Actor) -> None:
    if not actor.is_client:
        raise PermissionDenied()
    require(actor, PORTAL_TOOL)


def paragraphs(body: str) -> list[str]:
    return [line.strip() for line in (body or '').split('\n') if line.strip()]


def _filetype(mime: str) -> filetypes.FileType:
    for value in vars(filetypes).values():
        if isinstance(value, filetypes.FileType) and value.mime == mime:
            return value
    return filetypes.FileType(mime, 'Arquivo', '.bin', 'other', ('.bin',))


def _size_label(size: int) -> str:
    from .files import size_label
    return size_label(size)


def _like(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_')


def _fold(text: str) -> str:
    from ..models.people import fold
    return fold(text)


def _n(n: int, one: str, many: str) -> str:
    return f'{formatting.decimal_br(n, 0)} {one if n == 1 else many}'
