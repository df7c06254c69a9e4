"""Where Analytics Service events come from: JSON lines in the landing zone, or its PostgreSQL/TimescaleDB."""

import json
import os
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from ingest.postgres import PostgresTable
from orchestration.resources import postgres_settings_from_env

# our JSON key -> the column of analytics_events in the Analytics Service's database
DEFAULT_COLUMNS = {
    "id": "id",
    "tenant_id": "tenant_id",
    "event_type": "event_type",
    "event_id": "event_id",
    "user_id": "user_id",
    "properties": "properties",
    "created_at": "created_at",
}


class EventsSource(ConfigurableResource):
    kind: Literal["files", "postgres"] = "files"
    host: str = ""
    port: int = 5432
    database: str = "analytics"
    user: str = ""
    password: str = ""
    schema_name: str = "analytics_service"
    table: str = "analytics_events"
    columns: dict[str, str] = Field(default_factory=dict, description="overrides of DEFAULT_COLUMNS")

    def postgres_table(self) -> PostgresTable:
        return PostgresTable(
            self.host, self.port, self.database, self.user, self.password, self.table, self.schema_name
        )

    def column_mapping(self) -> dict[str, str]:
        unknown = set(self.columns) - set(DEFAULT_COLUMNS)
        if unknown:
            raise ValueError(f"unknown analytics_events column(s) {sorted(unknown)}; valid: {sorted(DEFAULT_COLUMNS)}")
        return {**DEFAULT_COLUMNS, **self.columns}


def events_source_from_env() -> EventsSource:
    settings = postgres_settings_from_env("ANALYTICS_PG", database="analytics", schema="analytics_service")
    if not settings:
        return EventsSource()
    return EventsSource(
        **settings,
        table=os.environ.get("ANALYTICS_PG_TABLE", "analytics_events"),
        columns=json.loads(os.environ.get("ANALYTICS_PG_COLUMNS") or "{}"),
    )
