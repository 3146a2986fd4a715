"""escalation: its tables and the platform tables (outbox, inbox, idempotency keys)

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:38:08.680253
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
    op.create_table('idempotency_keys',
    sa.Column('principal', sa.Text(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('request_hash', sa.Text(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('principal', 'key'),
    schema='escalation'
    )
    op.create_table('inbox',
    sa.Column('event_id', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('event_id'),
    schema='escalation'
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
    schema='escalation'
    )
    op.create_index('ix_escalation_outbox_pending', 'outbox', ['id'], unique=False, schema='escalation', postgresql_where=sa.text('published_at IS NULL'))

    create_outbox_notify(op, 'escalation')

def downgrade() -> None:
    op.drop_index('ix_escalation_outbox_pending', table_name='outbox', schema='escalation', postgresql_where=sa.text('published_at IS NULL'))
    op.drop_table('outbox', schema='escalation')
    op.drop_table('inbox', schema='escalation')
    op.drop_table('idempotency_keys', schema='escalation')
    op.drop_index('ix_clocks_open_due', table_name='clocks', schema='escalation', postgresql_where=sa.text('met_at IS NULL AND breached_at IS NULL'))
    op.drop_table('clocks', schema='escalation')
