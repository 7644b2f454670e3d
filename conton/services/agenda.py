"""Agenda: the office's events, shared with a client when they concern it, with recurrence, exceptions and reminders.

An event is one row; a recurring one stores its rule as data (`Recurrence`, kept in `Event.recurrence` as a dict)
and is expanded with dateutil's rrule only for the range asked (`occurrences`). The rule runs on the office's wall
clock (a weekly 09:00 meeting stays at 09:00 local), the results are stored and compared in UTC. Two traps of rrule
are handled here: `bymonthday=31` skips the months without a 31st (day N > 28 is asked as "the last of the days
28..N" with `bysetpos=-1`, so day 31 falls on 30/04 and 28/02 or 29/02), and "last business day" is not "last
weekday" (holidays count: it is computed with conton.br.calendar and the office's extra holidays).

Editing or deleting an occurrence of a series: `scope='one'` writes an exception for it (moved, edited or
cancelled), `'all'` changes the series, `'following'` ends the series before that occurrence and starts a new one
from it (`series_id` ties the parts together).

Client logins see only the events of their own client that are shared, and get NotFound for any other id. Every
write announces the change after commit (`live.announce(session, 'agenda', client_id, event_id)`); the client
portal's agenda subscribes to tool 'agenda' as well. Reminders are rows of `EventReminder` delivered by the reminder
engine (source 'event': item = the event, level = the lead time, period = the occurrence's start), exactly once per
occurrence and lead time; none for occurrences that are over, deleted or cancelled.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from dateutil import rrule as _rr
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy import or_
from sqlmodel import Session, select

from .. import clock, formatting
from ..br import calendar as br_calendar
from ..models import Client, Event, EventException, EventReminder, ExtraHoliday, ServiceRecord, User
from ..models.people import fold
from . import audit, channels, live, mail, notifications, readcache, reminders
from .base import as_uuid, unit
from .errors import NotFound, ValidationError
from .form_input import day as _day, hour as _time, text as _text
from .validation import normalize_document
from .permissions import Actor, require

TOOL = 'agenda'
PORTAL_TOOL = 'portal_agenda'
KINDS = {'evento': 'Evento', 'prazo': 'Prazo', 'reuniao': 'Reunião', 'lembrete': 'Lembrete'}
KIND_COLORS = {'evento': '#1565c0', 'prazo': '#c62828', 'reuniao': '#6a1b9a', 'lembrete': '#ef6c00'}
FREQUENCIES = {'daily': 'Diária', 'weekly': 'Semanal', 'monthly_day': 'Mensal (no dia)',
               'monthly_nth': 'Mensal (dia da semana)', 'monthly_last_business': 'Mensal (último dia útil)',
               'yearly': 'Anual'}
WEEKDAYS = ('segunda', 'terça', 'quarta', 'quinta', 'sexta', 'sábado', 'domingo')
NTH_LABELS = {1: '1º', 2: '2º', 3: '3º', 4: '4º', -1: 'último'}
LEAD_PRESETS = {0: 'Na hora', 15: '15 minutos antes', 60: '1 hora antes', 1440: '1 dia antes'}
MAX_LEAD_MINUTES = 30 * 24 * 60  # a custom lead time: at most 30 days
MAX_COUNT = 1000  # occurrences of a series ended by a count
MAX_YEARS = 20  # a series ended by a date: within this many years of its start
SCOPES = ('one', 'following', 'all')
REMINDER_LOOKBACK = timedelta(days=2)
ITEM_KIND = 'event'


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recurrence:
    """A recurrence rule. `weekdays`/`weekday`: 0 = Monday .. 6 = Sunday. `day`: the day of the month (monthly_day;
    31 = the month's last day). `nth`: 1..4 or -1 (last) with `weekday` (monthly_nth). End: `until` (a local date,
    inclusive) or `count` occurrences, or neither (no end)."""
    freq: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    day: int | None = None
    nth: int | None = None
    weekday: int | None = None
    until: date | None = None
    count: int | None = None

    def as_dict(self) -> dict:
        return {'freq': self.freq, 'interval': self.interval, 'weekdays': list(self.weekdays), 'day': self.day,
                'nth': self.nth, 'weekday': self.weekday, 'until': self.until.isoformat() if self.until else None,
                'count': self.count}

    @classmethod
    def from_dict(cls, data: dict | None) -> Recurrence | None:
        if not data:
            return None
        until = data.get('until')
        return cls(freq=data['freq'], interval=int(data.get('interval') or 1),
                   weekdays=tuple(int(w) for w in data.get('weekdays') or ()), day=data.get('day'),
                   nth=data.get('nth'), weekday=data.get('weekday'),
                   until=date.fromisoformat(until) if isinstance(until, str) else until, count=data.get('count'))

    @property
    def label(self) -> str:
        """'Semanal: segunda, quarta, até 30/06/2026' — what a person reads."""
        every = {'daily': 'dia', 'weekly': 'semana', 'yearly': 'ano'}.get(self.freq, 'mês')
        head = FREQUENCIES[self.freq] if self.interval == 1 else f'A cada {self.interval} {_plural(every)}'
        parts = [head]
        if self.freq == 'weekly' and self.weekdays:
            parts.append(', '.join(WEEKDAYS[w] for w in self.weekdays))
        elif self.freq == 'monthly_day' and self.day:
            parts.append('no último dia' if self.day == 31 else f'no dia {self.day}')
        elif self.freq == 'monthly_nth' and self.nth is not None and self.weekday is not None:
            parts.append(f'{NTH_LABELS[self.nth]} {WEEKDAYS[self.weekday]}')
        if self.until:
            parts.append(f'até {formatting.day(self.until)}')
        elif self.count:
            parts.append(f'{self.count} vezes')
        return ', '.join(parts)


@dataclass(frozen=True)
class ReminderSpec:
    """One reminder of an event: `lead_minutes` before each occurrence (0 = at the time)."""
    lead_minutes: int
    drawer: bool = True
    email: bool = False
    to_owner: bool = True
    to_client: bool = False
    staff_ids: tuple[uuid.UUID, ...] = ()

    @property
    def label(self) -> str:
        return LEAD_PRESETS.get(self.lead_minutes) or f'{_duration(self.lead_minutes)} antes'


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event in a range (a single event has one). Datetimes in the office time zone.
    `occurrence` is its start as the rule gives it (UTC): what edit/delete of one occurrence take."""
    event_id: uuid.UUID
    occurrence: datetime
    title: str
    description: str
    location: str
    kind: str
    all_day: bool
    starts_at: datetime
    ends_at: datetime
    owner_id: uuid.UUID
    owner_name: str
    client_id: uuid.UUID | None
    client_name: str
    shared: bool
    recurring: bool
    changed: bool = False  # this occurrence was moved or edited on its own

    @property
    def key(self) -> str:
        """Stable text key of the occurrence ('<event id>/<start UTC>'): UIDs, URLs, element ids."""
        return f'{self.event_id}/{_stamp(self.occurrence)}'

    @property
    def color(self) -> str:
        return KIND_COLORS[self.kind]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def start_day(self) -> date:
        return self.starts_at.date()

    @property
    def end_day(self) -> date:
        """The last day it covers (an all-day event ends at midnight after its last day)."""
        end = self.ends_at - timedelta(days=1) if self.all_day else self.ends_at
        return max(end.date(), self.start_day)

    @property
    def when(self) -> str:
        """'05/03/2026' / '05/03/2026 a 07/03/2026' (all day) or '05/03/2026 09:00–10:00'."""
        if self.all_day:
            first, last = formatting.day(self.start_day), formatting.day(self.end_day)
            return first if first == last else f'{first} a {last}'
        if self.start_day == self.ends_at.date():
            return f'{formatting.day(self.start_day)} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}'
        return f'{self.starts_at:%d/%m/%Y %H:%M} a {self.ends_at:%d/%m/%Y %H:%M}'


@dataclass(frozen=True)
class EventDetail:
    """An event (the whole series) as its form shows it; times in the office time zone."""
    id: uuid.UUID
    title: str
    description: str
    location: str
    kind: str
    all_day: bool
    starts_at: datetime
    ends_at: datetime
    owner_id: uuid.UUID
    owner_name: str
    client_id: uuid.UUID | None
    client_name: str
    shared: bool
    recurrence: Recurrence | None
    reminders: tuple[ReminderSpec, ...]
    series_id: uuid.UUID | None
    cancelled: tuple[datetime, ...] = field(default=())  # occurrences cancelled on their own (UTC)


# --------------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------------

def occurrences(actor: Actor, start: date | datetime, end: date | datetime, *, owner_id=None, client_id=None,
                kinds: Iterable[str] = (), text: str = '') -> list[Occurrence]:
    """The occurrences overlapping [start, end) (dates: office-local days, `end` exclusive; datetimes: as given),
    sorted by start. Filters: owner (staff member), client, kinds, text in the title. A client login gets only its
    own client's shared events (its filters for other clients find nothing). Two statements whatever the range."""
    _require_read(actor)
    lo, hi = _bound(start), _bound(end)
    if hi <= lo:
        return []
    with unit(actor) as session:
        return _occurrences(session, actor, lo, hi, owner_id=owner_id, client_id=client_id, kinds=tuple(kinds),
                            text=text)


def upcoming(actor: Actor, days: int = 7, **filters) -> list[Occurrence]:
    """The next `days` days from now ("próximos 7 dias"): occurrences that have not ended yet."""
    now = clock.now()
    return [o for o in occurrences(actor, now, now + timedelta(days=days), **filters) if o.ends_at > now]


def get(actor: Actor, event_id: uuid.UUID | str) -> EventDetail:
    _require_read(actor)
    with unit(actor) as session:
        event = _event(session, actor, event_id)
        owner = session.get(User, event.owner_id)
        client = session.get(Client, event.client_id) if event.client_id else None
        specs = tuple(_spec(r) for r in session.exec(select(EventReminder).where(EventReminder.event_id == event.id)
                                                     .order_by(EventReminder.lead_minutes)).all())
        if actor.is_client:  # the office's reminder settings are its own
            specs = ()
        cancelled = tuple(_utc(o) for o in session.exec(
            select(EventException.occurrence).where(EventException.event_id == event.id,
                                                    EventException.cancelled == True)).all())  # noqa: E712
        return EventDetail(event.id, event.title, event.description, event.location, event.kind, event.all_day,
                           clock.local(event.starts_at), clock.local(event.ends_at), event.owner_id,
                           owner.name if owner else '', event.client_id, client.name if client else '', event.shared,
                           Recurrence.from_dict(event.recurrence), specs, event.series_id, cancelled)


def occurrence(actor: Actor, event_id: uuid.UUID | str, occurrence_start: datetime | str | None = None) -> Occurrence:
    """One occurrence (default: the first) with its exception applied; NotFound when the rule has none there or it
    was cancelled."""
    _require_read(actor)
    with unit(actor) as session:
        event = _event(session, actor, event_id)
        key = _utc(event.starts_at) if occurrence_start is None else _occurrence_key(occurrence_start)
        found = [o for o in _expand_rows(session, [event], key, key + timedelta(seconds=1), by_original=True)
                 if o.occurrence == key]
        if not found:
            raise NotFound()
        return found[0]


def staff_options(actor: Actor) -> dict[str, str]:
    """The active staff members an event can belong to or remind (the form's and the filter's choices): {id: name}."""
    require(actor, TOOL, 'read')

    def compute() -> dict[str, str]:
        with unit(actor) as session:
            rows = session.exec(select(User.id, User.name).where(User.role.in_(('admin', 'staff')),
                                                                 User.active == True).order_by(User.name)).all()  # noqa: E712
            return {str(i): n for i, n in rows}
    return dict(readcache.memo('agenda.staff_options', (), ('user',), compute))


CLIENT_OPTIONS = 50  # a client picker's page of matches (widgets.client_picker searches on the server)


def client_options(actor: Actor, text: str = '', *, include=None, limit: int = CLIENT_OPTIONS) -> dict[str, str]:
    """The active clients an event or a filter can concern whose name, trade name, e-mail or CPF/CNPJ contains
    `text` (accents and case ignored), at most `limit` by name, plus `include` (the one already chosen, active or
    not, when it exists): {id: name}. `limit=0`: only `include` (a page that shows the chosen client's name)."""
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        return _client_options(session, text, include, limit)


def _client_options(session: Session, text: str, include, limit: int) -> dict[str, str]:
    rows = []
    if limit > 0:
        query = select(Client.id, Client.name).where(Client.active == True)  # noqa: E712
        term = fold(text if isinstance(text, str) else '')[:100]
        if term:
            matches = [Client.search_text.contains(term, autoescape=True)]
            digits = normalize_document(text)
            if digits and any(c.isdigit() for c in digits) and len(digits) <= 14:
                matches.append(Client.document.contains(digits, autoescape=True))
            query = query.where(or_(*matches))
        rows = list(session.exec(query.order_by(Client.sort_name, Client.id).limit(limit)).all())
    if include:
        try:
            key = as_uuid(include)
        except NotFound:
            key = None
        if key is not None and all(r[0] != key for r in rows):
            rows += session.exec(select(Client.id, Client.name).where(Client.id == key)).all()
    return {str(i): n for i, n in rows}


@dataclass(frozen=True)
class CalendarPart:
    """One view's share of a CalendarView: its [start, end) days, the occurrences overlapping it (by start), the
    obligation due dates counted per day and obligation (obligations.DueGroup), and both indexed by day — each
    day's occurrences in the order a calendar lists them (timed by start, then those continuing from an earlier
    day, then all-day), so that a page shows the first few of a day without sorting them all."""
    start: date
    end: date
    occurrences: tuple[Occurrence, ...]
    dues: tuple
    days: dict[date, tuple[Occurrence, ...]]
    due_days: dict[date, tuple]

    def __iter__(self):  # (start, end, occurrences, dues), as the views read it before it had the indexes
        return iter((self.start, self.end, self.occurrences, self.dues))


@dataclass(frozen=True)
class CalendarView:
    """What the staff Agenda shows, in one load: per view ('mes', 'lista' …) a CalendarPart; the staff filter's
    choices; the name of the client filtered on ({id: name}, empty without a client filter). Shared by the tabs
    that show the same view (readcache): never mutated."""
    parts: dict[str, CalendarPart]
    staff: dict[str, str]
    client: dict[str, str]


# the tables a calendar is read from: a write to any of them computes it again (services/readcache.py)
CALENDAR_TABLES = tuple(m.__tablename__ for m in (Event, EventException, User, Client, ExtraHoliday)) + (
    'obligation', 'obligationassignment', 'obligationdone', 'obligationoverride', 'office', 'officesetting')


def calendar(actor: Actor, ranges: dict[str, tuple[date, date]], *, owner_id=None, client_id=None,
             kind: str = '') -> CalendarView:
    """The Agenda's views over `ranges` ({view: (first day, day after the last)}) in one unit of work and a fixed
    handful of statements whatever the size of the office: the events of the union of the ranges (with their
    exceptions and names), the due dates grouped (a month of 4,000 due dates is a few dozen groups), the staff
    choices and the chosen client's name. `owner_id` filters the events' owner and the obligations' responsible;
    `kind` 'prazo' or '' includes the due dates. Kept in memory until a write to the tables it reads (readcache):
    the tabs of an office showing the same month share one load and the expansion of its series."""
    require(actor, TOOL, 'read')
    owner = str(as_uuid(owner_id)) if owner_id else ''
    client = str(as_uuid(client_id)) if client_id else ''
    scope = readcache.scope(actor)
    key = (scope, tuple(sorted(ranges.items())), owner, client, kind, clock.today())
    return readcache.memo('agenda.calendar', key, CALENDAR_TABLES,
                          lambda: _calendar(actor, ranges, owner_id=owner or None, client_id=client or None,
                                            kind=kind))


def _calendar(actor: Actor, ranges: dict[str, tuple[date, date]], *, owner_id, client_id, kind: str) -> CalendarView:
    from . import obligations
    lo, hi = min(r[0] for r in ranges.values()), max(r[1] for r in ranges.values())
    with unit(actor) as session:
        occs = _occurrences(session, actor, _bound(lo), _bound(hi), owner_id=owner_id, client_id=client_id,
                            kinds=(kind,) if kind else ())
        dues = [] if kind not in ('', 'prazo') else obligations._due_groups(
            session, actor, lo, hi - timedelta(days=1), client_id=client_id, responsible_id=owner_id)
        staff = {str(i): n for i, n in session.exec(
            select(User.id, User.name).where(User.role.in_(('admin', 'staff')), User.active == True)  # noqa: E712
            .order_by(User.name)).all()}
        client = _client_options(session, '', client_id, 0) if client_id else {}
    parts = {}
    for mode, (start, end) in ranges.items():
        s, e = _bound(start), _bound(end)
        mine = tuple(o for o in occs if o.starts_at < e and o.ends_at > s)
        days: dict[date, list[tuple]] = {}
        for o in mine:
            day, last = max(o.start_day, start), min(o.end_day, end - timedelta(days=1))
            while day <= last:
                days.setdefault(day, []).append((o.all_day, day != o.start_day, o.starts_at, o.ends_at, o))
                day += timedelta(days=1)
        due = tuple(d for d in dues if start <= d.due_date < end)
        due_days: dict[date, list] = {}
        for d in due:
            due_days.setdefault(d.due_date, []).append(d)
        parts[mode] = CalendarPart(
            start, end, mine, due,
            {day: tuple(x[-1] for x in sorted(found, key=lambda x: x[:4])) for day, found in sorted(days.items())},
            {day: tuple(found) for day, found in due_days.items()})
    return CalendarView(parts, staff, client)


def upcoming_count(session: Session, actor: Actor, days: int = 7) -> int:
    """The home badge: occurrences in the next `days` days that have not ended, plus the obligations not done that
    fall due from today to `days` days ahead — the office's all (staff), its own shared and visible ones (a client
    login). Runs inside the caller's unit of work (services/home.py)."""
    from . import obligations
    if not actor.can(PORTAL_TOOL if actor.is_client else TOOL, 'read'):
        return 0
    now, today = clock.now(), clock.today()

    def count() -> int:
        events = [o for o in _occurrences(session, actor, now, now + timedelta(days=days)) if o.ends_at > now]
        dues = obligations._due_items(session, actor, today, today + timedelta(days=days))
        return len(events) + sum(1 for d in dues if not d.done)
    # kept (readcache) until a write to what it reads, for the minute: every home page of the office asks for it
    scope = readcache.scope(actor)
    key = (scope, days, now.replace(second=0, microsecond=0), today)
    return readcache.memo_in(session, 'agenda.upcoming_count', key, CALENDAR_TABLES, count)


# --------------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------------

def create(actor: Actor, *, title: str, start_day, start_time=None, end_day=None, end_time=None,
           all_day: bool = False, kind: str = 'evento', description: str = '', location: str = '', owner_id=None,
           client_id=None, shared: bool | None = None, recurrence: Recurrence | dict | None = None,
           reminders: Sequence[ReminderSpec | dict] = ()) -> uuid.UUID:
    """New event or series. Days: date or 'dd/mm/aaaa'; times: time or 'HH:MM' (office time zone; ignored when
    `all_day`). End defaults to one hour after the start (all day: the same day). `shared` (default: when a client is
    given) makes it visible to the client's logins. Returns the event id."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        values = _clean(session, actor, locals())
        event = Event(**values['event'])
        session.add(event)
        session.flush()
        _save_reminders(session, event, values['reminders'])
        audit.record(session, actor, 'create', 'event', event.id, event.title)
        if event.shared:
            _notify_client(session, event, 'Novo evento na agenda', _when_text(event))
        _announce(session, event)
        return event.id


def update(actor: Actor, event_id: uuid.UUID | str, *, scope: str = 'all', occurrence: datetime | str | None = None,
           **fields) -> uuid.UUID:
    """Change an event. `scope`: 'all' (the whole series), 'one' (only `occurrence`: its title, description,
    location, start and end) or 'following' (from `occurrence` on: the series is split and a new one created).
    `fields` as in `create` (all of them: the form sends the whole event). Returns the id of the event that holds
    the change (the new series for 'following')."""
    require(actor, TOOL, 'write')
    scope = _scope(scope)
    with unit(actor) as session:
        event = _event(session, actor, event_id, for_update=True)
        if event.recurrence is None or scope == 'all':
            target = _update_all(session, actor, event, fields)
        else:
            key = _existing_occurrence(session, event, occurrence)
            if scope == 'one':
                target = _update_one(session, actor, event, key, fields)
            elif key == _utc(event.starts_at):
                target = _update_all(session, actor, event, fields)
            else:
                target = _split(session, actor, event, key, fields)
        audit.record(session, actor, 'update', 'event', target.id, f'{target.title} ({scope})')
        _announce(session, event)
        if target is not event:
            _announce(session, target)
        return target.id


def delete(actor: Actor, event_id: uuid.UUID | str, *, scope: str = 'all',
           occurrence: datetime | str | None = None) -> None:
    """Delete an event: 'all' (the series), 'one' (cancel `occurrence`) or 'following' (end the series before it)."""
    require(actor, TOOL, 'write')
    scope = _scope(scope)
    with unit(actor) as session:
        event = _event(session, actor, event_id, for_update=True)
        _announce(session, event)
        if event.recurrence is not None and scope != 'all':
            key = _existing_occurrence(session, event, occurrence)
            if scope == 'following' and key != _utc(event.starts_at):
                _truncate(session, event, key)
                audit.record(session, actor, 'delete', 'event', event.id, f'{event.title} (a partir de {key:%d/%m/%Y})')
                return
            if scope == 'one':
                exc = _exception(session, event, key)
                exc.cancelled = True
                session.add(exc)
                if event.shared:
                    _notify_client(session, event, 'Evento cancelado', f'{event.title}: {formatting.when(key)}')
                audit.record(session, actor, 'delete', 'event', event.id, f'{event.title} ({formatting.when(key)})')
                return
        if event.shared:
            _notify_client(session, event, 'Evento cancelado', _when_text(event))
        _delete_rows(session, [event.id])
        audit.record(session, actor, 'delete', 'event', event.id, event.title)


def clean_reminder(raw: ReminderSpec | dict, field_name: str = 'reminders') -> ReminderSpec:
    """A reminder as a form sends it: {'lead': 0|15|60|1440|'custom', 'minutes': N (custom), 'email': bool, ...}
    or a ReminderSpec. A custom lead time must be more than zero minutes and at most 30 days."""
    if isinstance(raw, ReminderSpec):
        data = {'lead': raw.lead_minutes, 'drawer': raw.drawer, 'email': raw.email, 'to_owner': raw.to_owner,
                'to_client': raw.to_client, 'staff_ids': raw.staff_ids}
    elif isinstance(raw, dict):
        data = raw
    else:
        raise ValidationError('Lembrete inválido.', field_name)
    lead = data.get('lead', data.get('lead_minutes'))
    if lead == 'custom':
        minutes = _int(data.get('minutes'))
        if minutes is None:
            raise ValidationError('Informe em quantos minutos antes.', field_name)
        if minutes <= 0:
            raise ValidationError('O tempo de antecedência deve ser maior que zero.', field_name)
    else:
        minutes = _int(lead)
        if minutes is None or minutes < 0:
            raise ValidationError('O tempo de antecedência deve ser maior que zero.', field_name)
    if minutes > MAX_LEAD_MINUTES:
        raise ValidationError('O lembrete pode ser de até 30 dias antes.', field_name)
    drawer, email = bool(data.get('drawer', True)), bool(data.get('email', False))
    if not drawer and not email:
        raise ValidationError('Escolha ao menos um meio: notificação ou e-mail.', field_name)
    staff = []
    for value in data.get('staff_ids') or ():
        try:
            staff.append(as_uuid(value))
        except NotFound as e:
            raise ValidationError('Funcionário inválido no lembrete.', field_name) from e
    return ReminderSpec(minutes, drawer, email, bool(data.get('to_owner', True)), bool(data.get('to_client', False)),
                        tuple(dict.fromkeys(staff)))


def clean_recurrence(raw: Recurrence | dict | None, first_day: date) -> Recurrence | None:
    """A rule as the form sends it (dict with the Recurrence fields; until as date or 'dd/mm/aaaa'; optionally
    'end': 'until' | 'count' | 'never', the form's "Termina", so that "Até uma data" without a date is refused instead
    of saving a series without end); the monthly day / weekday default to those of `first_day`. Field messages under
    'recurrence_*'."""
    if raw is None or raw == {} or (isinstance(raw, dict) and not raw.get('freq')):
        return None
    data = raw.as_dict() if isinstance(raw, Recurrence) else dict(raw)
    errors: dict[str, str] = {}
    freq = data.get('freq')
    if freq not in FREQUENCIES:
        raise ValidationError('Escolha a repetição.', 'recurrence_freq')
    interval = _int(data.get('interval') or 1)
    if interval is None or not 1 <= interval <= 99:
        errors['recurrence_interval'] = 'O intervalo deve ser de 1 a 99.'
        interval = 1
    weekdays: tuple[int, ...] = ()
    day = nth = weekday = None
    if freq == 'weekly':
        raw_days = data.get('weekdays') or (first_day.weekday(),)
        parsed = [_int(w) for w in raw_days] if isinstance(raw_days, list | tuple) else [None]
        if any(w is None or not 0 <= w <= 6 for w in parsed):
            errors['recurrence_weekdays'] = 'Dia da semana inválido.'
        else:
            weekdays = tuple(sorted(set(parsed)))
    elif freq == 'monthly_day':
        day = _int(data.get('day') or first_day.day)
        if day is None or not 1 <= day <= 31:
            errors['recurrence_day'] = 'O dia do mês deve ser de 1 a 31.'
    elif freq == 'monthly_nth':
        nth = _int(data.get('nth') or (-1 if (first_day + timedelta(days=7)).month != first_day.month
                                       else (first_day.day - 1) // 7 + 1))
        weekday = _int(data.get('weekday') if data.get('weekday') is not None else first_day.weekday())
        if nth not in NTH_LABELS:
            errors['recurrence_nth'] = 'Escolha 1ª, 2ª, 3ª, 4ª ou última.'
        if weekday is None or not 0 <= weekday <= 6:
            errors['recurrence_weekday'] = 'Dia da semana inválido.'
    until = count = None
    end = data.get('end')  # the form's "Termina": 'until' | 'count' | 'never'; without it, what the values say
    if end not in (None, 'until', 'count', 'never'):
        errors['recurrence_end'] = 'Escolha como a repetição termina.'
    elif end == 'until' and data.get('until') in (None, ''):
        errors['recurrence_until'] = 'Informe a data final da repetição.'
    elif end == 'count' and data.get('count') in (None, ''):
        errors['recurrence_count'] = 'Informe o número de vezes.'
    if end == 'never':
        data['until'] = data['count'] = None
    elif end == 'until':
        data['count'] = None
    elif end == 'count':
        data['until'] = None
    if data.get('until') not in (None, ''):
        until = _day(data.get('until'), 'recurrence_until', errors, label='a data final')
        if until is not None and until < first_day:
            errors['recurrence_until'] = 'A repetição deve terminar depois do início do evento.'
        elif until is not None and until.year > first_day.year + MAX_YEARS:
            errors['recurrence_until'] = f'A repetição pode ir até {MAX_YEARS} anos depois do início.'
    if data.get('count') not in (None, ''):
        if until is not None:
            errors['recurrence_count'] = 'Escolha uma data final ou um número de vezes, não os dois.'
        count = _int(data.get('count'))
        if count is None or not 1 <= count <= MAX_COUNT:
            errors['recurrence_count'] = f'O número de vezes deve ser de 1 a {MAX_COUNT}.'
    if errors:
        raise ValidationError(errors)
    return Recurrence(freq, interval, weekdays, day, nth, weekday, until, count)


# --------------------------------------------------------------------------------------------------------------------
# Recurrence expansion (pure: local wall-clock datetimes in, out)
# --------------------------------------------------------------------------------------------------------------------

def expand(rule: Recurrence, first: datetime, start: datetime, end: datetime, *,
           holidays: Iterable[date] = ()) -> list[datetime]:
    """Occurrence starts of `rule` whose series begins at `first` (naive local), within [start, end] (naive local,
    both inclusive), in order. `holidays`: extra non-business days for 'monthly_last_business'."""
    if rule.freq == 'monthly_last_business':
        return [d for d in _last_business_days(rule, first, end, frozenset(holidays)) if start <= d <= end]
    if rule.count is None and rule.freq in ('daily', 'weekly'):
        return _simple_expand(rule, first, start, end)
    return _rrule(rule, first, dtstart=_fast_forward(rule, first, start)).between(start, end, inc=True)


def _simple_expand(rule: Recurrence, first: datetime, start: datetime, end: datetime) -> list[datetime]:
    """Daily and weekly rules without a count by arithmetic, as rrule gives them (each new rrule rebuilds a year of
    day masks: ~1 ms, hundreds of series in a month view). Weeks start on Monday (rrule's wkst)."""
    last = min(end, datetime.combine(rule.until, time(23, 59, 59))) if rule.until else end
    low = max(start, first)
    if last < low:
        return []
    k = rule.interval
    if rule.freq == 'daily':
        step = timedelta(days=k)
        n = max(0, -(-(low - first) // step))
        out, moment = [], first + n * step
        while moment <= last:
            out.append(moment)
            moment += step
        return out
    days = sorted(set(rule.weekdays or (first.weekday(),)))
    monday = first.date() - timedelta(days=first.weekday())
    week = (low.date() - monday).days // 7 // k * k
    out, at = [], first.time()
    while True:
        base = monday + timedelta(weeks=week)
        if datetime.combine(base, at) > last:
            return out
        for d in days:
            moment = datetime.combine(base + timedelta(days=d), at)
            if low <= moment <= last:
                out.append(moment)
        week += k


def _fast_forward(rule: Recurrence, first: datetime, start: datetime) -> datetime:
    """A later start for rrule that gives the same occurrences from `start` on: whole periods (interval days,
    weeks, months or years) after `first`, at the beginning of its period, so that rrule does not walk a long series
    from its first occurrence. Not for a series ended by a count (its count runs from the first occurrence)."""
    if rule.count is not None or start <= first:
        return first
    k = rule.interval
    if rule.freq == 'daily':
        n = (start.date() - first.date()).days // k - 1
        return first + timedelta(days=n * k) if n > 0 else first
    if rule.freq == 'weekly':  # rrule's weeks start on Monday (wkst)
        monday = first.date() - timedelta(days=first.weekday())
        n = (start.date() - monday).days // 7 // k - 1
        return datetime.combine(monday + timedelta(weeks=n * k), first.time()) if n > 0 else first
    if rule.freq in ('monthly_day', 'monthly_nth'):
        n = ((start.year - first.year) * 12 + start.month - first.month) // k - 1
        if n <= 0:
            return first
        y, m = divmod(first.year * 12 + first.month - 1 + n * k, 12)
        return datetime.combine(date(y, m + 1, 1), first.time())
    if rule.freq == 'yearly':
        n = (start.year - first.year) // k - 1
        return datetime.combine(date(first.year + n * k, first.month, 1), first.time()) if n > 0 else first
    return first


def first_occurrence(rule: Recurrence, first: datetime, *, holidays: Iterable[date] = ()) -> datetime | None:
    """The first occurrence at or after `first` (None when the end comes before any)."""
    if rule.freq == 'monthly_last_business':
        found = _last_business_days(rule, first, None, frozenset(holidays), limit=1)
        return found[0] if found else None
    return _rrule(rule, first).after(first, inc=True)


def last_occurrence(rule: Recurrence, first: datetime, *, holidays: Iterable[date] = ()) -> datetime | None:
    """The last occurrence of a series with an end (None: no end, or no occurrence at all)."""
    if rule.until is None and rule.count is None:
        return None
    if rule.freq == 'monthly_last_business':
        found = _last_business_days(rule, first, None, frozenset(holidays))
        return found[-1] if found else None
    found = list(_rrule(rule, first))
    return found[-1] if found else None


def _rrule(rule: Recurrence, first: datetime, *, dtstart: datetime | None = None) -> _rr.rrule:
    """The rrule of a series that begins at `first` (its defaults: weekday, day of the month); `dtstart` a later
    start from `_fast_forward`."""
    until = datetime.combine(rule.until, time(23, 59, 59)) if rule.until else None
    common = dict(dtstart=dtstart or first, interval=rule.interval, until=until, count=rule.count, cache=False)
    if rule.freq == 'daily':
        return _rr.rrule(_rr.DAILY, **common)
    if rule.freq == 'weekly':
        return _rr.rrule(_rr.WEEKLY, byweekday=rule.weekdays or (first.weekday(),), **common)
    if rule.freq == 'monthly_day':
        return _rr.rrule(_rr.MONTHLY, **_day_of_month(rule.day or first.day), **common)
    if rule.freq == 'monthly_nth':
        weekday = _rr.weekday(first.weekday() if rule.weekday is None else rule.weekday)
        return _rr.rrule(_rr.MONTHLY, byweekday=weekday(rule.nth or 1), **common)
    if rule.freq == 'yearly':
        return _rr.rrule(_rr.YEARLY, bymonth=first.month, **_day_of_month(first.day), **common)
    raise ValueError(f'unknown frequency {rule.freq}')


def _day_of_month(day: int) -> dict:
    """Day N of each month, or its last day when it is shorter: bymonthday=31 alone would skip 30-day months and
    February (and 29/02 would recur only in leap years)."""
    if day <= 28:
        return {'bymonthday': day}
    return {'bymonthday': tuple(range(28, day + 1)), 'bysetpos': -1}


def _last_business_days(rule: Recurrence, first: datetime, end: datetime | None, holidays: frozenset[date], *,
                        limit: int | None = None) -> list[datetime]:
    """The last business day of every `interval`-th month from the first's month, at the first's time of day."""
    out: list[datetime] = []
    year, month, n = first.year, first.month, 0
    last_year = rule.until.year if rule.until else (end.year if end else first.year + MAX_YEARS) + 1
    while year <= last_year:
        day = br_calendar.last_business_day(year, month, extra=holidays)
        moment = datetime.combine(day, first.time())
        if moment >= first:
            if rule.until is not None and day > rule.until:
                break
            if end is not None and moment > end:
                break
            n += 1
            out.append(moment)
            if (rule.count is not None and n >= rule.count) or (limit is not None and n >= limit):
                break
        month += rule.interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return out


# --------------------------------------------------------------------------------------------------------------------
# Internals: reading
# --------------------------------------------------------------------------------------------------------------------

def _require_read(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'read')


def _scoped_events(query, actor: Actor):
    if actor.is_client:
        return query.where(Event.client_id == actor.client_id, Event.shared == True)  # noqa: E712
    return query


def _event(session: Session, actor: Actor, event_id, *, for_update: bool = False) -> Event:
    query = _scoped_events(select(Event).where(Event.id == as_uuid(event_id)), actor)
    if for_update and session.get_bind().dialect.name == 'postgresql':
        query = query.with_for_update()
    event = session.exec(query).first()
    if event is None:
        raise NotFound()
    return event


def _occurrences(session: Session, actor: Actor, lo: datetime, hi: datetime, *, owner_id=None, client_id=None,
                 kinds: tuple[str, ...] = (), text: str = '') -> list[Occurrence]:
    moved_in = select(EventException.event_id).where(EventException.starts_at < hi, EventException.ends_at > lo)
    # one statement: the events with their exceptions (a row per exception) and the owner's and client's names, as
    # plain rows (ORM objects cost ~25 µs each, and a month of a large office has hundreds of events)
    X = EventException  # noqa: N806
    query = _scoped_events(
        select(*_EVENT_COLUMNS, X.occurrence.label('x_occurrence'), X.cancelled.label('x_cancelled'),
               X.title.label('x_title'), X.description.label('x_description'), X.location.label('x_location'),
               X.starts_at.label('x_starts_at'), X.ends_at.label('x_ends_at'), User.name.label('owner_name'),
               Client.name.label('client_name'))
        .outerjoin(EventException, EventException.event_id == Event.id)
        .outerjoin(User, User.id == Event.owner_id).outerjoin(Client, Client.id == Event.client_id)
        .where(or_((Event.starts_at < hi) & (or_(Event.series_end.is_(None), Event.series_end > lo)),
                   Event.id.in_(moved_in))), actor)
    if owner_id:
        query = query.where(Event.owner_id == as_uuid(owner_id))
    if client_id:
        query = query.where(Event.client_id == as_uuid(client_id))
    if kinds:
        query = query.where(Event.kind.in_(kinds))
    if text and text.strip():
        query = query.where(Event.title.ilike(f'%{text.strip()}%'))
    events: dict[uuid.UUID, object] = {}
    exceptions: dict[uuid.UUID, dict[datetime, _Exception]] = {}
    names: dict[uuid.UUID, str] = {}
    for row in session.exec(query).all():
        events.setdefault(row.id, row)
        names[row.owner_id] = row.owner_name or ''
        if row.client_id is not None:
            names[row.client_id] = row.client_name or ''
        if row.x_occurrence is not None:
            exceptions.setdefault(row.id, {})[_utc(row.x_occurrence)] = _Exception(
                row.x_cancelled, row.x_title, row.x_description, row.x_location, row.x_starts_at, row.x_ends_at)
    return _expand_rows(session, list(events.values()), lo, hi, names=names, exceptions=exceptions)


_EVENT_COLUMNS = (Event.id, Event.title, Event.description, Event.kind, Event.all_day, Event.starts_at, Event.ends_at,
                  Event.location, Event.owner_id, Event.client_id, Event.shared, Event.recurrence, Event.series_end)


@dataclass(frozen=True)
class _Exception:
    """What the expansion reads of an EventException."""
    cancelled: bool
    title: str | None
    description: str | None
    location: str | None
    starts_at: datetime | None
    ends_at: datetime | None


def _expand_rows(session: Session, events: list[Event], lo: datetime, hi: datetime, *, by_original: bool = False,
                 names: dict | None = None, exceptions: dict | None = None) -> list[Occurrence]:
    """Occurrences of `events` overlapping [lo, hi) with their exceptions (one query for the exceptions, one for the
    names, unless the caller read them with the events). `by_original`: select by the rule's start instead (finding
    one occurrence by its key)."""
    if not events:
        return []
    if exceptions is None:
        recurring = [e.id for e in events if e.recurrence is not None]
        exceptions = {}
        for chunk in _chunks(recurring, 500):
            for exc in session.exec(select(EventException).where(EventException.event_id.in_(chunk))).all():
                exceptions.setdefault(exc.event_id, {})[_utc(exc.occurrence)] = exc
    if names is None:
        names = _names(session, events)
    holidays = _office_holidays(session, lo, hi) if any(
        (e.recurrence or {}).get('freq') == 'monthly_last_business' for e in events) else frozenset()
    out: list[Occurrence] = []
    for event in events:
        start, end = _utc(event.starts_at), _utc(event.ends_at)
        duration = end - start
        if event.recurrence is None:
            starts = [start] if (start < hi and end > lo) or (by_original and lo <= start < hi) else []
        else:
            rule = Recurrence.from_dict(event.recurrence)
            if rule.count is not None and event.series_end is not None and rule.freq != 'monthly_last_business':
                # the same occurrences, ended by the last one's day: lets rrule start near the range (_fast_forward)
                rule = replace(rule, count=None, until=clock.local(_utc(event.series_end) - duration).date())
            first = clock.local(start).replace(tzinfo=None)
            low = lo if by_original else lo - duration
            window_lo = clock.local(low).replace(tzinfo=None)
            window_hi = clock.local(hi).replace(tzinfo=None)
            starts = [_from_local(d) for d in expand(rule, first, window_lo, window_hi, holidays=holidays)]
            starts = [s for s in starts if s < hi]
            own = exceptions.get(event.id, {})
            moved = [k for k, x in own.items() if not x.cancelled and x.starts_at is not None
                     and _utc(x.starts_at) < hi and _utc(x.ends_at) > lo]
            starts = sorted(set(starts) | set(moved)) if not by_original else starts
        for key in starts:
            exc = exceptions.get(event.id, {}).get(key)
            if exc is not None and exc.cancelled:
                continue
            s, e = key, key + duration
            if exc is not None and exc.starts_at is not None:
                s, e = _utc(exc.starts_at), _utc(exc.ends_at)
            if not by_original and not (s < hi and e > lo):
                continue
            owner_name, client_name = names.get(event.owner_id, ''), names.get(event.client_id, '')
            out.append(Occurrence(
                event.id, key, exc.title if exc is not None and exc.title is not None else event.title,
                exc.description if exc is not None and exc.description is not None else event.description,
                exc.location if exc is not None and exc.location is not None else event.location, event.kind,
                event.all_day, clock.local(s), clock.local(e), event.owner_id, owner_name, event.client_id,
                client_name, event.shared, event.recurrence is not None, exc is not None))
    out.sort(key=lambda o: (o.starts_at, o.title, str(o.event_id)))
    return out


def _names(session: Session, events: list[Event]) -> dict[uuid.UUID, str]:
    owners = list({e.owner_id for e in events})
    clients = list({e.client_id for e in events if e.client_id})
    names: dict[uuid.UUID, str] = {}
    for chunk in _chunks(owners, 500):
        names.update(session.exec(select(User.id, User.name).where(User.id.in_(chunk))).all())
    for chunk in _chunks(clients, 500):
        names.update(session.exec(select(Client.id, Client.name).where(Client.id.in_(chunk))).all())
    return names


def _office_holidays(session: Session, lo: datetime, hi: datetime) -> frozenset[date]:
    """The office's own extra holidays (those without a UF or city) around [lo, hi]: the last business day of the
    office's calendar."""
    first, last = clock.local(lo).date() - timedelta(days=40), clock.local(hi).date() + timedelta(days=40)
    return frozenset(session.exec(select(ExtraHoliday.day).where(ExtraHoliday.day >= first, ExtraHoliday.day <= last,
                                                                 ExtraHoliday.uf == '')).all())


def _spec(r: EventReminder) -> ReminderSpec:
    return ReminderSpec(r.lead_minutes, r.drawer, r.email, r.to_owner, r.to_client,
                        tuple(uuid.UUID(str(s)) for s in r.staff_ids or ()))


# --------------------------------------------------------------------------------------------------------------------
# Internals: writing
# --------------------------------------------------------------------------------------------------------------------

def _clean(session: Session, actor: Actor, raw: dict) -> dict:
    """Every field of an event form checked at once; raises one ValidationError with each bad field's message."""
    errors: dict[str, str] = {}
    title = _text(raw.get('title'), 'title', errors, label='o título', required=True)
    description = _text(raw.get('description') or '', 'description', errors, max_len=4000, multiline=True)
    location = _text(raw.get('location') or '', 'location', errors)
    kind = raw.get('kind') or 'evento'
    if kind not in KINDS:
        errors['kind'] = 'Escolha o tipo.'
        kind = 'evento'
    all_day = bool(raw.get('all_day'))
    start_day = _day(raw.get('start_day'), 'start_day', errors, label='a data de início')
    end_day = _day(raw.get('end_day'), 'end_day', errors, required=False) if raw.get('end_day') else None
    starts_at = ends_at = None
    if start_day is not None:
        if all_day:
            last = end_day or start_day
            if last < start_day:
                errors['end_day'] = 'O fim deve ser depois do início.'
            starts_at = _local_midnight(start_day)
            ends_at = _local_midnight(last + timedelta(days=1))
        else:
            start_time = _time(raw.get('start_time'), 'start_time', errors, required=True)
            end_time = _time(raw.get('end_time'), 'end_time', errors, required=False)
            if start_time is not None:
                starts_at = _from_local(datetime.combine(start_day, start_time))
                if end_time is None and not raw.get('end_day'):
                    ends_at = starts_at + timedelta(hours=1)
                elif end_time is not None:
                    ends_at = _from_local(datetime.combine(end_day or start_day, end_time))
                    if ends_at <= starts_at:
                        errors['end_time'] = 'O fim deve ser depois do início.'
                elif 'end_time' not in errors:
                    errors['end_time'] = 'Informe a hora de término.'
    owner_id = _staff(session, raw.get('owner_id') or actor.user_id, 'owner_id', errors)
    client_id = None
    if raw.get('client_id'):
        try:
            client_id = as_uuid(raw['client_id'])
        except NotFound:
            client_id = None
        if client_id is None or session.get(Client, client_id) is None:
            errors['client_id'] = 'Cliente não encontrado.'
            client_id = None
    shared = raw.get('shared')
    shared = client_id is not None if shared is None else bool(shared)
    if shared and client_id is None and 'client_id' not in errors:
        errors['shared'] = 'Escolha o cliente com quem compartilhar.'
    recurrence = None
    if start_day is not None:
        try:
            recurrence = clean_recurrence(raw.get('recurrence'), start_day)
        except ValidationError as e:
            errors.update(e.errors)
    specs: list[ReminderSpec] = []
    for spec in raw.get('reminders') or ():
        try:
            specs.append(clean_reminder(spec))
        except ValidationError as e:
            errors.update(e.errors)
    if len({s.lead_minutes for s in specs}) != len(specs):
        errors['reminders'] = 'Há dois lembretes com a mesma antecedência.'
    for s in specs:
        for staff_id in s.staff_ids:
            if _staff(session, staff_id, 'reminders', errors) is None:
                break
    series_end = ends_at
    if not errors and recurrence is not None:
        first_local = clock.local(starts_at).replace(tzinfo=None)
        holidays = _office_holidays(session, starts_at, starts_at + timedelta(days=366 * MAX_YEARS))
        first = first_occurrence(recurrence, first_local, holidays=holidays)
        if first is None:
            errors['recurrence_until'] = 'A repetição termina antes da primeira ocorrência.'
        else:
            shift = _from_local(first) - starts_at
            starts_at, ends_at = starts_at + shift, ends_at + shift
            series_end = _series_end(session, recurrence, starts_at, ends_at)
    if errors:
        raise ValidationError(errors)
    return {'event': dict(title=title, description=description, location=location, kind=kind, all_day=all_day,
                          starts_at=starts_at, ends_at=ends_at, owner_id=owner_id, client_id=client_id, shared=shared,
                          recurrence=recurrence.as_dict() if recurrence else None, series_end=series_end),
            'reminders': specs, 'recurrence': recurrence}


def _update_all(session: Session, actor: Actor, event: Event, fields: dict) -> Event:
    values = _clean(session, actor, fields)
    new = values['event']
    timing = (new['starts_at'], new['ends_at'], new['recurrence'], new['all_day'])
    if timing != (_utc(event.starts_at), _utc(event.ends_at), event.recurrence, event.all_day):
        # the exceptions name occurrences of the old rule: they no longer apply
        session.exec(sql_delete(EventException).where(EventException.event_id == event.id))
    was_shared = event.shared
    for key, value in new.items():
        setattr(event, key, value)
    event.updated_at = clock.now()
    session.add(event)
    _save_reminders(session, event, values['reminders'])
    if event.shared or was_shared:  # a client that no longer sees it is told too (its tabs refresh as well)
        _notify_client(session, event, 'Evento alterado na agenda', _when_text(event))
    return event


def _update_one(session: Session, actor: Actor, event: Event, key: datetime, fields: dict) -> Event:
    """An exception for one occurrence: title, description, location and time of that occurrence only."""
    errors: dict[str, str] = {}
    duration = _utc(event.ends_at) - _utc(event.starts_at)
    title = _text(fields.get('title'), 'title', errors, label='o título', required=True)
    description = _text(fields.get('description') or '', 'description', errors, max_len=4000, multiline=True)
    location = _text(fields.get('location') or '', 'location', errors)
    start_day = _day(fields.get('start_day'), 'start_day', errors, label='a data de início')
    starts_at = ends_at = None
    if start_day is not None:
        if event.all_day:
            last = _day(fields.get('end_day'), 'end_day', errors, required=False) or start_day
            if last < start_day:
                errors['end_day'] = 'O fim deve ser depois do início.'
            starts_at, ends_at = _local_midnight(start_day), _local_midnight(last + timedelta(days=1))
        else:
            start_time = _time(fields.get('start_time'), 'start_time', errors, required=True)
            end_time = _time(fields.get('end_time'), 'end_time', errors, required=False)
            if start_time is not None:
                starts_at = _from_local(datetime.combine(start_day, start_time))
                ends_at = (_from_local(datetime.combine(_day(fields.get('end_day'), 'end_day', errors, required=False)
                                                        or start_day, end_time))
                           if end_time is not None else starts_at + duration)
                if ends_at <= starts_at:
                    errors['end_time'] = 'O fim deve ser depois do início.'
    if errors:
        raise ValidationError(errors)
    exc = _exception(session, event, key)
    exc.title = title if title != event.title else None
    exc.description = description if description != event.description else None
    exc.location = location if location != event.location else None
    moved = (starts_at, ends_at) != (key, key + duration)
    exc.starts_at, exc.ends_at = (starts_at, ends_at) if moved else (None, None)
    exc.cancelled = False
    session.add(exc)
    if event.shared:
        _notify_client(session, event, 'Evento alterado na agenda', f'{title}: {formatting.when(starts_at)}')
    return event


def _split(session: Session, actor: Actor, event: Event, key: datetime, fields: dict) -> Event:
    """'This and following': the series ends before `key`; a new series starts at `key` with the new fields (a series
    ended by a count keeps its total: the new part gets what was left)."""
    rule = Recurrence.from_dict(event.recurrence)
    before = _count_before(session, event, key)
    values = _clean(session, actor, fields)
    new_rule: Recurrence | None = values['recurrence']
    if new_rule is not None and rule.count is not None and new_rule.count == rule.count:
        new_rule = replace(new_rule, count=max(rule.count - before, 1))
    _truncate(session, event, key, before=before)
    data = dict(values['event'], recurrence=new_rule.as_dict() if new_rule else None)
    new = Event(**data, series_id=event.series_id or event.id)
    if new_rule is not None:
        new.series_end = _series_end(session, new_rule, new.starts_at, new.ends_at)
    session.add(new)
    session.flush()
    # exceptions of the occurrences from `key` on go with them when the times are the same, else they lapse
    same_times = _utc(new.starts_at) == key and new.recurrence == event.recurrence
    for exc in session.exec(select(EventException).where(EventException.event_id == event.id,
                                                         EventException.occurrence >= key)).all():
        if same_times:
            exc.event_id = new.id
            session.add(exc)
        else:
            session.delete(exc)
    session.flush()
    _save_reminders(session, new, values['reminders'])
    if new.shared:
        _notify_client(session, new, 'Evento alterado na agenda', _when_text(new))
    return new


def _series_end(session: Session, rule: Recurrence, starts_at: datetime, ends_at: datetime) -> datetime | None:
    """The end of the last occurrence of a series that starts at `starts_at` (None: no end)."""
    first = clock.local(_utc(starts_at)).replace(tzinfo=None)
    holidays = _office_holidays(session, starts_at, starts_at + timedelta(days=366 * MAX_YEARS))
    last = last_occurrence(rule, first, holidays=holidays)
    return None if last is None else _from_local(last) + (_utc(ends_at) - _utc(starts_at))


def _truncate(session: Session, event: Event, key: datetime, *, before: int | None = None) -> None:
    """End a series just before the occurrence `key` (which is not its first)."""
    rule = Recurrence.from_dict(event.recurrence)
    before = _count_before(session, event, key) if before is None else before
    if rule.count is not None:
        rule = replace(rule, count=before)
    else:
        rule = replace(rule, until=clock.local(key).date() - timedelta(days=1))
    event.recurrence = rule.as_dict()
    event.series_end = _series_end(session, rule, event.starts_at, event.ends_at) or _utc(event.ends_at)
    event.updated_at = clock.now()
    session.add(event)
    session.exec(sql_delete(EventException).where(EventException.event_id == event.id,
                                                  EventException.occurrence >= key))


def _count_before(session: Session, event: Event, key: datetime) -> int:
    rule = Recurrence.from_dict(event.recurrence)
    first = clock.local(_utc(event.starts_at)).replace(tzinfo=None)
    end = clock.local(key).replace(tzinfo=None) - timedelta(seconds=1)
    return len(expand(rule, first, first, end, holidays=_office_holidays(session, event.starts_at, key)))


def _existing_occurrence(session: Session, event: Event, occurrence) -> datetime:
    if occurrence is None:
        raise ValidationError('Escolha a ocorrência.', 'occurrence')
    key = _occurrence_key(occurrence)
    rule = Recurrence.from_dict(event.recurrence)
    first = clock.local(_utc(event.starts_at)).replace(tzinfo=None)
    local_key = clock.local(key).replace(tzinfo=None)
    holidays = _office_holidays(session, key, key)
    if local_key not in expand(rule, first, local_key, local_key, holidays=holidays):
        raise NotFound()
    return key


def _exception(session: Session, event: Event, key: datetime) -> EventException:
    exc = session.exec(select(EventException).where(EventException.event_id == event.id,
                                                    EventException.occurrence == key)).first()
    return exc or EventException(event_id=event.id, occurrence=key)


def _save_reminders(session: Session, event: Event, specs: list[ReminderSpec]) -> None:
    session.exec(sql_delete(EventReminder).where(EventReminder.event_id == event.id))
    for s in specs:
        session.add(EventReminder(event_id=event.id, lead_minutes=s.lead_minutes, drawer=s.drawer, email=s.email,
                                  to_owner=s.to_owner, to_client=s.to_client and event.shared,
                                  staff_ids=[str(i) for i in s.staff_ids]))


def _delete_rows(session: Session, ids: list[uuid.UUID]) -> None:
    # an atendimento's follow-up deleted here: the atendimento keeps its date and lets go of the event (its FK)
    session.exec(sql_update(ServiceRecord).where(ServiceRecord.agenda_event_id.in_(ids)).values(agenda_event_id=None))
    session.exec(sql_delete(EventReminder).where(EventReminder.event_id.in_(ids)))
    session.exec(sql_delete(EventException).where(EventException.event_id.in_(ids)))
    session.exec(sql_delete(Event).where(Event.id.in_(ids)))
    reminders.forget(session, ITEM_KIND, ids)


def _staff(session: Session, value, field_name: str, errors: dict) -> uuid.UUID | None:
    try:
        user_id = as_uuid(value)
    except NotFound:
        user_id = None
    user = session.get(User, user_id) if user_id else None
    if user is None or user.role not in ('admin', 'staff') or not user.active:
        errors[field_name] = 'Funcionário não encontrado.'
        return None
    return user.id


def _notify_client(session: Session, event: Event, title: str, body: str) -> None:
    if event.client_id is None:
        return
    users = notifications.client_users(session, event.client_id)
    if users:
        channels.tell(session, users, 'agenda', title, f'{event.title}: {body}', f'/portal/agenda?evento={event.id}')


def _announce(session: Session, event: Event) -> None:
    live.announce(session, tool=TOOL, client_id=event.client_id, item_id=event.id)


def _when_text(event: Event) -> str:
    if event.all_day:
        return formatting.day(clock.local(event.starts_at).date())
    return formatting.when(event.starts_at)


def _scope(scope: str) -> str:
    if scope not in SCOPES:
        raise ValidationError('Escolha: só esta, esta e as seguintes, ou todas.', 'scope')
    return scope


# --------------------------------------------------------------------------------------------------------------------
# Follow-ups written by other tools (Atendimentos) inside their own unit of work
# --------------------------------------------------------------------------------------------------------------------

FOLLOW_UP_AT = time(9, 0)  # office-local start of a follow-up placed on a day
FOLLOW_UP_MINUTES = 30


def place_follow_up(session: Session, *, event_id: uuid.UUID | None, owner_id: uuid.UUID,
                    client_id: uuid.UUID | None, day: date, title: str, description: str = '',
                    at: time | None = None) -> uuid.UUID:
    """Inside the caller's transaction (the caller checked its own tool's right): a one-off internal 'lembrete' of
    `owner_id` on `day` at `at` (default 09:00) — 30 minutes, a reminder at its time, never shared with the client —
    created, or, when `event_id` still exists, moved to `day` (at `at`, or at the time of day it was given in the
    Agenda; keeping its length) with the new owner, client, title and description. Returns the event's id."""
    event = session.get(Event, event_id) if event_id else None
    if event is None:
        starts = _from_local(datetime.combine(day, at or FOLLOW_UP_AT))
        ends = starts + timedelta(minutes=FOLLOW_UP_MINUTES)
        event = Event(title=title[:200], description=description[:4000], kind='lembrete', starts_at=starts,
                      ends_at=ends, series_end=ends, owner_id=owner_id, client_id=client_id, shared=False)
        session.add(event)
        session.flush()
        session.add(EventReminder(event_id=event.id, lead_minutes=0, drawer=True))
    else:
        start, end = _utc(event.starts_at), _utc(event.ends_at)
        starts = _from_local(datetime.combine(day, at or clock.local(start).time().replace(tzinfo=None)))
        if event.recurrence is not None:  # made a series in the Agenda: it becomes the one follow-up again
            session.exec(sql_delete(EventException).where(EventException.event_id == event.id))
            event.recurrence = None
        event.starts_at, event.ends_at = starts, starts + (end - start)
        event.series_end = event.ends_at
        event.owner_id, event.client_id, event.shared = owner_id, client_id, False
        event.title, event.description = title[:200], description[:4000]
        event.updated_at = clock.now()
        session.add(event)
    _announce(session, event)
    return event.id


def drop_follow_up(session: Session, event_id: uuid.UUID | None) -> None:
    """Inside the caller's transaction: remove a follow-up event (nothing when it is already gone)."""
    event = session.get(Event, event_id) if event_id else None
    if event is None:
        return
    _announce(session, event)
    _delete_rows(session, [event.id])


# --------------------------------------------------------------------------------------------------------------------
# Reminder source: every EventReminder of every occurrence, exactly once
# --------------------------------------------------------------------------------------------------------------------

@dataclass
class _Alert:
    staff: tuple[uuid.UUID, ...]
    clients: tuple[uuid.UUID, ...]
    event_id: uuid.UUID
    drawer: bool
    email: bool


def _due_reminders(session: Session, window: reminders.Window) -> list[reminders.Reminder]:
    """Reminders whose moment (occurrence start − lead) is in the window, of occurrences not over yet. One query for
    the events with reminders that can have such an occurrence, one for their exceptions, one for the client logins."""
    now = window.end
    horizon = now + timedelta(minutes=MAX_LEAD_MINUTES)
    moved = select(EventException.event_id).where(EventException.starts_at <= horizon, EventException.ends_at > now)
    with_reminders = select(EventReminder.event_id)
    events = list(session.exec(select(Event).where(
        Event.id.in_(with_reminders),
        or_((Event.starts_at <= horizon) & or_(Event.series_end.is_(None), Event.series_end > now),
            Event.id.in_(moved)))).all())
    if not events:
        return []
    specs: dict[uuid.UUID, list[EventReminder]] = {}
    for chunk in _chunks([e.id for e in events], 500):
        for r in session.exec(select(EventReminder).where(EventReminder.event_id.in_(chunk))).all():
            specs.setdefault(r.event_id, []).append(r)
    by_id = {e.id: e for e in events}
    lo = window.start
    hi = now + timedelta(minutes=max(r.lead_minutes for rs in specs.values() for r in rs)) + timedelta(seconds=1)
    found: list[tuple[Occurrence, EventReminder]] = []
    for occ in _expand_rows(session, events, lo, hi):
        start = occ.starts_at.astimezone(timezone.utc)
        if occ.ends_at <= now:
            continue  # over: never reminded
        for spec in specs.get(occ.event_id, ()):
            moment = start - timedelta(minutes=spec.lead_minutes)
            if window.start <= moment <= now:
                found.append((occ, spec))
    if not found:
        return []
    clients = {by_id[o.event_id].client_id for o, s in found if s.to_client and by_id[o.event_id].shared}
    logins: dict[uuid.UUID, list[uuid.UUID]] = {}
    for chunk in _chunks([c for c in clients if c], 500):
        for uid, cid in session.exec(select(User.id, User.client_id).join(Client, Client.id == User.client_id)
                                     .where(User.client_id.in_(chunk), User.active == True,  # noqa: E712
                                            Client.active == True)).all():  # noqa: E712
            logins.setdefault(cid, []).append(uid)
    out = []
    for occ, spec in found:
        event = by_id[occ.event_id]
        staff = ([event.owner_id] if spec.to_owner else []) + [uuid.UUID(str(s)) for s in spec.staff_ids or ()]
        client_users = logins.get(event.client_id, []) if spec.to_client and event.shared else []
        start = occ.starts_at.astimezone(timezone.utc)
        when = occ.when
        body = f'{occ.kind_label}: {when}' + (f' — {occ.location}' if occ.location else '')
        if occ.client_name and not spec.to_client:
            body += f'\nCliente: {occ.client_name}'
        out.append(reminders.Reminder(
            ITEM_KIND, event.id, f'{spec.lead_minutes}m', _stamp(start), start - timedelta(minutes=spec.lead_minutes),
            recipients=tuple(dict.fromkeys(staff + client_users)), category='agenda',
            title=f'Lembrete: {occ.title}'[:200], body=body, email=spec.email,
            data=_Alert(tuple(dict.fromkeys(staff)), tuple(client_users), event.id, spec.drawer, spec.email)))
    return out


def _deliver_reminders(session: Session, due: list[reminders.Reminder], window: reminders.Window) -> None:
    """Staff get the office's link, client logins the portal's; e-mail only when chosen, the drawer unless not."""
    with_drawer, email_only = [], []
    for r in due:
        alert: _Alert = r.data
        for users, link in ((alert.staff, f'/agenda?evento={alert.event_id}'),
                            (alert.clients, f'/portal/agenda?evento={alert.event_id}')):
            if users:
                (with_drawer if alert.drawer else email_only).append(replace(r, recipients=users, link=link))
    reminders.deliver_each(session, with_drawer, window)
    if email_only:
        wanted = list({u for r in email_only for u in r.recipients})
        emails: dict[uuid.UUID, str] = {}
        for chunk in _chunks(wanted, 500):
            emails.update(session.exec(select(User.id, User.email).where(User.id.in_(chunk),
                                                                         User.active == True)).all())  # noqa: E712
        from ..config import get_settings
        base = get_settings().public_url
        messages = []
        for r in email_only:
            body = reminders.late_text(r.body) if r.late else r.body
            paragraphs = [p for p in body.split('\n') if p]
            messages += [mail.render(emails[uid], r.title, paragraphs, link=('Abrir no Conton', f'{base}{r.link}'))
                         for uid in r.recipients if uid in emails]
        mail.queue_many(session, messages)  # one INSERT, as reminders.deliver_each does for the drawer's


# every=0: asked at every sweep (jobs.py, each minute by default), since an event's reminder is due at a given minute.
# batch=5000: each batch asks `_due_reminders` again inside its transaction (so a cancelled event is never reminded),
# and expanding the series is the costly part (~3 s for 10,000 events): 10,000 reminders due at once took 28.6 s in
# batches of 2,000 with two sweeps at once (bench/agenda.py).
reminders.register(reminders.Source(ITEM_KIND, due=_due_reminders, deliver=_deliver_reminders, every=timedelta(0),
                                    lookback=REMINDER_LOOKBACK, keep_days=45, batch=5000))


# --------------------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------------------

def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _from_local(value: datetime) -> datetime:
    """A naive office-local wall-clock datetime as UTC."""
    return value.replace(tzinfo=clock.tz()).astimezone(timezone.utc)


def _local_midnight(day: date) -> datetime:
    return _from_local(datetime.combine(day, time(0)))


def _bound(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return _utc(value) if value.tzinfo else _from_local(value)
    return _local_midnight(value)


def _stamp(value: datetime) -> str:
    return _utc(value).strftime('%Y%m%dT%H%M%SZ')


def _occurrence_key(value: datetime | str) -> datetime:
    if isinstance(value, datetime):
        return _utc(value).replace(microsecond=0)
    try:
        return datetime.strptime(str(value), '%Y%m%dT%H%M%SZ').replace(tzinfo=timezone.utc)
    except ValueError:
        try:
            return _utc(datetime.fromisoformat(str(value)))
        except ValueError as e:
            raise NotFound() from e


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip('-').isdigit():
        return int(value.strip())
    return None


def _plural(word: str) -> str:
    return {'mês': 'meses'}.get(word, word + 's')


def _duration(minutes: int) -> str:
    if minutes % 1440 == 0:
        n = minutes // 1440
        return f'{n} dia' + ('s' if n > 1 else '')
    if minutes % 60 == 0:
        n = minutes // 60
        return f'{n} hora' + ('s' if n > 1 else '')
    return f'{minutes} minutos'


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


__all__ = ['FREQUENCIES', 'KINDS', 'KIND_COLORS', 'LEAD_PRESETS', 'EventDetail', 'Occurrence', 'Recurrence',
           'ReminderSpec', 'clean_recurrence', 'clean_reminder', 'create', 'delete', 'expand', 'first_occurrence',
           'get', 'last_occurrence', 'occurrence', 'occurrences', 'update', 'upcoming']
