"""the client's address on each audit event

Data protection (issue 21): an audit row says where a request came from as well as who
made it. Nullable: older rows, the scheduler and the command line have no client.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-11 12:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("client_address", sa.String(length=45), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_column("client_address")
