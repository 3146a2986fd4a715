"""Notifications on real PostgreSQL: events become deliveries and e-mails once, senders lease
what is due, and results reschedule, deliver or give up - on the business clock, never waited for.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.escalation.notifications import handlers, store
from services.escalation.notifications.commands import (
    ChangeWebhook,
    ClaimDue,
    Redeliver,
    SubscribeWebhook,
)
from services.escalation.notifications.outbound import MailOutcome, WebhookOutcome
from services.escalation.notifications.rules import (
    InvalidEventTypes,
    InvalidWebhookSecret,
    InvalidWebhookUrl,
    dedupe_key,
    delivery_id,
)
from shared.clock import FrozenClock
from shared.db import UnitOfWork, create_pool
from shared.events.base import Event
from shared.events.escalation import EscalationRaised, SlaBreached, SlaMet, SlaWarning
from shared.events.intake import ContractRegistered, ContractUpdated, NoticeDue, TicketCreated
from shared.migrations import migrate
from shared.outbox import envelope_for
from shared.settings import Settings

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SECRET = "whsec_integration_0123456789"
LADDER = [
    {"level": 1, "name": "Li Na", "email": "li.na@example.com", "phone": "+86 21 1"},
    {"level": 1, "name": "Night desk", "email": None, "phone": "+86 21 0"},
    {"level": 2, "name": "Zhao Lei", "email": "zl@example.com", "phone": None},
    {"level": 2, "name": "Qian Yu", "email": "qy@example.com", "phone": None},
    {"level": 3, "name": "Sun Mei", "email": "sm@example.com", "phone": None},
]


@pytest.fixture(scope="module")
async def settings(database_url: str) -> Settings:
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(migrate, Settings(database_url=database_url))
    return Settings(service="escalation", database_url=database_url)


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    created = await create_pool(settings, max_size=3)
    yield created
    await created.close()


@pytest.fixture
async def uow(pool, settings) -> AsyncIterator[UnitOfWork]:
    """One transaction, never committed: the test leaves the database as it found it. Moving
    `uow.now` stands for the next timer tick or event."""
    async with UnitOfWork(pool, settings, clock=FrozenClock(NOW)) as work:
        yield work


async def handle(event: Event, uow: UnitOfWork, source: str = "/fieldops/escalation") -> str:
    envelope = envelope_for(event, source)
    handler = {**handlers.EVENTS, **handlers.READ_MODELS}[type(event)]
    await handler(event, envelope, uow)
    return envelope.id


async def handle_again(event: Event, envelope_id: str, uow: UnitOfWork) -> None:
    """The same event (same id) handled a second time, as a redelivery past the inbox would."""
    envelope = envelope_for(event, "/fieldops/escalation")
    object.__setattr__(envelope, "id", envelope_id)
    await handlers.EVENTS[type(event)](event, envelope, uow)


async def subscribe(uow: UnitOfWork, *events: str, url: str = "https://hooks.example.com/f"):
    return await handlers.subscribe(
        SubscribeWebhook(url=url, events=events, secret=SECRET, by="admin"), uow
    )


def breach(ticket_id: uuid.UUID) -> SlaBreached:
    return SlaBreached(ticket_id=ticket_id, clock_id=uuid.uuid4(), kind="restore", due_at=NOW)


async def a_ticket_on_a_contract(uow: UnitOfWork) -> uuid.UUID:
    contract_id, ticket_id = uuid.uuid4(), uuid.uuid4()
    example = ContractRegistered.example
    await handle(
        ContractRegistered.model_validate(
            {**example, "contract_id": str(contract_id), "ladder": LADDER, "calendar": "cn-5x8"}
        ),
        uow,
        "/fieldops/intake",
    )
    await handle(
        TicketCreated.model_validate(
            {
                **TicketCreated.example,
                "ticket_id": str(ticket_id),
                "number": "T-00000777",
                "contract_id": str(contract_id),
            }
        ),
        uow,
        "/fieldops/intake",
    )
    return ticket_id


async def emails_of(uow: UnitOfWork, event_id: str) -> list[dict]:
    rows = await uow.conn.fetch(
        "SELECT * FROM escalation.emails WHERE event_id = $1 ORDER BY recipient", event_id
    )
    return [dict(r) for r in rows]


# --- subscriptions --------------------------------------------------------------------------


async def test_a_subscription_keeps_its_secret_to_itself(uow):
    webhook = await subscribe(uow, "sla.*", "escalation.raised")
    assert "secret" not in webhook and webhook["active"] is True
    assert webhook["events"] == ["sla.*", "escalation.raised"]
    assert "secret" not in await handlers.get_webhook(uow, webhook["id"])


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"url": "ftp://hooks.example.com/f"}, InvalidWebhookUrl),
        ({"events": ("sla.breach",)}, InvalidEventTypes),
        ({"events": ("ticket.created",)}, InvalidEventTypes),  # not something escalation sends
        ({"secret": "short"}, InvalidWebhookSecret),
    ],
)
async def test_an_invalid_subscription_is_refused(uow, fields, error):
    command = {"url": "https://hooks.example.com/f", "events": ("*",), "secret": SECRET}
    with pytest.raises(error):
        await handlers.subscribe(SubscribeWebhook(**{**command, **fields}, by="admin"), uow)


async def test_a_change_is_checked_like_a_subscription_and_leaves_the_rest_as_it_was(uow):
    webhook = await subscribe(uow, "sla.*")
    with pytest.raises(InvalidWebhookUrl):
        await handlers.change(
            ChangeWebhook(webhook_id=webhook["id"], changes={"url": "not a url"}), uow
        )
    changed = await handlers.change(
        ChangeWebhook(webhook_id=webhook["id"], changes={"events": ["notice.due"]}), uow
    )
    assert changed["events"] == ["notice.due"] and changed["url"] == webhook["url"]


# --- events in ------------------------------------------------------------------------------


async def test_an_event_becomes_one_delivery_per_active_matching_subscription(uow):
    sla = await subscribe(uow, "sla.*")
    everything = await subscribe(uow, "*", url="https://other.example.com/f")
    await subscribe(uow, "escalation.raised")
    paused = await subscribe(uow, "sla.breached")
    await handlers.change(ChangeWebhook(webhook_id=paused["id"], changes={"active": False}), uow)

    event = breach(uuid.uuid4())
    event_id = await handle(event, uow)
    await handle_again(event, event_id, uow)  # a redelivered event adds nothing

    rows = await uow.conn.fetch(
        "SELECT id, webhook_id, status, body FROM escalation.deliveries WHERE event_id = $1",
        event_id,
    )
    assert {r["webhook_id"] for r in rows} == {sla["id"], everything["id"]}
    assert {r["id"] for r in rows} == {
        delivery_id(event_id, sla["id"]),
        delivery_id(event_id, everything["id"]),
    }
    body = json.loads(rows[0]["body"])
    assert body["id"] == event_id and body["type"] == "sla.breached"
    assert body["data"]["ticket_id"] == str(event.ticket_id)


async def test_an_escalation_writes_to_the_contacts_of_the_level_it_reached_once(uow):
    ticket_id = await a_ticket_on_a_contract(uow)
    raised = EscalationRaised(
        ticket_id=ticket_id, level=2, reason="step_limit", step="accepted_to_on_site", at=NOW
    )
    event_id = await handle(raised, uow)
    await handle_again(raised, event_id, uow)

    emails = await emails_of(uow, event_id)
    assert [(e["recipient"], e["why"]) for e in emails] == [
        ("qy@example.com", "department technical lead"),
        ("zl@example.com", "department technical lead"),
    ]
    assert {e["id"] for e in emails} == {
        dedupe_key(event_id, "qy@example.com"),
        dedupe_key(event_id, "zl@example.com"),
    }
    assert all(e["status"] == "pending" and e["next_attempt_at"] == NOW for e in emails)
    assert "T-00000777 escalated to level 2" in emails[0]["subject"]
    # The contract's calendar is cn-5x8: times read in Shanghai.
    assert "2026-11-27 17:00 CST (Asia/Shanghai)" in emails[0]["body"]


async def test_warnings_and_breaches_go_to_the_level_the_ladder_has_reached(uow):
    ticket_id = await a_ticket_on_a_contract(uow)
    warning = SlaWarning(
        ticket_id=ticket_id, clock_id=uuid.uuid4(), kind="restore", fraction=0.5, due_at=NOW, at=NOW
    )
    assert [e["recipient"] for e in await emails_of(uow, await handle(warning, uow))] == [
        "li.na@example.com"  # level 1 before the ladder climbs; the night desk has no address
    ]
    await handle(EscalationRaised(ticket_id=ticket_id, level=3, reason="breach", at=NOW), uow)
    await handle(EscalationRaised(ticket_id=ticket_id, level=2, reason="breach", at=NOW), uow)
    # A late level-2 raise does not lower the ladder: the breach goes to level 3.
    assert [e["recipient"] for e in await emails_of(uow, await handle(breach(ticket_id), uow))] == [
        "sm@example.com"
    ]


async def test_a_met_clock_goes_to_webhooks_but_writes_to_no_one(uow):
    ticket_id = await a_ticket_on_a_contract(uow)
    await subscribe(uow, "sla.met")
    met = SlaMet(
        ticket_id=ticket_id, clock_id=uuid.uuid4(), kind="response", due_at=NOW, met_at=NOW
    )
    event_id = await handle(met, uow)
    assert await emails_of(uow, event_id) == []
    assert (
        await uow.conn.fetchval(
            "SELECT count(*) FROM escalation.deliveries WHERE event_id = $1", event_id
        )
        == 1
    )


async def test_an_escalation_of_a_ticket_not_known_here_writes_to_whom_the_ladder_named(uow):
    raised = EscalationRaised(
        ticket_id=uuid.uuid4(),
        level=1,
        reason="unassigned",
        contact={"level": 1, "name": "Zhang San", "email": "zs@example.com", "phone": None},
        at=NOW,
    )
    emails = await emails_of(uow, await handle(raised, uow))
    assert [(e["recipient"], e["recipient_name"]) for e in emails] == [
        ("zs@example.com", "Zhang San")
    ]
    # Without a contract, times read in UTC and say so.
    assert "2026-11-27 09:00 UTC" in emails[0]["body"]


async def test_a_notice_writes_to_the_duty_contacts_that_have_an_address(uow):
    notice = NoticeDue.model_validate(
        {
            **NoticeDue.example,
            "notice_id": str(uuid.uuid4()),
            "contacts": [
                {"name": "Wang Wei", "phone": "1", "email": "wang@cust.cn", "role": "primary"},
                {"name": "Liu Yang", "phone": "2", "email": None, "role": "secondary"},
                {"name": "Sun Li", "phone": "3", "email": "sun@cust.cn", "role": "secondary"},
            ],
        }
    )
    emails = await emails_of(uow, await handle(notice, uow, "/fieldops/intake"))
    assert [(e["recipient"], e["why"]) for e in emails] == [
        ("sun@cust.cn", "secondary duty contact"),
        ("wang@cust.cn", "primary duty contact"),
    ]
    assert "HW-SA-2026-011" in emails[0]["subject"]


async def test_a_late_registration_does_not_undo_a_contracts_update(uow):
    contract_id = uuid.uuid4()
    base = {**ContractRegistered.example, "contract_id": str(contract_id), "calendar": "cn-5x8"}
    await handle(
        ContractUpdated.model_validate(
            {**base, "ladder": LADDER[2:3], "updated_at": "2026-11-26T09:00:00Z"}
        ),
        uow,
    )
    await handle(ContractRegistered.model_validate({**base, "ladder": LADDER}), uow)
    ladder = await uow.conn.fetchval(
        "SELECT ladder FROM escalation.notification_contracts WHERE contract_id = $1", contract_id
    )
    assert [c["name"] for c in ladder] == ["Zhao Lei"]


# --- the webhook sender's bookkeeping ----------------------------------------------------------


async def a_due_delivery(uow: UnitOfWork) -> tuple[dict, str]:
    webhook = await subscribe(uow, "sla.breached")
    return webhook, await handle(breach(uuid.uuid4()), uow)


async def claim(uow: UnitOfWork) -> list[dict]:
    return await handlers.claim_deliveries(ClaimDue(limit=50, lease_s=60), uow)


FAILED = WebhookOutcome(status_code=503, error="HTTP 503", retry_after=None, duration_ms=12)
REFUSED = WebhookOutcome(status_code=None, error="ConnectError", retry_after=None, duration_ms=1)
OK = WebhookOutcome(status_code=204, error=None, retry_after=None, duration_ms=8)


async def delivery(uow: UnitOfWork, event_id: str) -> dict:
    return dict(
        await uow.conn.fetchrow("SELECT * FROM escalation.deliveries WHERE event_id = $1", event_id)
    )


async def test_a_claimed_delivery_is_leased_so_no_one_else_sends_it_meanwhile(uow):
    webhook, event_id = await a_due_delivery(uow)
    [claimed] = [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    assert claimed["url"] == webhook["url"] and claimed["secret"] == SECRET
    assert claimed["attempts"] == 1 and claimed["first_attempt_at"] == NOW
    assert claimed["lease_until"] == NOW + timedelta(seconds=60)
    assert not [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    # The sender died mid-send: when the lease runs out, the delivery is taken again.
    uow.now = NOW + timedelta(seconds=61)
    [again] = [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    assert again["id"] == claimed["id"] and again["attempts"] == 2


async def test_a_failed_delivery_backs_off_and_is_given_up_a_day_after_its_first_attempt(uow):
    webhook, event_id = await a_due_delivery(uow)
    waits = []
    while True:
        mine = [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
        if not mine:
            row = await delivery(uow, event_id)
            if row["status"] != "pending":
                break
            uow.now = row["next_attempt_at"]
            continue
        await handlers.record_delivery(uow, mine[0], REFUSED if len(waits) % 2 else FAILED)
        row = await delivery(uow, event_id)
        if row["next_attempt_at"] is not None:
            waits.append(row["next_attempt_at"] - uow.now)
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(waits) == timedelta(hours=1)
    assert row["status"] == "gave_up" and row["next_attempt_at"] is None
    assert uow.now == NOW + timedelta(hours=24)  # the last attempt falls on the 24-hour mark
    logged = await store.attempts_of(uow.conn, [row["id"]])
    assert len(logged) == row["attempts"] == len(waits) + 1
    assert {a["status_code"] for a in logged} == {503, None}


async def test_a_2xx_delivers_and_a_redelivery_sends_it_again_in_a_new_round(uow):
    webhook, event_id = await a_due_delivery(uow)
    [claimed] = [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    await handlers.record_delivery(uow, claimed, FAILED)
    uow.now += timedelta(seconds=30)
    [claimed] = [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    await handlers.record_delivery(uow, claimed, OK)
    row = await delivery(uow, event_id)
    assert (row["status"], row["delivered_at"], row["last_status"]) == ("delivered", uow.now, 204)

    uow.now += timedelta(days=3)
    shown = await handlers.redeliver(
        Redeliver(webhook_id=webhook["id"], delivery_id=row["id"], by="admin"), uow
    )
    assert shown["status"] == "pending" and shown["attempts_this_round"] == 0
    assert [a["status_code"] for a in shown["attempts"]] == [503, 204]
    [claimed] = [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    assert claimed["first_attempt_at"] == uow.now  # a new day of retries


async def test_a_stale_failure_does_not_push_back_a_redelivery(uow):
    webhook, event_id = await a_due_delivery(uow)
    [claimed] = [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    uow.now += timedelta(seconds=5)
    await handlers.redeliver(
        Redeliver(webhook_id=webhook["id"], delivery_id=claimed["id"], by="admin"), uow
    )
    await handlers.record_delivery(uow, claimed, FAILED)
    row = await delivery(uow, event_id)
    assert row["next_attempt_at"] == uow.now and row["status"] == "pending"


async def test_an_inactive_subscription_is_not_sent_to_nor_redelivered(uow):
    from services.escalation.notifications.handlers import WebhookInactive

    webhook, event_id = await a_due_delivery(uow)
    await handlers.change(ChangeWebhook(webhook_id=webhook["id"], changes={"active": False}), uow)
    assert not [c for c in await claim(uow) if c["webhook_id"] == webhook["id"]]
    row = await delivery(uow, event_id)
    with pytest.raises(WebhookInactive):
        await handlers.redeliver(
            Redeliver(webhook_id=webhook["id"], delivery_id=row["id"], by="admin"), uow
        )


# --- the mail sender's bookkeeping -------------------------------------------------------------


async def claim_mail(uow: UnitOfWork) -> list[dict]:
    return await handlers.claim_emails(ClaimDue(limit=50, lease_s=300), uow)


async def test_an_email_is_sent_once_and_one_cut_off_mid_send_goes_again_as_the_same_message(uow):
    ticket_id = await a_ticket_on_a_contract(uow)
    event_id = await handle(
        EscalationRaised(ticket_id=ticket_id, level=3, reason="breach", at=NOW), uow
    )
    [email] = await emails_of(uow, event_id)
    [claimed] = [c for c in await claim_mail(uow) if c["id"] == email["id"]]
    assert not [c for c in await claim_mail(uow) if c["id"] == email["id"]]
    # The sender died before it could record the result: the lease runs out, it goes again.
    uow.now += timedelta(seconds=301)
    [again] = [c for c in await claim_mail(uow) if c["id"] == email["id"]]
    assert again["id"] == claimed["id"] and again["attempts"] == 2
    await handlers.record_email(uow, again, MailOutcome(True))
    [sent] = await emails_of(uow, event_id)
    assert (sent["status"], sent["sent_at"]) == ("sent", uow.now)
    uow.now += timedelta(days=1)
    assert not [c for c in await claim_mail(uow) if c["id"] == email["id"]]


async def test_a_relay_that_fails_is_retried_and_an_address_refused_for_good_is_given_up(uow):
    ticket_id = await a_ticket_on_a_contract(uow)
    event_id = await handle(
        EscalationRaised(ticket_id=ticket_id, level=2, reason="breach", at=NOW), uow
    )
    mine = {e["id"] for e in await emails_of(uow, event_id)}
    first, second = [c for c in await claim_mail(uow) if c["id"] in mine]
    await handlers.record_email(uow, first, MailOutcome(False, "SMTPConnectError: refused"))
    await handlers.record_email(uow, second, MailOutcome(False, "550 no such user", permanent=True))
    rows = {e["id"]: e for e in await emails_of(uow, event_id)}
    assert rows[first["id"]]["status"] == "pending"
    assert rows[first["id"]]["next_attempt_at"] == NOW + timedelta(seconds=30)
    assert rows[first["id"]]["last_error"] == "SMTPConnectError: refused"
    assert rows[second["id"]]["status"] == "gave_up"


async def test_the_mail_log_pages_newest_first_and_filters_by_status(uow):
    ticket_id = await a_ticket_on_a_contract(uow)
    for level in (1, 2, 3):
        uow.now = NOW + timedelta(minutes=level)
        await handle(
            EscalationRaised(ticket_id=ticket_id, level=level, reason="breach", at=NOW), uow
        )
    page = await handlers.list_emails(uow, before=None, limit=2, status="pending", event_id=None)
    assert [e["recipient"] for e in page][:1] == ["sm@example.com"]
    assert all(e["status"] == "pending" for e in page)


async def test_two_senders_claiming_at_once_never_take_the_same_row(pool, settings):
    # Committed rows, as replicas see them; removed afterwards.
    clock = FrozenClock(NOW + timedelta(days=400))  # past anything the other tests left due
    async with UnitOfWork(pool, settings, clock=clock) as setup:
        webhook = await subscribe(setup, "sla.breached")
        for _ in range(30):
            await handle(breach(uuid.uuid4()), setup)
        await setup.commit()
    try:
        async with (
            UnitOfWork(pool, settings, clock=clock) as first,
            UnitOfWork(pool, settings, clock=clock) as second,
        ):
            command = ClaimDue(limit=20, lease_s=60)
            # Both transactions open at once: the second skips what the first has locked.
            one = await handlers.claim_deliveries(command, first)
            two = await handlers.claim_deliveries(command, second)
            mine = {d["id"] for d in one + two if d["webhook_id"] == webhook["id"]}
            assert not {d["id"] for d in one} & {d["id"] for d in two}
            assert len(mine) == 30
    finally:
        async with UnitOfWork(pool, settings, clock=clock) as cleanup:
            await cleanup.conn.execute(
                "DELETE FROM escalation.deliveries WHERE webhook_id = $1", webhook["id"]
            )
            await cleanup.conn.execute(
                "DELETE FROM escalation.webhooks WHERE id = $1", webhook["id"]
            )
            await cleanup.commit()
