"""dispatch: engineers with teams, shifts and positions; read models of sites and contracts;
explained decisions; the assignment's whole life; inspections

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LIVE = "status IN ('assigned', 'accepted', 'departed', 'on_site')"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    add = lambda table, column: op.add_column(table, column, schema='dispatch')  # noqa: E731
    add('engineers', sa.Column('certifications', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False))
    add('engineers', sa.Column('team', sa.String(16), server_default='site', nullable=False))
    add('engineers', sa.Column('seniority', sa.String(16), server_default='maintainer', nullable=False))
    add('engineers', sa.Column('regions', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False))
    add('engineers', sa.Column('home_latitude', sa.Float(), nullable=True))
    add('engineers', sa.Column('home_longitude', sa.Float(), nullable=True))
    add('engineers', sa.Column('shift', postgresql.JSONB(), server_default='"24x7"', nullable=False))
    add('engineers', sa.Column('on_call', postgresql.JSONB(), server_default='[]', nullable=False))
    add('engineers', sa.Column('capacity', sa.Integer(), server_default='3', nullable=False))
    add('engineers', sa.Column('status', sa.String(16), server_default='active', nullable=False))
    add('engineers', sa.Column('position_latitude', sa.Float(), nullable=True))
    add('engineers', sa.Column('position_longitude', sa.Float(), nullable=True))
    add('engineers', sa.Column('position_at', TZ, nullable=True))
    add('engineers', sa.Column('updated_at', TZ, nullable=True))
    op.execute("UPDATE dispatch.engineers SET regions = CASE WHEN region IS NULL THEN '{}' "
               "ELSE ARRAY[region] END, status = CASE WHEN active THEN 'active' ELSE 'on_leave' END, "
               "updated_at = created_at")
    op.alter_column('engineers', 'updated_at', nullable=False, schema='dispatch')
    op.drop_column('engineers', 'region', schema='dispatch')
    op.drop_column('engineers', 'active', schema='dispatch')
    op.create_index('ix_engineers_created_at_id', 'engineers', ['created_at', 'id'], schema='dispatch')

    op.create_table('sites',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('customer_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('address', sa.String(500), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=False),
        sa.Column('longitude', sa.Float(), nullable=False),
        sa.Column('timezone', sa.String(64), nullable=False),
        sa.Column('region', sa.String(64), nullable=True),
        sa.Column('registered_at', TZ, nullable=False),
        sa.Column('as_of', TZ, nullable=False),
        schema='dispatch')
    op.create_index('ix_dispatch_sites_customer_id', 'sites', ['customer_id'], schema='dispatch')
    op.create_table('contracts',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('customer_id', sa.Uuid(), nullable=False),
        sa.Column('coverage', sa.String(8), nullable=False),
        sa.Column('emergency_onsite_7x24', sa.Boolean(), nullable=False),
        sa.Column('onsite_minutes', sa.Integer(), nullable=False),
        sa.Column('calendar', sa.String(64), nullable=False),
        sa.Column('warranty_start', sa.Date(), nullable=False),
        sa.Column('warranty_end', sa.Date(), nullable=False),
        sa.Column('resident_engineer_id', sa.Uuid(), nullable=True),
        sa.Column('as_of', TZ, nullable=False),
        schema='dispatch')
    op.create_index('ix_dispatch_contracts_customer_id', 'contracts', ['customer_id'], schema='dispatch')

    add('tickets', sa.Column('customer_id', sa.Uuid(), nullable=True))
    add('tickets', sa.Column('site_id', sa.Uuid(), nullable=True))
    add('tickets', sa.Column('contract_id', sa.Uuid(), nullable=True))
    add('tickets', sa.Column('summary', sa.String(200), server_default='', nullable=False))
    add('tickets', sa.Column('reported_at', TZ, nullable=True))
    add('tickets', sa.Column('coverage', sa.String(8), nullable=True))
    add('tickets', sa.Column('calendar', sa.String(64), nullable=True))
    add('tickets', sa.Column('contact', postgresql.JSONB(), nullable=True))
    add('tickets', sa.Column('status', sa.String(16), server_default='open', nullable=False))
    add('tickets', sa.Column('escalation_level', sa.Integer(), server_default='0', nullable=False))

    op.create_table('decisions',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('ticket_id', sa.Uuid(), nullable=False),
        sa.Column('made_at', TZ, nullable=False),
        sa.Column('trigger', sa.String(32), nullable=False),
        sa.Column('want', sa.String(16), nullable=False),
        sa.Column('chosen', postgresql.JSONB(), nullable=False),
        sa.Column('reason', sa.String(64), nullable=True),
        sa.Column('summary', sa.String(500), nullable=False),
        sa.Column('explanation', postgresql.JSONB(), nullable=False),
        schema='dispatch')
    op.create_index('ix_decisions_ticket', 'decisions', ['ticket_id', 'made_at', 'id'], schema='dispatch')

    add('assignments', sa.Column('role', sa.String(16), server_default='lead', nullable=False))
    add('assignments', sa.Column('decision_id', sa.Uuid(), nullable=True))
    add('assignments', sa.Column('respond_by', TZ, nullable=True))
    add('assignments', sa.Column('onsite_due', TZ, nullable=True))
    add('assignments', sa.Column('departed_at', TZ, nullable=True))
    add('assignments', sa.Column('arrived_at', TZ, nullable=True))
    add('assignments', sa.Column('completed_at', TZ, nullable=True))
    add('assignments', sa.Column('ended_at', TZ, nullable=True))
    add('assignments', sa.Column('reason', sa.String(500), nullable=True))
    add('assignments', sa.Column('depart_position', postgresql.JSONB(), nullable=True))
    add('assignments', sa.Column('arrive_position', postgresql.JSONB(), nullable=True))
    add('assignments', sa.Column('report', postgresql.JSONB(), nullable=True))
    op.drop_index('ux_assignments_live', table_name='assignments', schema='dispatch')
    op.create_index('ux_assignments_live', 'assignments', ['ticket_id', 'engineer_id'], unique=True,
                    schema='dispatch', postgresql_where=sa.text(LIVE))
    op.create_index('ix_assignments_respond_by', 'assignments', ['respond_by'], schema='dispatch',
                    postgresql_where=sa.text("status = 'assigned'"))

    op.create_table('assignment_actions',
        sa.Column('seq', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('assignment_id', sa.Uuid(), nullable=False),
        sa.Column('action', sa.String(16), nullable=False),
        sa.Column('occurred_at', TZ, nullable=False),
        sa.Column('received_at', TZ, nullable=False),
        sa.Column('by', sa.String(200), nullable=False),
        sa.Column('from_status', sa.String(16), nullable=False),
        sa.Column('to_status', sa.String(16), nullable=False),
        sa.Column('detail', postgresql.JSONB(), server_default='{}', nullable=False),
        schema='dispatch')
    op.create_index('ix_assignment_actions_assignment', 'assignment_actions', ['assignment_id', 'seq'],
                    schema='dispatch')

    op.create_table('inspections',
        sa.Column('id', sa.Uuid(), primary_key=True),
        sa.Column('contract_id', sa.Uuid(), nullable=False),
        sa.Column('site_id', sa.Uuid(), nullable=True),
        sa.Column('customer_id', sa.Uuid(), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('engineer_id', sa.Uuid(), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('due_by', sa.Date(), nullable=False),
        sa.Column('scheduled_at', TZ, nullable=False),
        sa.Column('completed_at', TZ, nullable=True),
        sa.Column('report', postgresql.JSONB(), nullable=True),
        sa.UniqueConstraint('contract_id', 'month', name='uq_inspections_contract_month'),
        schema='dispatch')
    op.create_index('ix_inspections_engineer', 'inspections', ['engineer_id', 'due_by', 'id'],
                    schema='dispatch')


def downgrade() -> None:
    op.drop_table('inspections', schema='dispatch')
    op.drop_table('assignment_actions', schema='dispatch')
    op.drop_index('ix_assignments_respond_by', table_name='assignments', schema='dispatch')
    op.drop_index('ux_assignments_live', table_name='assignments', schema='dispatch')
    op.create_index('ux_assignments_live', 'assignments', ['ticket_id', 'engineer_id'], unique=True,
                    schema='dispatch', postgresql_where=sa.text("status IN ('assigned', 'accepted')"))
    for column in ('report', 'arrive_position', 'depart_position', 'reason', 'ended_at',
                   'completed_at', 'arrived_at', 'departed_at', 'onsite_due', 'respond_by',
                   'decision_id', 'role'):
        op.drop_column('assignments', column, schema='dispatch')
    op.drop_table('decisions', schema='dispatch')
    for column in ('escalation_level', 'status', 'contact', 'calendar', 'coverage', 'reported_at',
                   'summary', 'contract_id', 'site_id', 'customer_id'):
        op.drop_column('tickets', column, schema='dispatch')
    op.drop_table('contracts', schema='dispatch')
    op.drop_table('sites', schema='dispatch')
    op.drop_index('ix_engineers_created_at_id', table_name='engineers', schema='dispatch')
    op.add_column('engineers', sa.Column('region', sa.String(64), nullable=True), schema='dispatch')
    op.add_column('engineers', sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
                  schema='dispatch')
    op.execute("UPDATE dispatch.engineers SET region = regions[1], active = (status = 'active')")
    for column in ('updated_at', 'position_at', 'position_longitude', 'position_latitude', 'status',
                   'capacity', 'on_call', 'shift', 'home_longitude', 'home_latitude', 'regions',
                   'seniority', 'team', 'certifications'):
        op.drop_column('engineers', column, schema='dispatch')
