"""corrections with a trail, partnerships kept in the app, and one search

Issue 20. Evidence removed or replaced keeps its row (who, when, why); a corrected
progress note keeps its earlier texts; a review created in error is withdrawn, never
deleted; a reader's reflections on a briefing accumulate with their dates; a partnership
records its jurisdiction and go-live date. All additive and nullable.

The search across reviews, findings, actions and published briefings
(``services/search``): on SQLite one FTS5 table ``fts_record`` (unicode61, no stemming),
kept in step by triggers on the four tables, its rowid the object's id times 4 plus its
kind (0 briefing, 1 review, 2 finding, 3 action); on PostgreSQL a GIN expression index
per table over ``to_tsvector('simple', <the same text, punctuation made spaces>)``. Both read the same words, so
both find the same records.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence_file") as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("removal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            "fk_evidence_file_removed_by_id_user_account",
            "user_account",
            ["removed_by_id"],
            ["id"],
        )
    with op.batch_alter_table("review") as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            "fk_review_withdrawn_by_id_user_account", "user_account", ["withdrawn_by_id"], ["id"]
        )
    with op.batch_alter_table("partnership") as batch_op:
        batch_op.add_column(sa.Column("jurisdiction", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("go_live_on", sa.Date(), nullable=True))
    op.create_table(
        "action_update_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["action_update.id"],
            name="fk_action_update_revision_update_id_action_update",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["user_account.id"],
            name="fk_action_update_revision_replaced_by_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_action_update_revision"),
    )
    op.create_index(
        "ix_action_update_revision_update_id", "action_update_revision", ["update_id"]
    )
    op.create_table(
        "briefing_reflection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("read_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["read_id"],
            ["briefing_read.id"],
            name="fk_briefing_reflection_read_id_briefing_read",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["briefing_version.id"],
            name="fk_briefing_reflection_version_id_briefing_version",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_briefing_reflection"),
    )
    op.create_index("ix_briefing_reflection_read_id", "briefing_reflection", ["read_id"])
    # The reflections already written become each reader's first dated reflection.
    op.execute(
        "INSERT INTO briefing_reflection (read_id, version_id, text, created_at) "
        "SELECT id, version_id, reflection, read_at FROM briefing_read WHERE reflection <> ''"
    )
    _create_search()


# The text each kind is found by: the same expressions as services/search/documents.py.
DOCUMENTS = {
    # table: (kind code, text expression over the row, "new." or "old." prefixed)
    "briefing": (0, "{p}search_document"),
    "review": (1, "{p}reference || ' ' || {p}subject_label"),
    "finding": (2, "{p}text"),
    "action": (
        3,
        "{p}reference || ' ' || {p}action_text || ' ' || {p}outcome_sought || ' ' || "
        "{p}measure_of_success",
    ),
}
WATCHED = {
    "briefing": "search_document",
    "review": "reference, subject_label",
    "finding": "text",
    "action": "reference, action_text, outcome_sought, measure_of_success",
}


def _create_search():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE fts_record USING fts5(document, tokenize='unicode61 remove_diacritics 0')")
        # Its words, for the search's spelling fallback.
        op.execute("CREATE VIRTUAL TABLE fts_record_vocab USING fts5vocab(fts_record, 'row')")
        for table, (code, expression) in DOCUMENTS.items():
            new = expression.format(p="new.")
            old_id = f"old.id * 4 + {code}"
            insert = (
                f"INSERT INTO fts_record (rowid, document) SELECT new.id * 4 + {code}, {new} "
                f"WHERE coalesce({new}, '') <> '';"
            )
            op.execute(
                f"CREATE TRIGGER fts_record_{table}_insert AFTER INSERT ON {table} "
                f"BEGIN {insert} END"
            )
            op.execute(
                f"CREATE TRIGGER fts_record_{table}_update AFTER UPDATE OF {WATCHED[table]} "
                f"ON {table} BEGIN DELETE FROM fts_record WHERE rowid = {old_id}; {insert} END"
            )
            op.execute(
                f"CREATE TRIGGER fts_record_{table}_delete AFTER DELETE ON {table} "
                f"BEGIN DELETE FROM fts_record WHERE rowid = {old_id}; END"
            )
            row = expression.format(p="")
            op.execute(
                f"INSERT INTO fts_record (rowid, document) SELECT id * 4 + {code}, {row} "
                f"FROM {table} WHERE coalesce({row}, '') <> ''"
            )
    else:
        for table, (_code, expression) in DOCUMENTS.items():
            # Punctuation becomes a space first, so PostgreSQL's parser splits words as
            # FTS5's unicode61 does (it would read "LCSPR-2025-41" as a word and two
            # negative numbers, "gov.uk" as one host).
            op.execute(
                f"CREATE INDEX fts_{table}_simple ON {table} USING gin (to_tsvector('simple', "
                f"regexp_replace({expression.format(p='')}, '[^[:alnum:]]+', ' ', 'g')))"
            )


def _drop_search():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in DOCUMENTS:
            for when in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS fts_record_{table}_{when}")
        op.execute("DROP TABLE IF EXISTS fts_record_vocab")
        op.execute("DROP TABLE IF EXISTS fts_record")
    else:
        for table in DOCUMENTS:
            op.execute(f"DROP INDEX IF EXISTS fts_{table}_simple")


def downgrade():
    _drop_search()
    op.drop_index("ix_briefing_reflection_read_id", table_name="briefing_reflection")
    op.drop_table("briefing_reflection")
    op.drop_index("ix_action_update_revision_update_id", table_name="action_update_revision")
    op.drop_table("action_update_revision")
    with op.batch_alter_table("partnership") as batch_op:
        batch_op.drop_column("go_live_on")
        batch_op.drop_column("jurisdiction")
    with op.batch_alter_table("review") as batch_op:
        batch_op.drop_constraint("fk_review_withdrawn_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("evidence_file") as batch_op:
        batch_op.drop_constraint("fk_evidence_file_removed_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("removal_reason")
        batch_op.drop_column("removed_by_id")
        batch_op.drop_column("removed_at")
