"""Protocolos: `search_text`, the title folded (lower case, no accents), so that a search for 'declaracao' finds
'Declaração' and 'DECLARAÇÃO' finds it too (SQLite's lower() leaves non-ASCII letters as they are). Existing
protocols get theirs here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:05:00.000000
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _fold(text: str | None) -> str:  # conton.models.people.fold as of this revision (kept here: it must not change)
    decomposed = unicodedata.normalize('NFKD', text or '')
    return ' '.join(''.join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def upgrade() -> None:
    with op.batch_alter_table('protocol', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=200), nullable=False, server_default=''))
    connection = op.get_bind()
    protocol = sa.table('protocol', sa.column('id'), sa.column('title'), sa.column('search_text'))
    rows = connection.execute(sa.select(protocol.c.id, protocol.c.title)).all()
    for start in range(0, len(rows), 500):
        connection.execute(protocol.update().where(protocol.c.id == sa.bindparam('pid'))
                           .values(search_text=sa.bindparam('folded')),
                           [{'pid': r.id, 'folded': _fold(r.title)[:200]} for r in rows[start:start + 500]])


def downgrade() -> None:
    with op.batch_alter_table('protocol', schema=None) as batch_op:
        batch_op.drop_column('search_text')
