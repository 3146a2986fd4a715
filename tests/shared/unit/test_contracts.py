"""Contract test: every published event type round-trips through envelope and catalog."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from shared.events import contracts
from shared.events.contracts import CATALOG, UnknownEventType, parse_event
from shared.events.envelope import Envelope
from shared.outbox import envelope_for

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SAMPLES = {
    "ticket.created": dict(
        ticket_id=uuid4(),
        number="T-00000001",
        customer_id=uuid4(),
        priority="P1",
        category="network",
        channel="phone",
        summary="Core switch down",
        region="north",
        created_at=NOW,
    ),
    "assignment.created": dict(
        ticket_id=uuid4(), assignment_id=uuid4(), engineer_id=uuid4(), assigned_at=NOW
    ),
    "assignment.unassigned": dict(ticket_id=uuid4(), reason="no_skilled_engineer", at=NOW),
    "assignment.accepted": dict(
        ticket_id=uuid4(), assignment_id=uuid4(), engineer_id=uuid4(), accepted_at=NOW
    ),
    "sla.met": dict(ticket_id=uuid4(), clock_id=uuid4(), kind="response", due_at=NOW, met_at=NOW),
    "sla.breached": dict(ticket_id=uuid4(), clock_id=uuid4(), kind="restore", due_at=NOW),
    "part.registered": dict(part_number="HP-123", vendor="hp", description="PSU"),
    "part.stock_received": dict(
        part_number="HP-123", warehouse="main", quantity=3, received_at=NOW
    ),
}


def test_every_catalogued_event_has_a_sample_here():
    assert {t for t, _ in CATALOG} == set(SAMPLES)


@pytest.mark.parametrize(("event_type", "version"), sorted(CATALOG))
def test_every_event_type_round_trips_through_the_envelope(event_type, version):
    event = CATALOG[(event_type, version)](**SAMPLES[event_type])
    envelope = envelope_for(event, "/fieldops/test")
    received = Envelope.from_record(envelope.headers(), envelope.value())
    assert parse_event(received.type, received.dataversion, received.data) == event
    assert received.subject == event.aggregate_id()


def test_an_unknown_type_or_version_is_refused():
    with pytest.raises(UnknownEventType):
        parse_event("ticket.exploded", 1, {})
    with pytest.raises(UnknownEventType):
        parse_event("ticket.created", 99, SAMPLES["ticket.created"])


def test_a_payload_failing_its_schema_is_refused():
    with pytest.raises(ValidationError):
        parse_event("ticket.created", 1, {"ticket_id": "not-a-uuid"})


def test_an_old_version_is_upcast_to_the_newest(monkeypatch):
    class TicketCreatedV2(contracts.TicketCreated):
        version = 2
        source_system: str

    monkeypatch.setitem(CATALOG, ("ticket.created", 2), TicketCreatedV2)
    monkeypatch.setitem(
        contracts.UPCASTERS, ("ticket.created", 1), lambda d: {**d, "source_system": "legacy"}
    )
    v1 = contracts.TicketCreated(**SAMPLES["ticket.created"]).model_dump(mode="json")
    event = parse_event("ticket.created", 1, v1)
    assert isinstance(event, TicketCreatedV2) and event.source_system == "legacy"


def test_the_asyncapi_document_lists_every_event_on_its_owners_channel():
    from shared.events.asyncapi import document

    doc = document()
    listed = {
        ref.split("/")[-1] for channel in doc["channels"].values() for ref in channel["messages"]
    }
    assert listed == {f"{t}.v{v}" for t, v in CATALOG}
    assert doc["channels"]["intake"]["address"].endswith(".intake")
    assert doc["components"]["messages"]["ticket.created.v1"]["payload"]["properties"]["priority"]
