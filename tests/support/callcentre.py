"""Concurrent call-centre clients creating tickets the way a real call centre retries.

A client retries a 503 or a broken connection with the SAME Idempotency-Key until it gets an
answer that is not "try again"; a ticket counts as accepted only on a 2xx. Everything the
service answers is written into a `Ledger`, which the reconciliation then holds the services to.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.stack import ServiceStack

PROBLEM_JSON = "application/problem+json"
RETRY_STATUSES = {503}


@dataclass
class Ledger:
    """What the clients saw. Keys are Idempotency-Keys, values the ticket ids of their 2xx answers."""

    accepted: dict[str, str] = field(default_factory=dict)
    retried: set[str] = field(default_factory=set)  # keys sent more than once
    outcomes: Counter[str] = field(
        default_factory=Counter
    )  # "201", "503", "transport:ConnectError", ...
    violations: list[str] = field(default_factory=list)  # answers no fault may ever cause
    gave_up: list[str] = field(default_factory=list)

    @property
    def ticket_ids(self) -> set[str]:
        return set(self.accepted.values())

    def record_2xx(self, key: str, response: httpx.Response) -> None:
        ticket_id = response.json()["id"]
        earlier = self.accepted.get(key)
        if earlier is not None and earlier != ticket_id:
            self.violations.append(f"key {key} answered with ticket {earlier}, then {ticket_id}")
        self.accepted[key] = ticket_id

    def check_problem(self, response: httpx.Response) -> None:
        if not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
            self.violations.append(
                f"{response.status_code} without problem+json: {response.text[:200]}"
            )


@dataclass
class Burst:
    """`count` ticket creations shared by `clients` concurrent clients, optionally paced."""

    stack: ServiceStack
    customer_id: str
    ledger: Ledger
    count: int = 300
    clients: int = 16
    pace_s: float = 0.0  # each client's pause between tickets: spreads the burst over time
    attempt_deadline_s: float = 90.0  # per ticket, across all its retries
    request_timeout_s: float = 15.0
    category: str = "network"
    started: int = 0
    done: int = 0
    _progress: asyncio.Condition = field(default_factory=asyncio.Condition)

    def body(self, n: int) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "summary": f"fault {n}",
            "description": "reported under load",
            "channel": "phone",
            "category": self.category,
            "impact": "degraded",
        }

    async def run(self) -> Ledger:
        token = self.stack.token("call-centre", "tickets:write", "tickets:read")
        limits = httpx.Limits(max_connections=self.clients, max_keepalive_connections=self.clients)
        async with httpx.AsyncClient(
            base_url=self.stack.url("intake"),
            timeout=self.request_timeout_s,
            headers={"Authorization": f"Bearer {token}"},
            limits=limits,
        ) as http:
            await asyncio.gather(*(self._client(http) for _ in range(self.clients)))
        return self.ledger

    async def reached(self, done: int, *, timeout: float = 60.0) -> None:
        """Wait until `done` creations have finished (answered or given up)."""
        async with asyncio.timeout(timeout), self._progress:
            await self._progress.wait_for(lambda: self.done >= done)

    async def _client(self, http: httpx.AsyncClient) -> None:
        while self.started < self.count:
            n = self.started
            self.started += 1
            await self.create(http, n, str(uuid.uuid4()))
            self.done += 1
            async with self._progress:
                self._progress.notify_all()
            if self.pace_s:
                await asyncio.sleep(self.pace_s)

    async def create(self, http: httpx.AsyncClient, n: int, key: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.attempt_deadline_s
        backoff = 0.1
        attempts = 0
        while True:
            attempts += 1
            if attempts == 2:
                self.ledger.retried.add(key)
            try:
                response = await http.post(
                    "/v1/tickets", json=self.body(n), headers={"Idempotency-Key": key}
                )
            except httpx.TransportError as exc:
                self.ledger.outcomes[f"transport:{type(exc).__name__}"] += 1
            else:
                status = response.status_code
                self.ledger.outcomes[str(status)] += 1
                if 200 <= status < 300:
                    self.ledger.record_2xx(key, response)
                    return
                self.ledger.check_problem(response)
                if status not in RETRY_STATUSES:
                    self.ledger.violations.append(f"{status} for key {key}: {response.text[:300]}")
                    return
            if loop.time() > deadline:
                self.ledger.gave_up.append(key)
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)


async def new_customer(stack: ServiceStack, name: str = "Faulty Networks Ltd") -> str:
    async with stack.client("intake") as admin:
        response = await admin.post("/v1/customers", json={"name": name, "region": "north"})
    response.raise_for_status()
    return response.json()["id"]


async def new_engineer(stack: ServiceStack, skills: tuple[str, ...] = ("network",)) -> str:
    async with stack.client("dispatch", "team-lead", "dispatch:admin") as lead:
        response = await lead.post(
            "/v1/engineers",
            # A burst's every ticket goes to this one engineer: room for all of them.
            json={"name": "Li Na", "skills": list(skills), "region": "north", "capacity": 1000},
        )
    response.raise_for_status()
    return response.json()["id"]
