"""Analytics Service events (`analytics_events`) as JSON lines, one file per UTC day."""

from ingest import json_fields as j
from ingest.spec import Column, RawSource

EVENTS = RawSource(
    name="analytics_events",
    domain="events",
    format="jsonl",
    path="events/analytics_events/{day}.json",
    description="tracked events; known properties as columns, the whole JSON kept in properties",
    columns=(
        Column("id", "UUID", j.text("id")),
        Column("tenant_id", "UUID", j.text("tenant_id")),
        Column("event_type", "String", j.text("event_type")),
        Column("event_id", "Nullable(UUID)", j.text("event_id")),
        Column("user_id", "Nullable(UUID)", j.text("user_id")),
        Column(
            "properties",
            "String",
            "if(JSONType(raw, 'properties') = 'Object', JSONExtractRaw(raw, 'properties'), '{}')",
        ),
        Column("ticket_type_id", "Nullable(String)", j.text("properties", "ticketTypeId")),
        Column("registration_id", "Nullable(String)", j.text("properties", "registrationId")),
        Column("traffic_source", "Nullable(String)", j.text("properties", "source")),
        Column("created_at", "DateTime64(3, 'UTC')", j.timestamp("created_at")),
    ),
    key="id",
    order_by="tenant_id, created_at",
)

SOURCES = (EVENTS,)
