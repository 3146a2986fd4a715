"""intake: sites, duty contacts, contracts and the installed base (assets)

Revision ID: 0002_master_data
Revises: 0001
Create Date: 2026-11-26 07:12:15.556400
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002_master_data'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['intake.customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='intake'
    )
    op.create_index('ix_contacts_customer_id_created_at_id', 'contacts', ['customer_id', 'created_at', 'id'], unique=False, schema='intake')
    op.create_index('uq_contacts_one_primary', 'contacts', ['customer_id'], unique=True, schema='intake', postgresql_where=sa.text("role = 'primary'"))
    op.create_table('contracts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('coverage', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('emergency_onsite_7x24', sa.Boolean(), nullable=False),
    sa.Column('onsite_minutes', sa.Integer(), nullable=False),
    sa.Column('calendar', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('targets', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('warranty_start', sa.Date(), nullable=False),
    sa.Column('warranty_end', sa.Date(), nullable=False),
    sa.Column('originals_waiver', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('resident_engineer_id', sa.Uuid(), nullable=True),
    sa.Column('ladder', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['intake.customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='intake'
    )
    op.create_index('ix_contracts_created_at_id', 'contracts', ['created_at', 'id'], unique=False, schema='intake')
    op.create_index(op.f('ix_intake_contracts_customer_id'), 'contracts', ['customer_id'], unique=False, schema='intake')
    op.create_table('sites',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['intake.customers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='intake'
    )
    op.create_index(op.f('ix_intake_sites_customer_id'), 'sites', ['customer_id'], unique=False, schema='intake')
    op.create_index('ix_sites_created_at_id', 'sites', ['created_at', 'id'], unique=False, schema='intake')
    op.create_table('assets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=False),
    sa.Column('warranty_end', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['intake.contracts.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['intake.customers.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['intake.sites.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('manufacturer', 'serial', name='uq_assets_manufacturer_serial'),
    schema='intake'
    )
    op.create_index('ix_assets_created_at_id', 'assets', ['created_at', 'id'], unique=False, schema='intake')
    op.create_index(op.f('ix_intake_assets_contract_id'), 'assets', ['contract_id'], unique=False, schema='intake')
    op.create_index(op.f('ix_intake_assets_customer_id'), 'assets', ['customer_id'], unique=False, schema='intake')
    op.create_index(op.f('ix_intake_assets_serial'), 'assets', ['serial'], unique=False, schema='intake')
    op.create_index(op.f('ix_intake_assets_site_id'), 'assets', ['site_id'], unique=False, schema='intake')


def downgrade() -> None:
    op.drop_index(op.f('ix_intake_assets_site_id'), table_name='assets', schema='intake')
    op.drop_index(op.f('ix_intake_assets_serial'), table_name='assets', schema='intake')
    op.drop_index(op.f('ix_intake_assets_customer_id'), table_name='assets', schema='intake')
    op.drop_index(op.f('ix_intake_assets_contract_id'), table_name='assets', schema='intake')
    op.drop_index('ix_assets_created_at_id', table_name='assets', schema='intake')
    op.drop_table('assets', schema='intake')
    op.drop_index('ix_sites_created_at_id', table_name='sites', schema='intake')
    op.drop_index(op.f('ix_intake_sites_customer_id'), table_name='sites', schema='intake')
    op.drop_table('sites', schema='intake')
    op.drop_index(op.f('ix_intake_contracts_customer_id'), table_name='contracts', schema='intake')
    op.drop_index('ix_contracts_created_at_id', table_name='contracts', schema='intake')
    op.drop_table('contracts', schema='intake')
    op.drop_index('uq_contacts_one_primary', table_name='contacts', schema='intake', postgresql_where=sa.text("role = 'primary'"))
    op.drop_index('ix_contacts_customer_id_created_at_id', table_name='contacts', schema='intake')
    op.drop_table('contacts', schema='intake')
