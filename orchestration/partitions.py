"""The daily (UTC) partitions shared by ingest assets and incremental dbt models, and the schedule of a job
that runs once a day for the day that just ended."""

import os
from datetime import timedelta
from typing import TYPE_CHECKING

from dagster import (
    DailyPartitionsDefinition,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
)

from warehouse.locations import partitions_start_file

if TYPE_CHECKING:  # what define_asset_job returns; dagster does not export the name
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

DEFAULT_START = "2024-01-01"


def partitions_start() -> str:
    """The first day that can be run or backfilled: OTT_PARTITIONS_START, else the first day of the demo's
    world in this data directory, else 2024-01-01."""
    if os.environ.get("OTT_PARTITIONS_START"):
        return os.environ["OTT_PARTITIONS_START"]
    recorded = partitions_start_file()  # the demo's: the UI shows its days, not two years of empty partitions
    return recorded.read_text().strip() if recorded.exists() else DEFAULT_START


PARTITIONS_START = partitions_start()

# end_offset=1: today's partition exists, for the hourly jobs that refresh the day so far.
daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC", end_offset=1)


def schedule_for_ended_day(
    job: "UnresolvedAssetJobDefinition", *, hour: int, minute: int, description: str, name: str | None = None
) -> ScheduleDefinition:
    """Daily at hour:minute UTC, a run of `job` for the day (UTC) that ended before that time."""

    def ended_day(context: ScheduleEvaluationContext) -> RunRequest:
        day = context.scheduled_execution_time.date() - timedelta(days=1)
        return RunRequest(partition_key=day.isoformat())

    return ScheduleDefinition(
        name=name or f"{job.name}_schedule",
        job=job,
        cron_schedule=f"{minute} {hour} * * *",
        execution_timezone="UTC",
        execution_fn=ended_day,
        description=description,
    )
