"""Logins (admin, staff, client contacts), clients, suppliers, tokens and login attempts."""
from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, event
from sqlmodel import Field, SQLModel

from .base import created_at, uuid_pk


class User(SQLModel, table=True):
    id: uuid.UUID = uuid_pk()
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    role: str = Field(max_length=10)  # admin | staff | client
    client_id: uuid.UUID | None = Field(default=None, foreign_key='client.id', index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
    permissions: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    session_version: int = 1
    created_at: datetime = created_at()
    last_login_at: datetime | None = None


class UserToken(SQLModel, table=True):
    """Single-use link token (password reset, welcome); only its SHA-256 is stored."""
    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key='user.id', index=True)
    kind: str = Field(max_length=10)  # reset | welcome
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = created_at()


class LoginAttempt(SQLModel, table=True):
    __table_args__ = (Index('ix_loginattempt_email_at', 'email', 'at'), Index('ix_loginattempt_ip_at', 'ip', 'at'))
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    ip: str = Field(max_length=64)
    at: datetime
    success: bool


class Client(SQLModel, table=True):
    # ix_client_search covers the Clientes list and search (services/directory.py); ix_client_id_sort lets the
    # charge list order by client name without reading the client table
    __table_args__ = (Index('ix_client_search', 'active', 'sort_name', 'id', 'document', 'search_text'),
                      Index('ix_client_id_sort', 'id', 'sort_name'))
    id: uuid.UUID = uuid_pk()
    kind: str = Field(max_length=2)  # PF | PJ
    document: str = Field(max_length=14, unique=True)  # digits (CPF) or upper-case alphanumeric CNPJ, unmasked
    name: str = Field(max_length=200, index=True)
    trade_name: str = Field(default='', max_length=200)
    tax_regime: str = Field(default='', max_length=30)
    email: str = Field(default='', max_length=254)
    phone: str = Field(default='', max_length=40)
    phone2: str = Field(default='', max_length=40)
    cep: str = Field(default='', max_length=8)
    street: str = Field(default='', max_length=200)
    number: str = Field(default='', max_length=20)
    complement: str = Field(default='', max_length=100)
    district: str = Field(default='', max_length=100)
    city: str = Field(default='', max_length=100)
    uf: str = Field(default='', max_length=2)
    fee_cents: int = Field(default=0, sa_type=BigInteger)
    due_day: int = 10
    notes: str = ''
    active: bool = Field(default=True, index=True)
    is_test: bool = False
    # derived from name, trade name and e-mail (set_search_keys): list order and accent-blind search
    sort_name: str = Field(default='', max_length=200, index=True)
    search_text: str = Field(default='', max_length=700)
    created_at: datetime = created_at()
    updated_at: datetime | None = None


def fold(text: str | None) -> str:
    """Lower-case without accents and extra spaces ('  São  JOÃO ' -> 'sao joao')."""
    decomposed = unicodedata.normalize('NFKD', text or '')
    return ' '.join(''.join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def set_search_keys(client: Client) -> Client:
    """Fill the derived columns; done on every ORM insert/update (bulk Core inserts must call it themselves)."""
    client.sort_name = fold(client.name)[:200]
    client.search_text = ' | '.join((fold(client.name), fold(client.trade_name), (client.email or '').lower()))[:700]
    return client


@event.listens_for(Client, 'before_insert')
@event.listens_for(Client, 'before_update')
def _client_keys(_mapper, _connection, target: Client) -> None:
    set_search_keys(target)


class Supplier(SQLModel, table=True):
    # covers the Fornecedores list and search (services/directory.py)
    __table_args__ = (Index('ix_supplier_search', 'active', 'sort_name', 'id', 'document', 'search_text'),)
    id: uuid.UUID = uuid_pk()
    kind: str = Field(max_length=2)  # PF | PJ
    document: str = Field(max_length=14, unique=True)
    name: str = Field(max_length=200, index=True)
    category: str = Field(default='', max_length=60)
    contact_name: str = Field(default='', max_length=120)
    email: str = Field(default='', max_length=254)
    phone: str = Field(default='', max_length=40)
    notes: str = ''
    active: bool = True
    # derived from name, contact, category and e-mail (set_supplier_keys): list order and accent-blind search
    sort_name: str = Field(default='', max_length=200)
    search_text: str = Field(default='', max_length=700)
    created_at: datetime = created_at()
    updated_at: datetime | None = None


def set_supplier_keys(supplier: Supplier) -> Supplier:
    """Fill the derived columns; done on every ORM insert/update (bulk Core inserts must call it themselves)."""
    supplier.sort_name = fold(supplier.name)[:200]
    supplier.search_text = ' | '.join((fold(supplier.name), fold(supplier.contact_name), fold(supplier.category),
                                       (supplier.email or '').lower()))[:700]
    return supplier


@event.listens_for(Supplier, 'before_insert')
@event.listens_for(Supplier, 'before_update')
def _supplier_keys(_mapper, _connection, target: Supplier) -> None:
    set_supplier_keys(target)
