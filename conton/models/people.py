"""Logins (admin, staff, client contacts), clients, suppliers, tokens and login attempts."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index
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
    fee_cents: int = 0
    due_day: int = 10
    notes: str = ''
    active: bool = Field(default=True, index=True)
    is_test: bool = False
    created_at: datetime = created_at()
    updated_at: datetime | None = None


class Supplier(SQLModel, table=True):
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
    created_at: datetime = created_at()
    updated_at: datetime | None = None
