"""Schedules named after the smarty_manage commands they replace, with the same cadence."""

import json
import os

from dagster import (
    AssetSelection,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from orchestration.dbt.selection import dbt_selection
from orchestration.partitions import daily_partitions, schedule_for_ended_day
from orchestration.schedule_status import stopped_until_started
from orchestration.viewing.assets import channel_sorting_by_popularity, dbt_channel_sorting, viewing_sessions

cache_max_online_job = define_asset_job(
    name="cache_max_online",
    selection=AssetSelection.assets(viewing_sessions) | dbt_selection("+tag:cache_max_online"),
    partitions_def=daily_partitions,
    description="Load today's sessions and refresh sessions online per minute and the daily peaks.",
)

save_stats_job = define_asset_job(
    name="save_stats",
    selection=AssetSelection.assets(viewing_sessions) | dbt_selection("+tag:save_stats"),
    partitions_def=daily_partitions,
    description="Load a day's sessions and rebuild per-customer and per-channel daily statistics.",
)

create_channel_sorting_by_popularity_job = define_asset_job(
    name="create_channel_sorting_by_popularity",
    selection=AssetSelection.assets(dbt_channel_sorting, channel_sorting_by_popularity),
    description="Rank channels by popularity with the command's options and publish the sortings.",
)


def sorting_run_config(options: dict) -> dict:
    """Run config for create_channel_sorting_by_popularity from the command's options."""
    return {"ops": {"dbt_channel_sorting": {"config": options}}}


@schedule(
    job=cache_max_online_job,
    cron_schedule="5 * * * *",
    execution_timezone="UTC",
    name="cache_max_online",
    description=stopped_until_started("Hourly at :05, for today (UTC) so far.", "cache_max_online"),
)
def cache_max_online_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """Hourly, like the cron'd command: today's (UTC) partition so far."""
    day = context.scheduled_execution_time.date().isoformat()
    return RunRequest(partition_key=day, tags={"smarty_manage": "cache_max_online"})


save_stats_schedule = schedule_for_ended_day(
    save_stats_job,
    name="save_stats",
    hour=0,
    minute=30,
    description=stopped_until_started("Daily at 00:30 UTC, for the day that just ended.", "save_stats"),
)


@schedule(
    job=create_channel_sorting_by_popularity_job,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    name="create_channel_sorting_by_popularity",
    description=stopped_until_started(
        "Daily at 03:00 UTC with OTT_CHANNEL_SORTING_OPTIONS.", "create_channel_sorting_by_popularity"
    ),
)
def create_channel_sorting_by_popularity_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """Daily; options from OTT_CHANNEL_SORTING_OPTIONS (JSON of the command's options), default all clients,
    30 days, every criterion."""
    options = json.loads(os.environ.get("OTT_CHANNEL_SORTING_OPTIONS") or "{}")
    return RunRequest(run_config=sorting_run_config(options))


jobs = [cache_max_online_job, save_stats_job, create_channel_sorting_by_popularity_job]
schedules = [cache_max_online_schedule, save_stats_schedule, create_channel_sorting_by_popularity_schedule]
