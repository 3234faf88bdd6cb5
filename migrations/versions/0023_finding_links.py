"""links between a finding and similar earlier findings, confirmed or dismissed

Learning that recurs (issue 23): a person confirms or dismisses each suggested link; a
confirmed link counts as recurring learning on the dashboard and in the yearly report, a
dismissed one is not suggested again. The index on finding.updated_at lets the similarity
index read only the findings changed since it was built.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "finding_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("earlier_finding_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("confirmed", "dismissed", name="linkdecision", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"],
            name=op.f("fk_finding_link_finding_id_finding"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["earlier_finding_id"], ["finding.id"],
            name=op.f("fk_finding_link_earlier_finding_id_finding"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"],
            name=op.f("fk_finding_link_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_link")),
        sa.UniqueConstraint(
            "finding_id", "earlier_finding_id", name=op.f("uq_finding_link_finding_id")
        ),
    )
    op.create_index(
        op.f("ix_finding_link_earlier_finding_id"), "finding_link", ["earlier_finding_id"]
    )
    op.create_index(op.f("ix_finding_link_decision"), "finding_link", ["decision"])
    op.create_index(op.f("ix_finding_updated_at"), "finding", ["updated_at"])


def downgrade():
    op.drop_index(op.f("ix_finding_updated_at"), table_name="finding")
    op.drop_index(op.f("ix_finding_link_decision"), table_name="finding_link")
    op.drop_index(op.f("ix_finding_link_earlier_finding_id"), table_name="finding_link")
    op.drop_table("finding_link")
