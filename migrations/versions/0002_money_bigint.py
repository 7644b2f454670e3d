"""money columns 64-bit

Every `*_cents` column becomes BIGINT: PostgreSQL's INTEGER ends at R$ 21.474.836,47 ("integer out of range").
On SQLite the storage is the same 64-bit integer, but the declared type is changed too (batch mode recreates the
tables) so that autogenerate compares the models with the database without a difference.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# table -> [(column, nullable)]
MONEY_COLUMNS = {
    'client': [('fee_cents', False)],
    'bill': [('amount_cents', False), ('discount_cents', False), ('addition_cents', False), ('paid_cents', True)],
    'charge': [('amount_cents', False), ('received_cents', True), ('discount_cents', False),
               ('addition_cents', False)],
    'receipt': [('amount_cents', False)],
}


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    # SQLite recreates client and charge, which other rows point to: conton.db.migrate switches foreign keys off
    # around the upgrade and checks them all before committing
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(column, existing_type=old, type_=new, existing_nullable=nullable)
