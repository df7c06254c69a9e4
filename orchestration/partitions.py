"""The daily (UTC) partitions shared by ingest assets and incremental dbt models."""

import os

from dagster import DailyPartitionsDefinition

# First day that can be backfilled; set OTT_PARTITIONS_START for older history.
PARTITIONS_START = os.environ.get("OTT_PARTITIONS_START", "2024-01-01")

daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC")
