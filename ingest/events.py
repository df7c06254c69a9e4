"""Analytics Service events (`analytics_events`) from PostgreSQL/TimescaleDB or JSON lines, one UTC day
per partition. Known property keys become typed columns; the whole properties JSON is kept."""

import os

from ingest import json_fields as j
from ingest.spec import Column, RawSource

# Event types the Analytics Service tracks, and the domain events it consumes (mapped in staging).
TRACKED_TYPES = (
    "page.view",
    "registration.started",
    "registration.completed",
    "registration.cancelled",
    "checkin.completed",
)
CONSUMED_TYPES = ("event.published", "registration.created", "payment.completed")
KNOWN_TYPES = TRACKED_TYPES + tuple(t for t in CONSUMED_TYPES if t not in TRACKED_TYPES)
DEFAULT_RETENTION_DAYS = 365

# properties arrive as a JSON object (files) or as JSON text (PostgreSQL jsonb read by ClickHouse)
PROPERTIES = f"ifNull({j.value('properties')}, '{{}}')"


def _property(key: str) -> str:
    return f"nullIf(JSONExtractString({PROPERTIES}, '{key}'), '')"


def retention_days() -> int:
    return int(os.environ.get("OTT_EVENTS_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def events_source(retention: int | None = None) -> RawSource:
    days = retention or retention_days()
    return RawSource(
        name="analytics_events",
        domain="events",
        format="jsonl",
        path="events/analytics_events/{day}.json",
        description="tracked events; known properties as columns, the whole JSON kept in properties",
        columns=(
            Column("id", "UUID", j.text("id")),
            Column("tenant_id", "UUID", j.text("tenant_id"), "organization"),
            Column("event_type", "String", j.text("event_type")),
            Column("event_id", "Nullable(UUID)", j.text("event_id")),
            Column("user_id", "Nullable(UUID)", j.text("user_id")),
            Column("properties", "String", PROPERTIES, "the properties JSON as received"),
            Column("ticket_type_id", "Nullable(String)", _property("ticketTypeId")),
            Column("registration_id", "Nullable(String)", _property("registrationId")),
            Column("traffic_source", "Nullable(String)", _property("source")),
            Column("created_at", "DateTime64(3, 'UTC')", j.timestamp("created_at")),
        ),
        checks=(
            ("NOT (startsWith(properties, '{') AND isValidJSON(properties))", "properties is not a JSON object"),
            (f"created_at < now() - INTERVAL {days} DAY", f"older than the retention period ({days} days)"),
        ),
        key="id",
        order_by="tenant_id, created_at",
        ttl_column="created_at",
        ttl_days=days,
    )


EVENTS = events_source()
SOURCES = (EVENTS,)
