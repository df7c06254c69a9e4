"""Viewing: sessions from MongoDB or mongoexport files, the channel sorting built from the command's
options, and its write-back to MongoDB and file export."""

import json
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field, field_validator

from exports.channel_sorting import sorting_documents, upsert_sortings
from exports.files import write_json_atomically
from ingest.landing import load_landing_file
from ingest.load import load_batches
from ingest.mongo import session_batches
from ingest.viewing import sessions_source
from orchestration.dbt.invocations import run_dbt
from orchestration.dbt.resources import dbt_project
from orchestration.dbt.translator import OttDbtTranslator
from orchestration.ingest_assets import ingest_metadata, partition_days
from orchestration.partitions import daily_partitions
from orchestration.resources import ExportsDir, LandingZone
from orchestration.viewing.criteria import CRITERIA
from orchestration.viewing.resources import MongoDB, ViewingSource
from warehouse import Warehouse

SORTING_MART = AssetKey(["marts", "mart_viewing_channel_sorting"])


@asset(
    key=["raw", "viewing_sessions"],
    group_name="viewing",
    description="Smarty viewing sessions, one UTC day per partition, from MongoDB or mongoexport files.",
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    kinds={"clickhouse", "mongodb"},
)
def viewing_sessions(
    context: AssetExecutionContext,
    warehouse: Warehouse,
    landing: LandingZone,
    viewing_source: ViewingSource,
    mongodb: MongoDB,
) -> MaterializeResult:
    fields = viewing_source.mapping()
    source = sessions_source(fields, viewing_source.max_session_hours)
    days = partition_days(context)
    with warehouse.connect() as conn:
        if viewing_source.kind == "files":
            results = [load_landing_file(conn, source, Path(landing.path), day) for day in days]
        else:
            with mongodb.client() as client:
                collection = client[mongodb.database_name()][mongodb.sessions_collection]
                results = [
                    load_batches(
                        conn,
                        source,
                        day,
                        ["raw"],
                        (
                            (batch, None)
                            for batch in session_batches(collection, fields, day, viewing_source.batch_size)
                        ),
                    )
                    for day in days
                ]
    metadata = ingest_metadata(results)
    metadata["source"] = viewing_source.kind
    return MaterializeResult(metadata=metadata)


class ChannelSortingConfig(Config):
    """create_channel_sorting_by_popularity's options (empty lists mean all)."""

    client_id: list[int] = Field(default_factory=list, description="operators to sort for; empty = all")
    days_number: int = Field(default=30, ge=1, description="days of viewing to count")
    criterion: list[str] = Field(default_factory=lambda: list(CRITERIA), description=f"any of {CRITERIA}")
    devices: list[str] = Field(default_factory=list, description="device system names; empty = all")
    tariffs: list[int] = Field(default_factory=list, description="tariff ids; empty = all")
    accounts_active: bool = Field(default=False, description="count only active accounts")
    as_of: str | None = Field(default=None, description="last day counted (YYYY-MM-DD); default today (UTC)")

    @field_validator("criterion")
    @classmethod
    def _known_criteria(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CRITERIA]
        if unknown:
            raise ValueError(f"unknown criterion {unknown}; valid: {', '.join(CRITERIA)}")
        return value

    def dbt_vars(self) -> dict:
        options = {
            "sorting_client_ids": self.client_id,
            "sorting_days_number": self.days_number,
            "sorting_criteria": list(self.criterion),
            "sorting_devices": self.devices,
            "sorting_tariffs": self.tariffs,
            "sorting_accounts_active": self.accounts_active,
        }
        if self.as_of:
            options["sorting_as_of"] = self.as_of
        return options


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select="tag:channel_sorting",
    name="dbt_channel_sorting",
    dagster_dbt_translator=OttDbtTranslator(),
)
def dbt_channel_sorting(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: ChannelSortingConfig
):
    yield from run_dbt(context, dbt, warehouse, ["build", "--vars", json.dumps(config.dbt_vars())])


@asset(
    key=["exports", "channel_sorting_by_popularity"],
    deps=[SORTING_MART],
    group_name="viewing",
    description="The sortings written back to MongoDB (one document per client and criterion) and to a JSON file.",
    kinds={"mongodb", "json"},
)
def channel_sorting_by_popularity(warehouse: Warehouse, mongodb: MongoDB, exports: ExportsDir) -> MaterializeResult:
    with warehouse.connect() as conn:
        documents = sorting_documents(conn)
    path = write_json_atomically(Path(exports.path) / "channel_sorting_by_popularity.json", documents)
    written = 0
    if mongodb.configured:
        with mongodb.client() as client:
            written = upsert_sortings(client[mongodb.database_name()][mongodb.sortings_collection], documents)
    return MaterializeResult(
        metadata={
            "sortings": len(documents),
            "file": MetadataValue.path(str(path)),
            "mongodb documents upserted": written,
            "mongodb": f"{mongodb.database_name()}.{mongodb.sortings_collection}"
            if mongodb.configured
            else "not configured",
        }
    )


ingest_assets = [viewing_sessions]
assets = [viewing_sessions, dbt_channel_sorting, channel_sorting_by_popularity]
