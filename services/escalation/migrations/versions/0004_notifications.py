"""escalation: webhook subscriptions, their deliveries and log, e-mails, and the read models that
address them (contracts' ladder contacts, tickets' numbers and levels)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 11:36:10.072717
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('emails',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('recipient_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('why', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('first_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='escalation'
    )
    op.create_index('ix_emails_created_at_id', 'emails', ['created_at', 'id'], unique=False, schema='escalation')
    op.create_index('ix_emails_pending_next', 'emails', ['next_attempt_at'], unique=False, schema='escalation', postgresql_where=sa.text("status IN ('pending', 'sending')"))
    op.create_table('notification_contracts',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('calendar', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('ladder', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('contract_id'),
    schema='escalation'
    )
    op.create_table('notification_tickets',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('level', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('ticket_id'),
    schema='escalation'
    )
    op.create_table('webhooks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
    sa.Column('events', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='escalation'
    )
    op.create_index('ix_webhooks_created_at_id', 'webhooks', ['created_at', 'id'], unique=False, schema='escalation')
    op.create_table('deliveries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('webhook_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('first_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['webhook_id'], ['escalation.webhooks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('webhook_id', 'event_id', name='uq_deliveries_webhook_event'),
    schema='escalation'
    )
    op.create_index('ix_deliveries_pending_next', 'deliveries', ['next_attempt_at'], unique=False, schema='escalation', postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_deliveries_webhook_created', 'deliveries', ['webhook_id', 'created_at', 'id'], unique=False, schema='escalation')
    op.create_table('delivery_attempts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('delivery_id', sa.Uuid(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['escalation.deliveries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='escalation'
    )
    op.create_index('ix_delivery_attempts_delivery_at', 'delivery_attempts', ['delivery_id', 'attempted_at'], unique=False, schema='escalation')


def downgrade() -> None:
    op.drop_index('ix_delivery_attempts_delivery_at', table_name='delivery_attempts', schema='escalation')
    op.drop_table('delivery_attempts', schema='escalation')
    op.drop_index('ix_deliveries_webhook_created', table_name='deliveries', schema='escalation')
    op.drop_index('ix_deliveries_pending_next', table_name='deliveries', schema='escalation', postgresql_where=sa.text("status = 'pending'"))
    op.drop_table('deliveries', schema='escalation')
    op.drop_index('ix_webhooks_created_at_id', table_name='webhooks', schema='escalation')
    op.drop_table('webhooks', schema='escalation')
    op.drop_table('notification_tickets', schema='escalation')
    op.drop_table('notification_contracts', schema='escalation')
    op.drop_index('ix_emails_pending_next', table_name='emails', schema='escalation', postgresql_where=sa.text("status IN ('pending', 'sending')"))
    op.drop_index('ix_emails_created_at_id', table_name='emails', schema='escalation')
    op.drop_table('emails', schema='escalation')
