"""recommendations with a level, an addressee and a national response

Revision ID: 0034
Revises: 0028
Create Date: 2026-12-07

On SQLite a foreign key can only be added by copying the table (a batch), which drops the
search triggers migration 0025 put on it: their definitions are read first and created
again after the copy (``tests/integration/test_migrations.py`` checks they survive).
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0028"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_finding_addressee_agency_id_agency"


def _triggers():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    return [
        sql
        for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'finding'"
        )
    ]


def upgrade():
    triggers = _triggers()
    with op.batch_alter_table("finding") as batch_op:
        batch_op.add_column(sa.Column("level", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("addressed_to", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("addressee_agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("addressee_body", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("response_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("response", sa.Text(), nullable=True))
        batch_op.create_foreign_key(FOREIGN_KEY, "agency", ["addressee_agency_id"], ["id"])
    for sql in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {sql.split()[2]}")
        op.execute(sql)


def downgrade():
    triggers = _triggers()
    with op.batch_alter_table("finding") as batch_op:
        batch_op.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        for column in (
            "response",
            "response_on",
            "addressee_body",
            "addressee_agency_id",
            "addressed_to",
            "level",
        ):
            batch_op.drop_column(column)
    for sql in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {sql.split()[2]}")
        op.execute(sql)
