"""After a fault: every accepted ticket exists once, everywhere, with nothing lost and nothing doubled.

One reconciliation for every fault test. It first waits (bounded) until the database says the
system has converged — every outbox row published, every consumer's inbox holding exactly the
events it handles — and then holds each service's HTTP API to the clients' ledger:

- intake: every 2xx ticket answers GET /v1/tickets/{id}; the customer's paged list holds each
  exactly once, and nothing else (a ticket nobody got a 2xx for was never created);
- dispatch: exactly one active assignment per ticket;
- escalation: exactly one response, one on-site and one restore clock per ticket (the fault
  tests' tickets name no asset, so none has a repair clock);
- inboxes: each handled event id once, counts equal to the producers' outbox rows.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from services.dispatch.app import SPEC as DISPATCH
from services.escalation.app import SPEC as ESCALATION
from services.intake.app import SPEC as INTAKE
from services.inventory.app import SPEC as INVENTORY
from shared.db import asyncpg_dsn
from shared.settings import SERVICES
from tests.support.callcentre import Ledger
from tests.support.stack import ServiceStack

# The event types each service's consumer claims in its inbox.
HANDLED = {
    "intake": set(INTAKE.handlers),
    "dispatch": set(DISPATCH.handlers),
    "escalation": set(ESCALATION.handlers),
    "inventory": set(INVENTORY.handlers),
}
ACTIVE_ASSIGNMENT = {"assigned", "accepted"}
# What the SLA policy opens for a ticket on no asset (ES-1, ES-2, DS-4): no repair clock.
CLOCKS_PER_TICKET = Counter({"response": 1, "on_site": 1, "restore": 1})


@dataclass
class Convergence:
    tickets: int = 0  # in the ledger
    tickets_in_intake: int = 0  # of the ledger's customer
    unpublished: dict[str, int] = field(
        default_factory=dict
    )  # outbox rows not yet sent, per schema
    created_events_per_ticket: Counter[int] = field(
        default_factory=Counter
    )  # {events: tickets with that many}
    created_in_inbox: dict[str, int] = field(
        default_factory=dict
    )  # the ledger's ticket.created claimed, per consumer
    missing_from_inbox: dict[str, int] = field(
        default_factory=dict
    )  # any handled event not (yet) claimed
    foreign_in_inbox: dict[str, int] = field(
        default_factory=dict
    )  # claimed ids no outbox ever held

    @property
    def done(self) -> bool:
        return (
            not any(self.unpublished.values())
            and not any(self.missing_from_inbox.values())
            and not any(self.foreign_in_inbox.values())
        )


async def convergence(
    conn: asyncpg.Connection, ticket_ids: set[str], customer_id: str
) -> Convergence:
    """The database's view. Scoped to the ledger's customer where it counts tickets, so several tests
    may share one stack; whole-database where it compares inboxes with outboxes."""
    state = Convergence(tickets=len(ticket_ids))
    state.tickets_in_intake = await conn.fetchval(
        "SELECT count(*) FROM intake.tickets WHERE customer_id = $1::uuid", customer_id
    )
    published: dict[str, set[str]] = {}
    for schema in SERVICES:
        state.unpublished[schema] = await conn.fetchval(
            f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL"
        )
        for row in await conn.fetch(f"SELECT event_id::text AS id, type FROM {schema}.outbox"):
            published.setdefault(row["type"], set()).add(row["id"])
    created = await conn.fetch(
        "SELECT key, event_id::text AS id FROM intake.outbox WHERE type = 'ticket.created' AND key = ANY($1::text[])",
        list(ticket_ids),
    )
    per_ticket = Counter(r["key"] for r in created)
    state.created_events_per_ticket = Counter(per_ticket[t] for t in ticket_ids)
    created_ids = [r["id"] for r in created]
    for schema, types in HANDLED.items():
        inbox = await conn.fetch(
            f"SELECT event_id FROM {schema}.inbox WHERE type = ANY($1::text[])", list(types)
        )
        claimed = {r["event_id"] for r in inbox}
        expected = set().union(*(published.get(t, set()) for t in types))
        state.missing_from_inbox[schema] = len(expected - claimed)
        state.foreign_in_inbox[schema] = len(claimed - expected)
        if "ticket.created" in types:
            state.created_in_inbox[schema] = await conn.fetchval(
                f"SELECT count(*) FROM {schema}.inbox WHERE event_id = ANY($1::text[])", created_ids
            )
    return state


async def wait_for_convergence(
    database_url: str, ticket_ids: set[str], customer_id: str, *, timeout: float
) -> Convergence:
    conn = await asyncpg.connect(asyncpg_dsn(database_url), timeout=10)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            state = await convergence(conn, ticket_ids, customer_id)
            if state.done or asyncio.get_running_loop().time() > deadline:
                return state
            await asyncio.sleep(0.5)
    finally:
        await conn.close()


async def _bounded(items: list[str], check, concurrency: int = 12) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(item: str) -> Any:
        async with gate:
            return await check(item)

    return await asyncio.gather(*(one(i) for i in items))


async def http_findings(stack: ServiceStack, ledger: Ledger, customer_id: str) -> list[str]:
    """Every way the services' HTTP APIs disagree with the ledger; empty when they agree."""
    findings: list[str] = []
    accepted = sorted(ledger.ticket_ids)
    async with (
        stack.client("intake", "auditor", "tickets:read") as intake,
        stack.client("dispatch", "auditor", "dispatch:admin") as dispatch,
        stack.client("escalation", "auditor", "sla:read") as escalation,
    ):
        # One pass per service, all three at once: the services are separate processes.
        async def in_intake(ticket_id: str) -> str | None:
            got = await intake.get(f"/v1/tickets/{ticket_id}")
            return None if got.status_code == 200 else f"intake GET {ticket_id}: {got.status_code}"

        async def in_dispatch(ticket_id: str) -> str | None:
            assignments = (await dispatch.get(f"/v1/tickets/{ticket_id}/assignments")).json()
            active = [a for a in assignments if a["status"] in ACTIVE_ASSIGNMENT]
            if len(active) == 1:
                return None
            return f"dispatch {ticket_id}: {len(active)} active assignments of {len(assignments)}"

        async def in_escalation(ticket_id: str) -> str | None:
            answer = await escalation.get(f"/v1/tickets/{ticket_id}/sla")
            if answer.status_code != 200:
                return f"escalation {ticket_id}: {answer.status_code}"
            clocks = Counter(c["kind"] for c in answer.json()["clocks"])
            return (
                None
                if clocks == CLOCKS_PER_TICKET
                else f"escalation {ticket_id}: clocks {dict(clocks)}"
            )

        passes = await asyncio.gather(
            *(_bounded(accepted, check) for check in (in_intake, in_dispatch, in_escalation))
        )
        findings += [finding for results in passes for finding in results if finding]

        listed: list[str] = []
        cursor = None
        for _ in range(10_000 // 200 + 2):  # bounded paging
            params: dict[str, Any] = {"customer_id": customer_id, "limit": 200} | (
                {"cursor": cursor} if cursor else {}
            )
            page = (await intake.get("/v1/tickets", params=params)).json()
            listed += [t["id"] for t in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    twice = [t for t, n in Counter(listed).items() if n > 1]
    if twice:
        findings.append(f"listed more than once: {twice[:5]} ({len(twice)})")
    never_answered = set(listed) - set(accepted)
    if never_answered:
        findings.append(
            f"created without a 2xx to anyone: {sorted(never_answered)[:5]} ({len(never_answered)})"
        )
    unlisted = set(accepted) - set(listed)
    if unlisted:
        findings.append(f"accepted but not listed: {sorted(unlisted)[:5]} ({len(unlisted)})")
    return findings


async def reconcile(
    stack: ServiceStack,
    ledger: Ledger,
    customer_id: str,
    *,
    database_url: str | None = None,
    timeout: float = 90.0,
) -> Convergence:
    """Wait for the system to converge, then assert it agrees with the ledger. Returns the final state.

    `database_url` reaches the database directly when the services' own URL passes a proxy.
    """
    assert not ledger.violations, ledger.violations[:10]
    assert not ledger.gave_up, f"{len(ledger.gave_up)} creations never got an answer but 503"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    began = loop.time()
    state = await wait_for_convergence(
        database_url or stack.database_url, ledger.ticket_ids, customer_id, timeout=timeout
    )
    print(f"reconcile: converged in {loop.time() - began:.1f} s")
    assert state.done, f"not converged within {timeout} s: {state}"
    tickets = len(ledger.ticket_ids)
    # Nothing created that nobody was answered a 2xx for; one ticket.created per ticket, claimed once
    # (the inbox key) by every consumer of it.
    assert state.tickets_in_intake == tickets, (state.tickets_in_intake, tickets)
    assert state.created_events_per_ticket == Counter({1: tickets}), state.created_events_per_ticket
    assert state.created_in_inbox == {s: tickets for s in state.created_in_inbox}, (
        state.created_in_inbox
    )
    # The inbox commits with the handler's writes, so this should already agree; allow a moment.
    while True:
        findings = await http_findings(stack, ledger, customer_id)
        print(f"reconcile: http checks at {loop.time() - began:.1f} s: {len(findings)} findings")
        if not findings or loop.time() > deadline:
            break
        await asyncio.sleep(1.0)
    assert not findings, "\n".join(findings[:30]) + f"\n({len(findings)} findings)"
    return state
