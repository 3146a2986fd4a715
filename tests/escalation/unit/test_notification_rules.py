"""What a notification looks like: signed webhooks, their retries and subscriptions, who gets
which e-mail, and what it says."""

from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.escalation.notifications.rules import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    GIVE_UP_AFTER,
    LONGEST_WAIT,
    SIGNATURE_HEADER,
    Context,
    InvalidEventTypes,
    InvalidWebhookSecret,
    InvalidWebhookUrl,
    NothingToRender,
    Recipient,
    dedupe_key,
    delivered,
    delivery_id,
    headers,
    local_time,
    matches,
    message_id,
    next_attempt_at,
    recipients_for,
    render,
    retry_delay,
    sign,
    subscribed,
    validate_event_types,
    validate_secret,
    validate_url,
    verify,
)
from shared.errors import DomainError
from shared.events.base import CATALOG
from shared.events.escalation import (
    EscalationAcknowledged,
    EscalationRaised,
    SlaBreached,
    SlaEvent,
    SlaMet,
)
from shared.events.intake import LadderContact, NoticeContact, NoticeDue

SECRET = "whsec_test_0123456789abcdef"
BODY = b'{"type":"sla.breached"}'
AT = datetime(2026, 11, 25, 9, 12, tzinfo=UTC)  # unix 1795597920
SHANGHAI = ZoneInfo("Asia/Shanghai")
TICKET = UUID("6f1c1c3e-3c7e-4d4e-9a55-0b8f3f0d2a11")
CLOCK = UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)
H = timedelta(hours=1)

LEAD = LadderContact(level=1, name="Li Na", email="li.na@example.com", phone="+86 21 5555 0111")
DEPUTY = LadderContact(level=1, name="Chen Jie", email="chen.jie@example.com")
PHONE_ONLY = LadderContact(level=1, name="Night desk", phone="+86 21 5555 0100")
TECH = LadderContact(level=2, name="Zhao Lei", email="zl@example.com", phone="+86 10 5555 0222")
CONTACTS = (LEAD, DEPUTY, PHONE_ONLY, TECH)


class SlaWarning(SlaEvent):
    """sla.warning as events.md describes it (the clocks define the published class)."""

    type: ClassVar[str] = "sla.warning"
    example: ClassVar[dict[str, Any]] = {}
    fraction: float
    due_at: datetime


WARNING = SlaWarning(ticket_id=TICKET, clock_id=CLOCK, kind="restore", fraction=0.8, due_at=AT)
BREACH = SlaBreached(ticket_id=TICKET, clock_id=CLOCK, kind="restore", due_at=AT)


def raised(level, reason="step_limit", step="accepted_to_on_site"):
    return EscalationRaised(ticket_id=TICKET, level=level, reason=reason, step=step, at=AT)


def notice(**overrides):
    fields = {
        "notice_id": uuid4(),
        "customer_id": uuid4(),
        "contacts": [
            NoticeContact(name="Wang Wei", phone="+86 21 1", email="wang@cust.cn", role="primary"),
            NoticeContact(name="Liu Yang", phone="+86 21 2", role="secondary"),
            NoticeContact(name="Sun Li", phone="+86 21 3", email="sun@cust.cn", role="secondary"),
        ],
        "source": "advisory",
        "advisory_id": uuid4(),
        "reference": "HW-SA-2026-011",
        "severity": "critical",
        "serials": ["SN-0042", "SN-0043"],
        "send_by": AT,
    }
    return NoticeDue(**{**fields, **overrides})


# --- signing --------------------------------------------------------------------------------


def test_the_signature_is_an_hmac_sha256_over_the_timestamp_a_dot_and_the_body():
    assert sign(SECRET, BODY, AT) == (
        "t=1795597920,v1=847f4e86db5d5f55701483c7f437745dc3690f2fa7e26b4d1e519d1533ccc0c7"
    )


def test_a_signed_body_verifies_within_the_tolerance():
    header = sign(SECRET, BODY, AT)
    assert verify(SECRET, BODY, header, AT)
    assert verify(SECRET, BODY, header, AT + 300 * S)
    assert verify(SECRET, BODY, header, AT - 300 * S)  # the receiver's clock a little behind


def test_a_tampered_body_fails():
    header = sign(SECRET, BODY, AT)
    assert not verify(SECRET, BODY.replace(b"breached", b"met"), header, AT)
    assert not verify(SECRET, BODY + b" ", header, AT)


def test_the_wrong_secret_fails():
    assert not verify("whsec_someone_elses_secret", BODY, sign(SECRET, BODY, AT), AT)


def test_a_stale_or_future_timestamp_fails_even_with_a_good_signature():
    header = sign(SECRET, BODY, AT)
    assert not verify(SECRET, BODY, header, AT + 301 * S)
    assert not verify(SECRET, BODY, header, AT - 301 * S)
    assert verify(SECRET, BODY, header, AT + 10 * MIN, tolerance=timedelta(minutes=15))


def test_a_replayed_signature_with_a_fresh_timestamp_fails():
    good = sign(SECRET, BODY, AT)
    forged = good.replace("t=1795597920", "t=1795598220")
    assert not verify(SECRET, BODY, forged, AT + 5 * MIN)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "t=1795597920",
        "v1=847f4e86db5d5f55701483c7f437745dc3690f2fa7e26b4d1e519d1533ccc0c7",
        "t=abc,v1=847f4e86db5d5f55701483c7f437745dc3690f2fa7e26b4d1e519d1533ccc0c7",
        "t=-1795597920,v1=847f4e86db5d5f55701483c7f437745dc3690f2fa7e26b4d1e519d1533ccc0c7",
        "t=1795597920,t=1795597920,v1=847f4e86db5d5f55701483c7f437745dc3690f2fa7e26b4d1e519d1533ccc0c7",
        "t=1795597920,v0=847f4e86db5d5f55701483c7f437745dc3690f2fa7e26b4d1e519d1533ccc0c7",
        "t=1795597920,v1=",
        "t=1795597920,v1=ZZZ",
    ],
)
def test_a_malformed_header_fails_like_a_forgery(header):
    assert not verify(SECRET, BODY, header, AT)


def test_during_a_secret_rotation_any_one_matching_signature_is_enough():
    old = sign("whsec_the_old_secret_000", BODY, AT).split(",")[1]
    new = sign(SECRET, BODY, AT)
    assert verify(SECRET, BODY, f"{new}, {old}", AT)
    assert verify("whsec_the_old_secret_000", BODY, f"{new},{old}", AT)


def test_a_secret_as_bytes_signs_as_its_text_does():
    assert sign(SECRET.encode(), BODY, AT) == sign(SECRET, BODY, AT)


def test_the_signature_time_must_be_aware():
    with pytest.raises(ValueError):
        sign(SECRET, BODY, datetime(2026, 11, 25, 9, 12))


def test_every_delivery_carries_its_signature_its_delivery_id_and_its_type():
    delivery = uuid4()
    sent = headers(SECRET, BODY, AT, delivery, "sla.breached")
    assert verify(SECRET, BODY, sent[SIGNATURE_HEADER], AT)
    assert sent[DELIVERY_HEADER] == str(delivery) and sent[EVENT_HEADER] == "sla.breached"
    assert sent["Content-Type"] == "application/json"


@settings(max_examples=200, deadline=None)
@given(
    st.text(min_size=16, max_size=64),
    st.binary(min_size=1, max_size=512),
    st.integers(min_value=0, max_value=4_000_000_000),
    st.data(),
)
def test_any_body_verifies_with_its_signature_and_fails_with_any_byte_changed(
    secret, body, seconds, data
):
    at = datetime.fromtimestamp(seconds, UTC)
    header = sign(secret, body, at)
    assert verify(secret, body, header, at)
    i = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    flipped = body[:i] + bytes([body[i] ^ data.draw(st.integers(1, 255))]) + body[i + 1 :]
    assert not verify(secret, flipped, header, at)


# --- retries --------------------------------------------------------------------------------


def test_the_back_off_doubles_from_thirty_seconds_and_waits_at_most_an_hour():
    assert [retry_delay(n) for n in range(1, 11)] == [
        30 * S,
        1 * MIN,
        2 * MIN,
        4 * MIN,
        8 * MIN,
        16 * MIN,
        32 * MIN,
        1 * H,
        1 * H,
        1 * H,
    ]
    assert retry_delay(10_000) == LONGEST_WAIT


def test_there_is_no_delay_before_the_first_attempt():
    with pytest.raises(ValueError):
        retry_delay(0)


def attempts_until(up_at, first=AT):
    """Attempt times of one delivery to a receiver that answers from `up_at` on."""
    times, now = [first], first
    while now < up_at:
        now = next_attempt_at(first, len(times), now)
        if now is None:
            return times, False
        times.append(now)
    return times, True


def test_a_receiver_down_for_an_hour_still_gets_the_delivery():
    times, arrived = attempts_until(AT + 1 * H)
    assert arrived
    assert times[-1] - AT == timedelta(minutes=63, seconds=30)
    assert [t - AT for t in times[:4]] == [timedelta(0), 30 * S, 90 * S, 210 * S]


def test_attempts_go_on_hourly_through_the_day_and_the_last_falls_at_the_24_hour_mark():
    times, arrived = attempts_until(AT + 30 * H)
    assert not arrived
    assert times[-1] == AT + GIVE_UP_AFTER
    assert all(b - a <= LONGEST_WAIT for a, b in zip(times, times[1:], strict=False))
    assert next_attempt_at(AT, len(times), times[-1]) is None


def test_a_receivers_retry_after_is_honoured_within_the_hours_cap():
    assert next_attempt_at(AT, 1, AT, retry_after=5 * MIN) == AT + 5 * MIN
    assert next_attempt_at(AT, 1, AT, retry_after=5 * S) == AT + 30 * S
    assert next_attempt_at(AT, 1, AT, retry_after=3 * H) == AT + 1 * H


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=int(GIVE_UP_AFTER.total_seconds())))
def test_a_receiver_back_within_the_day_gets_the_delivery_within_an_hour_of_coming_back(down):
    up_at = AT + down * S
    times, arrived = attempts_until(up_at)
    assert arrived
    assert up_at <= times[-1] <= up_at + LONGEST_WAIT
    assert times[-1] <= AT + GIVE_UP_AFTER


@pytest.mark.parametrize(("status", "ok"), [(200, True), (202, True), (204, True), (299, True)])
def test_a_2xx_answer_delivers(status, ok):
    assert delivered(status) is ok


@pytest.mark.parametrize("status", [None, 100, 301, 400, 401, 404, 410, 429, 500, 503])
def test_anything_but_a_2xx_answer_is_retried(status):
    assert not delivered(status)


# --- subscriptions --------------------------------------------------------------------------

KNOWN = [event_type for event_type, _ in CATALOG]


@pytest.mark.parametrize(
    ("pattern", "event_type", "expected"),
    [
        ("sla.breached", "sla.breached", True),
        ("sla.breached", "sla.warning", False),
        ("sla.*", "sla.warning", True),
        ("sla.*", "sla.breached", True),
        ("sla.*", "escalation.raised", False),
        ("sla.*", "slack.message", False),
        ("sla.*", "sla", False),
        ("*", "notice.due", True),
        ("escalation.*", "escalation.acknowledged", True),
    ],
)
def test_a_subscription_matches_exact_types_and_trailing_wildcards(pattern, event_type, expected):
    assert matches(pattern, event_type) is expected


def test_an_event_goes_to_a_subscription_when_any_of_its_types_matches():
    assert subscribed(["ticket.created", "sla.*"], "sla.breached")
    assert not subscribed(["ticket.created", "escalation.*"], "sla.breached")
    assert not subscribed([], "sla.breached")


def test_a_subscriptions_types_are_kept_in_order_without_duplicates():
    assert validate_event_types(["sla.*", "escalation.raised", "sla.*", "*"], KNOWN) == (
        "sla.*",
        "escalation.raised",
        "*",
    )


@pytest.mark.parametrize(
    "types", [["sla.breach"], ["nothing.*"], ["sla.breached", "Sla.Breached"], ["sla*"], [3]]
)
def test_a_type_that_names_no_event_is_refused_and_named(types):
    with pytest.raises(InvalidEventTypes) as refused:
        validate_event_types(types, KNOWN)
    assert refused.value.context["unknown"] and "sla.breached" in refused.value.context["known"]


@pytest.mark.parametrize("types", [[], "sla.breached", None])
def test_a_subscription_needs_a_list_of_types(types):
    with pytest.raises(InvalidEventTypes):
        validate_event_types(types, KNOWN)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/fieldops",
        "http://127.0.0.1:8099/hook?tenant=7",
        "HTTPS://Example.COM",
        "https://[::1]:8443/x",
        "  https://example.com/padded  ",
    ],
)
def test_an_http_or_https_url_with_a_host_is_accepted(url):
    assert validate_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "mailto:ops@example.com",
        "example.com/hook",
        "//example.com/hook",
        "https://",
        "http://:8080/hook",
        "https://user:password@example.com/hook",
        "https://example.com:99999/hook",
        "https://exa mple.com/hook",
        "https://example.com/ho\nok",
        "https://example.com/hook#part",
        "https://example.com/" + "a" * 2048,
        "",
        None,
        42,
    ],
)
def test_anything_else_is_refused_as_an_invalid_webhook_url(url):
    with pytest.raises(InvalidWebhookUrl) as refused:
        validate_url(url)
    assert type(refused.value).__mro__[1] is DomainError  # a 422, not a conflict or a 404
    assert refused.value.context == {"field": "url"}


def test_a_webhook_secret_is_long_enough_to_be_one():
    assert validate_secret("s" * 16) == "s" * 16
    for weak in ("", "secret", None):
        with pytest.raises(InvalidWebhookSecret):
            validate_secret(weak)


# --- e-mail: who ----------------------------------------------------------------------------


def emails(recipients):
    return [r.email for r in recipients]


@pytest.mark.parametrize("event", [WARNING, BREACH])
def test_warnings_and_breaches_go_to_the_team_lead_before_the_ladder_has_climbed(event):
    assert recipients_for(event, CONTACTS, level=0) == [
        Recipient("li.na@example.com", "Li Na", "support team lead"),
        Recipient("chen.jie@example.com", "Chen Jie", "support team lead"),
    ]


@pytest.mark.parametrize("event", [WARNING, BREACH])
def test_warnings_and_breaches_go_to_the_level_the_ticket_is_at(event):
    assert emails(recipients_for(event, CONTACTS, level=2)) == ["zl@example.com"]


def test_a_raise_goes_to_the_contacts_of_the_level_climbed_to():
    assert recipients_for(raised(2), CONTACTS, level=1) == [
        Recipient("zl@example.com", "Zhao Lei", "department technical lead")
    ]


def test_a_level_the_contract_names_nobody_for_gets_no_mail():
    assert recipients_for(raised(3), CONTACTS) == []
    assert recipients_for(BREACH, CONTACTS, level=4) == []


def test_contacts_without_an_address_are_skipped_and_an_address_is_written_to_once():
    twice = LadderContact(level=1, name="Li Na (mobile)", email="  LI.NA@example.com ")
    assert emails(recipients_for(BREACH, (LEAD, PHONE_ONLY, twice))) == ["li.na@example.com"]


def test_a_notice_goes_to_the_customers_duty_contacts_with_an_address():
    assert recipients_for(notice(), CONTACTS) == [
        Recipient("wang@cust.cn", "Wang Wei", "primary duty contact"),
        Recipient("sun@cust.cn", "Sun Li", "secondary duty contact"),
    ]


@pytest.mark.parametrize(
    "event",
    [
        SlaMet(ticket_id=TICKET, clock_id=CLOCK, kind="response", due_at=AT, met_at=AT),
        EscalationAcknowledged(ticket_id=TICKET, level=1, by="x", at=AT, hold_until=AT),
    ],
)
def test_met_clocks_and_acknowledgements_are_not_mailed(event):
    assert recipients_for(event, CONTACTS, level=1) == []
    with pytest.raises(NothingToRender):
        render(event, Context())


# --- e-mail: what ---------------------------------------------------------------------------

CONTEXT = Context(timezone=SHANGHAI, ticket_number="T-2026-000123", level=1, contacts=CONTACTS)


def test_times_are_shown_on_the_contracts_wall_clock_with_its_zone():
    assert local_time(AT, SHANGHAI) == "2026-11-25 17:12 CST (Asia/Shanghai)"
    assert local_time(AT, UTC) == "2026-11-25 09:12 UTC"
    assert local_time(AT, ZoneInfo("UTC")) == "2026-11-25 09:12 UTC"


def test_a_warning_says_how_much_time_is_used_when_it_is_due_and_who_must_act():
    message = render(WARNING, CONTEXT)
    assert message.subject == (
        "[fieldops] ticket T-2026-000123: 80% of the restore time used, "
        "due 2026-11-25 17:12 CST (Asia/Shanghai)"
    )
    assert message.body.startswith(
        "Ticket T-2026-000123 has used 80% of its restore time, "
        "due 2026-11-25 17:12 CST (Asia/Shanghai).\n"
    )
    assert "Clock:       restore (the customer's service is back)" in message.body
    assert "Due:         2026-11-25 17:12 CST (Asia/Shanghai)" in message.body
    assert "Who must act: the support team lead (level 1):" in message.body
    assert "Li Na (li.na@example.com, +86 21 5555 0111)" in message.body
    assert "Night desk (+86 21 5555 0100)" in message.body


def test_a_breach_says_what_was_missed_and_how_to_hold_the_escalation():
    message = render(BREACH, CONTEXT)
    assert message.subject == (
        "[fieldops] ticket T-2026-000123: restore target breached, "
        "was due 2026-11-25 17:12 CST (Asia/Shanghai)"
    )
    assert "Ticket T-2026-000123 missed its restore target, was due" in message.body
    assert f"POST /v1/tickets/{TICKET}/escalation/ack" in message.body


def test_before_the_ladder_climbs_the_team_lead_is_named_as_the_one_to_act():
    body = render(BREACH, Context(timezone=SHANGHAI, contacts=CONTACTS)).body
    assert "Escalation:  level 0 (none yet)" in body
    assert "Who must act: the support team lead (level 1):" in body
    assert f"ticket {TICKET}" in body.lower()  # no number known: the id


@pytest.mark.parametrize(
    ("reason", "step", "why"),
    [
        (
            "step_limit",
            "accepted_to_on_site",
            "the step from acceptance to arrival on site ran past its time limit",
        ),
        (
            "breach",
            "on_site_to_resolved",
            "an SLA target was breached during the step from arrival",
        ),
        ("breach", None, "an SLA target was breached"),
        ("unassigned", None, "no engineer could be assigned: assign one by hand"),
    ],
)
def test_a_raise_says_why_in_words(reason, step, why):
    assert why in render(raised(2, reason, step), CONTEXT).body


def test_a_raise_names_the_level_who_must_act_and_what_comes_next():
    message = render(raised(2), CONTEXT)
    assert message.subject == (
        "[fieldops] ticket T-2026-000123 escalated to level 2 (department technical lead)"
    )
    assert "at 2026-11-25 17:12 CST (Asia/Shanghai)" in message.body
    assert "Zhao Lei (zl@example.com, +86 10 5555 0222)" in message.body
    assert "climbs to level 3 (project manager) when the step's limit runs out" in message.body


def test_a_raise_with_no_step_running_says_a_breach_would_raise_it_further():
    body = render(raised(1, "unassigned", None), CONTEXT).body
    assert "Step:        none running" in body
    assert "A breach of one of its SLA targets raises it to level 2" in body


def test_a_raise_to_a_level_nobody_is_named_for_names_the_role():
    assert (
        "the project manager (level 3); the contract names no one"
        in render(raised(3), CONTEXT).body
    )


def test_the_customer_is_named_when_known():
    context = Context(timezone=SHANGHAI, customer_name="Shanghai Metro", contacts=CONTACTS)
    for event in (WARNING, BREACH, raised(2)):
        assert "Customer:    Shanghai Metro" in render(event, context).body


def test_a_warning_from_a_clock_that_does_not_say_its_fraction_still_reads():
    bare = SlaBreached(ticket_id=TICKET, clock_id=CLOCK, kind="response", due_at=AT)
    bare_warning = SlaWarning.model_construct(**{**bare.model_dump(), "fraction": None})
    assert "has used part of its response time" in render(bare_warning, CONTEXT).body


def test_a_raise_to_the_top_says_so():
    body = render(raised(4), CONTEXT).body
    assert "top of the escalation ladder" in body and "ack" not in body


def test_an_advisory_notice_tells_the_customer_which_devices_are_affected():
    message = render(notice(), Context(timezone=SHANGHAI, customer_name="Shanghai Metro"))
    assert "HW-SA-2026-011" in message.body and "critical" in message.body
    assert (
        message.subject == "[fieldops] Critical advisory HW-SA-2026-011: 2 of your devices affected"
    )
    assert message.body.startswith("Dear Shanghai Metro,\n")
    assert "  - SN-0042\n  - SN-0043\n" in message.body


def test_an_end_of_life_notice_names_the_part_and_the_date():
    eol = notice(
        source="eol",
        advisory_id=None,
        severity=None,
        reference="02310ABC",
        part_number="02310ABC",
        end_of_production=date(2027, 5, 1),
        serials=["SN-1"],
    )
    message = render(eol, Context())
    assert message.subject == "[fieldops] End of life: part 02310ABC ends production on 2027-05-01"
    assert "installed in 1 of your devices" in message.body


# --- once -----------------------------------------------------------------------------------


def test_the_dedupe_key_is_the_same_for_one_event_and_one_address_however_it_is_spelled():
    event_id = str(uuid4())
    key = dedupe_key(event_id, "li.na@example.com")
    assert dedupe_key(event_id, " LI.NA@example.com") == key
    assert dedupe_key(UUID(event_id), "li.na@example.com") == key
    assert dedupe_key(event_id, "zl@example.com") != key
    assert dedupe_key(str(uuid4()), "li.na@example.com") != key


def test_the_keys_do_not_change_between_releases():
    # Stored keys must keep matching after an upgrade, or a restart would send a message again.
    event_id = "0c6f6a1e-1d1a-4c3b-9f00-000000000001"
    assert dedupe_key(event_id, "li.na@example.com") == UUID("2ecf871a-4f6d-5129-baf2-cefa03319f05")
    assert delivery_id(event_id, CLOCK) == UUID("4ac7d8f6-c127-5c80-8118-356162313bcb")


def test_a_delivery_id_is_the_same_across_retries_and_differs_per_subscription():
    event_id, subscription = str(uuid4()), uuid4()
    assert delivery_id(event_id, subscription) == delivery_id(event_id, subscription)
    assert delivery_id(event_id, subscription) != delivery_id(event_id, uuid4())
    assert delivery_id(event_id, subscription) != dedupe_key(event_id, str(subscription))


def test_a_resent_message_carries_the_same_message_id():
    key = dedupe_key("e-1", "li.na@example.com")
    assert message_id(key, "fieldops.example.com") == f"<{key}@fieldops.example.com>"
