"""Events: Analytics Service tracking events from PostgreSQL or JSON lines."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, MetadataValue, asset

from exports.events import export
from ingest import events as events_spec
from ingest.landing import load_landing_file
from ingest.postgres import load_postgres_partition
from orchestration.events.resources import EventsSource
from orchestration.ingest_assets import ingest_metadata, partition_days
from orchestration.partitions import daily_partitions
from orchestration.resources import ExportsDir, LandingZone
from warehouse import Warehouse


@asset(
    key=["raw", "analytics_events"],
    group_name="events",
    description="Analytics Service events (analytics_events), one UTC day per partition, from PostgreSQL or JSON lines.",
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    kinds={"clickhouse", "postgres"},
)
def analytics_events(
    context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone, events_source: EventsSource
) -> MaterializeResult:
    source = events_spec.events_source()
    days = partition_days(context)
    with warehouse.connect() as conn:
        if events_source.kind == "files":
            results = [load_landing_file(conn, source, Path(landing.path), day) for day in days]
        else:
            pg = events_source.postgres_table()
            columns = events_source.column_mapping()
            results = [load_postgres_partition(conn, source, pg, columns, columns["created_at"], day) for day in days]
        unknown = conn.query_arrow(
            "SELECT event_type, count() AS n FROM raw.analytics_events"
            " WHERE _partition_date IN {days:Array(Date)} AND event_type NOT IN {known:Array(String)}"
            " GROUP BY event_type ORDER BY event_type",
            {"days": [d.isoformat() for d in days], "known": list(events_spec.KNOWN_TYPES)},
        )
    metadata = ingest_metadata(results)
    metadata["source"] = events_source.kind
    metadata["unknown event types (kept)"] = MetadataValue.json(
        dict(zip(unknown.column("event_type").to_pylist(), unknown.column("n").to_pylist(), strict=True))
    )
    return MaterializeResult(metadata=metadata)


@asset(
    key=["exports", "events_organization_reports"],
    deps=[AssetKey(["marts", "agg_events_organization_daily"])],
    group_name="events",
    description="Each organization's daily event report for each day of the partition range, as XLSX and CSV files.",
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    kinds={"xlsx", "csv"},
)
def events_organization_reports(
    context: AssetExecutionContext, warehouse: Warehouse, exports: ExportsDir
) -> MaterializeResult:
    days = partition_days(context)
    files, organizations = [], set()
    with warehouse.connect() as conn:
        for day in days:
            out_dir = Path(exports.path) / "events" / day.isoformat()
            day_organizations = (
                conn.query_arrow(
                    "SELECT DISTINCT toString(organization_id) AS org FROM marts.agg_events_organization_daily"
                    " WHERE event_date = {day:Date} ORDER BY org",
                    {"day": day.isoformat()},
                )
                .column("org")
                .to_pylist()
            )
            organizations.update(day_organizations)
            for org in day_organizations:
                for file_format in ("xlsx", "csv"):
                    files.append(export(conn, org, day, day, file_format, out_dir))
    return MaterializeResult(
        metadata={
            "organizations": len(organizations),
            "files": MetadataValue.json({f"{f.path.parent.name}/{f.path.name}": f.rows for f in files}),
            "directory": MetadataValue.path(str(Path(exports.path) / "events")),
        }
    )


assets = [analytics_events, events_organization_reports]
