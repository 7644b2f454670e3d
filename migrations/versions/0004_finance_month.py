"""the Painel financeiro's monthly summary, kept on write

`financemonth` holds, per side ('received': charges, 'paid': bills) and month of the payment date, the total paid
and how many rows it sums. The services keep it in the transaction of every change to a paid row
(services/finance.py); this revision backfills it from the paid rows already there (grouped by the payment day in
SQL, folded into months here: the same on SQLite and PostgreSQL).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SIDES = (('received', 'charge', 'received_cents'), ('paid', 'bill', 'paid_cents'))


def upgrade() -> None:
    op.create_table(
        'financemonth',
        sa.Column('side', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('total_cents', sa.BigInteger(), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('side', 'month'),
    )
    summary = sa.table('financemonth', sa.column('side', sa.String()), sa.column('month', sa.Date()),
                       sa.column('total_cents', sa.BigInteger()), sa.column('row_count', sa.Integer()))
    bind = op.get_bind()
    rows = []
    for side, table_name, column in SIDES:
        table = sa.table(table_name, sa.column('status', sa.String()), sa.column('paid_date', sa.Date()),
                         sa.column(column, sa.BigInteger()))
        months: dict = {}
        query = (sa.select(table.c.paid_date, sa.func.coalesce(sa.func.sum(table.c[column]), 0), sa.func.count())
                 .where(table.c.status == 'pago', table.c.paid_date.is_not(None)).group_by(table.c.paid_date))
        for day, total, n in bind.execute(query):
            key = day.replace(day=1)
            cents, items = months.get(key, (0, 0))
            months[key] = (cents + int(total), items + int(n))
        rows += [{'side': side, 'month': month, 'total_cents': cents, 'row_count': items}
                 for month, (cents, items) in sorted(months.items())]
    if rows:
        bind.execute(sa.insert(summary), rows)


def downgrade() -> None:
    op.drop_table('financemonth')
