"""Dagster definitions: ingest assets per domain, dbt models as assets, schedules and the command line."""

import warnings

# dagster's own BetaWarning, from the package it lives in: importing `dagster` here would cost every command,
# `ott-analytics --help` included, a second and a half
from dagster_shared.utils.warnings import BetaWarning

# backfill_policy on @asset is marked beta; the project relies on it deliberately.
warnings.filterwarnings("ignore", category=BetaWarning)
