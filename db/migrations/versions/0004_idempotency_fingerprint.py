"""remember what an Idempotency-Key was first sent with

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:20:00

A repeated Idempotency-Key with another body must be refused, so a version keeps the
SHA-256 of the request that created it. Keys are stored hashed with the sender's id, so
two users' keys never meet. A plain ADD COLUMN (no batch mode), so SQLite keeps the
table and its immutability triggers.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('plan_versions', sa.Column(
        'idempotency_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('plan_versions') as batch:
        batch.drop_column('idempotency_fingerprint')
