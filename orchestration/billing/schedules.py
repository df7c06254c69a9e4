"""Schedules named after the smarty_manage commands they replace: collect_daily_stats at the start of each UTC
day, cache_customers_dynamic hourly."""

from dagster import (
    AssetSelection,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from orchestration.billing.assets import ingest_assets
from orchestration.dbt.selection import dbt_selection
from orchestration.partitions import daily_partitions, schedule_for_ended_day
from orchestration.schedule_status import stopped_until_started

BILLING_SOURCES = AssetSelection.assets(*ingest_assets)

collect_daily_stats_job = define_asset_job(
    name="collect_daily_stats",
    selection=BILLING_SOURCES | dbt_selection("+agg_billing_daily_payments +agg_billing_daily_tariff_payments"),
    partitions_def=daily_partitions,
    description="Load a day's transactions and the billing snapshots; rebuild the daily payments statistics.",
)

cache_customers_dynamic_job = define_asset_job(
    name="cache_customers_dynamic",
    selection=BILLING_SOURCES
    | dbt_selection("+agg_billing_customer_dynamics_hourly +agg_billing_customer_dynamics_daily"),
    partitions_def=daily_partitions,
    description="Refresh customer dynamics by hour and day for today (the first run also builds last month).",
)


def dynamics_run_config(client_ids: list[int]) -> dict:
    """Run config for cache_customers_dynamic limited to `client_ids` (Smarty's --client_id; empty = all)."""
    return {"ops": {"dbt_incremental_models": {"config": {"dynamics_client_ids": client_ids}}}}


collect_daily_stats_schedule = schedule_for_ended_day(
    collect_daily_stats_job,
    name="collect_daily_stats",
    hour=0,
    minute=5,
    description=stopped_until_started("At 00:05 UTC, for the day that just ended.", "collect_daily_stats"),
)


@schedule(
    job=cache_customers_dynamic_job,
    cron_schedule="15 * * * *",
    execution_timezone="UTC",
    name="cache_customers_dynamic",
    description=stopped_until_started("Hourly at :15, for today (UTC) so far.", "cache_customers_dynamic"),
)
def cache_customers_dynamic_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """Hourly: today's (UTC) partition, i.e. the current day's hours so far."""
    return RunRequest(partition_key=context.scheduled_execution_time.date().isoformat())


jobs = [collect_daily_stats_job, cache_customers_dynamic_job]
schedules = [collect_daily_stats_schedule, cache_customers_dynamic_schedule]
