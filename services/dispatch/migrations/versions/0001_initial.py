"""dispatch: its tables and the platform tables (outbox, inbox, idempotency keys)

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:38:07.777270
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

from shared.migrations import create_outbox_notify
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    op.create_table('idempotency_keys',
    sa.Column('principal', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('request_hash', sa.Text(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('principal', 'key'),
    schema='dispatch'
    )
    op.create_table('inbox',
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('event_id'),
    schema='dispatch'
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('event_id', sa.UUID(), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('headers', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id'),
    schema='dispatch'
    )
    op.create_index('ix_dispatch_outbox_pending', 'outbox', ['id'], unique=False, schema='dispatch', postgresql_where=sa.text('published_at IS NULL'))
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

    create_outbox_notify(op, 'dispatch')

def downgrade() -> None:
    op.drop_index('ux_assignments_live', table_name='assignments', schema='dispatch', postgresql_where=sa.text("status IN ('assigned', 'accepted')"))
    op.drop_index(op.f('ix_dispatch_assignments_ticket_id'), table_name='assignments', schema='dispatch')
    op.drop_index('ix_assignments_engineer', table_name='assignments', schema='dispatch')
    op.drop_table('assignments', schema='dispatch')
    op.drop_table('tickets', schema='dispatch')
    op.drop_index('ix_dispatch_outbox_pending', table_name='outbox', schema='dispatch', postgresql_where=sa.text('published_at IS NULL'))
    op.drop_table('outbox', schema='dispatch')
    op.drop_table('inbox', schema='dispatch')
    op.drop_table('idempotency_keys', schema='dispatch')
    op.drop_table('engineers', schema='dispatch')
