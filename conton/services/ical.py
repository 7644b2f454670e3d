"""iCal feed: a secret address per login that serves its agenda as iCalendar (RFC 5545), built with `icalendar`.

A staff member's feed holds the events they own and the obligations they are responsible for; a client login's, its
own client's shared events and the obligations the office made visible to it. One dated VEVENT per occurrence (a
series is expanded for the feed's range, never sent as an RRULE, so that every calendar shows the same dates as
Conton) and per obligation due date (all-day), each with a stable UID and a DTSTAMP; timed events carry the office
time zone (VTIMEZONE included). The values are escaped and the zone written by `icalendar`; the VEVENT lines are
written directly (see `build`). Google and Outlook refresh subscribed feeds only every several hours and ignore
alarms in them: reminders come from Conton itself.

The token is shown once (`create_token`), stored only as its SHA-256, revocable (`revoke`) and regenerated on
demand (a new one revokes the old). `feed(token)` needs no login (calendar apps cannot log in): a revoked, unknown
or malformed token, a disabled login or a client that is no longer active answer NotFound (the route sends 404).
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import icalendar
from sqlalchemy import update
from sqlmodel import select

from .. import clock
from ..models import CalendarToken, Client, User
from . import agenda, obligations
from .base import unit
from .errors import NotFound
from .permissions import Actor

FEED_PREFIX = '/agenda/ical/'  # the route serves f'{FEED_PREFIX}{token}.ics'
PAST_DAYS = 60
FUTURE_DAYS = 400
PRODID = '-//Conton//Agenda//PT-BR'


@dataclass(frozen=True)
class TokenInfo:
    created_at: datetime  # office time zone


def create_token(actor: Actor) -> str:
    """A new secret feed token for the actor's login (any previous one stops working). Shown once: only its hash is
    kept. The feed's address is `feed_path(token)`."""
    _require(actor)
    token = secrets.token_urlsafe(32)
    with unit(actor) as session:
        session.exec(update(CalendarToken).where(CalendarToken.user_id == actor.user_id,
                                                 CalendarToken.revoked_at.is_(None)).values(revoked_at=clock.now()))
        session.add(CalendarToken(user_id=actor.user_id, token_hash=_hash(token)))
    return token


def revoke(actor: Actor) -> None:
    """The actor's feed address stops working."""
    _require(actor)
    with unit(actor) as session:
        session.exec(update(CalendarToken).where(CalendarToken.user_id == actor.user_id,
                                                 CalendarToken.revoked_at.is_(None)).values(revoked_at=clock.now()))


def status(actor: Actor) -> TokenInfo | None:
    """When the actor's current feed address was made (None: there is none)."""
    _require(actor)
    with unit(actor) as session:
        created = session.exec(select(CalendarToken.created_at).where(CalendarToken.user_id == actor.user_id,
                                                                      CalendarToken.revoked_at.is_(None))).first()
    return TokenInfo(clock.local(created)) if created else None


def feed_path(token: str) -> str:
    return f'{FEED_PREFIX}{token}.ics'


def feed(token: str) -> bytes:
    """The iCalendar document of the token's login; NotFound for a revoked, unknown or malformed token."""
    actor = _actor_of(token)
    today = clock.today()
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    with unit(actor) as session:
        staff = {} if actor.is_client else {'owner_id': actor.user_id}
        events = agenda._occurrences(session, actor, agenda._bound(start), agenda._bound(end), **staff)
        responsible = {} if actor.is_client else {'responsible_id': actor.user_id}
        dues = obligations._due_items(session, actor, start, end, **responsible)
    return build(events, dues, name='Agenda Conton')


def build(events: list[agenda.Occurrence], dues: list[obligations.DueItem], *, name: str) -> bytes:
    """The calendar of these occurrences and due items (pure). Values are escaped with icalendar's vText and the
    time zone is icalendar's VTIMEZONE (built once per zone); the VEVENT lines are written directly, since building
    a component per item made a 2,000-item feed take about a second (bench/agenda.py). The result parses back with
    icalendar.Calendar.from_ical (tests/services/test_ical.py)."""
    tz = clock.tz()
    stamp = f'DTSTAMP:{clock.now().astimezone(timezone.utc):%Y%m%dT%H%M%SZ}'
    lines = ['BEGIN:VCALENDAR', f'PRODID:{_text(PRODID)}', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH',
             f'X-WR-CALNAME:{_text(name)}', f'X-WR-TIMEZONE:{_text(tz.key)}']
    timed = any(not o.all_day for o in events)
    if timed:
        lines.append(_vtimezone(tz.key))
    zone = f';TZID={_param(tz.key)}:'
    for occ in events:
        lines += ['BEGIN:VEVENT', f'UID:evento-{occ.event_id}-{occ.occurrence:%Y%m%dT%H%M%SZ}@conton', stamp,
                  _fold(f'SUMMARY:{_text(occ.title)}')]
        if occ.all_day:
            lines += [f'DTSTART;VALUE=DATE:{occ.start_day:%Y%m%d}',
                      f'DTEND;VALUE=DATE:{occ.end_day + timedelta(days=1):%Y%m%d}']
        else:
            lines += [f'DTSTART{zone}{occ.starts_at.astimezone(tz):%Y%m%dT%H%M%S}',
                      f'DTEND{zone}{occ.ends_at.astimezone(tz):%Y%m%dT%H%M%S}']
        if occ.description:
            lines.append(_fold(f'DESCRIPTION:{_text(occ.description)}'))
        if occ.location:
            lines.append(_fold(f'LOCATION:{_text(occ.location)}'))
        lines += [_fold(f'CATEGORIES:{_text(occ.kind_label)}'), 'END:VEVENT']
    for item in dues:
        note = f'Competência {item.competence_label}.'
        if item.overridden:
            note += ' Data prorrogada por ato oficial' + (f': {item.override_note}' if item.override_note else '.')
        if item.done:
            note += f' Feito em {item.done_at:%d/%m/%Y}.'
        lines += ['BEGIN:VEVENT', f'UID:obrigacao-{item.assignment_id}-{item.competence}@conton', stamp,
                  _fold(f'SUMMARY:{_text(f"{item.name} — {item.client_name} ({item.competence_label})")}'),
                  f'DTSTART;VALUE=DATE:{item.due_date:%Y%m%d}',
                  f'DTEND;VALUE=DATE:{item.due_date + timedelta(days=1):%Y%m%d}',
                  _fold(f'DESCRIPTION:{_text(note)}'), 'CATEGORIES:Prazo', 'TRANSP:TRANSPARENT', 'END:VEVENT']
    lines.append('END:VCALENDAR')
    return ('\r\n'.join(lines) + '\r\n').encode()


@functools.lru_cache(maxsize=8)
def _vtimezone(key: str) -> str:
    """The VTIMEZONE of a zone as icalendar writes it (already folded, without the final line break)."""
    from zoneinfo import ZoneInfo
    cal = icalendar.Calendar()
    ev = icalendar.Event()
    ev.add('dtstart', datetime(2026, 1, 1, 12, tzinfo=ZoneInfo(key)))
    cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.walk('VTIMEZONE')[0].to_ical().decode().rstrip('\r\n')


def _text(value: str) -> str:
    """A TEXT value escaped (backslash, comma, semicolon, line breaks) by icalendar itself."""
    return icalendar.vText(value).to_ical().decode()


def _param(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ':;,') else value


def _fold(line: str) -> str:
    """A line longer than 75 octets folded as RFC 5545 says (CRLF and a space, never inside a UTF-8 character)."""
    if len(line) <= 75 and (line.isascii() or len(line.encode()) <= 75):
        return line
    parts, current, size, limit = [], [], 0, 75
    for ch in line:
        n = len(ch.encode())
        if size + n > limit:
            parts.append(''.join(current))
            current, size, limit = [], 0, 74  # a continuation line starts with the space
        current.append(ch)
        size += n
    parts.append(''.join(current))
    return '\r\n '.join(parts)


def _actor_of(token: str) -> Actor:
    from . import auth
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound()
    with unit() as session:
        row = session.exec(select(User).join(CalendarToken, CalendarToken.user_id == User.id)
                           .where(CalendarToken.token_hash == _hash(token),
                                  CalendarToken.revoked_at.is_(None))).first()
        if row is None or not row.active or not row.password_hash:
            raise NotFound()
        if row.client_id is not None:
            client = session.get(Client, row.client_id)
            if client is None or not client.active:
                raise NotFound()
        actor = auth.to_actor(row)
    if not actor.can(agenda.PORTAL_TOOL if actor.is_client else agenda.TOOL, 'read'):
        raise NotFound()
    return actor


def _require(actor: Actor) -> None:
    agenda._require_read(actor)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


__all__ = ['FEED_PREFIX', 'TokenInfo', 'build', 'create_token', 'feed', 'feed_path', 'revoke', 'status']
