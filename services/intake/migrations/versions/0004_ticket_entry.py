"""intake: tickets from every channel: reported_at, site, asset, entitlement, folded alarms

Revision ID: 0004_ticket_entry
Revises: 0003_knowledge
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004_ticket_entry'
down_revision = '0003_knowledge'
branch_labels = None
depends_on = None

OPEN_ALARM = "alarm_code IS NOT NULL AND status NOT IN ('resolved', 'closed', 'cancelled')"


def upgrade() -> None:
    # Tickets recorded before this revision were reported when they were created, once.
    op.add_column('tickets', sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.execute("UPDATE intake.tickets SET reported_at = created_at, last_occurred_at = created_at")
    op.alter_column('tickets', 'reported_at', nullable=False, schema='intake')
    op.alter_column('tickets', 'last_occurred_at', nullable=False, schema='intake')
    op.add_column('tickets', sa.Column('occurrences', sa.Integer(), nullable=False, server_default='1'), schema='intake')
    op.alter_column('tickets', 'occurrences', server_default=None, schema='intake')
    op.add_column('tickets', sa.Column('contact_id', sa.Uuid(), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('site_id', sa.Uuid(), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('asset_id', sa.Uuid(), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('asset_serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('asset_manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('asset_model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('contract_id', sa.Uuid(), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('coverage', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('calendar', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('in_warranty', sa.Boolean(), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('chargeable', sa.Boolean(), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('alarm_source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('alarm_code', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True), schema='intake')
    for column, table in (('contact_id', 'contacts'), ('site_id', 'sites'), ('asset_id', 'assets'), ('contract_id', 'contracts')):
        op.create_foreign_key(f'tickets_{column}_fkey', 'tickets', table, [column], ['id'], source_schema='intake', referent_schema='intake')
    op.create_index('uq_tickets_open_alarm', 'tickets', ['asset_id', 'alarm_source', 'alarm_code'], unique=True,
                    schema='intake', postgresql_where=sa.text(OPEN_ALARM))


def downgrade() -> None:
    op.drop_index('uq_tickets_open_alarm', table_name='tickets', schema='intake')
    for column in ('alarm_code', 'alarm_source', 'chargeable', 'in_warranty', 'calendar', 'coverage', 'contract_id',
                   'asset_model', 'asset_manufacturer', 'asset_serial', 'asset_id', 'site_id', 'contact_id',
                   'occurrences', 'last_occurred_at', 'reported_at'):
        op.drop_column('tickets', column, schema='intake')
