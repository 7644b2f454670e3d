"""Clientes: the office's clients (CPF or CNPJ, alphanumeric CNPJ included), search with pagination, the printable
record (ficha), the office's own test client, and a client login's read-only view of its own registration.

Portal logins of a client (Acessos) are Users managed by `services/users.py`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from .. import formatting
from ..br.money import BOLETO_MAX_CENTS
from ..clock import now
from ..models import Client, ClientResponsible, Office, User
from . import audit, directory, live, validation
from .base import as_uuid, unit
from .errors import NotFound, PermissionDenied, ValidationError
from .form_input import too_large
from .permissions import Actor, require

KINDS = {'PF': 'Pessoa Física', 'PJ': 'Pessoa Jurídica'}
REGIMES = ('MEI', 'Simples Nacional', 'Lucro Presumido', 'Lucro Real', 'Pessoa Física')
STATUSES = ('ativos', 'inativos', 'todos')
DUPLICATE = 'Já existe um cliente com este CPF/CNPJ.'
FIELDS = ('kind', 'document', 'name', 'trade_name', 'tax_regime', 'email', 'phone', 'phone2', 'cep', 'street',
          'number', 'complement', 'district', 'city', 'uf', 'fee', 'due_day', 'notes')
LABELS = {  # for the audit trail: which fields changed
    'kind': 'tipo', 'document': 'CPF/CNPJ', 'name': 'nome', 'trade_name': 'nome fantasia',
    'tax_regime': 'regime tributário', 'email': 'e-mail', 'phone': 'telefone', 'phone2': 'telefone 2', 'cep': 'CEP',
    'street': 'logradouro', 'number': 'número', 'complement': 'complemento', 'district': 'bairro', 'city': 'cidade',
    'uf': 'UF', 'fee_cents': 'honorários', 'due_day': 'vencimento', 'notes': 'observações',
}
# what other tables hold for a client, in words (singular, plural); tables not listed are named as they are
RELATED = {
    'user': ('acesso ao portal', 'acessos ao portal'),
    'charge': ('cobrança', 'cobranças'),
    'receipt': ('recibo', 'recibos'),
}


@dataclass
class ClientPage:
    rows: list[Client]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Responsible:
    """The staff member responsible for a client (told of its uploads and of its protocols still unopened on the due
    date; without one, every staff member with the tool: services/files.responsible_staff)."""
    user_id: uuid.UUID
    name: str
    active: bool  # a deactivated one is still shown, and told nothing (the others are, until another is chosen)


@dataclass
class Ficha:
    """Everything the printable record shows."""
    client: Client
    logins: list[User]
    office_name: str
    office_document: str
    printed_at: datetime
    printed_by: str


# --- reading -----------------------------------------------------------------------------------------------------

def search(actor: Actor, text: str = '', status: str = 'ativos', page: int = 1, per_page: int = 20) -> ClientPage:
    """One page of clients ordered by name: matches name, nome fantasia, e-mail (accents and case ignored) and
    CPF/CNPJ typed with or without the mask. Two queries (page of ids with the total,
    rows), whatever the size of the office."""
    require(actor, 'clients', 'read')
    per_page = max(1, min(int(per_page), 100))
    with unit(actor) as session:
        rows, total, page = directory.search(session, Client, text, status, int(page), per_page)
        return ClientPage(rows, total, page, per_page)


def get(actor: Actor, client_id: uuid.UUID | str) -> Client:
    require(actor, 'clients', 'read')
    with unit(actor) as session:
        return _client(session, client_id)


def my_client(actor: Actor) -> Client:
    """A client login's own registration (read-only)."""
    require(actor, 'portal_data', 'read')
    if not actor.is_client or actor.client_id is None:
        raise PermissionDenied()
    with unit(actor) as session:
        return _client(session, actor.client_id)


def ficha(actor: Actor, client_id: uuid.UUID | str) -> Ficha:
    require(actor, 'clients', 'read')
    with unit(actor) as session:
        client = _client(session, client_id)
        logins = list(session.exec(select(User).where(User.client_id == client.id)
                                   .order_by(User.active.desc(), User.name)).all())
        office = session.get(Office, 1)
    name = (office.legal_name or office.trade_name) if office else ''
    return Ficha(client, logins, name or 'Escritório', office.document if office else '', now(), actor.name)


# --- changing ----------------------------------------------------------------------------------------------------

def create(actor: Actor, **fields: Any) -> Client:
    """A new client; `responsible_id` (optional) names its responsible staff member."""
    require(actor, 'clients', 'write')
    chosen = fields.pop('responsible_id', None)
    _known(fields)
    errors: dict[str, str] = {}
    try:
        values = clean({name: fields.get(name) for name in FIELDS})
    except ValidationError as e:
        errors.update(e.errors)
    with unit(actor) as session:
        staff = _responsible_choice(session, chosen, None, errors)
        if errors:
            raise ValidationError(errors)
        directory.unique_document(session, Client, values['document'], DUPLICATE)
        client = Client(**values)
        session.add(client)
        directory.flush(session, DUPLICATE)
        if staff is not None:
            session.add(ClientResponsible(client_id=client.id, user_id=staff.id))
        audit.record(session, actor, 'create', 'cliente', client.id,
                     f'{client.name} ({formatting.document(client.document)})')
        live.announce(session, 'clients', client.id, client.id)
        return client


def update(actor: Actor, client_id: uuid.UUID | str, **fields: Any) -> Client:
    """Change the given fields (the others keep their values); every field is validated again. `responsible_id`
    ('' or None: none), when given, changes the responsible staff member in the same transaction."""
    require(actor, 'clients', 'write')
    given = 'responsible_id' in fields
    chosen = fields.pop('responsible_id', None)
    _known(fields)
    with unit(actor) as session:
        client = _client(session, client_id)
        current = {name: getattr(client, name) for name in FIELDS if name != 'fee'}
        current['fee'] = client.fee_cents
        errors: dict[str, str] = {}
        try:
            values = clean(current | fields)
        except ValidationError as e:
            errors.update(e.errors)
        row = session.get(ClientResponsible, client.id)
        before = row.user_id if row is not None else None
        staff = _responsible_choice(session, chosen, before, errors) if given else None
        if errors:
            raise ValidationError(errors)
        directory.unique_document(session, Client, values['document'], DUPLICATE, exclude=client.id)
        changed = [LABELS[k] for k, v in values.items() if getattr(client, k) != v]
        after = staff.id if staff is not None else None
        if given and after != before:
            if row is not None and after is None:
                session.delete(row)
            elif row is not None:
                row.user_id = after
            else:
                session.add(ClientResponsible(client_id=client.id, user_id=after))
            changed.append(f'responsável ({staff.name if staff is not None else "nenhum"})')
        if not changed:
            return client
        for key, value in values.items():
            setattr(client, key, value)
        client.updated_at = now()
        directory.flush(session, DUPLICATE)
        audit.record(session, actor, 'update', 'cliente', client.id, f'{client.name}: {", ".join(changed)}')
        live.announce(session, 'clients', client.id, client.id)
        return client


def set_active(actor: Actor, client_id: uuid.UUID | str, active: bool) -> int:
    """Deactivate or reactivate a client. Deactivating also disables its portal logins (their open sessions end
    at once); reactivating does not re-enable them: each login is re-enabled on its own, in Acessos.
    Returns how many logins were disabled."""
    require(actor, 'clients', 'write')
    with unit(actor) as session:
        client = _client(session, client_id)
        if client.active == active:
            return 0
        client.active = active
        client.updated_at = now()
        disabled = 0
        if not active:
            for user in session.exec(select(User).where(User.client_id == client.id,
                                                        User.active == True)).all():  # noqa: E712
                user.active = False
                user.session_version += 1
                disabled += 1
                audit.record(session, actor, 'disable', 'usuario', user.id, f'{user.email} (cliente desativado)')
        audit.record(session, actor, 'enable' if active else 'disable', 'cliente', client.id, client.name)
        live.announce(session, 'clients', client.id, client.id)
        return disabled


def delete(actor: Actor, client_id: uuid.UUID | str) -> None:
    """Delete a client that has nothing attached; otherwise refuse and say what it has."""
    require(actor, 'clients', 'write')
    with unit(actor) as session:
        client = _client(session, client_id)
        held = directory.related_counts(session, Client, client.id)
        if held:
            has = directory.describe(held, RELATED)
            raise ValidationError(f'Não é possível excluir {client.name}: o cliente tem {has}. '
                                  'Para que ele deixe de aparecer e não acesse mais o portal, desative-o: '
                                  'o histórico é mantido.')
        session.delete(client)
        audit.record(session, actor, 'delete', 'cliente', client.id,
                     f'{client.name} ({formatting.document(client.document)})')
        live.announce(session, 'clients', client.id, client.id)


def create_test_client(actor: Actor) -> tuple[Client, bool]:
    """The office as its own client (marked as test), to try the client portal. Returns (client, created):
    if a client with the office's CNPJ already exists, that one is returned."""
    require(actor, 'clients', 'write')
    with unit(actor) as session:
        office = session.get(Office, 1)
        document = validation.normalize_document(office.document if office else '')
        if not office or not validation.is_cnpj(document):
            raise ValidationError('Preencha o CNPJ do escritório em Meus Dados antes de criar o cliente de teste.')
        existing = session.exec(select(Client).where(Client.document == document)).first()
        if existing is not None:
            return existing, False
        client = Client(kind='PJ', document=document, name=(office.legal_name or office.trade_name or 'Escritório'),
                        trade_name=office.trade_name, tax_regime='Simples Nacional', email=office.email,
                        phone=office.phone, cep=office.cep, street=office.street, number=office.number,
                        complement=office.complement, district=office.district, city=office.city, uf=office.uf,
                        fee_cents=0, due_day=10, is_test=True,
                        notes='Cliente de teste com os dados do próprio escritório: adicione um acesso para ver o '
                              'portal como um cliente o vê.')
        session.add(client)
        directory.flush(session, DUPLICATE)
        audit.record(session, actor, 'create', 'cliente', client.id, f'{client.name} (cliente de teste)')
        live.announce(session, 'clients', client.id, client.id)
        return client, True


# --- rules -------------------------------------------------------------------------------------------------------

def clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate every field at once; return the values to store (document unmasked, fee in centavos)."""
    out: dict[str, Any] = {}
    kind = str(raw.get('kind') or '').strip().upper()

    def check_kind() -> None:
        if kind not in KINDS:
            raise ValidationError('Escolha Pessoa Física ou Pessoa Jurídica.', 'kind')
        out['kind'] = kind

    def check_regime() -> None:
        value = str(raw.get('tax_regime') or '').strip()
        if value not in REGIMES:
            raise ValidationError('Escolha o regime tributário.', 'tax_regime')
        out['tax_regime'] = value

    def check_fee() -> None:
        value = raw.get('fee')
        if value is None or (isinstance(value, str) and not value.strip()):
            out['fee_cents'] = 0
            return
        try:
            cents = value if isinstance(value, int) and not isinstance(value, bool) else formatting.parse_money(value)
        except ValueError as e:
            raise ValidationError(str(e), 'fee') from e
        if cents < 0:
            raise ValidationError('Os honorários não podem ser negativos.', 'fee')
        if cents > BOLETO_MAX_CENTS:  # every month's honorários become a charge, which must fit a boleto
            raise ValidationError(too_large(BOLETO_MAX_CENTS), 'fee')
        out['fee_cents'] = cents

    def check_due_day() -> None:
        value = raw.get('due_day')
        try:
            day = int(str(value).strip()) if value not in (None, '') else None
        except ValueError:
            day = None
        if day is None or not 1 <= day <= 31:
            raise ValidationError('Informe um dia de vencimento entre 1 e 31.', 'due_day')
        out['due_day'] = day

    def put(name: str, check) -> Any:
        return lambda: out.__setitem__(name, check())

    person = kind == 'PF'
    validation.collect(
        check_kind,
        put('document', lambda: validation.document(raw.get('document'), kind if kind in KINDS else None)),
        put('name', lambda: validation.text(raw.get('name'), 'name', 'o nome' if person else 'a razão social',
                                            required=True)),
        put('trade_name', lambda: validation.text(raw.get('trade_name'), 'trade_name', 'o nome fantasia')),
        check_regime,
        put('email', lambda: validation.email(raw.get('email'), required=False)),
        put('phone', lambda: validation.phone(raw.get('phone'))),
        put('phone2', lambda: validation.phone(raw.get('phone2'), 'phone2')),
        put('cep', lambda: validation.cep(raw.get('cep'))),
        put('street', lambda: validation.text(raw.get('street'), 'street', 'o logradouro')),
        put('number', lambda: validation.text(raw.get('number'), 'number', 'o número', max_len=20)),
        put('complement', lambda: validation.text(raw.get('complement'), 'complement', 'o complemento', max_len=100)),
        put('district', lambda: validation.text(raw.get('district'), 'district', 'o bairro', max_len=100)),
        put('city', lambda: validation.text(raw.get('city'), 'city', 'a cidade', max_len=100)),
        put('uf', lambda: validation.uf(raw.get('uf'))),
        check_fee,
        check_due_day,
        put('notes', lambda: validation.text(raw.get('notes'), 'notes', 'as observações', max_len=4000,
                                             multiline=True)),
    )
    return out


def _client(session: Session, client_id: uuid.UUID | str) -> Client:
    client = session.get(Client, as_uuid(client_id))
    if client is None:
        raise NotFound()
    return client


def responsible(actor: Actor, client_id: uuid.UUID | str) -> Responsible | None:
    """The client's responsible staff member (None: none chosen)."""
    require(actor, 'clients', 'read')
    with unit(actor) as session:
        client = _client(session, client_id)
        found = session.exec(select(User.id, User.name, User.active).join(
            ClientResponsible, ClientResponsible.user_id == User.id)
            .where(ClientResponsible.client_id == client.id)).first()
    return Responsible(found[0], found[1], bool(found[2])) if found else None


def responsible_options(actor: Actor, *, include: uuid.UUID | None = None) -> dict[str, str]:
    """The active staff members and admins a client's responsible can be ({id: name}, by name), plus `include` (the
    one chosen now, marked when no longer active)."""
    require(actor, 'clients', 'read')
    with unit(actor) as session:
        rows = session.exec(select(User.id, User.name).where(
            User.role.in_(('admin', 'staff')), User.active == True).order_by(User.name)).all()  # noqa: E712
        options = {str(i): n for i, n in rows}
        if include is not None and str(include) not in options:
            user = session.get(User, include)
            if user is not None:
                options[str(user.id)] = f'{user.name} (inativo)'
    return options


def _responsible_choice(session: Session, value: Any, current: uuid.UUID | None, errors: dict) -> User | None:
    """The staff member chosen as responsible: an active admin or staff member (the current one may stay even when
    no longer active); '' or None: none."""
    if value in (None, ''):
        return None
    try:
        user_id = as_uuid(value)
    except NotFound:
        user_id = None
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or user.role not in ('admin', 'staff') or (not user.active and user.id != current):
        errors['responsible_id'] = 'Escolha um funcionário ativo.'
        return None
    return user


def _known(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f'unknown client fields: {sorted(unknown)}')
