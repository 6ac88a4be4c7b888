"""sign-in throttles and known sign-in addresses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:00:00

`throttles` holds one small counter row per (scope, key): failure streaks with
exponential back-off per account and address, sign-in attempts per address, and the
bookkeeping that lets one audit event summarise many throttled sign-ins or denied
requests. `known_signin_addresses` remembers where each account signed in successfully,
so a stranger's failures elsewhere never lock the owner out there.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'throttles',
        sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('window_started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('reported_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('suppressed', sa.Integer(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'key'),
    )
    op.create_index(op.f('ix_throttles_updated_at'), 'throttles', ['updated_at'])
    op.create_table(
        'known_signin_addresses',
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('origin_ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('user_id', 'origin_ip'),
    )


def downgrade() -> None:
    op.drop_table('known_signin_addresses')
    op.drop_index(op.f('ix_throttles_updated_at'), table_name='throttles')
    op.drop_table('throttles')
