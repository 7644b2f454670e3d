"""one table for the reminders of every tool

`alertsent` (charges and bills: item, level, day) becomes `remindersent`, the record of the reminder engine
(services/reminders.py): the unique key is (item_kind, item_id, level, period), where `period` is the source's own
string key (a day, an occurrence, a competência), and each row says when it was due, when delivered and whether late.
Kinds and levels get 20 characters. The old rows are copied: period = their day ('YYYY-MM-DD', the key the finance
sources still use), due and delivered at their created_at, not late; so nothing already alerted is alerted again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 11:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CHUNK = 1000


def upgrade() -> None:
    op.create_table(
        'remindersent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('item_id', sa.Uuid(), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('item_kind', 'item_id', 'level', 'period', name='uq_remindersent'),
    )
    with op.batch_alter_table('remindersent', schema=None) as batch_op:
        batch_op.create_index('ix_remindersent_kind_day', ['item_kind', 'day'], unique=False)
    old, new = _alertsent(), _remindersent()
    rows = [{'item_kind': r.item_kind, 'item_id': r.item_id, 'level': r.level, 'period': r.day.isoformat(),
             'day': r.day, 'due_at': r.created_at, 'delivered_at': r.created_at, 'late': False}
            for r in op.get_bind().execute(sa.select(old).order_by(old.c.id))]
    _insert(new, rows)
    op.drop_table('alertsent')


def downgrade() -> None:
    op.create_table(
        'alertsent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('item_id', sa.Uuid(), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('item_kind', 'item_id', 'level', 'day', name='uq_alertsent'),
    )
    old, new = _alertsent(), _remindersent()
    # only what the old table can hold: the finance alerts, one per item, level and day
    query = sa.select(new).where(new.c.item_kind.in_(('charge', 'bill')), new.c.level.in_(('due_soon', 'overdue')))
    rows, seen = [], set()
    for r in op.get_bind().execute(query.order_by(new.c.id)):
        key = (r.item_kind, r.item_id, r.level, r.day)
        if key not in seen:
            seen.add(key)
            rows.append({'item_kind': r.item_kind, 'item_id': r.item_id, 'level': r.level, 'day': r.day,
                         'created_at': r.delivered_at})
    _insert(old, rows)
    with op.batch_alter_table('remindersent', schema=None) as batch_op:
        batch_op.drop_index('ix_remindersent_kind_day')
    op.drop_table('remindersent')


def _alertsent() -> sa.Table:
    return sa.table('alertsent', sa.column('id', sa.Integer()), sa.column('item_kind', sa.String()),
                    sa.column('item_id', sa.Uuid()), sa.column('level', sa.String()), sa.column('day', sa.Date()),
                    sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))


def _remindersent() -> sa.Table:
    return sa.table('remindersent', sa.column('id', sa.Integer()), sa.column('item_kind', sa.String()),
                    sa.column('item_id', sa.Uuid()), sa.column('level', sa.String()), sa.column('period', sa.String()),
                    sa.column('day', sa.Date()), sa.column('due_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                    sa.column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime()), sa.column('late', sa.Boolean()))


def _insert(table: sa.Table, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        op.get_bind().execute(sa.insert(table), rows[i:i + CHUNK])
