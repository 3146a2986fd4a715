"""Alembic, once per service: each migrates its own schema and keeps its version table there.

Every service's `migrations/env.py` is three lines calling `run_migrations`; the
platform tables every service has (outbox, inbox, idempotency keys) are declared
by `platform_tables` so that autogenerate sees them like any other table.
"""

from __future__ import annotations

import asyncio
from importlib import import_module
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

from shared.consumer import inbox_table
from shared.http.idempotency import idempotency_table
from shared.outbox import outbox_table
from shared.settings import SERVICES, Settings


def platform_tables(metadata: sa.MetaData, schema: str) -> None:
    outbox_table(metadata, schema)
    inbox_table(metadata, schema)
    idempotency_table(metadata, schema)


def sqlalchemy_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"postgresql+asyncpg{sep}{rest}" if scheme in ("postgresql", "postgres") else url


def alembic_config(service: str, database_url: str) -> Config:
    package = import_module(f"services.{service}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(package.__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    cfg.attributes["schema"] = service
    return cfg


def run_migrations(context, metadata: sa.MetaData, schema: str) -> None:  # noqa: ANN001 - alembic's proxy
    """Body of every service's env.py (online mode only: we always have a database)."""

    def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
        return name == schema if type_ == "schema" else True

    def do_run(connection: sa.Connection) -> None:
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(context.config.get_main_option("sqlalchemy.url"))
        async with engine.begin() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


def migrate(settings: Settings, services: tuple[str, ...] = SERVICES) -> None:
    for service in services:
        command.upgrade(alembic_config(service, settings.database_url), "head")


def create_outbox_notify(op, schema: str) -> None:  # noqa: ANN001 - alembic's op proxy
    """Autogenerate does not see triggers: each service's first migration calls this."""
    from shared.outbox import notify_trigger_sql

    for statement in notify_trigger_sql(schema):
        op.execute(statement)
