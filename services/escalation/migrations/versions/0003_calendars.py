"""escalation: named calendars an admin defines over the API (ES-7)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendars',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('ranges', postgresql.JSONB(), nullable=False),
    sa.Column('holidays', postgresql.ARRAY(sa.Date()), server_default='{}', nullable=False),
    sa.Column('workdays', postgresql.ARRAY(sa.Date()), server_default='{}', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name'),
    schema='escalation'
    )


def downgrade() -> None:
    op.drop_table('calendars', schema='escalation')
