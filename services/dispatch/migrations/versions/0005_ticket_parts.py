"""dispatch: the parts inventory holds for each ticket, and those it awaits (the phone's brief)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('ticket_parts',
        sa.Column('seq', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('reservation_id', sa.Uuid(), nullable=True),
        sa.Column('ticket_id', sa.Uuid(), nullable=False),
        sa.Column('part_number', sa.String(64), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Uuid(), nullable=True),
        sa.Column('location_name', sa.String(200), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('as_of', TZ, nullable=False),
        sa.UniqueConstraint('reservation_id', name='uq_ticket_parts_reservation_id'),
        schema='dispatch')
    op.create_index('ux_ticket_parts_backordered', 'ticket_parts', ['ticket_id', 'part_number'],
                    unique=True, schema='dispatch', postgresql_where=sa.text('reservation_id IS NULL'))
    op.create_index('ix_ticket_parts_open', 'ticket_parts', ['ticket_id'], schema='dispatch',
                    postgresql_where=sa.text("status IN ('reserved', 'backordered')"))


def downgrade() -> None:
    op.drop_table('ticket_parts', schema='dispatch')
