"""inventory: the catalogue with manufacturer, models, originality and cost; locations; the
stock ledger (append-only, each row carrying its balance); receipts with inspection and
sign-off; transfers; reservations per ticket; loaners, replacements and end-of-life
announcements; read models of intake's sites, contracts, tickets and assets.

The skeleton's `stock` counters and `receipts` by warehouse name had no location to stand on
(no position, so no nearest stock) and no release carried them: they are replaced, not
converted. A part's `vendor` becomes its `manufacturer`, values kept.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assets',
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('serial'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_assets_model'), 'assets', ['model'], unique=False, schema='inventory')
    op.create_table('contracts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('waiver_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('waiver_signed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('waiver_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_table('eol_announcements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('models', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('end_of_production', sa.Date(), nullable=False),
    sa.Column('late_notice', sa.Boolean(), nullable=False),
    sa.Column('announced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('announced_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_eol_announcements_manufacturer'), 'eol_announcements', ['manufacturer'], unique=False, schema='inventory')
    op.create_table('locations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    schema='inventory'
    )
    op.create_table('product_models',
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('model'),
    schema='inventory'
    )
    op.create_table('replacements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('earlier_ticket_id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('serial', 'earlier_ticket_id', 'ticket_id', name='uq_replacements_failure'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_replacements_serial'), 'replacements', ['serial'], unique=False, schema='inventory')
    op.create_table('sites',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_table('loaners',
    sa.Column('serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['inventory.locations.id'], ),
    sa.PrimaryKeyConstraint('serial'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_loaners_model'), 'loaners', ['model'], unique=False, schema='inventory')
    op.create_table('movements',
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('on_hand_delta', sa.Integer(), nullable=False),
    sa.Column('reserved_delta', sa.Integer(), nullable=False),
    sa.Column('on_hand_after', sa.Integer(), nullable=False),
    sa.Column('reserved_after', sa.Integer(), nullable=False),
    sa.Column('reservation_id', sa.Uuid(), nullable=True),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('on_hand_after >= 0 AND reserved_after >= 0 AND reserved_after <= on_hand_after', name='ck_movements_balance'),
    sa.ForeignKeyConstraint(['location_id'], ['inventory.locations.id'], ),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('part_number', 'location_id', 'position', name='uq_movements_part_location_position'),
    schema='inventory'
    )
    op.create_index('ix_movements_part_number_seq', 'movements', ['part_number', 'seq'], unique=False, schema='inventory')
    op.create_index('ix_movements_reservation_id', 'movements', ['reservation_id'], unique=False, schema='inventory', postgresql_where=sa.text('reservation_id IS NOT NULL'))
    op.create_table('reorder_points',
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('reorder_point', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['inventory.locations.id'], ),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('part_number', 'location_id'),
    schema='inventory'
    )
    op.create_table('reservations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('waiver_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reserved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['inventory.locations.id'], ),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_reservations_ticket_id'), 'reservations', ['ticket_id'], unique=False, schema='inventory')
    op.create_index('ix_reservations_backordered', 'reservations', ['part_number', 'requested_at'], unique=False, schema='inventory', postgresql_where=sa.text("status = 'backordered'"))
    op.create_index('ix_reservations_expires_at', 'reservations', ['expires_at'], unique=False, schema='inventory', postgresql_where=sa.text("status = 'reserved'"))
    op.create_table('transfers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('from_location_id', sa.Uuid(), nullable=False),
    sa.Column('to_location_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['from_location_id'], ['inventory.locations.id'], ),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.ForeignKeyConstraint(['to_location_id'], ['inventory.locations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_transfers_part_number'), 'transfers', ['part_number'], unique=False, schema='inventory')
    op.create_table('loans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loaner_serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('checked_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_out_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('due_back', sa.DateTime(timezone=True), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('return_notes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['loaner_serial'], ['inventory.loaners.serial'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_loans_ticket_id'), 'loans', ['ticket_id'], unique=False, schema='inventory')
    op.create_index('ix_loans_due_back', 'loans', ['due_back'], unique=False, schema='inventory', postgresql_where=sa.text('returned_at IS NULL'))
    op.create_index('uq_loans_out', 'loans', ['loaner_serial'], unique=True, schema='inventory', postgresql_where=sa.text('returned_at IS NULL'))
    op.create_table('loaners_due',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('clock_id', sa.Uuid(), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('due_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('loan_id', sa.Uuid(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['inventory.loans.id'], ),
    sa.PrimaryKeyConstraint('ticket_id'),
    schema='inventory'
    )
    op.drop_table('stock', schema='inventory')
    op.alter_column('parts', 'vendor', new_column_name='manufacturer', schema='inventory')
    op.drop_index(op.f('ix_inventory_parts_vendor'), table_name='parts', schema='inventory')
    op.create_index(op.f('ix_inventory_parts_manufacturer'), 'parts', ['manufacturer'], unique=False, schema='inventory')
    op.add_column('parts', sa.Column('models', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False), schema='inventory')
    op.add_column('parts', sa.Column('original', sa.Boolean(), server_default='true', nullable=False), schema='inventory')
    op.add_column('parts', sa.Column('condition', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='new', nullable=False), schema='inventory')
    op.add_column('parts', sa.Column('unit_cost', sa.Numeric(precision=12, scale=2), server_default='0', nullable=False), schema='inventory')
    op.add_column('parts', sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True), schema='inventory')
    op.execute("UPDATE inventory.parts SET updated_at = created_at")
    op.alter_column('parts', 'updated_at', nullable=False, schema='inventory')
    op.drop_index(op.f('ix_inventory_receipts_part_number'), table_name='receipts', schema='inventory')
    op.drop_table('receipts', schema='inventory')
    op.create_table('receipts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('delivery_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('inspect_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inspected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_quantity', sa.Integer(), nullable=True),
    sa.Column('inspection_notes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('signed_by_us', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('signed_by_counterparty', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('counterparty', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['inventory.locations.id'], ),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('delivery_reference'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_receipts_part_number'), 'receipts', ['part_number'], unique=False, schema='inventory')
    op.create_index('ix_receipts_inspect_by', 'receipts', ['inspect_by'], unique=False, schema='inventory', postgresql_where=sa.text('inspected_at IS NULL'))
    op.add_column('tickets', sa.Column('customer_id', sa.Uuid(), nullable=True), schema='inventory')
    op.add_column('tickets', sa.Column('site_id', sa.Uuid(), nullable=True), schema='inventory')
    op.add_column('tickets', sa.Column('contract_id', sa.Uuid(), nullable=True), schema='inventory')
    op.add_column('tickets', sa.Column('asset_serial', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True), schema='inventory')
    op.add_column('tickets', sa.Column('asset_manufacturer', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True), schema='inventory')
    op.add_column('tickets', sa.Column('asset_model', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True), schema='inventory')
    op.add_column('tickets', sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='open', nullable=False), schema='inventory')


def downgrade() -> None:
    for table in ('loaners_due', 'loans', 'loaners', 'transfers', 'reservations', 'reorder_points',
                  'movements', 'receipts', 'replacements', 'product_models', 'eol_announcements',
                  'sites', 'contracts', 'assets', 'locations'):
        op.drop_table(table, schema='inventory')
    for column in ('status', 'asset_model', 'asset_manufacturer', 'asset_serial', 'contract_id',
                   'site_id', 'customer_id'):
        op.drop_column('tickets', column, schema='inventory')
    for column in ('updated_at', 'unit_cost', 'condition', 'original', 'models'):
        op.drop_column('parts', column, schema='inventory')
    op.drop_index(op.f('ix_inventory_parts_manufacturer'), table_name='parts', schema='inventory')
    op.alter_column('parts', 'manufacturer', new_column_name='vendor', schema='inventory')
    op.create_index(op.f('ix_inventory_parts_vendor'), 'parts', ['vendor'], unique=False, schema='inventory')
    op.create_table('receipts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('part_number', sa.String(64), nullable=False),
    sa.Column('warehouse', sa.String(64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_receipts_part_number'), 'receipts', ['part_number'], unique=False, schema='inventory')
    op.create_table('stock',
    sa.Column('part_number', sa.String(64), nullable=False),
    sa.Column('warehouse', sa.String(64), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.CheckConstraint('on_hand >= 0 AND reserved >= 0', name='ck_stock_non_negative'),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('part_number', 'warehouse'),
    schema='inventory'
    )
