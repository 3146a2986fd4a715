"""Structured JSON logs and the trace context that follows a request across the bus.

A trace id is born at the HTTP edge (or taken from an incoming `traceparent`),
travels in the outbox row and the Kafka headers, and is restored by the consumer,
so one grep finds a ticket's whole path through the four services.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import secrets
import sys
from datetime import UTC, datetime

trace_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace_id", default=None)
event_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)

_SECRET_WORDS = ("authorization", "password", "secret", "token")


def new_trace_id() -> str:
    return secrets.token_hex(16)


def traceparent(trace_id: str) -> str:
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def trace_id_from_traceparent(header: str | None) -> str | None:
    # W3C trace context: version-traceid-parentid-flags; anything else starts a new trace.
    if not header:
        return None
    parts = header.strip().split("-")
    if len(parts) == 4 and len(parts[1]) == 32 and parts[1] != "0" * 32:
        try:
            int(parts[1], 16)
        except ValueError:
            return None
        return parts[1].lower()
    return None


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if trace_id := trace_id_var.get():
            entry["trace_id"] = trace_id
        if event_id := event_id_var.get():
            entry["event_id"] = event_id
        for key, value in getattr(record, "fields", {}).items():
            # Never let a credential reach the log, whoever passed it in.
            entry[key] = "[redacted]" if any(w in key.lower() for w in _SECRET_WORDS) else value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class PlainFormatter(JsonFormatter):
    """One line a person reads, the same fields as the JSON form."""

    def format(self, record: logging.LogRecord) -> str:
        entry = json.loads(super().format(record))
        head = f"{entry.pop('time')[11:23]} {entry.pop('level').upper():7} {entry.pop('message')}"
        for key in ("service", "logger"):
            entry.pop(key)
        error = entry.pop("error", None)
        tail = " ".join(f"{k}={v}" for k, v in entry.items())
        return f"{head}  {tail}" + (f"\n{error}" if error else "")


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stdout)
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(PlainFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("FIELDOPS_LOG_LEVEL", level).upper())
    # aiokafka reports every reconnect attempt at ERROR; our own logs say what matters.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def log_fields(**fields: object) -> dict[str, dict[str, object]]:
    """`logger.info("...", extra=log_fields(ticket_id=...))` adds structured fields."""
    return {"fields": fields}
