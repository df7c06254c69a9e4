"""The daily pipeline: every source and model for the day that just ended (UTC).

Domain-specific schedules named after the commands they replace live in each domain's schedules.py.
"""

from dagster import AssetSelection, define_asset_job

from orchestration.partitions import daily_partitions, schedule_for_ended_day
from orchestration.schedule_status import stopped_until_started

daily_pipeline = define_asset_job(
    name="daily_pipeline",
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Ingest every landing source for the day and rebuild the dbt models.",
)

daily_pipeline_schedule = schedule_for_ended_day(
    daily_pipeline,
    hour=1,
    minute=0,
    description=stopped_until_started("Daily at 01:00 UTC, for the day that just ended.", "daily_pipeline_schedule"),
)

schedules = [daily_pipeline_schedule]
