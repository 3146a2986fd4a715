"""the ticket's life: moves, timeline, service reports, follow-ups, repeat failures

Revision ID: 0005_ticket_life
Revises: 0004_ticket_entry
Create Date: 2026-11-26 07:43:03.048760
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005_ticket_life'
down_revision = '0004_ticket_entry'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('follow_ups',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('called_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='intake'
    )
    op.create_index('ix_follow_ups_ticket_id_called_at_id', 'follow_ups', ['ticket_id', 'called_at', 'id'], unique=False, schema='intake')
    op.create_table('repeat_failures',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('earlier_ticket_id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['earlier_ticket_id'], ['intake.tickets.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('earlier_ticket_id', 'ticket_id', name='uq_repeat_failures_earlier_ticket_id_ticket_id'),
    schema='intake'
    )
    op.create_index(op.f('ix_intake_repeat_failures_serial'), 'repeat_failures', ['serial'], unique=False, schema='intake')
    op.create_table('service_reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('assignment_id', sa.Uuid(), nullable=True),
    sa.Column('work_done', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('root_cause', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('fault_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('parts_used', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('minutes_on_site', sa.Integer(), nullable=True),
    sa.Column('engineer_ids', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='intake'
    )
    op.create_index('ix_service_reports_fault_type_resolved_at', 'service_reports', ['fault_type', 'resolved_at'], unique=False, schema='intake')
    op.create_index('ix_service_reports_ticket_id_resolved_at', 'service_reports', ['ticket_id', 'resolved_at', 'id'], unique=False, schema='intake')
    op.create_table('ticket_timeline',
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('event_id'),
    schema='intake'
    )
    op.create_index('ix_ticket_timeline_ticket_id_seq', 'ticket_timeline', ['ticket_id', 'seq'], unique=False, schema='intake')
    # `awaiting_customer` is 17 characters: no ticket could be put on hold before this.
    op.alter_column('tickets', 'status', type_=sqlmodel.sql.sqltypes.AutoString(length=32),
                    existing_type=sqlmodel.sql.sqltypes.AutoString(length=16), existing_nullable=False,
                    schema='intake')
    op.add_column('tickets', sa.Column('held_from', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    # The asset columns came with the ticket entry (0004): repeat failures look tickets up by serial.
    op.create_index(op.f('ix_intake_tickets_asset_serial'), 'tickets', ['asset_serial'], unique=False, schema='intake')


def downgrade() -> None:
    op.drop_index(op.f('ix_intake_tickets_asset_serial'), table_name='tickets', schema='intake')
    op.drop_column('tickets', 'cancelled_at', schema='intake')
    op.drop_column('tickets', 'closed_at', schema='intake')
    op.drop_column('tickets', 'resolved_at', schema='intake')
    op.drop_column('tickets', 'held_from', schema='intake')
    op.alter_column('tickets', 'status', type_=sqlmodel.sql.sqltypes.AutoString(length=16),
                    existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), existing_nullable=False,
                    schema='intake')
    op.drop_index('ix_ticket_timeline_ticket_id_seq', table_name='ticket_timeline', schema='intake')
    op.drop_table('ticket_timeline', schema='intake')
    op.drop_index('ix_service_reports_ticket_id_resolved_at', table_name='service_reports', schema='intake')
    op.drop_index('ix_service_reports_fault_type_resolved_at', table_name='service_reports', schema='intake')
    op.drop_table('service_reports', schema='intake')
    op.drop_index(op.f('ix_intake_repeat_failures_serial'), table_name='repeat_failures', schema='intake')
    op.drop_table('repeat_failures', schema='intake')
    op.drop_index('ix_follow_ups_ticket_id_called_at_id', table_name='follow_ups', schema='intake')
    op.drop_table('follow_ups', schema='intake')
