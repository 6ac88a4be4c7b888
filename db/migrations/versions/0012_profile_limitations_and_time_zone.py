"""an athlete's injuries and limitations; each user's time zone

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:30:00

Issue 11. `athlete_profiles.limitations` holds the injuries and limitations a coach or
the athlete noted (shown beside the editor). `users.time_zone` is the IANA zone a user
reads times in ("" until chosen or detected: times then read in UTC). Stored times stay UTC.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('athlete_profiles') as batch:
        batch.add_column(sa.Column('limitations', sqlmodel.sql.sqltypes.AutoString(length=500),
                                   nullable=False, server_default=''))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('time_zone', sqlmodel.sql.sqltypes.AutoString(length=64),
                                   nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('time_zone')
    with op.batch_alter_table('athlete_profiles') as batch:
        batch.drop_column('limitations')
