"""Each service's migrations create exactly the tables its models declare, in its own schema."""

import asyncio
import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import sqlalchemy_url
from shared.settings import SERVICES


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrated_schema_matches_the_models(migrated, service):
    metadata = importlib.import_module(f"services.{service}.tables").metadata

    def differences(connection):
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "version_table_schema": service,
                "include_name": lambda name, type_, _: (
                    name == service if type_ == "schema" else True
                ),
            },
        )
        return compare_metadata(context, metadata)

    engine = create_async_engine(sqlalchemy_url(migrated))
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_migrating_twice_changes_nothing(migrated):
    from shared.migrations import migrate
    from shared.settings import Settings

    await asyncio.to_thread(migrate, Settings(database_url=migrated))
