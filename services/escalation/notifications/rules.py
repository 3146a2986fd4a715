"""What a notification looks like: signed webhooks, their retries and subscriptions, and who gets
which e-mail with what in it. Pure: no sockets, no clock reads; the caller passes the time.

Webhooks are signed the way Stripe and Standard Webhooks sign theirs, so receivers can reuse
what they know:

    Fieldops-Signature: t=1795597920,v1=847f4e86db5d5f55701483c7f437745dc3690f2fa7e26b4d1e519d1533ccc0c7

`v1` is the hex HMAC-SHA256, keyed by the subscription's secret, of `"<t>.<body>"`: the unix
seconds, a dot and the exact bytes sent. A receiver recomputes it, compares in constant time and
refuses a timestamp more than five minutes from its own clock (a replayed request). Several `v1`
entries may be present while a secret is rotated; any one matching is enough.
`Fieldops-Delivery` carries a delivery id that is the same on every retry and redelivery of one
event to one subscription: the receiver's key for doing a thing once.

A failed delivery is retried after 30 s, then 1, 2, 4, ... minutes, never more than an hour
apart, until 24 h after the first attempt, the last attempt exactly at the 24 h mark; then it is
given up (and logged, and can be redelivered by hand). A receiver down for an hour, or for
23 hours, gets every delivery within an hour of coming back.

E-mail (who gets what):
- `sla.warning`, `sla.breached`: the contacts of the ticket's current ladder level, the team lead's
  (level 1) while the ladder has not climbed: they follow every event (ES-5).
- `escalation.raised`: the contacts of the level the ticket climbed to: they must act (ES-4).
- `notice.due`: the customer's duty contacts that have an e-mail address (IN-9, IN-11).
A level the contract names nobody for has no one to write to; the event still goes to webhooks
and dashboards. Each (event, recipient) has a stable key, so a message is sent once, and a stable
Message-ID, so a resend after a crash mid-send is recognisable as the same message.

Errors (the HTTP edge answers 422):

    DomainError
    ├── InvalidWebhookUrl      not http(s), no host, credentials or a fragment in it
    ├── InvalidEventTypes      none given, or a type or wildcard that names no event
    └── InvalidWebhookSecret   too short to be a secret
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from urllib.parse import urlsplit
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from services.escalation.ladder.rules import ROLES, TOP
from shared.errors import DomainError
from shared.events.base import Event
from shared.events.escalation import (
    EscalationAcknowledged,
    EscalationRaised,
    SlaBreached,
    SlaEvent,
    SlaMet,
    SlaWarning,
)
from shared.events.intake import LadderContact, NoticeDue

# --- signing --------------------------------------------------------------------------------

SIGNATURE_HEADER = "Fieldops-Signature"
DELIVERY_HEADER = "Fieldops-Delivery"
EVENT_HEADER = "Fieldops-Event"
SIGNATURE_SCHEME = "v1"
# A signature older or newer than this is refused: a captured request cannot be replayed later.
SIGNATURE_TOLERANCE = timedelta(minutes=5)


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def _unix(at: datetime) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a signature's time needs a time zone: {at!r}")
    return int(at.timestamp())


def _mac(secret: str | bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: bytes, at: datetime) -> str:
    """The `Fieldops-Signature` header's value for `body` sent at `at`."""
    timestamp = _unix(at)
    return f"t={timestamp},{SIGNATURE_SCHEME}={_mac(secret, timestamp, body)}"


def verify(
    secret: str | bytes,
    body: bytes,
    header: str,
    now: datetime,
    tolerance: timedelta = SIGNATURE_TOLERANCE,
) -> bool:
    """Whether `header` signs `body` with `secret`, at a time within `tolerance` of `now`.

    A malformed header is a failed check, not an error: a receiver answers it like a forgery.
    """
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if name == "t":
            timestamps.append(value)
        elif name == SIGNATURE_SCHEME:
            signatures.append(value)
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        return False
    timestamp = int(timestamps[0])
    if abs(_unix(now) - timestamp) > tolerance.total_seconds():
        return False
    expected = _mac(secret, timestamp, body)
    # compare_digest on every candidate: the time taken says nothing about how much matched.
    return any([hmac.compare_digest(expected, candidate) for candidate in signatures])


def headers(
    secret: str | bytes, body: bytes, at: datetime, delivery_id: UUID, event_type: str
) -> dict[str, str]:
    """Every header a delivery carries besides the transport's own."""
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body, at),
        DELIVERY_HEADER: str(delivery_id),
        EVENT_HEADER: event_type,
    }


# --- retries --------------------------------------------------------------------------------

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)


def delivered(status: int | None) -> bool:
    """A 2xx answer delivers; anything else (no answer, 4xx, 5xx) is retried.

    4xx too: a receiver that answers 401 while its secret is being rotated, or 404 while it is
    redeployed, must still get the delivery when it is fixed.
    """
    return status is not None and 200 <= status < 300


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s doubling, capped at one hour."""
    if attempts < 1:
        raise ValueError(f"a delay follows an attempt; attempts={attempts}")
    return min(FIRST_RETRY * (1 << min(attempts - 1, 16)), LONGEST_WAIT)


def next_attempt_at(
    first_attempt_at: datetime,
    attempts: int,
    now: datetime,
    retry_after: timedelta | None = None,
) -> datetime | None:
    """When to try again after `attempts` failed attempts, the last one ending at `now`; None
    once 24 h have passed since the first attempt.

    A receiver's `Retry-After` is honoured when it asks for longer than the back-off, within the
    hour's cap. The last attempt falls exactly at the 24 h mark rather than being skipped.
    """
    give_up_at = first_attempt_at + GIVE_UP_AFTER
    if now >= give_up_at:
        return None
    wait = retry_delay(attempts)
    if retry_after is not None and retry_after > wait:
        wait = min(retry_after, LONGEST_WAIT)
    return min(now + wait, give_up_at)


# --- subscriptions --------------------------------------------------------------------------

MIN_SECRET_LENGTH = 16
MAX_URL_LENGTH = 2048
WILDCARD = "*"


class InvalidWebhookUrl(DomainError):
    title = "Invalid webhook URL"

    def __init__(self, url: object, problem: str) -> None:
        super().__init__(f"{url!r}: {problem}", field="url")


class InvalidEventTypes(DomainError):
    title = "Invalid event types"


class InvalidWebhookSecret(DomainError):
    title = "Invalid webhook secret"


def validate_url(url: object) -> str:
    """An absolute http(s) URL with a host: what a delivery can be POSTed to."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidWebhookUrl(url, "a URL is required, e.g. https://example.com/hooks/fieldops")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhookUrl(url[:80] + "...", f"longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidWebhookUrl(url, "contains spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is what validates it
    except ValueError as bad:
        raise InvalidWebhookUrl(url, f"not a URL ({bad})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidWebhookUrl(url, "only http and https URLs receive webhooks")
    if not parts.hostname:
        raise InvalidWebhookUrl(url, "names no host")
    if parts.username is not None or parts.password is not None:
        # URLs end up in logs and delivery lists; the secret signs, credentials do not belong here.
        raise InvalidWebhookUrl(url, "carries credentials; authenticate with the signature")
    if parts.fragment:
        raise InvalidWebhookUrl(url, "has a fragment, which is never sent to the server")
    return url


def validate_secret(secret: object) -> str:
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        raise InvalidWebhookSecret(
            f"a webhook secret has at least {MIN_SECRET_LENGTH} characters",
            field="secret",
            min_length=MIN_SECRET_LENGTH,
        )
    return secret


def matches(pattern: str, event_type: str) -> bool:
    """`sla.breached` matches itself, `sla.*` every `sla.` type, `*` every type."""
    if pattern == WILDCARD:
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def subscribed(patterns: Iterable[str], event_type: str) -> bool:
    return any(matches(pattern, event_type) for pattern in patterns)


# What reaches webhooks (and, where someone must act, e-mail): the SLA's and the ladder's
# outcomes, and intake's advance notices for delivery.
NOTIFIED: tuple[type[Event], ...] = (
    SlaWarning,
    SlaBreached,
    SlaMet,
    EscalationRaised,
    EscalationAcknowledged,
    NoticeDue,
)
NOTIFIED_TYPES = frozenset(cls.type for cls in NOTIFIED)


def subscription_patterns(known: Iterable[str]) -> list[str]:
    """Every value a subscription may name: each type, each `prefix.*` over them, and `*`.

    Exactly what `validate_event_types` accepts, listed, for a schema's enum.
    """
    types = sorted(set(known))
    parts = [t.split(".") for t in types]
    prefixes = sorted({".".join(p[:n]) + ".*" for p in parts for n in range(1, len(p))})
    return [WILDCARD, *prefixes, *types]


def validate_event_types(patterns: object, known: Iterable[str]) -> tuple[str, ...]:
    """The subscription's types, each naming at least one known event; duplicates dropped.

    A typo (`sla.breach`) would otherwise be a subscription that silently never fires.
    """
    catalogue = sorted(set(known))
    if isinstance(patterns, str) or not isinstance(patterns, Sequence) or not patterns:
        raise InvalidEventTypes(
            'a list of event types is required, e.g. ["sla.breached", "escalation.*"]',
            field="events",
            known=catalogue,
        )
    unknown = [
        p
        for p in patterns
        if not isinstance(p, str) or not any(matches(p, known_type) for known_type in catalogue)
    ]
    if unknown:
        raise InvalidEventTypes(
            f"{', '.join(map(repr, unknown))} names no event; use a type or a prefix.* wildcard",
            field="events",
            unknown=[str(p) for p in unknown],
            known=catalogue,
        )
    return tuple(dict.fromkeys(p for p in patterns if isinstance(p, str)))


# --- ids that make a delivery happen once ---------------------------------------------------

_IDS = UUID("8d4f6b52-0c7e-4f0a-9a1e-5b2c3d4e6f70")


def dedupe_key(event_id: str | UUID, recipient: str) -> UUID:
    """The same for one event and one address, however often the event is handled."""
    return uuid5(_IDS, f"mail\n{event_id}\n{recipient.strip().casefold()}")


def delivery_id(event_id: str | UUID, subscription_id: UUID) -> UUID:
    """The same for one event and one subscription, across retries and redeliveries."""
    return uuid5(_IDS, f"webhook\n{event_id}\n{subscription_id}")


def message_id(key: UUID, domain: str) -> str:
    """An RFC 5322 Message-ID from a dedupe key: a resend carries the same one."""
    return f"<{key}@{domain}>"


# --- e-mail: who --------------------------------------------------------------------------------

LADDER_MAIL = frozenset({"sla.warning", "sla.breached"})


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    name: str | None
    why: str  # the role that puts them on the message: "support team lead", "primary duty contact"


def recipients_for(
    event: Event, contacts: Sequence[LadderContact], level: int = 0
) -> list[Recipient]:
    """Who is written to about `event`, in the contract's order, each address once.

    `contacts` are the contract's ladder contacts and `level` the ticket's ladder level now
    (0 before it has climbed); a notice brings its own duty contacts.
    """
    if isinstance(event, NoticeDue):
        found = [
            Recipient(c.email, c.name, f"{c.role} duty contact") for c in event.contacts if c.email
        ]
    elif isinstance(event, EscalationRaised):
        found = _ladder_recipients(contacts, event.level)
    elif isinstance(event, SlaEvent) and event.type in LADDER_MAIL:
        found = _ladder_recipients(contacts, max(level, 1))
    else:
        found = []
    unique: dict[str, Recipient] = {}
    for recipient in found:
        address = recipient.email.strip()
        if address:
            unique.setdefault(address.casefold(), _with_email(recipient, address))
    return list(unique.values())


def _ladder_recipients(contacts: Sequence[LadderContact], level: int) -> list[Recipient]:
    role = ROLES.get(level, f"level {level}")
    return [Recipient(c.email, c.name, role) for c in contacts if c.level == level and c.email]


def _with_email(recipient: Recipient, email: str) -> Recipient:
    return Recipient(email, recipient.name, recipient.why)


# --- e-mail: what -------------------------------------------------------------------------------

SUBJECT_PREFIX = "[fieldops]"

# What each clock promises (ES-1, ES-2, DS-4, IV-2), for the reader who does not know the kinds.
CLOCK_PROMISES = {
    "response": "an engineer takes the job",
    "on_site": "an engineer is on site",
    "restore": "the customer's service is back",
    "repair": "the device is back from repair (a loaner is due past it)",
}
STEP_NAMES = {
    "assigned_to_accepted": "from assignment to acceptance",
    "accepted_to_on_site": "from acceptance to arrival on site",
    "on_site_to_resolved": "from arrival on site to resolution",
}


class NothingToRender(ValueError):
    """An event type that is not sent by e-mail: `recipients_for` gives no one for it."""


@dataclass(frozen=True, slots=True)
class Context:
    """What the event does not carry and a reader needs: where the times are read, which ticket,
    and the ladder as it stands."""

    timezone: tzinfo = UTC  # the contract's calendar's zone
    ticket_number: str | None = None
    level: int = 0
    contacts: tuple[LadderContact, ...] = field(default=())
    customer_name: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str


def render(event: Event, context: Context) -> Message:
    """Subject and plain-text body, in the words a service manager uses."""
    if isinstance(event, NoticeDue):
        return _notice(event, context)
    if isinstance(event, EscalationRaised):
        return _raised(event, context)
    if isinstance(event, SlaEvent) and event.type == "sla.warning":
        return _warning(event, context)
    if isinstance(event, SlaEvent) and event.type == "sla.breached":
        return _breached(event, context)
    raise NothingToRender(f"{event.type} is not sent by e-mail")


def local_time(at: datetime, zone: tzinfo) -> str:
    """`2026-11-25 21:12 CST (Asia/Shanghai)`: the wall time where the contract's hours are."""
    local = at.astimezone(zone)
    text = local.strftime("%Y-%m-%d %H:%M %Z").strip()
    name = zone.key if isinstance(zone, ZoneInfo) else None
    return text if name is None or name == local.tzname() else f"{text} ({name})"


def _ticket(ticket_id: UUID, context: Context) -> str:
    return f"ticket {context.ticket_number}" if context.ticket_number else f"ticket {ticket_id}"


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _clock_line(event: SlaEvent) -> str:
    promise = CLOCK_PROMISES.get(event.kind)
    return f"Clock:       {event.kind}" + (f" ({promise})" if promise else "")


def _attribute(event: Event, name: str) -> object:
    # sla.warning's fields (fraction) belong to the clocks' event; read by name, checked by type.
    return getattr(event, name, None)


def _due(event: Event) -> datetime | None:
    due = _attribute(event, "due_at")
    return due if isinstance(due, datetime) else None


def _fraction(event: Event) -> float | None:
    fraction = _attribute(event, "fraction")
    return float(fraction) if isinstance(fraction, int | float) else None


def _level_line(level: int) -> str:
    role = ROLES.get(level)
    return (
        f"Escalation:  level {level} ({role})" if role else f"Escalation:  level {level} (none yet)"
    )


def _customer_line(context: Context) -> list[str]:
    return [f"Customer:    {context.customer_name}"] if context.customer_name else []


def _who_acts(level: int, contacts: Sequence[LadderContact]) -> list[str]:
    role = ROLES.get(level, f"level {level}")
    named = [_contact_line(c) for c in contacts if c.level == level]
    if not named:
        return [f"Who must act: the {role} (level {level}); the contract names no one."]
    return [f"Who must act: the {role} (level {level}):", *(f"  - {line}" for line in named)]


def _contact_line(contact: LadderContact) -> str:
    reach = ", ".join(x for x in (contact.email, contact.phone) if x)
    return f"{contact.name} ({reach})" if reach else contact.name


def _ack_hint(ticket_id: UUID, level: int) -> str:
    return (
        f"To take it in hand and hold the escalation for one step limit, acknowledge level "
        f"{level} (POST /v1/tickets/{ticket_id}/escalation/ack)."
    )


def _warning(event: SlaEvent, context: Context) -> Message:
    ticket, due, fraction = _ticket(event.ticket_id, context), _due(event), _fraction(event)
    used = "part" if fraction is None else f"{fraction:.0%}"
    when = "" if due is None else f", due {local_time(due, context.timezone)}"
    lines = [
        f"{_sentence(ticket)} has used {used} of its {event.kind} time{when}.",
        "",
        *_customer_line(context),
        _clock_line(event),
        f"Due:         {'unknown' if due is None else local_time(due, context.timezone)}",
        _level_line(context.level),
        "",
        *_who_acts(max(context.level, 1), context.contacts),
        "",
        "If the target is missed, the ticket climbs one level of the escalation ladder.",
    ]
    return Message(
        f"{SUBJECT_PREFIX} {ticket}: {used} of the {event.kind} time used{when}", _text(lines)
    )


def _breached(event: SlaEvent, context: Context) -> Message:
    ticket, due = _ticket(event.ticket_id, context), _due(event)
    when = "" if due is None else f", was due {local_time(due, context.timezone)}"
    level = max(context.level, 1)
    lines = [
        f"{_sentence(ticket)} missed its {event.kind} target{when}.",
        "",
        *_customer_line(context),
        _clock_line(event),
        f"Was due:     {'unknown' if due is None else local_time(due, context.timezone)}",
        _level_line(context.level),
        "",
        *_who_acts(level, context.contacts),
    ]
    if context.level < TOP:
        lines += ["", _ack_hint(event.ticket_id, level)]
    return Message(f"{SUBJECT_PREFIX} {ticket}: {event.kind} target breached{when}", _text(lines))


def _raised(event: EscalationRaised, context: Context) -> Message:
    ticket = _ticket(event.ticket_id, context)
    role = ROLES.get(event.level, f"level {event.level}")
    step = STEP_NAMES.get(event.step, event.step) if event.step else None
    why = {
        "step_limit": f"the step {step} ran past its time limit" if step else "a step ran late",
        "breach": "an SLA target was breached" + (f" during the step {step}" if step else ""),
        "unassigned": "no engineer could be assigned: assign one by hand",
    }[event.reason]
    lines = [
        f"{_sentence(ticket)} was escalated to level {event.level} ({role}) "
        f"at {local_time(event.at, context.timezone)}.",
        "",
        *_customer_line(context),
        f"Why:         {why}",
        f"Step:        {step or 'none running'}",
        "",
        *_who_acts(event.level, context.contacts),
        "",
    ]
    if event.level < TOP:
        above = f"level {event.level + 1} ({ROLES[event.level + 1]})"
        lines += [
            _ack_hint(event.ticket_id, event.level),
            f"Unacknowledged, it climbs to {above} when the step's limit runs out at this level."
            if step
            else f"A breach of one of its SLA targets raises it to {above}.",
        ]
    else:
        lines.append("This is the top of the escalation ladder.")
    subject = f"{SUBJECT_PREFIX} {ticket} escalated to level {event.level} ({role})"
    return Message(subject, _text(lines))


def _text(lines: Sequence[str]) -> str:
    return "\n".join(lines) + "\n"


def _notice(event: NoticeDue, context: Context) -> Message:
    count = len(event.serials)
    devices = f"{count} of your devices" if count != 1 else "1 of your devices"
    if event.source == "eol":
        part = event.part_number or event.reference
        ends = (
            f" ends production on {event.end_of_production.isoformat()}"
            if event.end_of_production
            else " reaches its end of life"
        )
        subject = f"{SUBJECT_PREFIX} End of life: part {part}{ends}"
        opening = f"Part {part}{ends}. It is installed in {devices}."
        advice = "We will plan a replacement with you before spare parts run out."
    else:
        severity = f"{event.severity.capitalize()} advisory" if event.severity else "Advisory"
        subject = f"{SUBJECT_PREFIX} {severity} {event.reference}: {devices} affected"
        opening = (
            f"A problem was found that affects {devices} ({severity.lower()} {event.reference}). "
            "We tell you now, before it shows."
        )
        advice = "Your service team will contact you to plan the fix; no action is needed today."
    greeting = f"Dear {context.customer_name}," if context.customer_name else "Hello,"
    lines = [
        greeting,
        "",
        opening,
        "",
        f"Reference:   {event.reference}",
        "Affected serial numbers:",
        *(f"  - {serial}" for serial in event.serials),
        "",
        advice,
        "For anything urgent, call the 7x24 support line.",
    ]
    return Message(subject, _text(lines))
