"""Premier's content marts (episode views by viewer, revenue allocation, the billing aggregate), daily."""

from dagster import AssetSelection, define_asset_job

from orchestration.billing.assets import ingest_assets as billing_sources
from orchestration.content.assets import ingest_assets as content_sources
from orchestration.dbt.selection import dbt_selection
from orchestration.partitions import daily_partitions, schedule_for_ended_day
from orchestration.schedule_status import stopped_until_started
from orchestration.viewing.assets import viewing_sessions

premier_marts_job = define_asset_job(
    name="premier_marts",
    selection=AssetSelection.assets(*billing_sources, *content_sources, viewing_sessions)
    | dbt_selection("+path:models/marts/content +mart_billing_extended_aggregate"),
    partitions_def=daily_partitions,
    description="Load a day's viewing and transactions with the catalog and billing snapshots; rebuild "
    "episode_views_by_viewer, the revenue allocation and Extended_billing_aggregate.",
)

premier_marts_schedule = schedule_for_ended_day(
    premier_marts_job,
    name="premier_marts",
    hour=2,
    minute=0,
    description=stopped_until_started("Daily at 02:00 UTC, for the day that just ended.", "premier_marts"),
)

jobs = [premier_marts_job]
schedules = [premier_marts_schedule]
