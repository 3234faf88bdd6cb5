"""who signed a decision off (Working Together 2023)

Issue 22: a rapid review's decision is signed off by the lead safeguarding partner or a
delegated safeguarding partner; the decision records which, and their name.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 13:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("review_decision", sa.Column("signed_off_by_role", sa.String(20), nullable=True))
    op.add_column("review_decision", sa.Column("signed_off_by_name", sa.String(200), nullable=True))


def downgrade():
    with op.batch_alter_table("review_decision") as batch_op:
        batch_op.drop_column("signed_off_by_name")
        batch_op.drop_column("signed_off_by_role")
