"""intake: the knowledge base (IN-8), searchable in Chinese and English

Revision ID: 0003_knowledge
Revises: 0002_master_data
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003_knowledge'
down_revision = '0002_master_data'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_articles',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=15000), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('models', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source_ticket_id', sa.Uuid(), nullable=True),
    sa.Column('search', postgresql.TSVECTOR(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_ticket_id'], ['intake.tickets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_ticket_id', name='uq_knowledge_articles_source_ticket_id'),
    schema='intake'
    )
    op.create_index('ix_knowledge_articles_search', 'knowledge_articles', ['search'], unique=False, schema='intake',
                    postgresql_using='gin')
    op.create_index('ix_knowledge_articles_status_updated_at_id', 'knowledge_articles', ['status', 'updated_at', 'id'],
                    unique=False, schema='intake')


def downgrade() -> None:
    op.drop_index('ix_knowledge_articles_status_updated_at_id', table_name='knowledge_articles', schema='intake')
    op.drop_index('ix_knowledge_articles_search', table_name='knowledge_articles', schema='intake')
    op.drop_table('knowledge_articles', schema='intake')
