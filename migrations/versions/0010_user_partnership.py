"""user partnership

The partnerships a secretariat or chair user serves (many-to-many). Reminders and
escalations meant for the secretariat and chair go to the users linked to the subject's
partnership, or to the unlinked (national) ones when nobody is linked.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 02:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_partnership',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_user_partnership_partnership_id_partnership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_partnership_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'partnership_id', name=op.f('pk_user_partnership'))
    )
    with op.batch_alter_table('user_partnership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_partnership_partnership_id'), ['partnership_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_partnership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_partnership_partnership_id'))

    op.drop_table('user_partnership')
