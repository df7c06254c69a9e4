"""Dagster definitions: ingest assets per domain, dbt models as assets, schedules and the command line."""

import warnings

from dagster import BetaWarning

# backfill_policy on @asset is marked beta; the project relies on it deliberately.
warnings.filterwarnings("ignore", category=BetaWarning)
