"""Pagamentos (bills to suppliers), Recebimentos (charges to clients), recibos and sent alerts."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at, uuid_pk
from .reminders import ReminderSent


class Bill(SQLModel, table=True):
    """A bill the office pays. Status 'vencido' is derived (aberto and due before today), never stored."""
    # (status, date) first for the list filters; the amounts last so totals and the dashboard read only the index
    # cover the list's totals and its page of ids (services/payables.search), so neither reads the table
    __table_args__ = (Index('ix_bill_status_due', 'status', 'due_date', 'amount_cents', 'description', 'id'),
                      Index('ix_bill_status_paid', 'status', 'paid_date', 'paid_cents', 'due_date', 'id'))
    id: uuid.UUID = uuid_pk()
    supplier_id: uuid.UUID | None = Field(default=None, foreign_key='supplier.id', index=True)
    description: str = Field(max_length=200)
    category: str = Field(default='', max_length=60)
    amount_cents: int = Field(sa_type=BigInteger)
    issue_date: date
    due_date: date = Field(index=True)
    status: str = Field(default='aberto', max_length=10)  # aberto | pago | cancelado
    paid_date: date | None = None
    discount_cents: int = Field(default=0, sa_type=BigInteger)
    addition_cents: int = Field(default=0, sa_type=BigInteger)  # juros + multa
    paid_cents: int | None = Field(default=None, sa_type=BigInteger)
    attachment_file: str = Field(default='', max_length=100)
    attachment_name: str = Field(default='', max_length=200)
    attachment_mime: str = Field(default='', max_length=60)
    group_id: uuid.UUID | None = Field(default=None, index=True)  # installments / recurrence series
    installment_no: int | None = None
    installment_count: int | None = None
    recurrence: str = Field(default='', max_length=10)  # '' | mensal
    created_at: datetime = created_at()


class Charge(SQLModel, table=True):
    """What a client owes the office (monthly fee or a one-off service)."""
    __table_args__ = (
        UniqueConstraint('client_id', 'competence', 'kind', name='uq_charge_client_competence_kind'),
        # cover the list's totals and its page of ids (services/receivables.search), so neither reads the table
        Index('ix_charge_status_due', 'status', 'due_date', 'client_id', 'amount_cents', 'received_cents', 'id'),
        Index('ix_charge_client_due', 'client_id', 'due_date'),
        Index('ix_charge_status_paid', 'status', 'paid_date', 'received_cents', 'due_date', 'id'),
    )
    id: uuid.UUID = uuid_pk()
    client_id: uuid.UUID = Field(foreign_key='client.id')
    kind: str = Field(max_length=12)  # honorarios | avulso
    competence: str | None = Field(default=None, max_length=7)  # 'YYYY-MM' for honorarios
    description: str = Field(max_length=200)
    amount_cents: int = Field(sa_type=BigInteger)
    issue_date: date
    due_date: date
    status: str = Field(default='aberto', max_length=10)  # aberto | pago | cancelado
    paid_date: date | None = None
    received_cents: int | None = Field(default=None, sa_type=BigInteger)
    discount_cents: int = Field(default=0, sa_type=BigInteger)
    addition_cents: int = Field(default=0, sa_type=BigInteger)
    payment_form: str = Field(default='', max_length=15)  # boleto | pix | transferencia | dinheiro
    nosso_numero: int | None = None
    group_id: uuid.UUID | None = Field(default=None, index=True)
    installment_no: int | None = None
    installment_count: int | None = None
    created_at: datetime = created_at()


class Receipt(SQLModel, table=True):
    """A recibo: issued when a charge is paid; its number is sequential and never reused."""
    id: uuid.UUID = uuid_pk()
    number: int = Field(unique=True)
    charge_id: uuid.UUID = Field(foreign_key='charge.id', index=True)
    client_id: uuid.UUID = Field(foreign_key='client.id', index=True)
    amount_cents: int = Field(sa_type=BigInteger)
    refers_to: str = Field(max_length=300)
    payment_form: str = Field(max_length=15)
    paid_date: date
    cancelled_at: datetime | None = None
    issued_at: datetime = created_at()


# Sent alerts are the reminder engine's records now (models/reminders.py, migration 0003); the old name stays.
AlertSent = ReminderSent


class FinanceMonth(SQLModel, table=True):
    """What was received (charges) and paid (bills) per month of the payment date: the Painel financeiro's series.
    Kept on write, in the transaction of every change to a paid charge or bill (services/finance.py, flush hook and
    `forget_deleted`), so it always equals the group-by over the paid rows; revision 0004 backfilled it."""
    side: str = Field(primary_key=True, max_length=10)  # 'received' (charges) | 'paid' (bills)
    month: date = Field(primary_key=True)  # the first day of the month
    total_cents: int = Field(default=0, sa_type=BigInteger)
    row_count: int = 0  # how many paid rows the total sums
