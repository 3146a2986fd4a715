"""intake: a contract's own step limits for the escalation ladder (ES-3), per priority

Revision ID: 0008
Revises: 0007_knowledge_title_search
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007_knowledge_title_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty: the contracts already registered keep escalation's defaults, as they had.
    op.add_column('contracts',
                  sa.Column('step_limits', postgresql.JSONB(astext_type=sa.Text()), server_default='{}',
                            nullable=False),
                  schema='intake')


def downgrade() -> None:
    op.drop_column('contracts', 'step_limits', schema='intake')
