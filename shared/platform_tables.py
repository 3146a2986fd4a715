"""The tables every service has beside its own: outbox, inbox and idempotency keys.

Declarations only, importing nothing but SQLAlchemy: Alembic's env, a service's
`tables.py` and tests load them without pulling in Kafka or FastAPI. The code that
reads and writes them lives with its runtime (`shared.outbox`, `shared.consumer`,
`shared.http.idempotency`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg


def outbox_table(metadata: sa.MetaData, schema: str) -> sa.Table:
    return sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("headers", pg.JSONB, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("clock_timestamp()"),
        ),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Index(
            f"ix_{schema}_outbox_pending", "id", postgresql_where=sa.text("published_at IS NULL")
        ),
        schema=schema,
    )


def inbox_table(metadata: sa.MetaData, schema: str) -> sa.Table:
    return sa.Table(
        "inbox",
        metadata,
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        schema=schema,
    )


def idempotency_table(metadata: sa.MetaData, schema: str) -> sa.Table:
    return sa.Table(
        "idempotency_keys",
        metadata,
        sa.Column("principal", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("response", pg.JSONB),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        schema=schema,
    )


def platform_tables(metadata: sa.MetaData, schema: str) -> None:
    outbox_table(metadata, schema)
    inbox_table(metadata, schema)
    idempotency_table(metadata, schema)
