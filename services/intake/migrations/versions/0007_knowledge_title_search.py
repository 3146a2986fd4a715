"""intake: the knowledge base's title terms apart, so that title hits are found without reading bodies

Revision ID: 0007_knowledge_title_search
Revises: 0006_ratings_notices
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007_knowledge_title_search'
down_revision = '0006_ratings_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Generated from `search` (the title is its weight-A part): never out of step with it, and
    # existing articles get theirs as the column is added.
    op.add_column('knowledge_articles',
                  sa.Column('title_search', postgresql.TSVECTOR(),
                            sa.Computed("ts_filter(search, '{a}'::\"char\"[])", persisted=True),
                            nullable=False),
                  schema='intake')
    op.create_index('ix_knowledge_articles_title_search', 'knowledge_articles', ['title_search'], unique=False,
                    schema='intake', postgresql_using='gin', postgresql_with={'fastupdate': 'off'})
    # Articles are written seldom and searched all day: every insert goes straight into the index
    # rather than into a pending list that each search then reads through (a few ms each, until
    # (auto)vacuum merges it), and the list already there is merged now.
    op.execute("ALTER INDEX intake.ix_knowledge_articles_search SET (fastupdate = off)")
    op.execute("SELECT gin_clean_pending_list('intake.ix_knowledge_articles_search'::regclass)")


def downgrade() -> None:
    op.execute("ALTER INDEX intake.ix_knowledge_articles_search RESET (fastupdate)")
    op.drop_index('ix_knowledge_articles_title_search', table_name='knowledge_articles', schema='intake')
    op.drop_column('knowledge_articles', 'title_search', schema='intake')
