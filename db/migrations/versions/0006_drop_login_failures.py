"""drop login_failures: sign-in throttling now keeps one counter row per key

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 15:40:00

Failed sign-ins used to be one row each (an attacker's 300 attempts were 300 rows);
`throttles` keeps a counter per account, address and pair instead, so the old table has
no reader or writer left.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_login_failures_ip_at', table_name='login_failures')
    op.drop_index('ix_login_failures_email_at', table_name='login_failures')
    op.drop_table('login_failures')


def downgrade() -> None:
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column('origin_ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('occurred_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_login_failures_email_at', 'login_failures', ['email', 'occurred_at'])
    op.create_index('ix_login_failures_ip_at', 'login_failures', ['origin_ip', 'occurred_at'])
