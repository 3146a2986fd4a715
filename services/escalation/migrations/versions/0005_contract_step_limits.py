"""escalation: a contract's own step limits for the ladder (ES-3)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('contracts', sa.Column('step_limits', postgresql.JSONB(), server_default='{}', nullable=False),
                  schema='escalation')


def downgrade() -> None:
    op.drop_column('contracts', 'step_limits', schema='escalation')
