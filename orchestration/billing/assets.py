"""Billing: accounts, tariffs and subscriptions (snapshots, replaced whole) and transactions (per UTC day),
from the middleware's PostgreSQL or from landing files."""

from datetime import date
from pathlib import Path

from dagster import AssetExecutionContext, AssetsDefinition, BackfillPolicy, MaterializeResult, asset

from ingest import billing
from ingest.landing import load_landing_file
from ingest.postgres import load_postgres_partition
from ingest.spec import RawSource
from orchestration.billing.resources import BillingSource
from orchestration.ingest_assets import ingest_metadata, partition_days
from orchestration.partitions import daily_partitions
from orchestration.resources import LandingZone
from warehouse import Warehouse


def _billing_asset(source: RawSource) -> AssetsDefinition:
    @asset(
        key=["raw", source.name],
        group_name=source.domain,
        description=f"{source.description}. From the billing PostgreSQL, or `{source.path}` (CSV or Parquet).",
        partitions_def=daily_partitions if source.daily else None,
        backfill_policy=BackfillPolicy.single_run() if source.daily else None,
        kinds={"clickhouse", "postgres"},
    )
    def _load(
        context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone, billing_source: BillingSource
    ) -> MaterializeResult:
        days: list[date | None] = partition_days(context) if source.daily else [None]
        with warehouse.connect() as conn:
            if billing_source.kind == "files":
                results = [load_landing_file(conn, source, Path(landing.path), day) for day in days]
            else:
                pg = billing_source.postgres_table(source)
                columns = billing_source.column_mapping(source)
                time_column = billing_source.time_column(source)
                results = [load_postgres_partition(conn, source, pg, columns, time_column, day) for day in days]
        return MaterializeResult(metadata=ingest_metadata(results) | {"source": billing_source.kind})

    return _load


ingest_assets = [_billing_asset(source) for source in billing.SOURCES]
