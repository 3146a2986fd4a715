"""dispatch: its tables and the platform tables (outbox, inbox, idempotency keys)

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:38:07.777270
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

from shared.migrations import create_platform_tables_v1, drop_platform_tables_v1
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1(op, 'dispatch')
    op.create_table('engineers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('skills', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='dispatch'
    )
    op.create_table('tickets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('unassigned_reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='dispatch'
    )
    op.create_table('assignments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('engineer_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['engineer_id'], ['dispatch.engineers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='dispatch'
    )
    op.create_index('ix_assignments_engineer', 'assignments', ['engineer_id', 'assigned_at', 'id'], unique=False, schema='dispatch')
    op.create_index(op.f('ix_dispatch_assignments_ticket_id'), 'assignments', ['ticket_id'], unique=False, schema='dispatch')
    op.create_index('ux_assignments_live', 'assignments', ['ticket_id', 'engineer_id'], unique=True, schema='dispatch', postgresql_where=sa.text("status IN ('assigned', 'accepted')"))


def downgrade() -> None:
    op.drop_index('ux_assignments_live', table_name='assignments', schema='dispatch', postgresql_where=sa.text("status IN ('assigned', 'accepted')"))
    op.drop_index(op.f('ix_dispatch_assignments_ticket_id'), table_name='assignments', schema='dispatch')
    op.drop_index('ix_assignments_engineer', table_name='assignments', schema='dispatch')
    op.drop_table('assignments', schema='dispatch')
    op.drop_table('tickets', schema='dispatch')
    op.drop_table('engineers', schema='dispatch')
    drop_platform_tables_v1(op, 'dispatch')
