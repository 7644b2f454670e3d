"""Atendimentos: every service the office gives a client — channel, subject, description, staff member, date,
duration, outcome — with an optional follow-up date and an optional link to one of the client's requests.

A follow-up date puts an internal 'lembrete' event in the staff member's Agenda (services/agenda.place_follow_up:
that day at the time chosen, 09:00 without one, with a reminder at its time, never shared with the client); its time
lives on the event (moved in the Agenda, the atendimento shows the new time); changing the date, the time, the staff
member or the subject moves it, clearing the date or deleting the atendimento removes it — in the same transaction.

Atendimentos are internal by default: a client login sees only those the office marked visible (tool
'portal_servicelog', `/portal/atendimentos`), of its own client, and gets NotFound for every other id. Making one
visible tells the client's logins in their drawer; making it internal again (or deleting it) takes that notification
back, so an internal atendimento reaches a client login by no route. Deleting is soft (`deleted_at`), audited like
every change; every write announces itself live (tool 'servicelog', the client's id).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, or_
from sqlmodel import Session, select

from .. import clock, formatting
from ..models import Client, ClientRequest, Event, Notification, ServiceRecord, User
from ..models.people import fold
from . import agenda, audit, channels, live, notifications
from .base import as_uuid, in_id_order, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .form_input import day as _day, hour as _hour, text as _text
from .permissions import Actor, require
from .validation import normalize_document

TOOL, PORTAL_TOOL = 'servicelog', 'portal_servicelog'
CHANNELS = {'telefone': 'Telefone', 'presencial': 'Presencial', 'email': 'E-mail', 'whatsapp': 'WhatsApp',
            'portal': 'Portal'}
MAX_MINUTES = 24 * 60
MAX_DESCRIPTION = 10_000
FIELDS = ('client_id', 'channel', 'subject', 'description', 'staff_id', 'happened_on', 'duration_minutes', 'outcome',
          'follow_up_on', 'request_id', 'visible_to_client')
FIELD_LABELS = {'client_id': 'cliente', 'channel': 'canal', 'subject': 'assunto', 'description': 'descrição',
                'staff_id': 'funcionário', 'happened_on': 'data', 'duration_minutes': 'duração',
                'outcome': 'resultado', 'follow_up_on': 'retorno', 'follow_up_time': 'hora do retorno',
                'request_id': 'solicitação',
                'visible_to_client': 'visível ao cliente'}


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceRow:
    """An atendimento as the office sees it."""
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    client_document: str
    channel: str
    subject: str
    description: str
    staff_id: uuid.UUID
    staff_name: str
    happened_on: date
    duration_minutes: int
    outcome: str
    follow_up_on: date | None
    agenda_event_id: uuid.UUID | None
    request_id: uuid.UUID | None
    request_number: int | None
    request_subject: str
    visible_to_client: bool
    created_at: datetime
    updated_at: datetime | None
    follow_up_at: datetime | None = None  # when the follow-up's Agenda event starts (moved there, it says so)

    @property
    def follow_up_time(self) -> time | None:
        return clock.local(self.follow_up_at).time().replace(tzinfo=None) if self.follow_up_at else None

    @property
    def follow_up_label(self) -> str:
        """'05/12/2026 às 14:30' ('' without a follow-up)."""
        if self.follow_up_on is None:
            return ''
        at = self.follow_up_time
        return formatting.day(self.follow_up_on) + (f' às {at:%H:%M}' if at else '')

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def duration_label(self) -> str:
        return duration_label(self.duration_minutes)

    @property
    def url(self) -> str:
        return f'/atendimentos?atendimento={self.id}'


@dataclass(frozen=True)
class PortalServiceRow:
    """A visible atendimento as the client sees it: no follow-up, no internal ids."""
    id: uuid.UUID
    channel: str
    subject: str
    description: str
    staff_name: str
    happened_on: date
    duration_minutes: int
    outcome: str
    request_number: int | None

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def duration_label(self) -> str:
        return duration_label(self.duration_minutes)


@dataclass(frozen=True)
class ServicePage:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class ServiceFilter:
    """The list's filters as the URL gives them: client text (name or CPF/CNPJ) or id, staff member, channel,
    period (dates of the atendimento, both inclusive)."""
    client: str = ''
    client_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    channel: str = ''
    start: date | None = None
    end: date | None = None


def parse_filter(client: str = '', client_id: str = '', staff: str = '', channel: str = '', start: str = '',
                 end: str = '') -> ServiceFilter:
    """Filters from URL text; what is not valid is left out (the page says so for the dates)."""
    def uid(value: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(str(value).strip()) if value else None
        except ValueError:
            return None

    def when(value: str) -> date | None:
        try:
            return formatting.parse_day((value or '')[:20])
        except ValueError:
            return None
    return ServiceFilter(client=(client or '').strip()[:100], client_id=uid(client_id), staff_id=uid(staff),
                         channel=channel if channel in CHANNELS else '', start=when(start), end=when(end))


def duration_label(minutes: int) -> str:
    """'15 min', '1 h', '1 h 30 min'."""
    hours, rest = divmod(int(minutes or 0), 60)
    if not hours:
        return f'{rest} min'
    return f'{hours} h' + (f' {rest} min' if rest else '')


# --------------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------------

def search(actor: Actor, filt: ServiceFilter | None = None, *, page: int = 1, per_page: int = 25) -> ServicePage:
    """One page of atendimentos (newest first) matching the filter, with the total; past the end, the last page.
    Three statements: the total, the page's ids, their rows."""
    require(actor, TOOL, 'read')
    filt = filt or ServiceFilter()
    per_page = max(1, min(int(per_page), 200))
    page = max(1, int(page))
    conds = [ServiceRecord.deleted_at.is_(None)]
    if filt.client_id:
        conds.append(ServiceRecord.client_id == filt.client_id)
    if filt.client:
        conds.append(ServiceRecord.client_id.in_(select(Client.id).where(_client_match(filt.client))))
    if filt.staff_id:
        conds.append(ServiceRecord.staff_id == filt.staff_id)
    if filt.channel:
        conds.append(ServiceRecord.channel == filt.channel)
    if filt.start:
        conds.append(ServiceRecord.happened_on >= filt.start)
    if filt.end:
        conds.append(ServiceRecord.happened_on <= filt.end)
    order = (ServiceRecord.happened_on.desc(), ServiceRecord.created_at.desc(), ServiceRecord.id)
    with unit(actor) as session:
        # the total, then the page of ids (narrow: no joined text to sort), then just those rows — a window count
        # over the joined rows sorted every atendimento's text (measured: ~30x slower with 20,000 atendimentos)
        total = session.exec(select(func.count()).select_from(ServiceRecord).where(*conds)).one()
        page = max(1, min(page, -(-total // per_page) or 1))
        ids = list(session.exec(select(ServiceRecord.id).where(*conds).order_by(*order)
                                .offset((page - 1) * per_page).limit(per_page)).all())
        found = session.exec(_row_query().where(ServiceRecord.id.in_(ids))).all() if ids else []
        rows = [_row(r) for r in in_id_order(list(found), ids)]
        return ServicePage(rows, total, page, per_page)


def get(actor: Actor, record_id: uuid.UUID | str) -> ServiceRow:
    """One atendimento (office only; a deleted one is not found)."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        return _get_row(session, as_uuid(record_id))


def portal(actor: Actor, *, page: int = 1, per_page: int = 20) -> ServicePage:
    """The client's Atendimentos: only those the office made visible, of the login's own client, newest first."""
    _require_client(actor)
    per_page = max(1, min(int(per_page), 100))
    page = max(1, int(page))
    with unit(actor) as session:
        found = session.exec(_portal_query(actor, func.count().over())
                             .order_by(ServiceRecord.happened_on.desc(), ServiceRecord.created_at.desc(),
                                       ServiceRecord.id)
                             .offset((page - 1) * per_page).limit(per_page)).all()
        rows = [PortalServiceRow(*r[:-1]) for r in found]
        return ServicePage(rows, found[0][-1] if found else 0, page, per_page)


def portal_get(actor: Actor, record_id: uuid.UUID | str) -> PortalServiceRow:
    """One visible atendimento of the login's client; NotFound for any other (internal, deleted, another client's)."""
    _require_client(actor)
    key = as_uuid(record_id)
    with unit(actor) as session:
        row = session.exec(_portal_query(actor).where(ServiceRecord.id == key)).first()
        if row is None:
            raise NotFound()
        return PortalServiceRow(*row)


def staff_options(actor: Actor, *, include: uuid.UUID | str | None = None) -> dict[str, str]:
    """Active staff members who can give an atendimento (plus `include`, the one already chosen): {id: name}."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        rows = list(session.exec(select(User.id, User.name).where(User.role.in_(('admin', 'staff')),
                                                                  User.active == True)  # noqa: E712
                                 .order_by(User.name)).all())
        if include:
            key = _uuid_or_none(include)
            if key and all(r[0] != key for r in rows):
                rows += session.exec(select(User.id, User.name).where(User.id == key,
                                                                      User.role.in_(('admin', 'staff')))).all()
        return {str(i): n for i, n in rows}


def client_options(actor: Actor, text: str = '', *, include: uuid.UUID | str | None = None,
                   limit: int = 50) -> dict[str, str]:
    """Active clients matching a name or CPF/CNPJ (the form's searchable select): {id: 'Name — document'}."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        query = select(Client.id, Client.name, Client.document).where(Client.active == True)  # noqa: E712
        text = (text or '').strip() if isinstance(text, str) else ''
        if text:
            query = query.where(_client_match(text))
        rows = list(session.exec(query.order_by(Client.sort_name).limit(limit)).all())
        key = _uuid_or_none(include)
        if key and all(r[0] != key for r in rows):
            rows += session.exec(select(Client.id, Client.name, Client.document).where(Client.id == key)).all()
        return {str(i): f'{n} — {formatting.document(d)}' for i, n, d in rows}


def request_options(actor: Actor, client_id: uuid.UUID | str | None) -> dict[str, str]:
    """The client's requests an atendimento can be linked to, newest first: {id: '#12 — subject'}."""
    require(actor, TOOL, 'read')
    key = _uuid_or_none(client_id)
    if key is None:
        return {}
    with unit(actor) as session:
        rows = session.exec(select(ClientRequest.id, ClientRequest.number, ClientRequest.subject)
                            .where(ClientRequest.client_id == key)
                            .order_by(ClientRequest.last_activity_at.desc()).limit(100)).all()
        return {str(i): f'#{n} — {s}' for i, n, s in rows}


# --------------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------------

def create(actor: Actor, *, client_id, channel, subject, description='', staff_id=None, happened_on=None,
           duration_minutes=None, outcome='', follow_up_on=None, follow_up_time=None, request_id=None,
           visible_to_client: bool = False) -> ServiceRow:
    """Record an atendimento. `happened_on` defaults to today (never in the future); `staff_id` to the acting staff
    member; a `follow_up_on` (today or later, not before the atendimento) puts a follow-up in that staff member's
    Agenda, at `follow_up_time` ('14:30'; default 09:00); `request_id` must be a request of the same client. All or
    nothing."""
    require(actor, TOOL, 'write')
    raw = {k: v for k, v in locals().items() if k in FIELDS or k == 'follow_up_time'}
    with unit(actor) as session:
        values = _clean(session, actor, raw, None)
        at = values.pop('follow_up_time')
        record = ServiceRecord(**values, created_by=actor.user_id)
        session.add(record)
        session.flush()
        client_name = _client_name(session, record.client_id)
        if record.follow_up_on is not None:
            record.agenda_event_id = _place_follow_up(session, record, client_name, at)
        audit.record(session, actor, 'create', 'servicerecord', record.id, f'{client_name}: {record.subject}')
        if record.visible_to_client:
            _tell_client(session, record)
        if record.staff_id != actor.user_id:
            _tell_staff(session, record, client_name, 'Atendimento registrado em seu nome')
        live.announce(session, TOOL, record.client_id, record.id)
        session.flush()
        return _get_row(session, record.id)


def update(actor: Actor, record_id: uuid.UUID | str, **fields) -> ServiceRow:
    """Change an atendimento (the form sends every field; a field left out keeps its value). The follow-up event
    follows: created, moved/renamed, or removed with the date; `follow_up_time` (left out: the time it has in the
    Agenda) moves it within its day. All or nothing."""
    require(actor, TOOL, 'write')
    unknown = set(fields) - set(FIELDS) - {'follow_up_time'}
    if unknown:
        raise ValidationError('Campo desconhecido.', '')
    with unit(actor) as session:
        record = _record(session, as_uuid(record_id), lock=True)
        before = {k: getattr(record, k) for k in FIELDS}
        raw = {'follow_up_time': None, **before, **fields}
        values = _clean(session, actor, raw, record)
        at = values.pop('follow_up_time')
        changed = {k: (before[k], v) for k, v in values.items() if before[k] != v}
        if at is not None and values['follow_up_on'] is not None:
            was = _follow_up_time(session, record)
            if at != was:
                changed['follow_up_time'] = (was, at)
        if not changed:
            return _get_row(session, record.id)
        for key, value in values.items():
            setattr(record, key, value)
        record.updated_at = clock.now()
        session.add(record)
        session.flush()
        client_name = _client_name(session, record.client_id)
        follow_keys = {'follow_up_on', 'follow_up_time', 'staff_id', 'subject', 'client_id', 'channel', 'happened_on',
                       'outcome'}
        if record.follow_up_on is None:
            _drop_follow_up(session, record)
        elif 'follow_up_on' in changed or (record.agenda_event_id is not None and follow_keys & changed.keys()):
            record.agenda_event_id = _place_follow_up(session, record, client_name, at)
            session.add(record)
        if 'client_id' in changed and before['visible_to_client']:
            _untell_client(session, record.id, before['client_id'])
        if record.visible_to_client and ('visible_to_client' in changed or 'client_id' in changed):
            _tell_client(session, record)
        elif not record.visible_to_client and before['visible_to_client']:
            _untell_client(session, record.id, before['client_id'])
        if 'staff_id' in changed and record.staff_id != actor.user_id:
            _tell_staff(session, record, client_name, 'Atendimento passado para você')
        audit.record(session, actor, 'update', 'servicerecord', record.id,
                     f'{client_name}: {record.subject} — ' + '; '.join(_change_text(k, a, b)
                                                                       for k, (a, b) in changed.items()))
        live.announce(session, TOOL, record.client_id, record.id)
        if 'client_id' in changed:
            live.announce(session, TOOL, before['client_id'], record.id)
        session.flush()
        return _get_row(session, record.id)


def delete(actor: Actor, record_id: uuid.UUID | str) -> None:
    """Soft delete: the atendimento leaves every list, its follow-up leaves the Agenda, the client's notification of
    it (if it was visible) is taken back."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        record = _record(session, as_uuid(record_id), lock=True)
        _drop_follow_up(session, record)
        if record.visible_to_client:
            _untell_client(session, record.id, record.client_id)
        record.deleted_at = clock.now()
        record.updated_at = record.deleted_at
        session.add(record)
        audit.record(session, actor, 'delete', 'servicerecord', record.id,
                     f'{_client_name(session, record.client_id)}: {record.subject}')
        live.announce(session, TOOL, record.client_id, record.id)


# --------------------------------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------------------------------

def _require_client(actor: Actor) -> None:
    if not actor.is_client:
        raise PermissionDenied()
    require(actor, PORTAL_TOOL, 'read')


def _uuid_or_none(value) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return as_uuid(value)
    except NotFound:
        return None


def _client_match(text: str):
    """Clients whose name, trade name, e-mail or CPF/CNPJ contains `text` (accents and case ignored)."""
    matches = [Client.search_text.like(f'%{fold(text)}%')]
    digits = normalize_document(text)
    if digits and any(c.isdigit() for c in digits):
        matches.append(Client.document.like(f'%{digits}%'))
    return or_(*matches)


def _row_query(*extra):
    staff = User.__table__.alias('staff')
    return (select(ServiceRecord.id, ServiceRecord.client_id, Client.name, Client.document, ServiceRecord.channel,
                   ServiceRecord.subject, ServiceRecord.description, ServiceRecord.staff_id, staff.c.name,
                   ServiceRecord.happened_on, ServiceRecord.duration_minutes, ServiceRecord.outcome,
                   ServiceRecord.follow_up_on, ServiceRecord.agenda_event_id, ServiceRecord.request_id,
                   ClientRequest.number, ClientRequest.subject, ServiceRecord.visible_to_client,
                   ServiceRecord.created_at, ServiceRecord.updated_at, Event.starts_at, *extra)
            .join(Client, Client.id == ServiceRecord.client_id)
            .outerjoin(Event, Event.id == ServiceRecord.agenda_event_id)
            .outerjoin(staff, staff.c.id == ServiceRecord.staff_id)
            .outerjoin(ClientRequest, ClientRequest.id == ServiceRecord.request_id))


def _row(values) -> ServiceRow:
    v = list(values)
    v[8] = v[8] or ''
    v[16] = v[16] or ''
    return ServiceRow(*v)


def _portal_query(actor: Actor, *extra):
    """The visible, not deleted atendimentos of the login's own client (the scoping is in the query itself)."""
    staff = User.__table__.alias('staff')
    return (select(ServiceRecord.id, ServiceRecord.channel, ServiceRecord.subject, ServiceRecord.description,
                   func.coalesce(staff.c.name, ''), ServiceRecord.happened_on, ServiceRecord.duration_minutes,
                   ServiceRecord.outcome, ClientRequest.number, *extra)
            .outerjoin(staff, staff.c.id == ServiceRecord.staff_id)
            .outerjoin(ClientRequest, ClientRequest.id == ServiceRecord.request_id)
            .where(ServiceRecord.client_id == actor.client_id, ServiceRecord.visible_to_client == True,  # noqa: E712
                   ServiceRecord.deleted_at.is_(None)))


def _get_row(session: Session, key: uuid.UUID) -> ServiceRow:
    found = session.exec(_row_query().where(ServiceRecord.id == key, ServiceRecord.deleted_at.is_(None))).first()
    if found is None:
        raise NotFound()
    return _row(found)


def _record(session: Session, key: uuid.UUID, *, lock: bool = False) -> ServiceRecord:
    query = select(ServiceRecord).where(ServiceRecord.id == key, ServiceRecord.deleted_at.is_(None))
    if lock and session.get_bind().dialect.name == 'postgresql':
        query = query.with_for_update()
    record = session.exec(query).first()
    if record is None:
        raise NotFound()
    return record


def _client_name(session: Session, client_id: uuid.UUID) -> str:
    return session.exec(select(Client.name).where(Client.id == client_id)).one()


def _clean(session: Session, actor: Actor, raw: dict, record: ServiceRecord | None) -> dict:
    """Every field checked at once; one ValidationError with each bad field's message. `record`: the one being
    edited (its dates in the past are kept as they are)."""
    errors: dict[str, str] = {}
    today = clock.today()
    client_id = _uuid_or_none(raw.get('client_id'))
    if client_id is None or session.get(Client, client_id) is None:
        errors['client_id'] = 'Escolha o cliente.' if not raw.get('client_id') else 'Cliente não encontrado.'
        client_id = None
    channel = raw.get('channel')
    if channel not in CHANNELS:
        errors['channel'] = 'Escolha o canal do atendimento.'
    subject = _text(raw.get('subject'), 'subject', errors, label='o assunto', required=True)
    description = _text(raw.get('description') or '', 'description', errors, max_len=MAX_DESCRIPTION,
                        multiline=True)
    outcome = _text(raw.get('outcome') or '', 'outcome', errors, max_len=500, multiline=True)
    staff_id = _staff(session, raw.get('staff_id') or actor.user_id, errors,
                      keep=record.staff_id if record is not None else None)
    happened_on = _day(raw.get('happened_on') if raw.get('happened_on') not in (None, '') else today,
                       'happened_on', errors, label='a data do atendimento')
    if happened_on is not None and happened_on > today:
        errors['happened_on'] = 'A data do atendimento não pode estar no futuro.'
    elif happened_on is not None and happened_on.year < 2000:
        errors['happened_on'] = 'Data do atendimento inválida.'
    duration = _minutes(raw.get('duration_minutes'), errors)
    follow_up_on = _day(raw.get('follow_up_on'), 'follow_up_on', errors, required=False)
    # without a date the time is not asked for (a form whose date was cleared may still send it)
    follow_up_time = _hour(raw.get('follow_up_time'), 'follow_up_time', errors, required=False) \
        if follow_up_on is not None else None
    if follow_up_on is not None and 'follow_up_on' not in errors:
        unchanged = record is not None and record.follow_up_on == follow_up_on
        if follow_up_on < today and not unchanged:
            errors['follow_up_on'] = 'A data de retorno não pode estar no passado.'
        elif happened_on is not None and follow_up_on < happened_on and not unchanged:
            errors['follow_up_on'] = 'O retorno deve ser depois do atendimento.'
        elif follow_up_on.year > today.year + 5:
            errors['follow_up_on'] = 'O retorno pode ser marcado para até 5 anos.'
    request_id = None
    if raw.get('request_id'):
        request_id = _uuid_or_none(raw['request_id'])
        owner = session.exec(select(ClientRequest.client_id).where(ClientRequest.id == request_id)).first() \
            if request_id else None
        if owner is None or (client_id is not None and owner != client_id):
            errors['request_id'] = 'Solicitação não encontrada para este cliente.'
            request_id = None
    visible = raw.get('visible_to_client')
    if not isinstance(visible, bool) and visible is not None:
        errors['visible_to_client'] = 'Valor inválido para este campo.'
    if errors:
        raise ValidationError(errors)
    return dict(client_id=client_id, channel=channel, subject=subject, description=description, staff_id=staff_id,
                happened_on=happened_on, duration_minutes=duration, outcome=outcome, follow_up_on=follow_up_on,
                follow_up_time=follow_up_time, request_id=request_id, visible_to_client=bool(visible))


def _staff(session: Session, value, errors: dict, *, keep: uuid.UUID | None) -> uuid.UUID | None:
    """An active staff member (or admin); the one already recorded stays acceptable even if since disabled."""
    user_id = value if isinstance(value, uuid.UUID) else _uuid_or_none(value)
    user = session.get(User, user_id) if user_id else None
    if user is None or user.role not in ('admin', 'staff') or (not user.active and user.id != keep):
        errors['staff_id'] = 'Escolha o funcionário que atendeu.'
        return None
    return user.id


def _minutes(value, errors: dict) -> int:
    """Whole minutes, 0..24 h ('' or None: not given)."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        errors['duration_minutes'] = 'Informe a duração em minutos.'
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip('-').isdigit():
            value = int(text)
    if not isinstance(value, int):
        errors['duration_minutes'] = 'Duração inválida: informe os minutos em números inteiros.'
        return 0
    if value < 0:
        errors['duration_minutes'] = 'A duração não pode ser negativa.'
        return 0
    if value > MAX_MINUTES:
        errors['duration_minutes'] = 'A duração pode ser de até 1.440 minutos (24 horas).'
        return 0
    return value


def _follow_up_time(session: Session, record: ServiceRecord) -> time | None:
    """The office-local time of day of the atendimento's follow-up event (None without one)."""
    event = session.get(Event, record.agenda_event_id) if record.agenda_event_id else None
    return clock.local(event.starts_at).time().replace(tzinfo=None) if event is not None else None


def _place_follow_up(session: Session, record: ServiceRecord, client_name: str, at: time | None) -> uuid.UUID:
    title = f'Retorno: {record.subject}'[:200]
    lines = [f'Cliente: {client_name}',
             f'Atendimento de {formatting.day(record.happened_on)} ({CHANNELS.get(record.channel, record.channel)})']
    if record.outcome:
        lines.append(f'Resultado: {record.outcome}')
    return agenda.place_follow_up(session, event_id=record.agenda_event_id, owner_id=record.staff_id,
                                  client_id=record.client_id, day=record.follow_up_on, title=title,
                                  description='\n'.join(lines)[:4000], at=at)


def _drop_follow_up(session: Session, record: ServiceRecord) -> None:
    event_id = record.agenda_event_id
    if event_id is None:
        return
    record.agenda_event_id = None
    session.add(record)
    session.flush()  # the row lets go of the event before it is deleted
    agenda.drop_follow_up(session, event_id)


def _portal_link(record_id: uuid.UUID) -> str:
    return f'/portal/atendimentos?atendimento={record_id}'


def _tell_client(session: Session, record: ServiceRecord) -> None:
    users = notifications.client_users(session, record.client_id)
    if users:
        channels.tell(session, users, 'atendimentos', f'Atendimento registrado: {record.subject}'[:200],
                      f'{CHANNELS[record.channel]} em {formatting.day(record.happened_on)}', _portal_link(record.id))


def _untell_client(session: Session, record_id: uuid.UUID, client_id: uuid.UUID) -> None:
    """Take back what the client's logins were told of an atendimento that is no longer visible to them."""
    logins = select(User.id).where(User.client_id == client_id)
    session.exec(sql_delete(Notification).where(Notification.link == _portal_link(record_id),
                                                Notification.user_id.in_(logins)))


def _tell_staff(session: Session, record: ServiceRecord, client_name: str, title: str) -> None:
    channels.tell(session, [record.staff_id], 'atendimentos', f'{title}: {record.subject}'[:200],
                  f'{client_name} — {formatting.day(record.happened_on)}', f'/atendimentos?atendimento={record.id}')


def _change_text(key: str, old, new) -> str:
    def show(value) -> str:
        if isinstance(value, bool):
            return 'sim' if value else 'não'
        if isinstance(value, date):
            return formatting.day(value)
        if isinstance(value, time):
            return f'{value:%H:%M}'
        if value is None or value == '':
            return '—'
        text = str(value)
        return text if len(text) <= 60 else text[:57] + '...'
    if key in ('description',):
        return f'{FIELD_LABELS[key]} alterada'
    return f'{FIELD_LABELS[key]}: {show(old)} → {show(new)}'


__all__ = ['CHANNELS', 'PortalServiceRow', 'ServiceFilter', 'ServicePage', 'ServiceRow', 'client_options', 'create',
           'delete', 'duration_label', 'get', 'parse_filter', 'portal', 'portal_get', 'request_options', 'search',
           'staff_options', 'update']
