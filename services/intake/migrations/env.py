from alembic import context

from services.intake.tables import metadata
from shared.migrations import run_migrations

run_migrations(context, metadata, "intake")
