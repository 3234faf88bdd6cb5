"""audit events are append-only: a trigger refuses UPDATE and DELETE

Data protection (issue 21): the application's own database user cannot change or remove
an audit row. On PostgreSQL a trigger function raises on UPDATE, DELETE and TRUNCATE of
``audit_event`` unless the transaction has set ``sgreviews.audit_purge = 'on'``
(``SET LOCAL``: it ends with the transaction); on SQLite two triggers raise unless the
connection holds a temporary table ``sgreviews_audit_purge``. Both are what
``sgreviews.services.audit.purge_permitted()`` sets, the one documented way round (no job
of the app deletes audit rows today; a future retention purge must use it, and it is
visible in code review). Restoring a backup is unaffected: pg_restore --clean drops and
recreates the table, and SQLite's restore copies pages.

Note for later migrations: on SQLite, ``batch_alter_table("audit_event")`` recreates the
table and loses these triggers; such a migration must create them again
(``create_sqlite_triggers`` below).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-07 06:00:00

"""

from alembic import op


revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None

MESSAGE = "audit events cannot be changed or deleted"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('sgreviews.audit_purge', true), '') = 'on' THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE} (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def create_sqlite_triggers() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"""
            CREATE TRIGGER audit_event_refuse_{operation.lower()}
            BEFORE {operation} ON audit_event
            WHEN (SELECT count(*) FROM pragma_table_info('sgreviews_audit_purge', 'temp')) = 0
            BEGIN
                SELECT RAISE(ABORT, '{MESSAGE} ({operation})');
            END
            """
        )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()"
        )
    else:
        create_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_refuse_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_refuse_delete")
