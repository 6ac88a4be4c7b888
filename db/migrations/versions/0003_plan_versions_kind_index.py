"""index plan versions by plan and kind

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:55:00

The approvals of a version (its plan's decisions so far) and "the version the athlete
last reviewed" look versions up by plan and kind; without this index they read every
version of the plan. A plain CREATE INDEX (no batch mode), so SQLite keeps the table and
its immutability triggers.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_plan_versions_plan_kind', 'plan_versions', ['plan_id', 'kind'])


def downgrade() -> None:
    op.drop_index('ix_plan_versions_plan_kind', table_name='plan_versions')
