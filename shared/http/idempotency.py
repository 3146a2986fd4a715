"""`Idempotency-Key` on POSTs that create: a retry gets the first answer.

The key is claimed, and the answer stored, in the same transaction as the thing
created, so the stored answer exists exactly when the creation committed. A
concurrent retry waits on the key's row lock and then reads that answer. The
same key with a different body is a client bug: 422, nothing changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg
import sqlalchemy as sa
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.dialects import postgresql as pg

from shared.http.problems import Problem

if TYPE_CHECKING:
    from shared.db import UnitOfWork

MAX_KEY_LENGTH = 255


def idempotency_table(metadata: sa.MetaData, schema: str) -> sa.Table:
    return sa.Table(
        "idempotency_keys",
        metadata,
        sa.Column("principal", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("response", pg.JSONB),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=schema,
    )


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: Any


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(422, "idempotency-key-invalid", f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} printable characters")
    return key


async def claim(conn: asyncpg.Connection, schema: str, principal: str, key: str, fingerprint: str) -> StoredAnswer | None:
    """None: the key is ours, go on and create. Otherwise: the first answer to replay."""
    claimed = await conn.fetchval(
        f"INSERT INTO {schema}.idempotency_keys (principal, key, request_hash) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING RETURNING true",
        principal, key, fingerprint,
    )
    if claimed:
        return None
    row = await conn.fetchrow(
        f"SELECT request_hash, status_code, response FROM {schema}.idempotency_keys WHERE principal = $1 AND key = $2",
        principal, key,
    )
    if row is None or row["status_code"] is None:  # pragma: no cover - the claimer's transaction committed with it
        raise Problem(409, "idempotency-key-in-use", "a request with this Idempotency-Key is still in progress")
    if row["request_hash"] != fingerprint:
        raise Problem(422, "idempotency-key-reused", "this Idempotency-Key was used with a different request")
    return StoredAnswer(row["status_code"], row["response"])


async def remember(conn: asyncpg.Connection, schema: str, principal: str, key: str, status_code: int, body: Any) -> None:
    await conn.execute(
        f"UPDATE {schema}.idempotency_keys SET status_code = $3, response = $4 WHERE principal = $1 AND key = $2",
        principal, key, status_code, body,
    )


async def create_once(
    uow: UnitOfWork,
    *,
    principal: str,
    key: str | None,
    fingerprint: str,
    create: Callable[[UnitOfWork], Awaitable[Any]],
    render: Callable[[Any], Any],
    status_code: int = 201,
    location: Callable[[Any], str] | None = None,
) -> JSONResponse:
    """Run `create` once per (principal, key); a 2xx is sent only after the commit."""
    async with uow:
        if key is not None:
            stored = await claim(uow.conn, uow.settings.service, principal, validate_key(key), fingerprint)
            if stored is not None:
                return JSONResponse(stored.body, status_code=stored.status_code,
                                    headers={"Idempotent-Replayed": "true"})
        body = jsonable_encoder(render(await create(uow)))
        if key is not None:
            await remember(uow.conn, uow.settings.service, principal, key, status_code, body)
        await uow.commit()
    headers = {"Location": location(body)} if location else None
    return JSONResponse(body, status_code=status_code, headers=headers)
