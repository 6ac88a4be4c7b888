"""experiment assignments and exposures per phase; a stratum index for block positions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 11:40:00

Issue 12. A deliberate new phase re-randomises everyone, so an assignment is sticky
within one phase: the unique key becomes (experiment, phase, subject). Existing rows
belong to phase 1. The (experiment, phase, stratum) index serves the stratified-block
position count (how many subjects of a stratum are already enrolled).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('experiment_assignments') as batch:
        batch.add_column(sa.Column('phase', sa.Integer(), nullable=False,
                                   server_default='1'))
        batch.drop_constraint('uq_assignment_subject', type_='unique')
        batch.create_unique_constraint('uq_assignment_subject_phase',
                                       ['experiment_id', 'phase', 'subject_id'])
        batch.create_index('ix_assignment_stratum', ['experiment_id', 'phase', 'stratum'])
    with op.batch_alter_table('exposure_events') as batch:
        batch.add_column(sa.Column('phase', sa.Integer(), nullable=False,
                                   server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('exposure_events') as batch:
        batch.drop_column('phase')
    with op.batch_alter_table('experiment_assignments') as batch:
        batch.drop_index('ix_assignment_stratum')
        batch.drop_constraint('uq_assignment_subject_phase', type_='unique')
        batch.create_unique_constraint('uq_assignment_subject',
                                       ['experiment_id', 'subject_id'])
        batch.drop_column('phase')
