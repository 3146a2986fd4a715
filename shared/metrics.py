"""Prometheus metrics of one service, owned by its app (a registry per app, not global).

A registry per app keeps tests that build several apps in one process honest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.http_requests = Counter(
            "fieldops_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "fieldops_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.events_published = Counter(
            "fieldops_events_published", "Events the relay published", registry=r
        )
        self.relay_lag = Histogram(
            "fieldops_relay_lag_seconds",
            "Outbox row committed to broker ack",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.events_consumed = Counter(
            "fieldops_events_consumed",
            "Events consumed, by outcome",
            ["type", "outcome"],
            registry=r,
        )
        # Types read off a topic that this service has no handler for ("unhandled") or that
        # its catalogue does not know yet ("unknown", a newer producer mid-deploy): not poison.
        self.events_skipped = Counter(
            "fieldops_events_skipped",
            "Events skipped: no handler here, or a type the catalogue does not know",
            ["type", "reason"],
            registry=r,
        )
        self.events_dead_lettered = Counter(
            "fieldops_events_dead_lettered",
            "Events sent to the dead-letter topic",
            ["topic"],
            registry=r,
        )
        self.consumer_latency = Histogram(
            "fieldops_event_handling_seconds",
            "Event time to handled",
            ["type"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
