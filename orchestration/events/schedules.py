"""Events: hourly ingest and marts (the Analytics Service's data is near-real-time), daily reports."""

from dagster import (
    AssetSelection,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from orchestration.dbt.selection import dbt_selection
from orchestration.events.assets import analytics_events, events_organization_reports
from orchestration.partitions import daily_partitions, schedule_for_ended_day
from orchestration.schedule_status import stopped_until_started

events_hourly_job = define_asset_job(
    name="analytics_events_hourly",
    selection=AssetSelection.assets(analytics_events) | dbt_selection("+path:models/marts/events"),
    partitions_def=daily_partitions,
    description="Load today's events and rebuild the dashboard, funnel and organization marts.",
)

events_reports_job = define_asset_job(
    name="events_organization_reports",
    selection=AssetSelection.assets(events_organization_reports),
    partitions_def=daily_partitions,
    description="Write each organization's daily report (XLSX and CSV).",
)


@schedule(
    job=events_hourly_job,
    cron_schedule="10 * * * *",
    execution_timezone="UTC",
    name="analytics_events_hourly",
    description=stopped_until_started("Hourly at :10, for today (UTC) so far.", "analytics_events_hourly"),
)
def events_hourly_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(partition_key=context.scheduled_execution_time.date().isoformat())


events_reports_schedule = schedule_for_ended_day(
    events_reports_job,
    name="events_organization_reports",
    hour=1,
    minute=15,
    description=stopped_until_started(
        "Daily at 01:15 UTC, for the day that just ended.", "events_organization_reports"
    ),
)

jobs = [events_hourly_job, events_reports_job]
schedules = [events_hourly_schedule, events_reports_schedule]
