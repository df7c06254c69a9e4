"""Turn a domain's landing sources into Dagster assets `raw/<table>`."""

from datetime import date, timedelta
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ingest.landing import load_landing_file
from ingest.load import LoadResult
from ingest.spec import RawSource
from orchestration.partitions import daily_partitions
from orchestration.resources import LandingZone
from warehouse import Warehouse


def build_ingest_assets(sources: tuple[RawSource, ...]) -> list[AssetsDefinition]:
    return [_ingest_asset(source) for source in sources]


def partition_days(context: AssetExecutionContext) -> list[date]:
    """Every UTC day of the run's partition range (a backfill runs them all in one run)."""
    window = context.partition_time_window
    first, end = window.start.date(), window.end.date()
    return [first + timedelta(days=i) for i in range((end - first).days)]


def _ingest_asset(source: RawSource) -> AssetsDefinition:
    @asset(
        key=["raw", source.name],
        group_name=source.domain,
        description=f"{source.description}. Loaded from `{source.path}` in the landing zone.",
        partitions_def=daily_partitions if source.daily else None,
        backfill_policy=BackfillPolicy.single_run() if source.daily else None,
        kinds={"clickhouse", "file"},
    )
    def _load(context: AssetExecutionContext, warehouse: Warehouse, landing: LandingZone) -> MaterializeResult:
        days: list[date | None] = partition_days(context) if source.daily else [None]
        with warehouse.connect() as conn:
            results = [load_landing_file(conn, source, Path(landing.path), day) for day in days]
        return MaterializeResult(metadata=ingest_metadata(results))

    return _load


def ingest_metadata(results: list[LoadResult]) -> dict:
    """Counts over every partition loaded, with the check that nothing went missing."""
    reasons: dict[str, int] = {}
    for result in results:
        for reason, count in result.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
    read = sum(r.read for r in results)
    loaded = sum(r.loaded for r in results)
    quarantined = sum(r.quarantined for r in results)
    return {
        "read": read,
        "loaded": loaded,
        "quarantined": quarantined,
        "read = loaded + quarantined": read == loaded + quarantined,
        "quarantine reasons": MetadataValue.json(reasons),
        "partitions": MetadataValue.json({r.partition or "snapshot": r.loaded for r in results}),
    }
