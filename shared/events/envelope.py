"""CloudEvents 1.0 envelope in the Kafka protocol binding, binary content mode.

The attributes travel as `ce_*` headers and the payload as the record value, so a
dashboard can route on headers without parsing JSON. The record key is the
aggregate id: one ticket's events stay in order on one partition.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"


class EnvelopeError(ValueError):
    """A record that is not a CloudEvent we can read: it goes to the dead-letter topic."""


@dataclass(frozen=True, slots=True)
class Envelope:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    dataversion: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None

    @property
    def dataschema(self) -> str:
        return f"urn:fieldops:event:{self.type}:v{self.dataversion}"

    def headers(self) -> list[tuple[str, bytes]]:
        headers = [
            ("ce_specversion", SPECVERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_subject", self.subject.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_dataschema", self.dataschema.encode()),
            ("ce_dataversion", str(self.dataversion).encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        if self.traceparent:
            headers.append(("traceparent", self.traceparent.encode()))
        return headers

    def value(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":"), default=str).encode()

    @classmethod
    def from_record(cls, headers: list[tuple[str, bytes]] | tuple, value: bytes | None) -> Envelope:
        attrs = {k: v.decode("utf-8", "replace") for k, v in headers or () if v is not None}
        missing = [
            a for a in ("ce_id", "ce_type", "ce_source", "ce_specversion") if not attrs.get(a)
        ]
        if missing:
            raise EnvelopeError(f"not a CloudEvent: missing {', '.join(missing)}")
        if attrs["ce_specversion"] != SPECVERSION:
            raise EnvelopeError(f"unsupported CloudEvents specversion {attrs['ce_specversion']!r}")
        try:
            data = json.loads(value or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EnvelopeError(f"payload is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise EnvelopeError("payload must be a JSON object")
        try:
            version = int(attrs.get("ce_dataversion", "1"))
            time = (
                datetime.fromisoformat(attrs["ce_time"])
                if "ce_time" in attrs
                else datetime.now(UTC)
            )
        except ValueError as exc:
            raise EnvelopeError(f"bad CloudEvent attribute: {exc}") from exc
        return cls(
            id=attrs["ce_id"],
            type=attrs["ce_type"],
            source=attrs["ce_source"],
            subject=attrs.get("ce_subject", ""),
            time=time,
            data=data,
            dataversion=version,
            traceparent=attrs.get("traceparent"),
        )
