"""intake: customers, tickets and the platform tables (outbox, inbox, idempotency keys)

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:35:45.900065
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
    create_platform_tables_v1(op, 'intake')
    op.execute(sa.schema.CreateSequence(sa.Sequence('ticket_number_seq', schema='intake')))
    op.create_table('customers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='intake'
    )
    op.create_table('tickets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('impact', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['intake.customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    schema='intake'
    )
    op.create_index(op.f('ix_intake_tickets_customer_id'), 'tickets', ['customer_id'], unique=False, schema='intake')
    op.create_index('ix_tickets_created_at_id', 'tickets', ['created_at', 'id'], unique=False, schema='intake')


def downgrade() -> None:
    op.drop_index('ix_tickets_created_at_id', table_name='tickets', schema='intake')
    op.drop_index(op.f('ix_intake_tickets_customer_id'), table_name='tickets', schema='intake')
    op.drop_table('tickets', schema='intake')
    op.drop_table('customers', schema='intake')
    op.execute(sa.schema.DropSequence(sa.Sequence('ticket_number_seq', schema='intake')))
    drop_platform_tables_v1(op, 'intake')
