"""experiments: hypothesis, mode, variants with algorithms, eligibility, guardrails, phase

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:40:00

Issue 12. The experiments table of 0001 held the spec's columns; these are what a data
scientist configures besides. Plain nullable ADD COLUMNs, so existing rows stay valid
(readers take NULL as the default: hash mode, no eligibility rule, no guardrail, phase 1).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = ('hypothesis', 'variants_json', 'eligibility_json', 'guardrails_json')


def upgrade() -> None:
    op.add_column('experiments', sa.Column('hypothesis', sa.Text(), nullable=True))
    op.add_column('experiments', sa.Column(
        'randomization', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    for name in TEXT_COLUMNS[1:]:
        op.add_column('experiments', sa.Column(name, sa.Text(), nullable=True))
    op.add_column('experiments', sa.Column('phase', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('experiments') as batch:
        for name in ('phase', *reversed(TEXT_COLUMNS[1:]), 'randomization', 'hypothesis'):
            batch.drop_column(name)
