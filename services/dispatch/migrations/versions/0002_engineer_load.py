"""dispatch: keep each engineer's active assignment count on the engineer

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('engineers', sa.Column('active_assignments', sa.Integer(), server_default='0', nullable=False),
                  schema='dispatch')
    op.execute("""UPDATE dispatch.engineers e SET active_assignments = (
                      SELECT count(*) FROM dispatch.assignments a
                      WHERE a.engineer_id = e.id AND a.status IN ('assigned', 'accepted'))""")


def downgrade() -> None:
    op.drop_column('engineers', 'active_assignments', schema='dispatch')
