from pathlib import Path

import asyncpg
import pytest

from shared.devstack.postgres import (
    create_fresh_database,
    database_name,
    drop_database,
    ensure_database,
    start_postgres,
)


async def test_embedded_postgres_starts_and_keeps_a_fresh_databases_rows_across_a_kill_9(
    tmp_path: Path,
) -> None:
    server = await start_postgres(tmp_path / "data")
    try:
        assert server.server_url.startswith("postgresql://postgres@127.0.0.1:")
        url = await create_fresh_database(server.server_url)
        conn = await asyncpg.connect(url)
        await conn.execute("CREATE TABLE ticket (id int); INSERT INTO ticket VALUES (7)")
        await conn.close()

        server.kill()
        await server.restart()

        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT id FROM ticket") == 7
        await conn.close()
    finally:
        server.stop()
    assert server.pid is None


async def test_a_fresh_database_is_empty_and_is_gone_after_being_dropped(
    pg_server_url: str,
) -> None:
    url = await create_fresh_database(pg_server_url)
    conn = await asyncpg.connect(url)
    assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    # an open connection does not stop the drop: tests may leak one
    await drop_database(pg_server_url, url)
    assert conn.is_closed() or not await _alive(conn)
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await asyncpg.connect(url)


async def test_ensuring_a_database_twice_creates_it_once(pg_server_url: str) -> None:
    name = database_name(await create_fresh_database(pg_server_url))
    try:
        assert database_name(await ensure_database(pg_server_url, name)) == name
        assert database_name(await ensure_database(pg_server_url, name)) == name
    finally:
        await drop_database(pg_server_url, name)


async def _alive(conn: asyncpg.Connection) -> bool:
    try:
        await conn.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError, OSError):
        return False
    return True
