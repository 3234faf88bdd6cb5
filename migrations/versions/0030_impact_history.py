"""impact history: the impact each "impact recorded" entry assessed

Issue 18: the yearly report and the dashboard read an action's impact as at the end of a
period from its history. Status history was already kept (each entry's status and
previous status); the impact was kept only on the action. Entries recorded before this
migration get the impact their note starts with (the note is written as "<label>. ...").

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-07 12:50:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0030"
down_revision = "0028"
branch_labels = None
depends_on = None

# The labels ImpactStatus had when the notes were written, longest first so "No impact"
# never shadows a longer label.
LABELS = {
    "Evidence of impact": "evidenced",
    "Assessment planned": "planned",
    "Not yet assessed": "not_assessed",
    "Inconclusive": "inconclusive",
    "No impact": "no_impact",
}


def upgrade():
    with op.batch_alter_table("action_update") as batch_op:
        batch_op.add_column(sa.Column("impact_status", sa.String(length=40), nullable=True))
    entry = sa.table(
        "action_update",
        sa.column("kind", sa.String),
        sa.column("note", sa.String),
        sa.column("impact_status", sa.String),
    )
    for label, value in LABELS.items():
        op.execute(
            entry.update()
            .where(entry.c.kind == "impact")
            .where(entry.c.impact_status.is_(None))
            .where(entry.c.note.like(label + "%"))
            .values(impact_status=value)
        )


def downgrade():
    with op.batch_alter_table("action_update") as batch_op:
        batch_op.drop_column("impact_status")
