"""dashboard performance

The chair's dashboard at national scale (docs/performance-history.md, "Dashboard at
national scale"): ``action.finished_at`` (when the action first moved to a finished status, kept
by an ORM hook on every new update, backfilled here from the updates), running tallies
for the national figures (actions per agency and status, actions per month created /
finished / due, findings per theme, partnership and business year; kept by ORM hooks in
sgreviews/models/tally.py, backfilled here), and indexes on
the columns the dashboard filters, groups and sorts by, so its aggregates read narrow
indexes instead of the wide tables.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-22 03:00:00

"""
from collections import Counter
from datetime import date, timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

FINISHED = ('completed', 'assured', 'closed_not_implemented', 'superseded')


def upgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
    # Backfill: the earliest update to a finished status, as the dashboard computed it
    # (only the actions that have one, so the others' rows are not rewritten).
    finishing = (
        "FROM action_update WHERE action_update.action_id = action.id"
        f" AND action_update.status IN {FINISHED!r}"
    )
    op.execute(
        f"UPDATE action SET finished_at = (SELECT MIN(action_update.created_at) {finishing})"
        f" WHERE EXISTS (SELECT 1 {finishing})"
    )
    op.create_table('action_status_tally',
    sa.Column('owning_agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'completed', 'assured', 'closed_not_implemented', 'superseded', name='actionstatus', native_enum=False, length=40), nullable=False),
    sa.Column('actions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['owning_agency_id'], ['agency.id'], name=op.f('fk_action_status_tally_owning_agency_id_agency')),
    sa.PrimaryKeyConstraint('owning_agency_id', 'status', name=op.f('pk_action_status_tally'))
    )
    op.create_table('action_month_tally',
    sa.Column('created_month', sa.String(length=7), nullable=False),
    sa.Column('finished_month', sa.String(length=7), nullable=False),
    sa.Column('due_month', sa.String(length=7), nullable=False),
    sa.Column('actions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('created_month', 'finished_month', 'due_month', name=op.f('pk_action_month_tally'))
    )
    op.create_table('theme_year_tally',
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('business_year', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_theme_year_tally_partnership_id_partnership')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_theme_year_tally_theme_id_theme')),
    sa.PrimaryKeyConstraint('theme_id', 'partnership_id', 'business_year', name=op.f('pk_theme_year_tally'))
    )
    _backfill_tallies(op.get_bind())
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(
            'ix_action_agency_status_due', ['owning_agency_id', 'status', 'due_date'], unique=False
        )
        batch_op.create_index('ix_action_status_due', ['status', 'due_date'], unique=False)
        batch_op.create_index(
            'ix_action_trend', ['created_at', 'finished_at', 'due_date'], unique=False
        )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_started_on', ['started_on'], unique=False)
        batch_op.create_index('ix_review_commissioned_on', ['commissioned_on'], unique=False)
    # Planner statistics for the new indexes. SQLite has none until ANALYZE, and without
    # them it drives the overdue-by-agency query from the status index and sorts, instead
    # of reading the agency index in order (docs/performance-history.md).
    op.execute('ANALYZE')


def _month(value):
    """"YYYY-MM" of a timestamp in UTC (SQLite returns naive UTC text or datetimes)."""
    if value is None:
        return ''
    if isinstance(value, str):
        return value[:7]
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime('%Y-%m')


def _backfill_tallies(connection):
    """The same counts as sgreviews.services.actions.tallies.rebuild_action_tallies (kept here so the
    migration does not depend on the application code of the day)."""
    connection.execute(sa.text(
        "INSERT INTO action_status_tally (owning_agency_id, status, actions)"
        " SELECT owning_agency_id, status, COUNT(*) FROM action"
        " GROUP BY owning_agency_id, status"
    ))
    months = Counter()
    rows = connection.execute(sa.text("SELECT created_at, finished_at, due_date FROM action"))
    for created_at, finished_at, due_date in rows:
        if isinstance(due_date, str):
            due_date = date.fromisoformat(due_date[:10])
        due_month = (due_date + timedelta(days=1)).strftime('%Y-%m')
        months[(_month(created_at), _month(finished_at), due_month)] += 1
    if months:
        connection.execute(
            sa.text(
                "INSERT INTO action_month_tally (created_month, finished_month, due_month, actions)"
                " VALUES (:c, :f, :d, :n)"
            ),
            [{'c': c, 'f': f, 'd': d, 'n': n} for (c, f, d), n in months.items()],
        )
    themes = Counter()
    rows = connection.execute(sa.text(
        "SELECT finding_theme.theme_id, review.partnership_id, review.started_on"
        " FROM finding_theme JOIN finding ON finding.id = finding_theme.finding_id"
        " JOIN review ON review.id = finding.review_id"
    ))
    for theme_id, partnership_id, started_on in rows:
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
            [{'t': t, 'p': p, 'y': y, 'n': n} for (t, p, y), n in themes.items()],
        )


def downgrade():
    op.drop_table('theme_year_tally')
    op.drop_table('action_month_tally')
    op.drop_table('action_status_tally')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_commissioned_on')
        batch_op.drop_index('ix_review_started_on')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index('ix_action_trend')
        batch_op.drop_index('ix_action_status_due')
        batch_op.drop_index('ix_action_agency_status_due')
        batch_op.drop_column('finished_at')
