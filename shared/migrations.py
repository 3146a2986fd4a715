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

from shared.platform_tables import platform_tables
from shared.settings import SERVICES, Settings

__all__ = ["alembic_config", "migrate", "platform_tables", "run_migrations", "sqlalchemy_url"]


def sqlalchemy_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"postgresql+asyncpg{sep}{rest}" if scheme in ("postgresql", "postgres") else url


def alembic_config(service: str, database_url: str) -> Config:
    package = import_module(f"services.{service}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(str(package.__file__)).parent / "migrations"))
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


def create_platform_tables_v1(op, schema: str) -> None:  # noqa: ANN001 - alembic's op proxy
    """Outbox, inbox and idempotency keys as every service's first migration creates them.

    Frozen, like any migration: a later change to these tables is a new migration (and a
    `_v2` here), never an edit of this function.
    """
    from sqlalchemy.dialects import postgresql

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        schema=schema,
    )
    op.create_index(
        f"ix_{schema}_outbox_pending",
        "outbox",
        ["id"],
        unique=False,
        schema=schema,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id"),
        schema=schema,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("principal", "key"),
        schema=schema,
    )
    # Autogenerate does not see triggers: the relay's wake-up call at commit.
    op.execute(f"""CREATE FUNCTION {schema}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                   BEGIN PERFORM pg_notify('{schema}_outbox', ''); RETURN NULL; END $$""")
    op.execute(f"""CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox
                   FOR EACH STATEMENT EXECUTE FUNCTION {schema}.outbox_notify()""")


def drop_platform_tables_v1(op, schema: str) -> None:  # noqa: ANN001 - alembic's op proxy
    op.drop_table("idempotency_keys", schema=schema)
    op.drop_table("inbox", schema=schema)
    op.drop_table("outbox", schema=schema)
    op.execute(f"DROP FUNCTION {schema}.outbox_notify()")
