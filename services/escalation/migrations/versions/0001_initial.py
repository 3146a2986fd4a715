"""escalation: its tables and the platform tables (outbox, inbox, idempotency keys)

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:38:08.680253
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

from shared.migrations import create_platform_tables_v1, drop_platform_tables_v1

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1(op, 'escalation')
    op.create_table('clocks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('calendar', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('met_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('breached_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'kind', name='uq_clocks_ticket_kind'),
    schema='escalation'
    )
    op.create_index('ix_clocks_open_due', 'clocks', ['due_at'], unique=False, schema='escalation', postgresql_where=sa.text('met_at IS NULL AND breached_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_clocks_open_due', table_name='clocks', schema='escalation', postgresql_where=sa.text('met_at IS NULL AND breached_at IS NULL'))
    op.drop_table('clocks', schema='escalation')
    drop_platform_tables_v1(op, 'escalation')
