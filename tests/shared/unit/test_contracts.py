"""Contract test: every published event type's example round-trips through envelope and catalogue."""

import pytest
from pydantic import ValidationError

from shared.events import base
from shared.events.asyncapi import document
from shared.events.catalog import (
    CATALOG,
    OWNER_MODULES,
    UnknownEventType,
    latest_version,
    owner_of,
    parse_event,
)
from shared.events.envelope import Envelope
from shared.events.intake import TicketCreated, TicketCreatedV1
from shared.outbox_rows import envelope_for
from shared.settings import SERVICES

EVERY_TYPE = sorted(CATALOG)


@pytest.mark.parametrize(("event_type", "version"), EVERY_TYPE)
def test_every_event_types_example_round_trips_through_the_envelope_and_parse(event_type, version):
    cls = CATALOG[(event_type, version)]
    event = cls.model_validate(cls.example)
    envelope = envelope_for(event, "/fieldops/test")
    received = Envelope.from_record(envelope.headers(), envelope.value())
    parsed = parse_event(received.type, received.dataversion, received.data)
    newest = CATALOG[(event_type, latest_version(event_type))]
    if cls is newest:
        assert parsed == event and type(parsed) is cls
    else:  # an old version is read as the newest, through its upcasters
        assert type(parsed) is newest and parsed.aggregate_id() == event.aggregate_id()
    assert received.subject == event.aggregate_id()
    # The example lists every field: what the AsyncAPI document shows is the whole payload.
    assert set(cls.example) == set(cls.model_fields), set(cls.model_fields) ^ set(cls.example)


@pytest.mark.parametrize(("event_type", "version"), EVERY_TYPE)
def test_every_event_type_lives_in_the_module_of_the_service_that_owns_it(event_type, version):
    cls = CATALOG[(event_type, version)]
    assert cls.owner in SERVICES
    assert cls.__module__ == f"shared.events.{cls.owner}"
    assert owner_of(event_type) == cls.owner


def test_each_owner_module_is_loaded_by_the_catalogue():
    assert {m.__name__.rsplit(".", 1)[1] for m in OWNER_MODULES} == set(SERVICES)


def test_a_type_and_version_declared_twice_is_refused():
    class Twin(base.Event):
        type = "ticket.created"
        owner = "intake"
        example = {}

    with pytest.raises(TypeError, match="declared twice"):
        base.register(Twin)


def test_an_event_without_an_example_cannot_be_registered():
    class Bare(base.Event):
        type = "ticket.bare"
        owner = "intake"

    with pytest.raises(TypeError, match="example"):
        base.register(Bare)


def test_an_unknown_type_or_version_is_refused():
    with pytest.raises(UnknownEventType):
        parse_event("ticket.exploded", 1, {})
    with pytest.raises(UnknownEventType):
        parse_event("ticket.created", 99, TicketCreated.example)


def test_a_payload_failing_its_schema_is_refused():
    with pytest.raises(ValidationError):
        parse_event("ticket.created", 1, {"ticket_id": "not-a-uuid"})


def test_an_old_version_is_upcast_to_the_newest(monkeypatch):
    class TicketCreatedV3(TicketCreated):
        version = 3
        source_system: str

    monkeypatch.setitem(CATALOG, ("ticket.created", 3), TicketCreatedV3)
    monkeypatch.setitem(
        base.UPCASTERS, ("ticket.created", 2), lambda d: {**d, "source_system": "legacy"}
    )
    event = parse_event("ticket.created", 1, TicketCreatedV1.example)
    assert isinstance(event, TicketCreatedV3) and event.source_system == "legacy"


def test_an_old_ticket_created_v1_reads_as_v2_reported_when_it_was_recorded():
    event = parse_event("ticket.created", 1, TicketCreatedV1.example)
    v1 = TicketCreatedV1.model_validate(TicketCreatedV1.example)
    assert type(event) is TicketCreated
    assert event.reported_at == v1.created_at == event.created_at
    assert (event.ticket_id, event.number, event.priority, event.region) == (
        v1.ticket_id,
        v1.number,
        v1.priority,
        v1.region,
    )
    # IN-3 maps impact to priority one to one; v1 never looked the entitlement up.
    assert event.impact == "outage"
    assert (event.in_warranty, event.chargeable, event.coverage, event.contract_id) == (
        None,
        None,
        None,
        None,
    )


def test_the_asyncapi_document_lists_every_event_on_its_owners_channel_with_its_example():
    doc = document()
    listed = {
        ref.split("/")[-1] for channel in doc["channels"].values() for ref in channel["messages"]
    }
    assert listed == {f"{t}.v{v}" for t, v in CATALOG}
    assert doc["channels"]["intake"]["address"].endswith(".intake")
    assert "ticket.created.v1" in doc["channels"]["intake"]["messages"]
    message = doc["components"]["messages"]["ticket.created.v1"]
    assert message["payload"]["properties"]["priority"]
    assert message["examples"][0]["payload"] == TicketCreatedV1.example
    newest = doc["components"]["messages"]["ticket.created.v2"]
    assert newest["examples"][0]["payload"] == TicketCreated.example
