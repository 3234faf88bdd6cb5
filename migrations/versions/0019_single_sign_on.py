"""single sign-on: the OpenID Connect identity a user signs in with

Issue 21: an account made or matched by single sign-on keeps the provider's issuer and
the person's subject identifier, the pair OpenID Connect promises never to reassign, so
a later sign-in finds the same account whatever its email address becomes. Both empty
for password accounts; unique together.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-12 06:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            "uq_user_account_oidc_issuer", ["oidc_issuer", "oidc_subject"]
        )


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_constraint("uq_user_account_oidc_issuer", type_="unique")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
