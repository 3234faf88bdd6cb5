"""impact history; the theme tally counts learning only

Issue 18: the yearly report and the dashboard read an action's impact as at the end of a
period from its history. Status history was already kept (each entry's status and
previous status); the impact was kept only on the action. Entries recorded before this
migration get the impact their note starts with (the note is written as "<label>. ...").

The tally of findings per theme and business year (the heat maps, recurring themes) now
counts learning (learning points and recommendations) and no strengths: rebuilt here.

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-07 12:50:00

"""

from collections import Counter
from datetime import date

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

    _rebuild_theme_tally(("learning_point", "recommendation"))


def _rebuild_theme_tally(kinds):
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM theme_year_tally"))
    themes = Counter()
    rows = connection.execute(
        sa.text(
            "SELECT finding_theme.theme_id, review.partnership_id, review.started_on, finding.kind"
            " FROM finding_theme JOIN finding ON finding.id = finding_theme.finding_id"
            " JOIN review ON review.id = finding.review_id"
        )
    )
    for theme_id, partnership_id, started_on, kind in rows:
        if kinds is not None and kind not in kinds:
            continue
        if isinstance(started_on, str):
            started_on = date.fromisoformat(started_on[:10])
        year = started_on.year - (1 if started_on.month < 4 else 0)
        themes[(theme_id, partnership_id, year)] += 1
    if themes:
        connection.execute(
            sa.text(
                "INSERT INTO theme_year_tally (theme_id, partnership_id, business_year, findings)"
                " VALUES (:t, :p, :y, :n)"
            ),
            [{"t": t, "p": p, "y": y, "n": n} for (t, p, y), n in themes.items()],
        )


def downgrade():
    _rebuild_theme_tally(None)
    with op.batch_alter_table("action_update") as batch_op:
        batch_op.drop_column("impact_status")
