"""Configuration from the environment, one naming scheme for every service.

Every variable is `FIELDOPS_<NAME>`; the two that operators already know by their
conventional names (`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`) are read as well.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated

from limits import parse as parse_rate
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SERVICES = ("intake", "dispatch", "escalation", "inventory")
DEFAULT_PORTS = {"intake": 8001, "dispatch": 8002, "escalation": 8003, "inventory": 8004}
# Secrets anyone can read (this repository printed the first one as a default; the others are
# what people paste from examples): a token signed with one proves nothing, in any environment.
PUBLISHED_SECRETS = frozenset(
    {
        "fieldops-development-secret-change-me-0123456789",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "password",
        "fieldops",
        "...",
    }
)
# HS256 keys shorter than the hash output are brute-forceable offline from any one token (RFC 7518 3.2).
MIN_SECRET_BYTES = 32


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDOPS_", extra="ignore")

    environment: Environment = Environment.development
    service: str = "intake"
    host: str = "127.0.0.1"
    port: int | None = None
    # uvicorn worker processes; each runs a relay (one leads) and joins the consumer group.
    workers: int = Field(1, ge=1, le=16)

    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/fieldops",
        validation_alias=AliasChoices("FIELDOPS_DATABASE_URL", "DATABASE_URL"),
    )
    db_pool_min: int = 2
    db_pool_max: int = 20
    db_statement_timeout_ms: int = 10_000
    # Prepared statements kept per connection. Every store's statements are module constants
    # (a finite set, tens per service), so asyncpg's default of 100 holds them all and each is
    # parsed and planned once per connection. 0 turns the cache off, which a pooler in
    # transaction mode (PgBouncer < 1.21) needs: it hands a prepared name to another backend.
    db_statement_cache_size: int = Field(100, ge=0)

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias=AliasChoices(
            "FIELDOPS_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS"
        ),
    )
    # Tansu answers InitProducerId with an error: idempotence is for Apache Kafka only.
    kafka_enable_idempotence: bool = False
    # Tansu answers a waiting fetch only when the wait runs out; latency ~ half of it.
    kafka_fetch_max_wait_ms: int = Field(50, ge=5)
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    kafka_max_poll_interval_ms: int = 300_000
    kafka_request_timeout_ms: int = 15_000
    # Per topic. On Tansu over s3 every partition in a produce request is a storage write:
    # few partitions on one small machine; production sets what its consumers need.
    kafka_partitions: int = 3
    topic_prefix: str = "fieldops"

    relay_batch_size: int = 500
    relay_poll_interval_s: float = 1.0
    relay_linger_ms: int = Field(10, ge=0, le=1000)
    consumer_commit_interval_s: float = 1.0
    consumer_max_attempts: int = 5
    consumer_retry_backoff_s: float = 0.2
    # readiness fails when the consumer has not polled for this long (aiokafka#1154).
    consumer_stall_s: float = 30.0

    jwt_secret: SecretStr | None = None
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "fieldops"
    jwt_audience: str = "fieldops"
    # Signs the customers' rating links (IN-6). Unset: derived from the JWT secret with HMAC, so a
    # link is never signed with the key that signs access tokens. JWKS deployments must set it.
    rating_secret: SecretStr | None = None

    # Dispatch: minutes an engineer has to accept before the next candidate is asked, per
    # priority (JSON, e.g. {"P1": 5}; priorities left out keep their default), and the road
    # speed travel estimates assume.
    dispatch_accept_minutes: dict[str, int] = Field(
        default_factory=lambda: {"P1": 5, "P2": 10, "P3": 30, "P4": 240}
    )
    dispatch_speed_kmh: float = Field(40.0, gt=0, le=300)

    @field_validator("dispatch_accept_minutes", mode="after")
    @classmethod
    def _every_priority(cls, given: dict[str, int]) -> dict[str, int]:
        defaults = {"P1": 5, "P2": 10, "P3": 30, "P4": 240}
        unknown = set(given) - set(defaults)
        if unknown or any(not 0 < m <= 7 * 24 * 60 for m in given.values()):
            raise ValueError("priorities P1-P4 to minutes between 1 and 10080")
        return {**defaults, **given}

    # Inventory: days a reserved part is held for its ticket before it goes back on the shelf
    # (IV-1); a picked part is with the engineer and does not expire.
    reservation_days: int = Field(14, ge=1, le=365)
    # Inventory (IV-2): days a loaner stays with the customer when its check-out names no due date;
    # past it the loan is listed as overdue.
    loaner_days: int = Field(30, ge=1, le=365)

    # Escalation's SLA warnings (ES-1, ES-2): the fractions of a clock's target at which
    # `sla.warning` goes out (JSON, e.g. [0.5, 0.8]); each between 0 and 1, rising, each once.
    sla_warning_fractions: tuple[float, ...] = (0.5, 0.8)

    @field_validator("sla_warning_fractions", mode="after")
    @classmethod
    def _rising_fractions(cls, given: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < f < 1 for f in given) or list(given) != sorted(set(given)):
            raise ValueError(
                "FIELDOPS_SLA_WARNING_FRACTIONS is a JSON list of fractions strictly between 0 "
                f"and 1, rising, each once (e.g. [0.5, 0.8]); got {list(given)}"
            )
        return given

    # Escalation's e-mail (ES-4, ES-5, IN-9). Unset host: messages are still decided, stored and
    # listed (GET /v1/emails) but stay pending until a relay is configured.
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "fieldops@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # STARTTLS after connecting (port 587); a relay on 465 speaks TLS at once (smtp_tls).
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_timeout_s: float = Field(30.0, gt=0)

    # POST/GET /v1/ops/clock: tests move the business clock instead of sleeping to a deadline.
    # Test and development deployments only; production refuses to start with it.
    clock_control: bool = False

    max_body_bytes: int = 1024 * 1024

    # IV-7: what one partner vendor's tokens may call, together, in a moving window (`limits`
    # notation: "600/minute", "20/second"). Counted in each replica's memory: N replicas let a
    # vendor make up to N times as many calls. Staff tokens are never counted.
    vendor_rate_limit: str = "600/minute"

    @field_validator("vendor_rate_limit", mode="after")
    @classmethod
    def _a_rate(cls, given: str) -> str:
        # Refused at start-up rather than on a vendor's first call.
        try:
            parse_rate(given)
        except ValueError:
            raise ValueError(
                f'FIELDOPS_VENDOR_RATE_LIMIT is a rate such as "600/minute"; got {given!r}'
            ) from None
        return given

    # HTTP server limits
    # Enforced by the server (shared/http/server.py) before the app sees a request: a head
    # (request line and headers) over the bound is 431, and a head or body that has not fully
    # arrived within its time is dropped. Waiting for the *answer* (a long-poll) is not bounded.
    http_max_header_bytes: int = Field(32 * 1024, ge=1024)
    http_header_timeout_s: float = Field(10.0, gt=0)
    http_body_timeout_s: float = Field(30.0, gt=0)
    # Health, readiness and metrics on this port only (not the API's); unset: on the API's port.
    ops_port: int | None = Field(None, ge=1, le=65535)

    log_level: str = "INFO"
    log_json: bool = True

    # Browser clients: the origins (`https://dashboard.example.com`) whose pages may call
    # the API, comma-separated; empty, the default, sends no CORS header at all.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # Whether a secret is needed at all is the service's call at start-up (auth.require_token_verifier):
        # migrations and the CLI read the same settings without verifying tokens.
        if self.jwt_secret is not None:
            value = self.jwt_secret.get_secret_value()
            if not value.strip() or value.strip().casefold() in PUBLISHED_SECRETS:
                raise ValueError(
                    "FIELDOPS_JWT_SECRET is empty or a published value; "
                    "use a random one, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
            if (
                self.environment is Environment.production
                and len(value.encode()) < MIN_SECRET_BYTES
            ):
                raise ValueError(
                    f"production needs a FIELDOPS_JWT_SECRET of at least {MIN_SECRET_BYTES} bytes"
                )
        elif self.environment is Environment.production and not self.jwt_jwks_url:
            raise ValueError("production needs FIELDOPS_JWT_JWKS_URL or FIELDOPS_JWT_SECRET")
        if self.rating_secret is not None:
            value = self.rating_secret.get_secret_value()
            if not value.strip() or value.strip().casefold() in PUBLISHED_SECRETS:
                raise ValueError("FIELDOPS_RATING_SECRET is empty or a published value")
            if (
                self.environment is Environment.production
                and len(value.encode()) < MIN_SECRET_BYTES
            ):
                raise ValueError(
                    f"production needs a FIELDOPS_RATING_SECRET of at least {MIN_SECRET_BYTES} bytes"
                )
        if self.smtp_starttls and self.smtp_tls:
            raise ValueError(
                "FIELDOPS_SMTP_STARTTLS (upgrade on 587) and FIELDOPS_SMTP_TLS (TLS from the start, "
                "465) exclude each other"
            )
        if self.environment is Environment.production and self.clock_control:
            raise ValueError("FIELDOPS_CLOCK_CONTROL moves business time: never in production")
        return self

    @cached_property
    def http_port(self) -> int:
        return self.port or DEFAULT_PORTS.get(self.service, 8000)

    @property
    def event_source(self) -> str:
        return f"/fieldops/{self.service}"

    def topic(self, owner: str) -> str:
        return f"{self.topic_prefix}.{owner}"

    def dlq(self, owner: str) -> str:
        return f"{self.topic(owner)}.dlq"

    def all_topics(self) -> list[str]:
        return [t for s in SERVICES for t in (self.topic(s), self.dlq(s))]
