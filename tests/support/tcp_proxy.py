"""A TCP proxy on loopback that a fault test controls: pass, cut, refuse, black-hole, restore.

No toxiproxy in the registries (broker-notes.md), and this is all the tests need. Put it in a
client's path (Tansu advertising the proxy's port, a DATABASE_URL naming it) and then:

- `cut()` aborts every live connection, both ends, as a pulled cable followed by resets would;
- `refuse()` stops listening, so new connections get ECONNREFUSED;
- `blackhole()` accepts new connections and never answers (clients hit their own timeouts);
- `restore()` forwards new connections again.

An outage is usually `cut()` plus `refuse()` or `blackhole()`.
"""

from __future__ import annotations

import asyncio
import contextlib
from enum import StrEnum

from shared.devstack.net import LOOPBACK, free_port


class Mode(StrEnum):
    passing = "pass"
    refusing = "refuse"
    blackholing = "blackhole"


class TcpProxy:
    def __init__(
        self, target_port: int, *, port: int | None = None, target_host: str = LOOPBACK
    ) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.port = port or free_port()
        self.mode = Mode.passing
        self.accepted = 0
        self.cuts = 0
        self._server: asyncio.base_events.Server | None = None
        self._live: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    async def start(self) -> TcpProxy:
        await self._listen()
        return self

    async def stop(self) -> None:
        await self._unlisten()
        self.cut()

    def cut(self) -> int:
        """Abort every live connection; returns how many there were."""
        live = list(self._live)
        for writer in live:
            writer.transport.abort()
        self._live.clear()
        self.cuts += 1
        return len(live)

    async def refuse(self) -> None:
        self.mode = Mode.refusing
        await self._unlisten()

    async def blackhole(self) -> None:
        self.mode = Mode.blackholing
        await self._listen()

    async def restore(self) -> None:
        # Connections accepted while black-holing never reached the target: drop them, so the
        # clients reconnect through a working path instead of waiting for their time-outs.
        held = self.mode is Mode.blackholing
        self.mode = Mode.passing
        if held:
            self.cut()
        await self._listen()

    async def _listen(self) -> None:
        if self._server is None:
            # reuse_address: the port comes back at once after a refuse(), TIME_WAIT or not.
            self._server = await asyncio.start_server(
                self._accept, LOOPBACK, self.port, reuse_address=True
            )

    async def _unlisten(self) -> None:
        if self._server is not None:
            self._server.close()  # stops listening; live connections are cut() separately
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._live.add(writer)
        try:
            if self.mode is not Mode.passing:
                # Black hole: read and drop until the client or a cut() ends it.
                while await reader.read(65536):
                    pass
                return
            try:
                up_reader, up_writer = await asyncio.wait_for(
                    asyncio.open_connection(self.target_host, self.target_port), 5.0
                )
            except (OSError, TimeoutError):
                writer.transport.abort()
                return
            if writer not in self._live:  # cut while connecting
                up_writer.transport.abort()
                return
            self._live.add(up_writer)
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._live.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            # One direction ended: end the whole link, as a TCP reset would.
            self._live.discard(writer)
            writer.transport.abort()
