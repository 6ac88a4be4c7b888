"""who wrote a version: a person, or the algorithm at someone's request

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00

A generated version is written by the algorithm (`algorithm_version`), at the request
of a person (`requested_by`); `author_kind` says which ("person", "algorithm",
"system"). Versions stored before stay as they are (immutable): their `author_kind` is
NULL and readers take a generated one as the algorithm's. Plain ADD COLUMNs (no batch
mode), so SQLite keeps the table and its immutability triggers.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (('author_kind', 16), ('algorithm_version', 40), ('requested_by', 36))


def upgrade() -> None:
    for name, length in COLUMNS:
        op.add_column('plan_versions', sa.Column(
            name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('plan_versions') as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
