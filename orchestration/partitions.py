"""The daily (UTC) partitions shared by ingest assets and incremental dbt models."""

import os

from dagster import DailyPartitionsDefinition

from warehouse.locations import partitions_start_file

DEFAULT_START = "2024-01-01"


def partitions_start() -> str:
    """The first day that can be run or backfilled: OTT_PARTITIONS_START, else the first day of the demo's
    world in this data directory, else 2024-01-01."""
    if os.environ.get("OTT_PARTITIONS_START"):
        return os.environ["OTT_PARTITIONS_START"]
    recorded = partitions_start_file()  # the demo's: the UI shows its days, not two years of empty partitions
    return recorded.read_text().strip() if recorded.exists() else DEFAULT_START


PARTITIONS_START = partitions_start()

daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")
