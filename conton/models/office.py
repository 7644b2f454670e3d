"""The office itself (one row): registration, logo, bank and PIX settings, accountant."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class Office(SQLModel, table=True):
    id: int = Field(default=1, primary_key=True)
    legal_name: str = Field(default='', max_length=200)  # razão social
    trade_name: str = Field(default='', max_length=200)  # nome fantasia (shown in the header)
    document: str = Field(default='', max_length=14)
    municipal_registration: str = Field(default='', max_length=30)
    cep: str = Field(default='', max_length=8)
    street: str = Field(default='', max_length=200)
    number: str = Field(default='', max_length=20)
    complement: str = Field(default='', max_length=100)
    district: str = Field(default='', max_length=100)
    city: str = Field(default='', max_length=100)
    uf: str = Field(default='', max_length=2)
    phone: str = Field(default='', max_length=40)
    email: str = Field(default='', max_length=254)
    logo_file: str = Field(default='', max_length=100)
    logo_mime: str = Field(default='', max_length=30)
    bank_code: str = Field(default='', max_length=3)
    agencia: str = Field(default='', max_length=10)
    conta: str = Field(default='', max_length=20)
    conta_dv: str = Field(default='', max_length=2)
    carteira: str = Field(default='', max_length=5)
    convenio: str = Field(default='', max_length=20)  # código do beneficiário / convênio
    pix_key: str = Field(default='', max_length=100)
    pix_key_type: str = Field(default='', max_length=10)
    instructions: str = ''
    fine_bp: int = 0  # multa, basis points of the amount (200 = 2,00 %)
    interest_bp_month: int = 0  # juros ao mês, basis points (100 = 1,00 % a.m.)
    accountant_name: str = Field(default='', max_length=120)
    accountant_cpf: str = Field(default='', max_length=11)
    crc_number: str = Field(default='', max_length=20)
    crc_uf: str = Field(default='', max_length=2)
    next_receipt_number: int = 1
    next_nosso_numero: int = 1
    updated_at: datetime | None = None


class OfficeSetting(SQLModel, table=True):
    """An office-chosen setting of a tool (the reopen window of Solicitações, reminder defaults of the document
    requests, the batch size of Comunicados, ...): typed and validated by services/office_settings.py."""
    key: str = Field(max_length=60, primary_key=True)
    value: str = Field(default='', max_length=200)
