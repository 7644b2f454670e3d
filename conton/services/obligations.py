"""Obrigações: the catalogue of tax obligations, their assignment to clients, the due dates of each client for each
competência, done marks, overrides by decree and the office's extra holidays.

Due dates are computed, never stored: the pure rule (conton.br.deadlines.deadline, national holidays) with the
municipal/state holidays of the client's city and UF that the office added, and an override on top (one client's
beats the one for all clients; an override always wins over the rule and is marked as such). Every list (`search`,
`due_today`, `due_this_week`, `overdue`, `done_late`, `month`) runs a fixed handful of queries whatever the number of
clients — assignments with their clients and obligations, overrides, holidays, done marks — and computes the dates
once per (obligation, competência, holiday set).

Competências are 'AAAA-MM' in the database and read models (`competence_label` gives 'MM/AAAA'); the functions take
either form. A client login sees only its own client's obligations that the office made visible to it.

Reminders: source 'obligation' of the reminder engine — `remind_days` before the due date at 08:00 (office time) to
the responsible staff member and, when chosen, to the client's logins; once per assignment and competência; none for
what is done or already past due.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete as sql_delete
from sqlmodel import Session, select

from .. import clock, formatting
from ..br import deadlines
from ..models import (Client, ExtraHoliday, Obligation, ObligationAssignment, ObligationDone, ObligationOverride,
                      User)
from ..models.people import fold
from . import audit, live, readcache, reminders, storage
from .base import as_uuid, unit
from .errors import NotFound, ValidationError
from .form_input import day as _day, text as _text
from .permissions import Actor, require

TOOL = 'agenda'
PORTAL_TOOL = 'portal_agenda'
FILE_FOLDER = 'obligations'
FILE_MAX_BYTES = 10 * 1024 * 1024
REMIND_HOUR = 8  # reminders go out at 08:00 office time
MAX_REMIND_DAYS = 30
OVERDUE_MONTHS = 12  # how far back "overdue" looks
ITEM_KIND = 'obligation'

SPHERES = {'federal': 'Federal', 'estadual': 'Estadual', 'municipal': 'Municipal'}
PERIODICITIES = {'mensal': 'Mensal', 'trimestral': 'Trimestral', 'anual': 'Anual'}
KINDS = {'pagamento': 'Pagamento', 'entrega': 'Entrega (declaração)'}
DUE_RULES = {'dia': 'Dia do mês', 'dia_util': 'N-ésimo dia útil', 'ultimo_dia_util': 'Último dia útil',
             'data_anual': 'Data fixa no ano seguinte'}
SHIFTS = {'antecipa': 'Antecipa', 'prorroga': 'Prorroga', 'mantem': 'Mantém a data'}
STATUS_LABELS = {'pendente': 'Pendente', 'hoje': 'Vence hoje', 'vencido': 'Vencido', 'feito': 'Feito',
                 'feito_atraso': 'Feito com atraso'}
HOLIDAY_SCOPES = {'municipal': 'Municipal', 'estadual': 'Estadual'}

# defaults by regime (services/clients.REGIMES); with employees the payroll ones are added
REGIME_DEFAULTS = {
    'MEI': ('DAS_MEI', 'DASN_SIMEI'),
    'Simples Nacional': ('DAS', 'DEFIS'),
    'Lucro Presumido': ('PIS_COFINS', 'DCTFWEB', 'EFD_CONTRIBUICOES', 'IRPJ_CSLL'),
    'Lucro Real': ('PIS_COFINS', 'DCTFWEB', 'EFD_CONTRIBUICOES', 'IRPJ_CSLL'),
    'Pessoa Física': (),
}
EMPLOYEE_DEFAULTS = ('FGTS', 'ESOCIAL', 'DCTFWEB', 'DARF_INSS_IRRF')
MEI_EMPLOYEE_DEFAULTS = ('DAE_MEI', 'FGTS')  # an MEI with its one employee pays the DAE through the eSocial


# --------------------------------------------------------------------------------------------------------------------
# Read models
# --------------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ObligationRow:
    id: uuid.UUID
    code: str
    name: str
    sphere: str
    periodicity: str
    kind: str
    due_rule: str
    shift: str
    day: int
    months_after: int
    month: int
    basis: str
    active: bool
    custom: bool

    @property
    def rule_label(self) -> str:
        """'Dia 20 do mês seguinte, prorroga' — the rule as a person reads it."""
        after = {1: 'do mês seguinte', 2: 'do segundo mês seguinte', 3: 'do terceiro mês seguinte'}.get(
            self.months_after, f'{self.months_after} meses depois')
        if self.due_rule == 'dia':
            text = f'Dia {self.day} {after}'
        elif self.due_rule == 'dia_util':
            text = f'{self.day}º dia útil {after}'
        elif self.due_rule == 'ultimo_dia_util':
            text = f'Último dia útil {after}'
        else:
            text = f'{self.day:02d}/{self.month:02d} do ano seguinte'
        return f'{text}, {SHIFTS[self.shift].lower()}' if self.due_rule in ('dia', 'data_anual') else text


@dataclass(frozen=True)
class AssignmentRow:
    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    obligation_id: uuid.UUID
    code: str
    name: str
    responsible_id: uuid.UUID | None
    responsible_name: str
    visible_to_client: bool
    remind_days: int
    remind_client: bool
    since: str


@dataclass(frozen=True)
class DueItem:
    """One obligation of one client for one competência, with its due date (dates in the office's calendar)."""
    assignment_id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    obligation_id: uuid.UUID
    code: str
    name: str
    kind: str  # pagamento | entrega
    sphere: str
    competence: str  # 'AAAA-MM'
    due_date: date
    rule_date: date  # what the rule says (equal to due_date unless overridden)
    overridden: bool
    override_note: str
    responsible_id: uuid.UUID | None
    responsible_name: str
    visible_to_client: bool
    done_at: datetime | None  # office time zone
    done_by_name: str
    no_movement: bool
    has_file: bool
    today: date

    @property
    def competence_label(self) -> str:
        return formatting.competence(self.competence)

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def done_late(self) -> bool:
        return self.done_at is not None and self.done_at.date() > self.due_date

    @property
    def status(self) -> str:
        if self.done_at is not None:
            return 'feito_atraso' if self.done_late else 'feito'
        if self.due_date < self.today:
            return 'vencido'
        return 'hoje' if self.due_date == self.today else 'pendente'

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def key(self) -> str:
        """Stable text key ('<assignment id>/<AAAA-MM>'): iCal UIDs, element ids."""
        return f'{self.assignment_id}/{self.competence}'


@dataclass(frozen=True)
class OverrideRow:
    id: uuid.UUID
    obligation_id: uuid.UUID
    code: str
    competence: str
    client_id: uuid.UUID | None
    client_name: str  # '' = every client
    due_date: date
    note: str


@dataclass(frozen=True)
class HolidayRow:
    id: uuid.UUID
    day: date
    name: str
    scope: str
    uf: str
    city: str


# --------------------------------------------------------------------------------------------------------------------
# Due dates
# --------------------------------------------------------------------------------------------------------------------

def search(actor: Actor, start: date, end: date, *, status: str = '', client_id=None, responsible_id=None,
           obligation_id=None) -> list[DueItem]:
    """The due items whose due date is in [start, end] (both inclusive), by due date then client. `status`: '' (all),
    'aberto' (not done), 'feito', 'feito_atraso', 'vencido', 'hoje', 'pendente'. Kept in memory until a write to
    the tables it reads (readcache; a fresh list for each caller): the month of a large office is 4,000 items."""
    _require_read(actor)
    client_id, responsible_id, obligation_id = (str(as_uuid(v)) if v else None
                                                for v in (client_id, responsible_id, obligation_id))
    scope = readcache.scope(actor)
    key = (scope, start, end, status, client_id, responsible_id, obligation_id, clock.today())

    def compute() -> tuple[DueItem, ...]:
        with unit(actor) as session:
            items = _due_items(session, actor, start, end, client_id=client_id, responsible_id=responsible_id,
                               obligation_id=obligation_id)
        return tuple(_with_status(items, status))
    return list(readcache.memo('obligations.search', key, DUE_TABLES, compute))


# the tables due items are read from (readcache)
DUE_TABLES = ('obligation', 'obligationassignment', 'obligationdone', 'obligationoverride', 'extraholiday', 'client',
              'user', 'office', 'officesetting')


def groups(actor: Actor, start: date, end: date, *, client_id=None, responsible_id=None,
           obligation_id=None) -> list[DueGroup]:
    """The due dates in [start, end] counted per day and obligation (the calendars' chips), in a few grouped
    queries whatever the number of clients; the same dates and situations as `search`."""
    _require_read(actor)
    with unit(actor) as session:
        return _due_groups(session, actor, start, end, client_id=client_id, responsible_id=responsible_id,
                           obligation_id=obligation_id)


def month(actor: Actor, year: int, month_no: int, **filters) -> list[DueItem]:
    """The due items of a calendar month (the Agenda's month view)."""
    first = date(year, month_no, 1)
    last = date(year + month_no // 12, month_no % 12 + 1, 1) - timedelta(days=1)
    return search(actor, first, last, **filters)


def due_today(actor: Actor, **filters) -> list[DueItem]:
    today = clock.today()
    return search(actor, today, today, status='aberto', **filters)


def due_this_week(actor: Actor, **filters) -> list[DueItem]:
    """Not done, due from today to Sunday."""
    today = clock.today()
    return search(actor, today, today + timedelta(days=6 - today.weekday()), status='aberto', **filters)


def overdue(actor: Actor, **filters) -> list[DueItem]:
    """Not done and past due (within the last OVERDUE_MONTHS months, from each assignment's first competência)."""
    today = clock.today()
    return search(actor, _add_months(today, -OVERDUE_MONTHS), today - timedelta(days=1), status='aberto', **filters)


def done_late(actor: Actor, start: date, end: date, **filters) -> list[DueItem]:
    """Done after their due date, for due dates in [start, end]."""
    return search(actor, start, end, status='feito_atraso', **filters)


def due_for(actor: Actor, client_id, obligation: str | uuid.UUID, competence: str) -> DueItem:
    """The due item of one client's obligation (code or id) for one competência ('MM/AAAA' or 'AAAA-MM')."""
    _require_read(actor)
    comp = clean_competence(competence)
    with unit(actor) as session:
        ob = _obligation_by(session, obligation)
        rule = _rule(ob)
        _check_period(rule, comp)
        guess = deadlines.deadline(rule, _mm_aaaa(comp))
        for item in _due_items(session, actor, guess - timedelta(days=60), guess + timedelta(days=60),
                               client_id=client_id, obligation_id=ob.id):
            if item.competence == comp:
                return item
    raise NotFound()


def clean_competence(value: str, field: str = 'competence') -> str:
    """'MM/AAAA' or 'AAAA-MM' -> 'AAAA-MM'; ValidationError otherwise."""
    text = value.strip() if isinstance(value, str) else ''
    if len(text) == 7 and text[4] == '-':
        text = f'{text[5:]}/{text[:4]}'
    try:
        year, month_no = deadlines.parse_competence(text)
    except ValueError as e:
        raise ValidationError('Competência inválida. Use mm/aaaa.', field) from e
    return f'{year:04d}-{month_no:02d}'


# --------------------------------------------------------------------------------------------------------------------
# Done marks
# --------------------------------------------------------------------------------------------------------------------

def mark_done(actor: Actor, client_id, obligation_id, competence: str, *, no_movement: bool = False, note: str = '',
              file: storage.Stored | None = None) -> DueItem:
    """Mark a client's obligation done for a competência (who and when are recorded), optionally "sem movimento"
    and with the guide/receipt stored by `save_file`. Marking again replaces the mark."""
    require(actor, TOOL, 'write')
    comp = clean_competence(competence)
    errors: dict[str, str] = {}
    note = _text(note, 'note', errors, max_len=500, multiline=True)
    if file is not None and file.folder != FILE_FOLDER:
        errors['file'] = 'Arquivo inválido.'
    if errors:
        raise ValidationError(errors)
    with unit(actor) as session:
        assignment = _assignment_of(session, client_id, obligation_id)
        ob = session.get(Obligation, assignment.obligation_id)
        _check_period(_rule(ob), comp)
        mark = session.exec(select(ObligationDone).where(ObligationDone.client_id == assignment.client_id,
                                                         ObligationDone.obligation_id == ob.id,
                                                         ObligationDone.competence == comp)).first()
        old_file = mark.file if mark is not None else ''
        mark = mark or ObligationDone(client_id=assignment.client_id, obligation_id=ob.id, competence=comp)
        mark.done_at, mark.done_by, mark.no_movement, mark.note = clock.now(), actor.user_id, bool(no_movement), note
        if file is not None:
            mark.file, mark.file_name, mark.file_mime = file.name, file.original_name, file.mime
        session.add(mark)
        if old_file and file is not None and old_file != file.name:
            _remove_after_commit(session, old_file)
        audit.record(session, actor, 'update', 'obligation_done', mark.id,
                     f'{ob.code} {formatting.competence(comp)} feito' + (' (sem movimento)' if no_movement else ''))
        live.announce(session, tool=TOOL, client_id=assignment.client_id, item_id=assignment.id)
    return due_for(actor, client_id, obligation_id, comp)


def undo_done(actor: Actor, client_id, obligation_id, competence: str) -> None:
    require(actor, TOOL, 'write')
    comp = clean_competence(competence)
    with unit(actor) as session:
        assignment = _assignment_of(session, client_id, obligation_id)
        mark = session.exec(select(ObligationDone).where(ObligationDone.client_id == assignment.client_id,
                                                         ObligationDone.obligation_id == assignment.obligation_id,
                                                         ObligationDone.competence == comp)).first()
        if mark is None:
            raise NotFound()
        if mark.file:
            _remove_after_commit(session, mark.file)
        session.delete(mark)
        audit.record(session, actor, 'update', 'obligation_done', mark.id, f'{formatting.competence(comp)} desfeito')
        live.announce(session, tool=TOOL, client_id=assignment.client_id, item_id=assignment.id)


async def save_file(actor: Actor, file) -> storage.Stored:
    """Store an uploaded guide or receipt (PDF or image, ≤ 10 MB, checked by content) for `mark_done`."""
    require(actor, TOOL, 'write')
    return await storage.save_upload(file, folder=FILE_FOLDER, max_bytes=FILE_MAX_BYTES,
                                     allowed=storage.IMAGES_AND_PDF)


def file_of(actor: Actor, client_id, obligation_id, competence: str) -> tuple[str, str, bytes]:
    """(name, mime, bytes) of a done mark's file; a client login only its own, visible ones (else NotFound)."""
    _require_read(actor)
    comp = clean_competence(competence)
    with unit(actor) as session:
        assignment = _assignment_of(session, client_id, obligation_id, actor=actor)
        mark = session.exec(select(ObligationDone).where(ObligationDone.client_id == assignment.client_id,
                                                         ObligationDone.obligation_id == assignment.obligation_id,
                                                         ObligationDone.competence == comp)).first()
        if mark is None or not mark.file:
            raise NotFound()
        name, mime, stored = mark.file_name, mark.file_mime, mark.file
    return name, mime, storage.read(FILE_FOLDER, stored)


# --------------------------------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------------------------------

def catalogue(actor: Actor, *, include_inactive: bool = True) -> list[ObligationRow]:
    _require_read(actor)

    def compute() -> tuple[ObligationRow, ...]:
        with unit(actor) as session:
            query = select(Obligation).order_by(Obligation.name)
            if not include_inactive:
                query = query.where(Obligation.active == True)  # noqa: E712
            return tuple(_ob_row(o) for o in session.exec(query).all())
    return list(readcache.memo('obligations.catalogue', include_inactive, ('obligation',), compute))


def create_obligation(actor: Actor, **fields) -> uuid.UUID:
    """An obligation the office adds: code, name, sphere, periodicity, kind, due_rule, shift, day, months_after,
    month, basis (see DUE_RULES, SHIFTS …)."""
    require(actor, TOOL, 'write')
    values = _clean_obligation(fields)
    with unit(actor) as session:
        if session.exec(select(Obligation.id).where(Obligation.code == values['code'])).first():
            raise ValidationError('Já existe uma obrigação com este código.', 'code')
        ob = Obligation(**values, custom=True)
        session.add(ob)
        session.flush()
        audit.record(session, actor, 'create', 'obligation', ob.id, ob.code)
        live.announce(session, tool=TOOL, item_id=ob.id)
        return ob.id


def update_obligation(actor: Actor, obligation_id, **fields) -> None:
    """Edit the catalogue (shipped obligations too: an ISS of the office's city, a rule changed by law)."""
    require(actor, TOOL, 'write')
    values = _clean_obligation(fields)
    with unit(actor) as session:
        ob = _get(session, Obligation, obligation_id)
        clash = session.exec(select(Obligation.id).where(Obligation.code == values['code'],
                                                         Obligation.id != ob.id)).first()
        if clash:
            raise ValidationError('Já existe uma obrigação com este código.', 'code')
        for key, value in values.items():
            setattr(ob, key, value)
        session.add(ob)
        audit.record(session, actor, 'update', 'obligation', ob.id, ob.code)
        live.announce(session, tool=TOOL, item_id=ob.id)


def set_obligation_active(actor: Actor, obligation_id, active: bool) -> None:
    """An inactive obligation leaves every list, the agenda and the reminders (its assignments stay)."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        ob = _get(session, Obligation, obligation_id)
        ob.active = bool(active)
        session.add(ob)
        audit.record(session, actor, 'enable' if active else 'disable', 'obligation', ob.id, ob.code)
        live.announce(session, tool=TOOL, item_id=ob.id)


def delete_obligation(actor: Actor, obligation_id) -> None:
    """Only an obligation the office added and no client has; otherwise deactivate it."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        ob = _get(session, Obligation, obligation_id)
        used = session.exec(select(ObligationAssignment.id).where(ObligationAssignment.obligation_id == ob.id)).first()
        if not ob.custom or used:
            raise ValidationError('Esta obrigação não pode ser excluída (é do catálogo ou tem clientes): '
                                  'desative-a.', '')
        session.exec(sql_delete(ObligationOverride).where(ObligationOverride.obligation_id == ob.id))
        session.delete(ob)
        audit.record(session, actor, 'delete', 'obligation', ob.id, ob.code)
        live.announce(session, tool=TOOL, item_id=ob.id)


SEED_NAMESPACE = uuid.UUID('6b1f0f8e-3c1a-4f7e-9a56-0c0a9e1d0005')  # the ids revision 0005 gave the shipped rows


def shipped() -> list[deadlines.Rule]:
    """The obligations Conton ships: the national rules and an ISS to be set per municipality."""
    return [*deadlines.CATALOGUE.values(),
            deadlines.iss_rule(10, deadlines.Shift.PRORROGA, name='ISS (municipal)')]


def seed_catalogue() -> int:
    """Put back any shipped obligation that is missing (revision 0005 seeds them; a database emptied by hand or by
    the test suite's TRUNCATE has none). Existing rows, edited or not, are left alone. Returns how many it added."""
    with unit() as session:
        have = set(session.exec(select(Obligation.code)).all())
        added = 0
        for r in shipped():
            if r.code in have:
                continue
            session.add(Obligation(id=uuid.uuid5(SEED_NAMESPACE, r.code), code=r.code, name=r.name,
                                   sphere=r.sphere.value, periodicity=r.periodicity.value, kind=r.kind.value,
                                   due_rule=r.due.value, shift=r.shift.value, day=r.day, months_after=r.months_after,
                                   month=r.month, basis=r.basis))
            added += 1
        return added


# --------------------------------------------------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------------------------------------------------

def default_codes(regime: str, *, with_employees: bool = False) -> list[str]:
    """The obligations a client of `regime` has by default (services/clients.REGIMES)."""
    codes = list(REGIME_DEFAULTS.get(regime, ()))
    if with_employees:
        codes += MEI_EMPLOYEE_DEFAULTS if regime == 'MEI' else EMPLOYEE_DEFAULTS
    return list(dict.fromkeys(codes))


def assign_defaults(actor: Actor, client_id, *, with_employees: bool = False, responsible_id=None,
                    visible_to_client: bool = False) -> list[uuid.UUID]:
    """Assign the defaults of the client's regime (skipping those it has or that are inactive). Returns the new
    assignment ids."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        client = _get(session, Client, client_id)
        codes = default_codes(client.tax_regime, with_employees=with_employees)
        obs = session.exec(select(Obligation).where(Obligation.code.in_(codes), Obligation.active == True)).all()  # noqa: E712
        have = set(session.exec(select(ObligationAssignment.obligation_id)
                                .where(ObligationAssignment.client_id == client.id)).all())
        responsible = _responsible(session, responsible_id)
        since = _default_since()
        created = []
        for ob in sorted(obs, key=lambda o: codes.index(o.code)):
            if ob.id in have:
                continue
            a = ObligationAssignment(client_id=client.id, obligation_id=ob.id, responsible_id=responsible,
                                     visible_to_client=visible_to_client, since=since)
            session.add(a)
            session.flush()
            created.append(a.id)
        audit.record(session, actor, 'create', 'obligation_assignment', client.id,
                     f'{client.name}: {", ".join(codes)}')
        live.announce(session, tool=TOOL, client_id=client.id)
        return created


def assign(actor: Actor, client_id, obligation_id, *, responsible_id=None, visible_to_client: bool = False,
           remind_days=3, remind_client: bool = False, since: str | None = None) -> uuid.UUID:
    """Give a client one obligation (from competência `since`, default last month's)."""
    require(actor, TOOL, 'write')
    values = _clean_assignment(responsible_id, visible_to_client, remind_days, remind_client, since)
    with unit(actor) as session:
        client = _get(session, Client, client_id)
        ob = _get(session, Obligation, obligation_id)
        if session.exec(select(ObligationAssignment.id).where(ObligationAssignment.client_id == client.id,
                                                              ObligationAssignment.obligation_id == ob.id)).first():
            raise ValidationError('O cliente já tem esta obrigação.', 'obligation_id')
        values['responsible_id'] = _responsible(session, values['responsible_id'])
        a = ObligationAssignment(client_id=client.id, obligation_id=ob.id, **values)
        session.add(a)
        session.flush()
        audit.record(session, actor, 'create', 'obligation_assignment', a.id, f'{client.name}: {ob.code}')
        live.announce(session, tool=TOOL, client_id=client.id, item_id=a.id)
        return a.id


def update_assignment(actor: Actor, assignment_id, *, responsible_id=None, visible_to_client: bool = False,
                      remind_days=3, remind_client: bool = False, since: str | None = None) -> None:
    require(actor, TOOL, 'write')
    values = _clean_assignment(responsible_id, visible_to_client, remind_days, remind_client, since)
    with unit(actor) as session:
        a = _get(session, ObligationAssignment, assignment_id)
        values['responsible_id'] = _responsible(session, values['responsible_id'])
        for key, value in values.items():
            if key != 'since' or since is not None:
                setattr(a, key, value)
        session.add(a)
        audit.record(session, actor, 'update', 'obligation_assignment', a.id)
        live.announce(session, tool=TOOL, client_id=a.client_id, item_id=a.id)


def unassign(actor: Actor, assignment_id) -> None:
    """The client no longer has this obligation (its done marks stay, for the record)."""
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        a = _get(session, ObligationAssignment, assignment_id)
        session.delete(a)
        reminders.forget(session, ITEM_KIND, [a.id])
        audit.record(session, actor, 'delete', 'obligation_assignment', a.id)
        live.announce(session, tool=TOOL, client_id=a.client_id, item_id=a.id)


def assignments(actor: Actor, client_id=None, *, responsible_id=None) -> list[AssignmentRow]:
    """A client's obligations (or every client's), by client and name; a client login only its visible ones."""
    _require_read(actor)
    with unit(actor) as session:
        query = (select(ObligationAssignment, Obligation, Client.name, User.name)
                 .join(Obligation, Obligation.id == ObligationAssignment.obligation_id)
                 .join(Client, Client.id == ObligationAssignment.client_id)
                 .outerjoin(User, User.id == ObligationAssignment.responsible_id))
        query = _scope_assignments(query, actor)
        if client_id:
            query = query.where(ObligationAssignment.client_id == as_uuid(client_id))
        if responsible_id:
            query = query.where(ObligationAssignment.responsible_id == as_uuid(responsible_id))
        rows = session.exec(query.order_by(Client.sort_name, Obligation.name)).all()
        return [AssignmentRow(a.id, a.client_id, cname, o.id, o.code, o.name, a.responsible_id, rname or '',
                              a.visible_to_client, a.remind_days, a.remind_client, a.since)
                for a, o, cname, rname in rows]


# --------------------------------------------------------------------------------------------------------------------
# Overrides and holidays
# --------------------------------------------------------------------------------------------------------------------

def set_override(actor: Actor, obligation_id, competence: str, due_date, *, client_id=None, note: str = ''
                 ) -> uuid.UUID:
    """A decree moved the due date of one obligation and competência (for every client, or one): the new date wins
    over the rule and is shown as overridden. Setting it again replaces it."""
    require(actor, TOOL, 'write')
    errors: dict[str, str] = {}
    comp = None
    try:
        comp = clean_competence(competence)
    except ValidationError as e:
        errors.update(e.errors)
    day = _day(due_date, 'due_date', errors, label='a nova data')
    note = _text(note, 'note', errors, max_len=500)
    if errors:
        raise ValidationError(errors)
    with unit(actor) as session:
        ob = _get(session, Obligation, obligation_id)
        _check_period(_rule(ob), comp)
        client = _get(session, Client, client_id).id if client_id else None
        row = session.exec(select(ObligationOverride).where(ObligationOverride.obligation_id == ob.id,
                                                            ObligationOverride.competence == comp,
                                                            ObligationOverride.client_id == client
                                                            if client else ObligationOverride.client_id.is_(None))
                           ).first()
        row = row or ObligationOverride(obligation_id=ob.id, competence=comp, client_id=client, due_date=day)
        row.due_date, row.note = day, note
        session.add(row)
        session.flush()
        audit.record(session, actor, 'update', 'obligation_override', row.id,
                     f'{ob.code} {formatting.competence(comp)} -> {formatting.day(day)}')
        live.announce(session, tool=TOOL, client_id=client, item_id=ob.id)
        return row.id


def remove_override(actor: Actor, override_id) -> None:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        row = _get(session, ObligationOverride, override_id)
        session.delete(row)
        audit.record(session, actor, 'delete', 'obligation_override', row.id)
        live.announce(session, tool=TOOL, client_id=row.client_id, item_id=row.obligation_id)


def overrides(actor: Actor, *, obligation_id=None) -> list[OverrideRow]:
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        query = (select(ObligationOverride, Obligation.code, Client.name)
                 .join(Obligation, Obligation.id == ObligationOverride.obligation_id)
                 .outerjoin(Client, Client.id == ObligationOverride.client_id))
        if obligation_id:
            query = query.where(ObligationOverride.obligation_id == as_uuid(obligation_id))
        rows = session.exec(query.order_by(ObligationOverride.competence.desc(), Obligation.code)).all()
        return [OverrideRow(o.id, o.obligation_id, code, o.competence, o.client_id, cname or '', o.due_date, o.note)
                for o, code, cname in rows]


def add_holiday(actor: Actor, day, name: str, *, scope: str = 'municipal', uf: str = '', city: str = '') -> uuid.UUID:
    """A municipal or state holiday: without UF and city it applies to every client (the office's city); with them
    to the clients of that UF (estadual) or that city and UF (municipal)."""
    require(actor, TOOL, 'write')
    from .validation import uf as _uf
    errors: dict[str, str] = {}
    d = _day(day, 'day', errors, label='a data')
    name = _text(name, 'name', errors, label='o nome', required=True, max_len=120)
    city = _text(city, 'city', errors, max_len=100)
    if scope not in HOLIDAY_SCOPES:
        errors['scope'] = 'Escolha municipal ou estadual.'
    try:
        uf = _uf(uf)
    except ValidationError as e:
        errors.update(e.errors)
    if scope == 'municipal' and city and not uf:
        errors['uf'] = 'Informe a UF do município.'
    if scope == 'estadual' and not uf:
        errors['uf'] = 'Informe a UF.'
    if errors:
        raise ValidationError(errors)
    with unit(actor) as session:
        row = ExtraHoliday(day=d, name=name, scope=scope, uf=uf, city=city if scope == 'municipal' else '')
        session.add(row)
        session.flush()
        audit.record(session, actor, 'create', 'holiday', row.id, f'{formatting.day(d)} {name}')
        live.announce(session, tool=TOOL, item_id=row.id)
        return row.id


def remove_holiday(actor: Actor, holiday_id) -> None:
    require(actor, TOOL, 'write')
    with unit(actor) as session:
        row = _get(session, ExtraHoliday, holiday_id)
        session.delete(row)
        audit.record(session, actor, 'delete', 'holiday', row.id, row.name)
        live.announce(session, tool=TOOL, item_id=row.id)


def holidays(actor: Actor, year: int | None = None) -> list[HolidayRow]:
    require(actor, TOOL, 'read')
    with unit(actor) as session:
        query = select(ExtraHoliday).order_by(ExtraHoliday.day, ExtraHoliday.name)
        if year:
            query = query.where(ExtraHoliday.day >= date(year, 1, 1), ExtraHoliday.day <= date(year, 12, 31))
        return [HolidayRow(h.id, h.day, h.name, h.scope, h.uf, h.city) for h in session.exec(query).all()]


# --------------------------------------------------------------------------------------------------------------------
# Internals: the due-date computation (a fixed number of queries)
# --------------------------------------------------------------------------------------------------------------------

class _DueCalendar:
    """The due dates of the loaded obligations for [start, end], by (obligation, place): the rule with the place's
    extra holidays and the override for all clients on top, computed once per (obligation, competência, place).
    Overrides for one client are kept apart (`per_client`) for the callers to apply. Two queries: overrides and
    extra holidays."""

    def __init__(self, session: Session, obs: dict[uuid.UUID, Obligation], start: date, end: date) -> None:
        self.start, self.end = start, end
        self.first_comp, self.last_comp = _competence_of(_add_months(start, -16)), _competence_of(end)
        self.rules = {oid: _rule(o) for oid, o in obs.items()}
        self.general: dict[tuple, ObligationOverride] = {}
        self.per_client: dict[tuple, ObligationOverride] = {}
        for o in session.exec(select(ObligationOverride).where(ObligationOverride.obligation_id.in_(list(obs)),
                                                               ObligationOverride.competence >= self.first_comp,
                                                               ObligationOverride.competence <= self.last_comp)).all():
            if o.client_id is None:
                self.general[(o.obligation_id, o.competence)] = o
            else:
                self.per_client[(o.obligation_id, o.competence, o.client_id)] = o
        self.moved = {(ob, comp) for ob, comp, _ in self.per_client}  # (obligation, competência) moved for someone
        self.extra = session.exec(select(ExtraHoliday).where(ExtraHoliday.day >= date(start.year - 2, 1, 1),
                                                             ExtraHoliday.day <= date(end.year + 1, 12, 31))).all()
        self._places: dict[tuple[str, str], tuple[str, str]] = {}
        self._holidays: dict[tuple[str, str], frozenset[date]] = {}
        self._dates: dict[tuple, list[tuple]] = {}

    def place(self, uf: str | None, city: str | None) -> tuple[str, str]:
        raw = (uf or '', city or '')
        if raw not in self._places:
            self._places[raw] = ((uf or '').upper(), fold(city))
        return self._places[raw]

    def dates(self, ob_id: uuid.UUID, place: tuple[str, str]) -> list[tuple]:
        """[(competência, rule date, due date, general override or None)] of the competências whose due date (or a
        one-client override) may fall in [start, end], in order."""
        key = (ob_id, place)
        found = self._dates.get(key)
        if found is None:
            if place not in self._holidays:
                self._holidays[place] = frozenset(h.day for h in self.extra if _applies(h, *place))
            hset, rule, found = self._holidays[place], self.rules[ob_id], []
            for comp in _competences(rule, self.first_comp, self.last_comp):
                try:
                    rule_date = deadlines.deadline(rule, _mm_aaaa(comp), extra_holidays=hset)
                except ValueError:
                    continue
                override = self.general.get((ob_id, comp))
                due = override.due_date if override is not None else rule_date
                if self.start <= due <= self.end or (ob_id, comp) in self.moved:
                    found.append((comp, rule_date, due, override))
            self._dates[key] = found
        return found


def _assignment_filters(query, actor: Actor | None, client_id, responsible_id, obligation_id, active_clients: bool):
    query = query.where(Obligation.active == True)  # noqa: E712
    if active_clients:
        query = query.where(Client.active == True)  # noqa: E712
    if actor is not None:
        query = _scope_assignments(query, actor)
    if client_id:
        query = query.where(ObligationAssignment.client_id == as_uuid(client_id))
    if responsible_id:
        query = query.where(ObligationAssignment.responsible_id == as_uuid(responsible_id))
    if obligation_id:
        query = query.where(ObligationAssignment.obligation_id == as_uuid(obligation_id))
    return query


def _due_items(session: Session, actor: Actor | None, start: date, end: date, *, client_id=None, responsible_id=None,
               obligation_id=None, today: date | None = None, active_clients: bool = True) -> list[DueItem]:
    today = today or clock.today()
    A = ObligationAssignment  # noqa: N806
    query = (select(A.id, A.client_id, A.obligation_id, A.responsible_id, A.visible_to_client, A.since, Client.name,
                    Client.uf, Client.city, User.name)
             .join(Obligation, Obligation.id == A.obligation_id)
             .join(Client, Client.id == A.client_id)
             .outerjoin(User, User.id == A.responsible_id))
    rows = session.exec(_assignment_filters(query, actor, client_id, responsible_id, obligation_id,
                                            active_clients)).all()
    if not rows:
        return []
    obs = {o.id: o for o in session.exec(select(Obligation).where(Obligation.id.in_({r[2] for r in rows}))).all()}
    cal = _DueCalendar(session, obs, start, end)
    per_client = cal.per_client
    found: list[tuple] = []
    for row in rows:
        a_client, ob_id, since = row[1], row[2], row[5]
        for comp, rule_date, due, override in cal.dates(ob_id, cal.place(row[7], row[8])):
            if comp < since:
                continue
            if per_client:
                mine = per_client.get((ob_id, comp, a_client))
                if mine is not None:
                    due, override = mine.due_date, mine
            if start <= due <= end:
                found.append((row, comp, due, rule_date, override))
    if not found:
        return []
    clients = list({f[0][1] for f in found})
    comps = sorted({f[1] for f in found})
    marks: dict[tuple, tuple] = {}
    for chunk in _chunks(clients, 500):
        for m_client, m_ob, m_comp, done_at, no_movement, m_file, who in session.exec(
                select(ObligationDone.client_id, ObligationDone.obligation_id, ObligationDone.competence,
                       ObligationDone.done_at, ObligationDone.no_movement, ObligationDone.file, User.name)
                .outerjoin(User, User.id == ObligationDone.done_by)
                .where(ObligationDone.client_id.in_(chunk), ObligationDone.competence >= comps[0],
                       ObligationDone.competence <= comps[-1])).all():
            marks[(m_client, m_ob, m_comp)] = (clock.local(done_at), who or '', bool(no_movement), bool(m_file))
    none = (None, '', False, False)
    items = []
    for row, comp, due, rule_date, override in found:
        a_id, a_client, ob_id, responsible, visible, _, cname, _, _, rname = row
        ob = obs[ob_id]
        done_at, who, no_movement, has_file = marks.get((a_client, ob_id, comp), none)
        items.append(DueItem(a_id, a_client, cname, ob_id, ob.code, ob.name, ob.kind, ob.sphere, comp, due,
                             rule_date, override is not None, override.note if override is not None else '',
                             responsible, rname or '', visible, done_at, who, no_movement, has_file, today))
    folded: dict[str, str] = {}
    for i in items:
        if i.client_name not in folded:
            folded[i.client_name] = fold(i.client_name)
    items.sort(key=lambda i: (i.due_date, folded[i.client_name], i.name, i.competence))
    return items


@dataclass(frozen=True)
class DueGroup:
    """The due dates of one obligation on one day over the clients in view (a calendar's chip: 'DAS — 12
    clientes'); with one client, that client's name and situation."""
    due_date: date
    obligation_id: uuid.UUID
    code: str
    name: str
    competence: str  # 'AAAA-MM' (the first, if several fall due that day)
    count: int
    open: int
    overridden: bool
    client_name: str  # with count == 1
    done_at: datetime | None  # with count == 1 (office time zone)
    today: date

    @property
    def competence_label(self) -> str:
        return formatting.competence(self.competence)

    @property
    def done(self) -> bool:
        return self.open == 0

    @property
    def status_label(self) -> str:
        """The situation of a single client's due date (as DueItem.status_label)."""
        if self.open == 0:
            late = self.done_at is not None and self.done_at.date() > self.due_date
            return STATUS_LABELS['feito_atraso' if late else 'feito']
        if self.due_date < self.today:
            return STATUS_LABELS['vencido']
        return STATUS_LABELS['hoje' if self.due_date == self.today else 'pendente']


def _due_groups(session: Session, actor: Actor, start: date, end: date, *, client_id=None, responsible_id=None,
                obligation_id=None, today: date | None = None) -> list[DueGroup]:
    """The due dates in [start, end] counted per day and obligation, without a row per client: the assignments and
    the done marks are read grouped by (obligation, place, first competência), so the statements and the work do
    not grow with the number of clients (a month of an office of 500 clients with 8 obligations each is 4,000 due
    dates and a few dozen groups). One-client overrides move their client with one more query, only when there
    are such overrides. The same dates as `_due_items`."""
    from sqlalchemy import func
    today = today or clock.today()
    A, D = ObligationAssignment, ObligationDone  # noqa: N806
    filters = dict(client_id=client_id, responsible_id=responsible_id, obligation_id=obligation_id,
                   active_clients=True)
    query = (select(Obligation, Client.uf, Client.city, A.since, func.count(), func.min(Client.name))
             .join(Obligation, Obligation.id == A.obligation_id).join(Client, Client.id == A.client_id)
             .group_by(Obligation.id, Client.uf, Client.city, A.since))
    groups = session.exec(_assignment_filters(query, actor, **filters)).all()
    if not groups:
        return []
    obs = {g[0].id: g[0] for g in groups}
    cal = _DueCalendar(session, obs, start, end)
    marks: dict[tuple, tuple[int, datetime | None]] = {}
    query = (select(D.obligation_id, D.competence, Client.uf, Client.city, A.since, func.count(), func.max(D.done_at))
             .join(A, (A.client_id == D.client_id) & (A.obligation_id == D.obligation_id))
             .join(Obligation, Obligation.id == A.obligation_id).join(Client, Client.id == A.client_id)
             .where(D.competence >= cal.first_comp, D.competence <= cal.last_comp, D.competence >= A.since)
             .group_by(D.obligation_id, D.competence, Client.uf, Client.city, A.since))
    for ob_id, comp, uf, city, since, n, last in session.exec(_assignment_filters(query, actor, **filters)).all():
        marks[(ob_id, comp, uf, city, since)] = (n, last)
    # (day, obligation) -> [count, done, first competência, overridden, name of a single client, its done_at]
    days: dict[tuple, list] = {}

    def add(day: date, ob_id, comp: str, n: int, done: int, overridden: bool, name: str, done_at) -> None:
        if not start <= day <= end:
            return
        e = days.setdefault((day, ob_id), [0, 0, comp, False, '', None])
        e[0] += n
        e[1] += done
        e[2] = min(e[2], comp)
        e[3] = e[3] or (overridden and n > 0)
        if n == 1:
            e[4], e[5] = name, done_at
        elif n < 0:
            e[4] = ''
    for ob, uf, city, since, n, name in groups:
        for comp, _, due, override in cal.dates(ob.id, cal.place(uf, city)):
            if comp >= since:
                done, last = marks.get((ob.id, comp, uf, city, since), (0, None))
                add(due, ob.id, comp, n, done, override is not None, name if n == 1 else '',
                    clock.local(last) if last and done else None)
    moved = [(ob_id, comp, cid, o) for (ob_id, comp, cid), o in cal.per_client.items()]
    if moved:  # one client's own override: take it from the general date, put it on its own
        query = (select(A.client_id, A.obligation_id, A.since, Client.uf, Client.city, Client.name)
                 .join(Obligation, Obligation.id == A.obligation_id).join(Client, Client.id == A.client_id)
                 .where(A.client_id.in_({m[2] for m in moved})))
        mine = {(r[0], r[1]): r for r in session.exec(_assignment_filters(query, actor, **filters)).all()}
        done_marks = {(c, o, comp): at for c, o, comp, at in session.exec(
            select(D.client_id, D.obligation_id, D.competence, D.done_at)
            .where(D.client_id.in_({m[2] for m in moved}), D.competence.in_({m[1] for m in moved}))).all()}
        for ob_id, comp, cid, o in moved:
            row = mine.get((cid, ob_id))
            if row is None or comp < row[2]:
                continue
            general = next((d for d in cal.dates(ob_id, cal.place(row[3], row[4])) if d[0] == comp), None)
            at = done_marks.get((cid, ob_id, comp))
            done = 1 if at is not None else 0
            if general is not None:
                add(general[2], ob_id, comp, -1, -done, False, '', None)
            add(o.due_date, ob_id, comp, 1, done, True, row[5], clock.local(at) if at else None)
    out = []
    for (day, ob_id), (n, done, comp, overridden, name, done_at) in days.items():
        if n <= 0:
            continue
        ob = obs[ob_id]
        out.append(DueGroup(day, ob_id, ob.code, ob.name, comp, n, n - done, overridden, name if n == 1 else '',
                            done_at if n == 1 else None, today))
    out.sort(key=lambda g: (g.due_date, g.name))
    return out


def _with_status(items: list[DueItem], status: str) -> list[DueItem]:
    if not status:
        return items
    if status == 'aberto':
        return [i for i in items if not i.done]
    return [i for i in items if i.status == status]


def _competences(rule: deadlines.Rule, first: str, last: str) -> Iterable[str]:
    months = {deadlines.Periodicity.MENSAL: range(1, 13), deadlines.Periodicity.TRIMESTRAL: (3, 6, 9, 12),
              deadlines.Periodicity.ANUAL: (12,)}[rule.periodicity]
    year, month_no = int(first[:4]), int(first[5:])
    while f'{year:04d}-{month_no:02d}' <= last:
        if month_no in months:
            yield f'{year:04d}-{month_no:02d}'
        month_no += 1
        if month_no > 12:
            year, month_no = year + 1, 1


def _applies(h: ExtraHoliday, uf: str, city: str) -> bool:
    if not h.uf:
        return True
    if h.uf != uf:
        return False
    return h.scope == 'estadual' or not h.city or fold(h.city) == city


def _rule(ob: Obligation) -> deadlines.Rule:
    return deadlines.Rule(ob.code, ob.name, deadlines.Sphere(ob.sphere), deadlines.Periodicity(ob.periodicity),
                          deadlines.Kind(ob.kind), deadlines.Due(ob.due_rule), deadlines.Shift(ob.shift),
                          day=ob.day, months_after=ob.months_after, month=ob.month, basis=ob.basis)


def _check_period(rule: deadlines.Rule, comp: str) -> None:
    try:
        deadlines.deadline(rule, _mm_aaaa(comp), override=date(2000, 1, 1))
    except ValueError as e:
        what = {'trimestral': 'o último mês de um trimestre (03, 06, 09 ou 12)',
                'anual': 'dezembro do ano-base (12/aaaa)'}.get(rule.periodicity.value, 'um mês válido')
        raise ValidationError(f'A competência desta obrigação é {what}.', 'competence') from e


def _clean_obligation(fields: dict) -> dict:
    errors: dict[str, str] = {}
    code = _text(fields.get('code'), 'code', errors, label='o código', required=True, max_len=30).upper()
    code = code.replace(' ', '_').replace('-', '_')
    if code and not all(c.isalnum() or c == '_' for c in code):
        errors['code'] = 'Use letras, números e _ no código.'
    name = _text(fields.get('name'), 'name', errors, label='o nome', required=True, max_len=120)
    basis = _text(fields.get('basis') or '', 'basis', errors)
    choices = {'sphere': SPHERES, 'periodicity': PERIODICITIES, 'kind': KINDS, 'due_rule': DUE_RULES,
               'shift': SHIFTS}
    values = {}
    for key, options in choices.items():
        value = fields.get(key)
        if value not in options:
            errors[key] = 'Escolha uma opção.'
        values[key] = value
    numbers = {}
    for key, default in (('day', 0), ('months_after', 1), ('month', 0)):
        raw = fields.get(key, default)
        try:
            numbers[key] = int(raw) if raw not in (None, '') else default
        except (TypeError, ValueError):
            errors[key] = 'Informe um número.'
            numbers[key] = default
    rule_kind = values.get('due_rule')
    if rule_kind in ('dia', 'data_anual') and not 1 <= numbers['day'] <= 31:
        errors['day'] = 'O dia deve ser de 1 a 31.'
    if rule_kind == 'dia_util' and not 1 <= numbers['day'] <= 22:
        errors['day'] = 'O dia útil deve ser de 1 a 22.'
    if rule_kind == 'data_anual' and not 1 <= numbers['month'] <= 12:
        errors['month'] = 'O mês deve ser de 1 a 12.'
    if rule_kind != 'data_anual' and not 0 <= numbers['months_after'] <= 12:
        errors['months_after'] = 'De 0 a 12 meses depois da competência.'
    if rule_kind == 'data_anual' and values.get('periodicity') != 'anual':
        errors['periodicity'] = 'Uma data fixa no ano seguinte é de obrigação anual.'
    if errors:
        raise ValidationError(errors)
    return dict(code=code, name=name, basis=basis, **values, **numbers)


def _clean_assignment(responsible_id, visible_to_client, remind_days, remind_client, since) -> dict:
    errors: dict[str, str] = {}
    try:
        days = int(remind_days)
        if not 0 <= days <= MAX_REMIND_DAYS:
            raise ValueError
    except (TypeError, ValueError):
        errors['remind_days'] = f'Lembrar de 0 a {MAX_REMIND_DAYS} dias antes.'
        days = 3
    comp = _default_since()
    if since is not None:
        try:
            comp = clean_competence(since, 'since')
        except ValidationError as e:
            errors.update(e.errors)
    if errors:
        raise ValidationError(errors)
    return dict(responsible_id=responsible_id, visible_to_client=bool(visible_to_client), remind_days=days,
                remind_client=bool(remind_client) and bool(visible_to_client), since=comp)


def _responsible(session: Session, value) -> uuid.UUID | None:
    if not value:
        return None
    try:
        user = session.get(User, as_uuid(value))
    except NotFound:
        user = None
    if user is None or user.role not in ('admin', 'staff') or not user.active:
        raise ValidationError('Funcionário não encontrado.', 'responsible_id')
    return user.id


def _assignment_of(session: Session, client_id, obligation_id, *, actor: Actor | None = None) -> ObligationAssignment:
    query = select(ObligationAssignment).where(ObligationAssignment.client_id == as_uuid(client_id),
                                               ObligationAssignment.obligation_id == as_uuid(obligation_id))
    if actor is not None:
        query = _scope_assignments(query, actor)
    a = session.exec(query).first()
    if a is None:
        raise NotFound()
    return a


def _scope_assignments(query, actor: Actor):
    if actor.is_client:
        return query.where(ObligationAssignment.client_id == actor.client_id,
                           ObligationAssignment.visible_to_client == True)  # noqa: E712
    return query


def _obligation_by(session: Session, value) -> Obligation:
    ob = None
    if isinstance(value, str) and not _looks_like_uuid(value):
        ob = session.exec(select(Obligation).where(Obligation.code == value.upper())).first()
    else:
        ob = session.get(Obligation, as_uuid(value))
    if ob is None:
        raise NotFound()
    return ob


def _get(session: Session, model, item_id):
    row = session.get(model, as_uuid(item_id)) if item_id else None
    if row is None:
        raise NotFound()
    return row


def _ob_row(o: Obligation) -> ObligationRow:
    return ObligationRow(o.id, o.code, o.name, o.sphere, o.periodicity, o.kind, o.due_rule, o.shift, o.day,
                         o.months_after, o.month, o.basis, o.active, o.custom)


def _require_read(actor: Actor) -> None:
    require(actor, PORTAL_TOOL if actor.is_client else TOOL, 'read')


def _remove_after_commit(session: Session, name: str) -> None:
    from ..db import after_commit
    after_commit(session, lambda: storage.remove(FILE_FOLDER, name))


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


def _default_since() -> str:
    """Last month's competência: what falls due this month is tracked from the day an obligation is assigned."""
    return _competence_of(_add_months(clock.today(), -1))


def _competence_of(day: date) -> str:
    return f'{day.year:04d}-{day.month:02d}'


def _mm_aaaa(comp: str) -> str:
    return f'{comp[5:]}/{comp[:4]}'


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(y, m + 1, 1)


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --------------------------------------------------------------------------------------------------------------------
# Reminder source
# --------------------------------------------------------------------------------------------------------------------

def _due_reminders(session: Session, window: reminders.Window) -> list[reminders.Reminder]:
    """Not done, due from today to MAX_REMIND_DAYS ahead, whose reminder moment (remind_days before the due date at
    REMIND_HOUR) is in the window."""
    today = window.today
    items = _due_items(session, None, today, today + timedelta(days=MAX_REMIND_DAYS), today=today)
    pending = [i for i in items if not i.done]
    if not pending:
        return []
    by_id: dict[uuid.UUID, ObligationAssignment] = {}
    for chunk in _chunks(list({i.assignment_id for i in pending}), 500):
        by_id.update((a.id, a) for a in session.exec(select(ObligationAssignment)
                                                     .where(ObligationAssignment.id.in_(chunk))).all())
    out, clients_wanted = [], set()
    chosen = []
    for item in pending:
        a = by_id.get(item.assignment_id)
        if a is None:
            continue
        moment = datetime.combine(item.due_date - timedelta(days=a.remind_days), time(REMIND_HOUR),
                                  tzinfo=clock.tz())
        if window.start <= moment <= window.end:
            chosen.append((item, a, moment))
            if a.remind_client and a.visible_to_client:
                clients_wanted.add(a.client_id)
    logins: dict[uuid.UUID, list[uuid.UUID]] = {}
    for chunk in _chunks(list(clients_wanted), 500):
        for uid, cid in session.exec(select(User.id, User.client_id).where(User.client_id.in_(chunk),
                                                                           User.active == True)).all():  # noqa: E712
            logins.setdefault(cid, []).append(uid)
    for item, a, moment in chosen:
        staff = [a.responsible_id] if a.responsible_id else []
        clients = logins.get(a.client_id, []) if a.remind_client and a.visible_to_client else []
        when = 'hoje' if item.due_date == today else f'em {formatting.day(item.due_date)}'
        title = f'{item.name} vence {when}'
        body = f'{item.client_name}, competência {item.competence_label}' + (' (data prorrogada por ato oficial)'
                                                                              if item.overridden else '')
        out.append(reminders.Reminder(ITEM_KIND, a.id, f'{a.remind_days}d', item.competence, moment,
                                      recipients=tuple(staff + clients), category='agenda', title=title[:200],
                                      body=body, link='', email=True, data=(tuple(staff), tuple(clients), item)))
    return out


def _deliver_reminders(session: Session, due: list[reminders.Reminder], window: reminders.Window) -> None:
    from dataclasses import replace
    parts = []
    for r in due:
        staff, clients, item = r.data
        if staff:
            parts.append(replace(r, recipients=staff, link=f'/agenda?obrigacao={item.key}'))
        if clients:
            parts.append(replace(r, recipients=clients, link='/portal/agenda'))
    reminders.deliver_each(session, parts, window)


reminders.register(reminders.Source(ITEM_KIND, due=_due_reminders, deliver=_deliver_reminders,
                                    every=timedelta(minutes=5), keep_days=60, late_after=timedelta(hours=2)))
