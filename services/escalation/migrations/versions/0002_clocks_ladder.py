"""escalation: clocks as the fold of an append-only log on their calendars, every kind of clock,
the escalation ladder and its history, and read models of contracts and tickets

Revision ID: 0002
Revises: 0001

Clocks of 0001 (response and restore, around the clock) get a log of their own: a start at
`started_at` with the target their due implied, and a stop at `met_at` when they were met; a
breach already announced stays announced.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
S = 'escalation'


def upgrade() -> None:
    op.create_table('contracts',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('customer_id', sa.Uuid(), nullable=False),
        sa.Column('coverage', sa.String(8), nullable=False),
        sa.Column('emergency_onsite_7x24', sa.Boolean(), nullable=False),
        sa.Column('onsite_minutes', sa.Integer(), nullable=False),
        sa.Column('calendar', sa.String(64), nullable=False),
        sa.Column('targets', postgresql.JSONB(), nullable=False),
        sa.Column('ladder', postgresql.JSONB(), nullable=False),
        sa.Column('as_of', TZ, nullable=False),
        schema=S)
    op.create_table('tickets',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('number', sa.String(32), nullable=False),
        sa.Column('customer_id', sa.Uuid(), nullable=False),
        sa.Column('contract_id', sa.Uuid(), nullable=True),
        sa.Column('priority', sa.String(2), nullable=False),
        sa.Column('reported_at', TZ, nullable=False),
        sa.Column('coverage', sa.String(8), nullable=True),
        sa.Column('calendar', sa.String(64), nullable=True),
        sa.Column('asset_serial', sa.String(100), nullable=True),
        sa.Column('status', sa.String(16), server_default='open', nullable=False),
        sa.Column('engineer_ids', postgresql.ARRAY(sa.Uuid()), server_default='{}', nullable=False),
        schema=S)
    op.create_index('ix_escalation_tickets_contract_id', 'tickets', ['contract_id'], schema=S)

    add = lambda column: op.add_column('clocks', column, schema=S)  # noqa: E731
    add(sa.Column('target_minutes', sa.Integer(), nullable=True))
    add(sa.Column('status', sa.String(16), nullable=True))
    add(sa.Column('used_minutes', sa.Float(), server_default='0', nullable=False))
    add(sa.Column('sent', postgresql.ARRAY(sa.Float()), server_default='{}', nullable=False))
    add(sa.Column('met_sent', sa.Boolean(), server_default='false', nullable=False))
    add(sa.Column('next_fire_at', TZ, nullable=True))
    add(sa.Column('updated_at', TZ, nullable=True))
    op.alter_column('clocks', 'calendar', type_=sa.String(64), schema=S)
    op.drop_index('ix_clocks_open_due', table_name='clocks', schema=S)
    op.execute(
        "UPDATE escalation.clocks SET "
        "target_minutes = greatest(1, round(extract(epoch FROM due_at - started_at) / 60)), "
        "status = CASE WHEN met_at IS NULL THEN 'running' ELSE 'stopped' END, "
        "used_minutes = CASE WHEN met_at IS NULL THEN 0 "
        "    ELSE extract(epoch FROM met_at - started_at) / 60 END, "
        "sent = CASE WHEN breached_at IS NULL THEN '{}'::float8[] ELSE '{1.0}'::float8[] END, "
        "met_sent = met_at IS NOT NULL AND breached_at IS NULL, "
        "next_fire_at = CASE WHEN met_at IS NULL AND breached_at IS NULL THEN due_at END, "
        "updated_at = coalesce(met_at, breached_at, started_at)"
    )
    for column in ('target_minutes', 'status', 'updated_at'):
        op.alter_column('clocks', column, nullable=False, schema=S)
    op.drop_column('clocks', 'priority', schema=S)
    op.create_index('ix_clocks_next_fire_at', 'clocks', ['next_fire_at'], schema=S,
                    postgresql_where=sa.text('next_fire_at IS NOT NULL'))
    op.create_index('ix_clocks_breached_at', 'clocks', ['breached_at', 'id'], schema=S,
                    postgresql_where=sa.text('breached_at IS NOT NULL'))
    op.create_index('ix_clocks_open_calendar', 'clocks', ['calendar'], schema=S,
                    postgresql_where=sa.text("status <> 'stopped'"))

    op.create_table('clock_entries',
        sa.Column('seq', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('clock_id', sa.Uuid(), nullable=False),
        sa.Column('at', TZ, nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('reason', sa.String(200), server_default='', nullable=False),
        sa.Column('source', sa.String(200), server_default='', nullable=False),
        sa.Column('target_minutes', sa.Integer(), nullable=True),
        sa.Column('calendar', sa.String(64), nullable=True),
        sa.Column('recorded_at', TZ, nullable=False),
        schema=S)
    op.create_index('ix_clock_entries_clock', 'clock_entries', ['clock_id', 'seq'], schema=S)
    op.execute(
        "INSERT INTO escalation.clock_entries (clock_id, at, kind, source, target_minutes, "
        "calendar, recorded_at) "
        "SELECT id, started_at, 'start', 'migration 0002', target_minutes, calendar, started_at "
        "FROM escalation.clocks ORDER BY started_at, id"
    )
    op.execute(
        "INSERT INTO escalation.clock_entries (clock_id, at, kind, source, recorded_at) "
        "SELECT id, met_at, 'stop', 'migration 0002', met_at FROM escalation.clocks "
        "WHERE met_at IS NOT NULL ORDER BY met_at, id"
    )

    op.create_table('ladders',
        sa.Column('ticket_id', sa.Uuid(), primary_key=True),
        sa.Column('level', sa.Integer(), server_default='0', nullable=False),
        sa.Column('state', postgresql.JSONB(), nullable=False),
        sa.Column('next_fire_at', TZ, nullable=True),
        sa.Column('updated_at', TZ, nullable=False),
        schema=S)
    op.create_index('ix_ladders_next_fire_at', 'ladders', ['next_fire_at'], schema=S,
                    postgresql_where=sa.text('next_fire_at IS NOT NULL'))
    op.create_table('ladder_entries',
        sa.Column('seq', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('ticket_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('at', TZ, nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(32), nullable=True),
        sa.Column('reason', sa.String(16), nullable=True),
        sa.Column('by', sa.String(320), nullable=True),
        sa.Column('until', TZ, nullable=True),
        sa.Column('clock_id', sa.Uuid(), nullable=True),
        schema=S)
    op.create_index('ix_ladder_entries_ticket', 'ladder_entries', ['ticket_id', 'seq'], schema=S)

    op.create_table('early_facts',
        sa.Column('event_id', sa.Text(), primary_key=True),
        sa.Column('ticket_id', sa.Uuid(), nullable=False),
        sa.Column('type', sa.String(64), nullable=False),
        sa.Column('payload', postgresql.JSONB(), nullable=False),
        sa.Column('received_at', TZ, nullable=False),
        schema=S)
    op.create_index('ix_early_facts_ticket', 'early_facts', ['ticket_id'], schema=S)


def downgrade() -> None:
    op.drop_table('early_facts', schema=S)
    op.drop_table('ladder_entries', schema=S)
    op.drop_table('ladders', schema=S)
    op.drop_table('clock_entries', schema=S)
    op.drop_index('ix_clocks_open_calendar', table_name='clocks', schema=S)
    op.drop_index('ix_clocks_breached_at', table_name='clocks', schema=S)
    op.drop_index('ix_clocks_next_fire_at', table_name='clocks', schema=S)
    op.add_column('clocks', sa.Column('priority', sa.String(2), server_default='P4', nullable=False),
                  schema=S)
    op.execute("UPDATE escalation.clocks SET met_at = NULL WHERE NOT met_sent")
    for column in ('updated_at', 'next_fire_at', 'met_sent', 'sent', 'used_minutes', 'status',
                   'target_minutes'):
        op.drop_column('clocks', column, schema=S)
    op.alter_column('clocks', 'calendar', type_=sa.String(32), schema=S)
    op.create_index('ix_clocks_open_due', 'clocks', ['due_at'], schema=S,
                    postgresql_where=sa.text('met_at IS NULL AND breached_at IS NULL'))
    op.drop_index('ix_escalation_tickets_contract_id', table_name='tickets', schema=S)
    op.drop_table('tickets', schema=S)
    op.drop_table('contracts', schema=S)
