"""dbt models as Dagster assets: incremental models per daily partition, everything else as one unit."""

import json
from datetime import timedelta

from dagster import AssetExecutionContext, BackfillPolicy, Config
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from orchestration.dbt.invocations import run_dbt
from orchestration.dbt.resources import dbt_project
from orchestration.dbt.translator import OttDbtTranslator
from orchestration.partitions import daily_partitions
from warehouse import Warehouse

# Incremental models and the models they are built from run per partition; the rest depends on them
# (dbt_project/selectors.yml: everything else, except the models built from a command's options, which have
# their own @dbt_assets in their domain).
INCREMENTAL = "+config.materialized:incremental"


class IncrementalModelsConfig(Config):
    """Options of a run: dynamics_client_ids is Smarty's cache_customers_dynamic --client_id (default all)."""

    dynamics_client_ids: list[int] = Field(default_factory=list)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=INCREMENTAL,
    name="dbt_incremental_models",
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    dagster_dbt_translator=OttDbtTranslator(),
)
def dbt_incremental_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: IncrementalModelsConfig
):
    """Rebuild only the partition range's days (vars min_date/max_date, inclusive)."""
    window = context.partition_time_window
    window_vars = {
        "min_date": window.start.date().isoformat(),
        "max_date": (window.end - timedelta(days=1)).date().isoformat(),
        "dynamics_client_ids": config.dynamics_client_ids,
    }
    yield from run_dbt(context, dbt, warehouse, ["build", "--vars", json.dumps(window_vars)])


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    selector="dbt_models",
    name="dbt_models",
    dagster_dbt_translator=OttDbtTranslator(),
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    yield from run_dbt(context, dbt, warehouse, ["build"])
