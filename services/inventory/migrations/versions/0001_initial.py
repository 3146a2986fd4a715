"""inventory: its tables and the platform tables (outbox, inbox, idempotency keys)

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:38:09.742182
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
    create_platform_tables_v1(op, 'inventory')
    op.create_table('parts',
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('vendor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('part_number'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_parts_vendor'), 'parts', ['vendor'], unique=False, schema='inventory')
    op.create_table('tickets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_table('receipts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('warehouse', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('id'),
    schema='inventory'
    )
    op.create_index(op.f('ix_inventory_receipts_part_number'), 'receipts', ['part_number'], unique=False, schema='inventory')
    op.create_table('stock',
    sa.Column('part_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('warehouse', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.CheckConstraint('on_hand >= 0 AND reserved >= 0', name='ck_stock_non_negative'),
    sa.ForeignKeyConstraint(['part_number'], ['inventory.parts.part_number'], ),
    sa.PrimaryKeyConstraint('part_number', 'warehouse'),
    schema='inventory'
    )


def downgrade() -> None:
    op.drop_table('stock', schema='inventory')
    op.drop_index(op.f('ix_inventory_receipts_part_number'), table_name='receipts', schema='inventory')
    op.drop_table('receipts', schema='inventory')
    op.drop_table('tickets', schema='inventory')
    op.drop_index(op.f('ix_inventory_parts_vendor'), table_name='parts', schema='inventory')
    op.drop_table('parts', schema='inventory')
    drop_platform_tables_v1(op, 'inventory')
