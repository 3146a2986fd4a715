"""The AsyncAPI document of the event stream, generated from the contracts for the ops dashboards."""

from __future__ import annotations

from typing import Any

from shared.events.catalog import CATALOG
from shared.settings import SERVICES, Settings

_CE_HEADERS = {
    "type": "object",
    "required": ["ce_id", "ce_source", "ce_type", "ce_specversion"],
    "properties": {
        "ce_specversion": {"const": "1.0"},
        "ce_id": {
            "type": "string",
            "description": "unique per event; consumers de-duplicate on it",
        },
        "ce_source": {"type": "string", "examples": ["/fieldops/intake"]},
        "ce_type": {"type": "string"},
        "ce_subject": {"type": "string", "description": "the aggregate id, also the record key"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_dataschema": {"type": "string"},
        "ce_dataversion": {"type": "string"},
        "traceparent": {
            "type": "string",
            "description": "W3C trace context of the request that caused it",
        },
    },
}


def document(settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or Settings()
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    for (event_type, version), cls in sorted(CATALOG.items()):
        name = f"{event_type}.v{version}"
        messages[name] = {
            "name": event_type,
            "title": f"{event_type} v{version}",
            "summary": (cls.__doc__ or "").strip() or None,
            "contentType": "application/json",
            "headers": _CE_HEADERS,
            "payload": cls.model_json_schema(),
            # The same example the contract test round-trips, so it is known to be valid.
            "examples": [
                {
                    "name": f"{event_type}-example",
                    "headers": {"ce_type": event_type, "ce_dataversion": str(version)},
                    "payload": cls.example,
                }
            ],
        }
    for owner in SERVICES:
        owned = {
            n: {"$ref": f"#/components/messages/{n}"}
            for n, m in messages.items()
            if CATALOG[(m["name"], int(n.rsplit(".v", 1)[1]))].owner == owner
        }
        channels[owner] = {
            "address": settings.topic(owner),
            "messages": owned,
            "description": f"Events of {owner}; key = aggregate id. Poison records go to "
            f"{settings.dlq(owner)}.",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "fieldops events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in the Kafka binary binding (ce_* headers, JSON value).",
        },
        "channels": channels,
        "components": {"messages": messages},
    }
