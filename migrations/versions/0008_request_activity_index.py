"""Solicitações: an index on (last_activity_at, id), the staff list's order, so that a page of the list (all
requests, or the open ones) walks the index instead of sorting every request (bench/requests.py: 10,000 requests).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:40:00.000000
"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clientrequest', schema=None) as batch_op:
        batch_op.create_index('ix_clientrequest_activity', ['last_activity_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('clientrequest', schema=None) as batch_op:
        batch_op.drop_index('ix_clientrequest_activity')
