"""Atendimentos: an index on (deleted_at, happened_on, created_at, id), the list's filter and order, so that the
count and a page of the list (newest first) read the index instead of scanning and sorting every atendimento
(bench/history.py: 20,000 atendimentos).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:50:00.000000
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('servicerecord', schema=None) as batch_op:
        batch_op.create_index('ix_servicerecord_list', ['deleted_at', 'happened_on', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('servicerecord', schema=None) as batch_op:
        batch_op.drop_index('ix_servicerecord_list')
