"""the scheduler's heartbeat, read by /health/ready and the reminder log

The scheduler process rewrites one row every minute; a row older than a few beats means
no scheduler is running, so reminders and mail stop, and readiness says so.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 12:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduler_heartbeat",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("process", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_heartbeat")),
    )


def downgrade():
    op.drop_table("scheduler_heartbeat")
