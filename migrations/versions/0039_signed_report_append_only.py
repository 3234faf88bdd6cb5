"""signed-off yearly reports are frozen in the database itself

Issue 18, item 6: a signed-off report cannot be changed, only superseded. The ORM already
refuses an UPDATE or DELETE of a ``signed_report`` row (``models/signed_report.py``); these
triggers make the database refuse it too, whatever the client (a console, a script, a
report tool with write access). There is no purge permit: a version is superseded by a
newer one, never edited or removed. Restoring a backup is unaffected (pg_restore --clean
drops and recreates the table; SQLite's restore copies pages).

Note for later migrations: on SQLite, ``batch_alter_table("signed_report")`` recreates the
table and loses these triggers; such a migration must create them again
(``create_sqlite_triggers`` below).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 16:00:00

"""

from alembic import op


revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

MESSAGE = "a signed-off report cannot be changed or deleted, only superseded"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION signed_report_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE} (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def create_sqlite_triggers() -> None:
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"""
            CREATE TRIGGER signed_report_refuse_{operation.lower()}
            BEFORE {operation} ON signed_report
            BEGIN
                SELECT RAISE(ABORT, '{MESSAGE} ({operation})');
            END
            """
        )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER signed_report_frozen BEFORE UPDATE OR DELETE ON signed_report "
            "FOR EACH ROW EXECUTE FUNCTION signed_report_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER signed_report_no_truncate BEFORE TRUNCATE ON signed_report "
            "FOR EACH STATEMENT EXECUTE FUNCTION signed_report_refuse_change()"
        )
    else:
        create_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS signed_report_no_truncate ON signed_report")
        op.execute("DROP TRIGGER IF EXISTS signed_report_frozen ON signed_report")
        op.execute("DROP FUNCTION IF EXISTS signed_report_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS signed_report_refuse_update")
        op.execute("DROP TRIGGER IF EXISTS signed_report_refuse_delete")
