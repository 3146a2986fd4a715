"""What goes on the wire: which subscriptions the document offers, the webhook's body, the
receiver's Retry-After, and the e-mail as the relay gets it."""

import email
import email.policy
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.escalation.notifications import handlers, outbound, rules
from services.escalation.notifications.rules import (
    InvalidEventTypes,
    dedupe_key,
    subscription_patterns,
    validate_event_types,
)
from services.escalation.notifications.schemas import PATTERNS, URL_PATTERN
from shared.events.base import CATALOG
from shared.events.escalation import SlaBreached
from shared.outbox import envelope_for
from shared.settings import Settings

AT = datetime(2026, 11, 25, 9, 12, tzinfo=UTC)


def test_the_notified_types_are_catalogued_events():
    assert {event_type for event_type, _ in CATALOG} >= rules.NOTIFIED_TYPES
    assert set(handlers.EVENTS) == set(rules.NOTIFIED)


def test_every_pattern_the_document_offers_is_one_the_rule_accepts():
    assert validate_event_types(PATTERNS, rules.NOTIFIED_TYPES) == tuple(PATTERNS)
    assert {"*", "sla.*", "escalation.*", "notice.*", "sla.warning"} <= set(PATTERNS)


@given(st.text(min_size=1, max_size=30))
def test_a_pattern_the_document_does_not_offer_is_one_the_rule_refuses(pattern):
    known = rules.NOTIFIED_TYPES
    if pattern in subscription_patterns(known):
        return
    try:
        validate_event_types([pattern], known)
    except InvalidEventTypes:
        return
    raise AssertionError(f"{pattern!r} is accepted but not offered")


@given(st.from_regex(URL_PATTERN, fullmatch=True))
def test_every_url_the_document_accepts_is_one_the_rule_accepts(url):
    assert rules.validate_url(url) == url


def test_a_url_the_document_accepts_looks_like_a_webhook_endpoint():
    accepts = re.compile(URL_PATTERN).fullmatch
    assert accepts("https://ops.example.com/hooks/fieldops?team=north")
    assert accepts("http://127.0.0.1:8080/hooks")
    assert accepts("http://127.0.0.1:65535/hooks") and accepts("http://127.0.0.1:40123")
    assert not accepts("http://127.0.0.1:65536/hooks")
    assert not accepts("ftp://example.com/x")
    assert not accepts("https://user:pw@example.com/x")
    assert not accepts("https://example.com/x#frag")


def test_a_webhook_body_is_a_cloudevent_with_the_event_as_data():
    event = SlaBreached(ticket_id=uuid.uuid4(), clock_id=uuid.uuid4(), kind="restore", due_at=AT)
    envelope = envelope_for(event, "/fieldops/escalation")
    body = json.loads(handlers.webhook_body(event, envelope))
    assert body["specversion"] == "1.0" and body["id"] == envelope.id
    assert body["type"] == "sla.breached" and body["subject"] == str(event.ticket_id)
    assert body["dataschema"] == "urn:fieldops:event:sla.breached:v1"
    assert SlaBreached.model_validate(body["data"]) == event


def test_retry_after_reads_seconds_and_http_dates_and_ignores_nonsense():
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert outbound.retry_after("120") == timedelta(minutes=2)
    assert outbound.retry_after("Wed, 25 Nov 2026 09:05:00 GMT", now) == timedelta(minutes=5)
    assert outbound.retry_after("Wed, 25 Nov 2026 08:55:00 GMT", now) is None  # in the past
    assert outbound.retry_after("soon") is None and outbound.retry_after(None) is None


def test_an_email_carries_a_message_id_made_from_its_dedupe_key_and_says_it_is_automatic():
    settings = Settings(smtp_from="Fieldops <alerts@ops.example.com>")
    key = dedupe_key("event-1", "zl@example.com")
    row = {
        "id": key,
        "recipient": "zl@example.com",
        "recipient_name": "赵磊",
        "subject": "[fieldops] ticket T-1 escalated to level 2 (department technical lead)",
        "body": "Ticket T-1 was escalated.\n",
    }
    sent = email.message_from_bytes(
        bytes(outbound.compose(settings, row, AT)), policy=email.policy.default
    )
    again = email.message_from_bytes(
        bytes(outbound.compose(settings, row, AT + timedelta(minutes=5))),
        policy=email.policy.default,
    )
    assert sent["Message-ID"] == again["Message-ID"] == f"<{key}@ops.example.com>"
    assert sent["To"].addresses[0].display_name == "赵磊"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent.get_content() == "Ticket T-1 was escalated.\n"


def test_message_ids_fall_back_to_a_reserved_domain_when_the_sender_has_none():
    assert outbound.mail_domain("fieldops@localhost") == "localhost"
    assert outbound.mail_domain("fieldops") == "fieldops.invalid"
