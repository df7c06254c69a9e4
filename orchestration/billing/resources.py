"""Where billing comes from: CSV/Parquet files in the landing zone, or the middleware's PostgreSQL."""

import json
import os
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from ingest.billing import POSTGRES_TABLES, TIME_COLUMNS
from ingest.postgres import PostgresTable
from ingest.spec import RawSource
from orchestration.resources import postgres_settings_from_env


class BillingSource(ConfigurableResource):
    """`tables` maps our source name (billing_accounts, ...) to the PostgreSQL table; `columns` maps, per
    source, our column to the PostgreSQL column (unlisted columns keep our name)."""

    kind: Literal["files", "postgres"] = "files"
    host: str = ""
    port: int = 5432
    database: str = "billing"
    user: str = ""
    password: str = ""
    schema_name: str = "public"
    tables: dict[str, str] = Field(default_factory=dict, description="overrides of ingest.billing.POSTGRES_TABLES")
    columns: dict[str, dict[str, str]] = Field(default_factory=dict, description="per source: our column -> theirs")

    def postgres_table(self, source: RawSource) -> PostgresTable:
        unknown = (set(self.tables) | set(self.columns)) - set(POSTGRES_TABLES)
        if unknown:
            raise ValueError(f"unknown billing source(s) {sorted(unknown)}; valid: {sorted(POSTGRES_TABLES)}")
        table = self.tables.get(source.name, POSTGRES_TABLES[source.name])
        return PostgresTable(self.host, self.port, self.database, self.user, self.password, table, self.schema_name)

    def column_mapping(self, source: RawSource) -> dict[str, str]:
        ours = [c.name for c in source.columns]
        overrides = self.columns.get(source.name, {})
        unknown = set(overrides) - set(ours)
        if unknown:
            raise ValueError(f"{source.name}: unknown column(s) {sorted(unknown)}; valid: {ours}")
        return {name: overrides.get(name, name) for name in ours}

    def time_column(self, source: RawSource) -> str | None:
        column = TIME_COLUMNS.get(source.name)
        return self.column_mapping(source)[column] if column else None


def billing_source_from_env() -> BillingSource:
    settings = postgres_settings_from_env("BILLING_PG", database="billing", schema="public")
    if not settings:
        return BillingSource()
    return BillingSource(
        **settings,
        tables=json.loads(os.environ.get("BILLING_PG_TABLES") or "{}"),
        columns=json.loads(os.environ.get("BILLING_PG_COLUMNS") or "{}"),
    )
