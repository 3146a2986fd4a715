"""`Idempotency-Key` on POSTs that create: a retry gets the first answer.

The key is claimed, and the answer stored, in the same transaction as the thing
created, so the stored answer exists exactly when the creation committed. A
concurrent retry waits on the key's row lock and then reads that answer. The
same key with a different body is a client bug: 422, nothing changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from fastapi import Header

from shared.http.problems import Problem

MAX_KEY_LENGTH = 255
# Visible ASCII, spaces only inside: HTTP strips a header value's outer whitespace,
# so a key the schema allowed to start or end with one would arrive as another key.
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
_KEY = re.compile(KEY_PATTERN)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description="Retry-safe creation: a retry with the same key and body gets the first answer; "
        "the same key with another body is a 422",
    ),
]


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: Any


def scoped_key(name: str, path: str, key: str) -> str:
    """A client's key as stored: one key on two targets, or on two commands, is two keys.

    `name` is the command's (the endpoint's) and `path` names its target, so a route and an
    offline batch that carries the same command for the same target scope it alike.
    """
    return f"{name} {path} {key}"


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    if len(key) > MAX_KEY_LENGTH or not _KEY.match(key):
        raise Problem(
            422,
            "idempotency-key-invalid",
            f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} visible ASCII characters",
        )
    return key


async def claim_many(
    conn: asyncpg.Connection, schema: str, requests: list[tuple[str, str, str]]
) -> dict[tuple[str, str], StoredAnswer | Problem | None]:
    """Claim each (principal, key, fingerprint), keys distinct, in two statements for the batch.

    None where the key is ours to create under; the first answer where one was stored (a
    concurrent retry waits on the key's row lock, then reads what its claimer committed);
    a Problem where the key was used with another body.
    """
    if not requests:
        return {}
    principals, keys, fingerprints = (list(column) for column in zip(*requests, strict=True))
    claimed = await conn.fetch(
        f"INSERT INTO {schema}.idempotency_keys (principal, key, request_hash) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING RETURNING principal, key",
        principals,
        keys,
        fingerprints,
    )
    outcome: dict[tuple[str, str], StoredAnswer | Problem | None] = {
        (r["principal"], r["key"]): None for r in claimed
    }
    taken = [(p, k, f) for p, k, f in requests if (p, k) not in outcome]
    if taken:
        stored = await conn.fetch(
            f"SELECT i.principal, i.key, i.request_hash, i.status_code, i.response FROM {schema}.idempotency_keys i "
            "JOIN unnest($1::text[], $2::text[]) AS u(principal, key) USING (principal, key)",
            [p for p, _, _ in taken],
            [k for _, k, _ in taken],
        )
        by_key = {(r["principal"], r["key"]): r for r in stored}
        for principal, key, fingerprint in taken:
            row = by_key[(principal, key)]
            if row["request_hash"] != fingerprint:
                outcome[(principal, key)] = Problem(
                    422,
                    "idempotency-key-reused",
                    "this Idempotency-Key was used with a different request",
                )
            else:
                outcome[(principal, key)] = StoredAnswer(row["status_code"], row["response"])
    return outcome


async def release_many(conn: asyncpg.Connection, schema: str, keys: list[tuple[str, str]]) -> None:
    """Give back claims whose request failed: a failure is not an answer to replay."""
    if keys:
        await conn.execute(
            f"DELETE FROM {schema}.idempotency_keys WHERE (principal, key) IN "
            "(SELECT * FROM unnest($1::text[], $2::text[]))",
            [p for p, _ in keys],
            [k for _, k in keys],
        )


async def remember_many(
    conn: asyncpg.Connection, schema: str, answers: list[tuple[str, str, int, Any]]
) -> None:
    if answers:
        await conn.execute(
            f"UPDATE {schema}.idempotency_keys i SET status_code = u.status_code, response = u.response "
            "FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[]) AS u(principal, key, status_code, response) "
            "WHERE i.principal = u.principal AND i.key = u.key",
            [a[0] for a in answers],
            [a[1] for a in answers],
            [a[2] for a in answers],
            [a[3] for a in answers],
        )
