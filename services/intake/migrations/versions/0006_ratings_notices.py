"""intake: ratings (IN-6), advance notices (IN-9, IV-5), the reports' read models (RP-1, RP-2)

Revision ID: 0006_ratings_notices
Revises: 0005_ticket_life
Create Date: 2026-11-26 07:43:04.303972
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

revision = '0006_ratings_notices'
down_revision = '0005_ticket_life'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('advisories',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('models', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('firmware_from', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('firmware_to', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('manufacturer', 'reference', name='uq_advisories_manufacturer_reference'),
    schema='intake'
    )
    op.create_table('sla_outcomes',
    sa.Column('clock_id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('met_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('clock_id'),
    schema='intake'
    )
    op.create_index('ix_sla_outcomes_decided_at', 'sla_outcomes', ['decided_at'], unique=False, schema='intake')
    op.create_index('ix_sla_outcomes_ticket_id', 'sla_outcomes', ['ticket_id'], unique=False, schema='intake')
    op.create_table('ticket_engineers',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('engineer_id', sa.Uuid(), nullable=False),
    sa.Column('assignment_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', 'engineer_id'),
    schema='intake'
    )
    op.create_index('ix_ticket_engineers_engineer_id', 'ticket_engineers', ['engineer_id'], unique=False, schema='intake')
    op.create_table('notices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('advisory_id', sa.Uuid(), nullable=True),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('end_of_production', sa.Date(), nullable=True),
    sa.Column('serials', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('contacts', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('send_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['advisory_id'], ['intake.advisories.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['intake.customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='intake'
    )
    op.create_index(op.f('ix_intake_notices_advisory_id'), 'notices', ['advisory_id'], unique=False, schema='intake')
    op.create_index('ix_notices_created_at_id', 'notices', ['created_at', 'id'], unique=False, schema='intake')
    op.create_index('ix_notices_customer_id_created_at_id', 'notices', ['customer_id', 'created_at', 'id'], unique=False, schema='intake')
    op.create_index('ix_notices_pending_send_by', 'notices', ['send_by'], unique=False, schema='intake', postgresql_where=sa.text("status = 'pending'"))
    op.create_index('uq_notices_part_number_customer_id', 'notices', ['part_number', 'customer_id'], unique=True, schema='intake', postgresql_where=sa.text('part_number IS NOT NULL'))
    op.create_table('rating_links',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], ),
    sa.PrimaryKeyConstraint('ticket_id'),
    schema='intake'
    )
    op.create_table('ratings',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('engineer_ids', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name='ck_ratings_score'),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], ),
    sa.PrimaryKeyConstraint('ticket_id'),
    schema='intake'
    )
    op.create_index('ix_ratings_recorded_at', 'ratings', ['recorded_at'], unique=False, schema='intake')


def downgrade() -> None:
    op.drop_index('ix_ratings_recorded_at', table_name='ratings', schema='intake')
    op.drop_table('ratings', schema='intake')
    op.drop_table('rating_links', schema='intake')
    op.drop_index('uq_notices_part_number_customer_id', table_name='notices', schema='intake', postgresql_where=sa.text('part_number IS NOT NULL'))
    op.drop_index('ix_notices_pending_send_by', table_name='notices', schema='intake', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index('ix_notices_customer_id_created_at_id', table_name='notices', schema='intake')
    op.drop_index('ix_notices_created_at_id', table_name='notices', schema='intake')
    op.drop_index(op.f('ix_intake_notices_advisory_id'), table_name='notices', schema='intake')
    op.drop_table('notices', schema='intake')
    op.drop_index('ix_ticket_engineers_engineer_id', table_name='ticket_engineers', schema='intake')
    op.drop_table('ticket_engineers', schema='intake')
    op.drop_index('ix_sla_outcomes_ticket_id', table_name='sla_outcomes', schema='intake')
    op.drop_index('ix_sla_outcomes_decided_at', table_name='sla_outcomes', schema='intake')
    op.drop_table('sla_outcomes', schema='intake')
    op.drop_table('advisories', schema='intake')
