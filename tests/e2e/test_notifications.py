"""Notifications that arrive, against the running escalation service: a real HTTP receiver on
loopback that is down, then failing, then up gets every signed delivery once; an SMTP relay on
loopback gets each e-mail once, for the right people, also after it was down itself.

Escalation's business clock is moved past each retry, never waited for. Events are produced on
the broker as the clocks, the ladder and intake would produce them.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller

from services.escalation.notifications.rules import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    dedupe_key,
    verify,
)
from shared.db import asyncpg_dsn
from shared.devstack.net import free_port
from shared.events.base import Event
from shared.events.escalation import (
    EscalationAcknowledged,
    EscalationRaised,
    SlaBreached,
    SlaMet,
    SlaWarning,
)
from shared.events.intake import NoticeDue
from shared.outbox_rows import envelope_for
from tests.e2e.test_intake_master_data import problem
from tests.support.stack import ServiceStack, eventually

pytestmark = pytest.mark.e2e

SECRET = "whsec_e2e_" + uuid.uuid4().hex
SENDER = "fieldops@notify.example.com"
ADMIN = ("back-office", "escalation:admin")
OPS = ("ops", "ops:read")


# --- an SMTP relay on loopback ----------------------------------------------------------------


class Inbox:
    """What the relay accepted, as parsed messages; it runs in aiosmtpd's thread."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        # Addresses whose next message is held unanswered (the sender is killed meanwhile):
        # its transaction never completes, so a relay would never pass it on.
        self.hold: set[str] = set()
        self.held: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            held = self.hold & set(envelope.rcpt_tos)
            self.hold -= held
            (self.held if held else self.messages).append(message)  # type: ignore[arg-type]
        if held:
            await asyncio.sleep(120)
            return "451 Too late"
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


class Relay:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="module")
def relay() -> Any:
    started = Relay()
    started.start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
async def stack(
    database_url: str, broker: str, relay: Relay, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceStack]:
    """Escalation alone (the events it reads are produced here), sending to the relay."""
    services = ServiceStack(
        database_url=database_url,
        bootstrap=broker,
        log_dir=tmp_path_factory.mktemp("logs"),
        extra_env={
            "FIELDOPS_SMTP_HOST": "127.0.0.1",
            "FIELDOPS_SMTP_PORT": str(relay.port),
            "FIELDOPS_SMTP_FROM": SENDER,
        },
    )
    await services.prepare()
    try:
        await services.start(["escalation"])
        yield services
    finally:
        await services.stop()


# --- a webhook receiver on loopback -----------------------------------------------------------


class Receiver:
    """Verifies each request's signature; answers 503 while failing, 204 when up."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.port = free_port()
        self.failing = True
        self.forged = 0
        self.requests: list[str] = []  # delivery ids, every request
        self.received: list[str] = []  # delivery ids, every request answered 2xx
        self.bodies: dict[str, dict] = {}
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/fieldops"

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not verify(self.secret, body, signature, datetime.now(UTC)):
            self.forged += 1
            return web.Response(status=400)
        delivery = request.headers[DELIVERY_HEADER]
        self.requests.append(delivery)
        if self.failing:
            return web.Response(status=503, text="maintenance")
        document = json.loads(body)
        assert request.headers[EVENT_HEADER] == document["type"]
        self.received.append(delivery)
        self.bodies.setdefault(delivery, document)
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/fieldops", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


# --- helpers --------------------------------------------------------------------------------


async def produce(stack: ServiceStack, *events: Event) -> list[str]:
    """Each event on its owner's topic, as that service's outbox relay would send it."""
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    await producer.start()
    ids = []
    try:
        for event in events:
            envelope = envelope_for(event, f"/fieldops/{event.owner}")
            await producer.send_and_wait(
                stack.settings.topic(event.owner),
                value=envelope.value(),
                key=event.aggregate_id().encode(),
                headers=envelope.headers(),
            )
            ids.append(envelope.id)
    finally:
        await producer.stop()
    return ids


async def deliveries(stack: ServiceStack, webhook_id: str) -> list[dict]:
    async with stack.client("escalation", *OPS) as ops:
        response = await ops.get(f"/v1/webhooks/{webhook_id}/deliveries", params={"limit": 200})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def attempted(stack: ServiceStack, webhook_id: str, count: int, times: int) -> list[dict]:
    """The webhook's `count` deliveries once each has been attempted `times` times in all."""

    async def check() -> list[dict] | None:
        found = await deliveries(stack, webhook_id)
        done = len(found) == count and all(len(d["attempts"]) >= times for d in found)
        return found if done else None

    return await eventually(check, timeout=30, interval=0.2)


async def emails(stack: ServiceStack, event_id: str) -> list[dict]:
    async with stack.client("escalation", *OPS) as ops:
        response = await ops.get("/v1/emails", params={"event_id": event_id})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def now() -> datetime:
    return datetime.now(UTC)


# --- webhooks -------------------------------------------------------------------------------


async def test_a_subscription_is_checked_and_its_secret_never_shown(stack):
    async with stack.client("escalation", *ADMIN) as admin:
        for url, events in [
            ("ftp://example.com/x", ["sla.*"]),
            ("https://x.example/a#b", ["*"]),
            ("https://example.com/x", ["sla.breach"]),
        ]:
            body = {"url": url, "events": events, "secret": SECRET}
            refused = await admin.post("/v1/webhooks", json=body)
            assert refused.status_code == 422, refused.text
            assert ("url" if events != ["sla.breach"] else "events") in refused.text
        short = await admin.post(
            "/v1/webhooks",
            json={"url": "https://example.com/x", "events": ["*"], "secret": "short"},
        )
        assert short.status_code == 422
        made = await admin.post(
            "/v1/webhooks",
            json={"url": "https://example.com/x", "events": ["notice.due"], "secret": SECRET},
        )
        assert made.status_code == 201, made.text
        assert "secret" not in made.json() and made.headers["Location"].endswith(made.json()["id"])
        changed = await admin.patch(
            f"/v1/webhooks/{made.json()['id']}", json={"active": False, "secret": SECRET + "x"}
        )
        assert changed.status_code == 200 and changed.json()["active"] is False
        assert "secret" not in changed.json()
    async with stack.client("escalation", *OPS) as ops:
        listed = (await ops.get("/v1/webhooks")).json()["items"]
        assert made.json()["id"] in [w["id"] for w in listed]
        assert all("secret" not in w for w in listed)
        readonly = await ops.post(
            "/v1/webhooks", json={"url": "https://e.com/x", "events": ["*"], "secret": SECRET}
        )
        assert readonly.status_code == 403


async def test_a_receiver_down_for_an_hour_then_up_gets_every_signed_delivery_once(stack):
    receiver = Receiver(SECRET)
    async with stack.client("escalation", *ADMIN) as admin:
        made = await admin.post(
            "/v1/webhooks",
            json={"url": receiver.url, "events": ["sla.*", "escalation.raised"], "secret": SECRET},
        )
    assert made.status_code == 201, made.text
    webhook_id = made.json()["id"]

    ticket = uuid.uuid4()
    clock = uuid.uuid4()
    at = now()
    subscribed = [
        SlaWarning(
            ticket_id=ticket, clock_id=clock, kind="restore", fraction=0.8, due_at=at, at=at
        ),
        SlaBreached(ticket_id=ticket, clock_id=clock, kind="restore", due_at=at),
        EscalationRaised(ticket_id=ticket, level=1, reason="breach", at=at),
        SlaMet(ticket_id=ticket, clock_id=uuid.uuid4(), kind="response", due_at=at, met_at=at),
    ]
    not_subscribed = EscalationAcknowledged(
        ticket_id=ticket, level=1, by="lead@example.com", at=at, hold_until=at
    )
    event_ids = await produce(stack, *subscribed, not_subscribed)
    count = len(subscribed)

    # Down: nothing listens. The first attempts are refused and logged.
    found = await attempted(stack, webhook_id, count, 1)
    assert {d["event_id"] for d in found} == set(event_ids[:count])
    assert all(d["status"] == "pending" and d["last_status"] is None for d in found)
    assert all(d["attempts"][0]["error"] for d in found)

    # Failing for an hour: every retry, 30 s then doubling, is answered 503.
    await receiver.start()
    try:
        tries, elapsed = 1, timedelta(0)
        while elapsed < timedelta(hours=1):
            due = max(datetime.fromisoformat(d["next_attempt_at"]) for d in found)
            wait = due - await stack.clock("escalation") + timedelta(seconds=1)
            await stack.advance_clock("escalation", wait.total_seconds())
            elapsed += wait
            tries += 1
            found = await attempted(stack, webhook_id, count, tries)
        assert all(d["status"] == "pending" and d["last_status"] == 503 for d in found)
        assert all(d["last_error"] == "HTTP 503: maintenance" for d in found)
        waits = [
            datetime.fromisoformat(b["attempted_at"]) - datetime.fromisoformat(a["attempted_at"])
            for a, b in zip(found[0]["attempts"], found[0]["attempts"][1:], strict=False)
        ]
        assert all(w >= timedelta(seconds=30) for w in waits)

        # Up: the next retry delivers everything, each once.
        receiver.failing = False
        due = max(datetime.fromisoformat(d["next_attempt_at"]) for d in found)
        await stack.advance_clock(
            "escalation", (due - await stack.clock("escalation")).total_seconds() + 1
        )

        async def all_delivered() -> list[dict] | None:
            now_found = await deliveries(stack, webhook_id)
            return now_found if all(d["status"] == "delivered" for d in now_found) else None

        found = await eventually(all_delivered, timeout=30, interval=0.2)
        assert receiver.forged == 0
        assert sorted(receiver.received) == sorted(d["id"] for d in found)  # each exactly once
        assert {b["id"] for b in receiver.bodies.values()} == set(event_ids[:count])
        assert {b["type"] for b in receiver.bodies.values()} == {e.type for e in subscribed}
        assert all(d["attempts"][-1]["status_code"] == 204 for d in found)

        # A redelivery by hand comes under the same delivery id: the receiver can tell.
        chosen = found[0]["id"]
        async with stack.client("escalation", *ADMIN) as admin:
            again = await admin.post(f"/v1/webhooks/{webhook_id}/deliveries/{chosen}/redeliver")
        assert again.status_code == 202, again.text
        assert again.json()["status"] == "pending"

        async def redelivered() -> bool:
            return receiver.received.count(chosen) == 2

        await eventually(redelivered, timeout=15)
        assert len(set(receiver.received)) == count
        async with stack.client("escalation", *OPS) as ops:
            shown = (await ops.get(f"/v1/webhooks/{webhook_id}")).json()
        assert shown["deliveries"] == {"delivered": count}
    finally:
        await receiver.stop()


async def test_redelivering_what_is_not_there_is_a_404(stack):
    async with stack.client("escalation", *ADMIN) as admin:
        missing = await admin.post(
            f"/v1/webhooks/{uuid.uuid4()}/deliveries/{uuid.uuid4()}/redeliver"
        )
    problem(missing, 404, "not-found")


# --- e-mail ---------------------------------------------------------------------------------


def a_notice(*contacts: dict) -> NoticeDue:
    return NoticeDue.model_validate(
        {**NoticeDue.example, "notice_id": str(uuid.uuid4()), "contacts": list(contacts)}
    )


async def test_an_advance_notice_is_mailed_once_to_each_duty_contact_with_an_address(stack, relay):
    notice = a_notice(
        {"name": "Wang Wei", "phone": "+86 1", "email": "wang@cust.example", "role": "primary"},
        {"name": "Liu Yang", "phone": "+86 2", "email": None, "role": "secondary"},
        {"name": "Sun Li", "phone": "+86 3", "email": "sun@cust.example", "role": "secondary"},
    )
    [event_id] = await produce(stack, notice)

    async def both_sent() -> list[dict] | None:
        found = await emails(stack, event_id)
        return found if len(found) == 2 and all(e["status"] == "sent" for e in found) else None

    sent = await eventually(both_sent, timeout=20, interval=0.2)
    assert {e["recipient"] for e in sent} == {"wang@cust.example", "sun@cust.example"}
    [wang] = relay.inbox.to("wang@cust.example")
    assert wang["From"] == SENDER and "Wang Wei" in str(wang["To"])
    assert "HW-SA-2026-011" in wang["Subject"]
    assert wang["Message-ID"] == f"<{dedupe_key(event_id, 'wang@cust.example')}@notify.example.com>"
    assert "SN-0042" in wang.get_content()
    assert len(relay.inbox.to("sun@cust.example")) == 1


LADDER = [
    {"level": 1, "name": "Li Na", "email": "li.na@lead.example", "phone": None},
    {"level": 2, "name": "Zhao Lei", "email": "zl@tech.example", "phone": None},
    {"level": 2, "name": "Qian Yu", "email": "qy@tech.example", "phone": None},
    {"level": 3, "name": "Sun Mei", "email": "sm@pm.example", "phone": None},
]


async def a_ticket_on_a_contract(stack: ServiceStack) -> uuid.UUID:
    """The read models contract.* and ticket.created feed, written as their handlers would.

    On this branch the clocks' handlers of those events do not yet call remember_contract and
    remember_ticket, so the test writes what they will.
    """
    ticket_id, contract_id = uuid.uuid4(), uuid.uuid4()
    conn = await asyncpg.connect(asyncpg_dsn(stack.database_url))
    try:
        await conn.execute(
            "INSERT INTO escalation.notification_contracts (contract_id, calendar, ladder, as_of) "
            "VALUES ($1, 'cn-5x8', $2::jsonb, now())",
            contract_id,
            json.dumps(LADDER),
        )
        await conn.execute(
            "INSERT INTO escalation.notification_tickets (ticket_id, number, contract_id) "
            "VALUES ($1, 'T-00004242', $2)",
            ticket_id,
            contract_id,
        )
    finally:
        await conn.close()
    return ticket_id


async def test_an_escalation_is_mailed_to_the_contacts_of_the_level_it_reached(stack, relay):
    ticket_id = await a_ticket_on_a_contract(stack)
    raised = EscalationRaised(
        ticket_id=ticket_id, level=2, reason="step_limit", step="accepted_to_on_site", at=now()
    )
    breached = SlaBreached(ticket_id=ticket_id, clock_id=uuid.uuid4(), kind="restore", due_at=now())
    raised_id, breached_id = await produce(stack, raised, breached)

    async def sent(event_id: str) -> list[dict] | None:
        found = await emails(stack, event_id)
        return found if found and all(e["status"] == "sent" for e in found) else None

    for event_id in (raised_id, breached_id):
        found = await eventually(lambda e=event_id: sent(e), timeout=20, interval=0.2)
        # Level 2's contacts, both; not the team lead, not the project manager.
        assert {e["recipient"] for e in found} == {"zl@tech.example", "qy@tech.example"}
    # Folding may leave the space it broke at before the subject: what mail readers trim.
    subjects = sorted(str(m["Subject"]).strip() for m in relay.inbox.to("zl@tech.example"))
    assert subjects[0] == (
        "[fieldops] ticket T-00004242 escalated to level 2 (department technical lead)"
    )
    assert subjects[1].startswith("[fieldops] ticket T-00004242: restore target breached")
    assert len(subjects) == 2 and len(relay.inbox.to("qy@tech.example")) == 2
    assert not relay.inbox.to("li.na@lead.example") and not relay.inbox.to("sm@pm.example")


async def test_a_relay_that_was_down_gets_the_mail_when_it_is_back(stack, relay):
    relay.stop()
    try:
        [event_id] = await produce(
            stack,
            a_notice(
                {"name": "Zhou", "phone": "+86 9", "email": "zhou@cust.example", "role": "primary"}
            ),
        )

        async def refused() -> dict | None:
            found = await emails(stack, event_id)
            return found[0] if found and found[0]["last_error"] else None

        failed = await eventually(refused, timeout=20, interval=0.2)
        assert failed["status"] == "pending" and failed["attempts"] == 1
    finally:
        relay.start()
    retry_at = datetime.fromisoformat(failed["next_attempt_at"])
    await stack.advance_clock(
        "escalation", (retry_at - await stack.clock("escalation")).total_seconds() + 1
    )

    async def delivered() -> dict | None:
        found = await emails(stack, event_id)
        return found[0] if found[0]["status"] == "sent" else None

    sent = await eventually(delivered, timeout=20, interval=0.2)
    assert sent["attempts"] == 2 and sent["last_error"] is None
    assert len(relay.inbox.to("zhou@cust.example")) == 1


async def test_a_message_cut_off_by_a_crash_mid_send_goes_again_once_as_the_same_message(
    stack, relay
):
    relay.inbox.hold.add("wu@cust.example")
    [event_id] = await produce(
        stack,
        a_notice({"name": "Wu", "phone": "+86 7", "email": "wu@cust.example", "role": "primary"}),
    )

    async def held() -> bool:
        return bool(relay.inbox.held)

    await eventually(held, timeout=20, interval=0.1)
    [cut_off] = relay.inbox.held
    # The relay has the message but has not answered: escalation dies right there.
    starts = stack.kill("escalation")
    await stack.supervisor.wait_for_start("escalation", after=starts, timeout=15)
    await stack.wait_ready(["escalation"], timeout=45)
    [email_row] = await emails(stack, event_id)
    assert email_row["status"] == "sending" and email_row["attempts"] == 1
    # Past the lease the dead sender held (the restarted process's clock starts from wall time,
    # behind where the module has moved it).
    lease_until = datetime.fromisoformat(email_row["next_attempt_at"])
    await stack.advance_clock(
        "escalation", (lease_until - await stack.clock("escalation")).total_seconds() + 1
    )

    async def sent() -> dict | None:
        [found] = await emails(stack, event_id)
        return found if found["status"] == "sent" else None

    done = await eventually(sent, timeout=20, interval=0.2)
    assert done["attempts"] == 2
    [delivered] = relay.inbox.to("wu@cust.example")
    assert delivered["Message-ID"] == cut_off["Message-ID"]
