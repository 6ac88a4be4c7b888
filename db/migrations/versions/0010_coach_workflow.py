"""the club's custom exercises

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03 07:40:00

`custom_exercises` holds exercises coaches and admins add to the shipped catalogue (name,
modality, unit). Plans name them by `key`, like catalogue exercises; `name_folded` (the
name case-folded) is unique, so "Sled push" and "sled PUSH" cannot both exist.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'custom_exercises',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('name_folded', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('modality', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
        sa.UniqueConstraint('name_folded'),
    )


def downgrade() -> None:
    op.drop_table('custom_exercises')
