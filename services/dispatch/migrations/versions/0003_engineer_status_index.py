"""dispatch: an engineer's assignments by status, for the phones' "my open work" poll

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_assignments_engineer_status', 'assignments', ['engineer_id', 'status', 'assigned_at', 'id'],
                    unique=False, schema='dispatch')


def downgrade() -> None:
    op.drop_index('ix_assignments_engineer_status', table_name='assignments', schema='dispatch')
