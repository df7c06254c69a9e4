"""Select dbt models by dbt's own selection syntax across the project's dbt asset definitions."""

from dagster import AssetSelection
from dagster_dbt import build_dbt_asset_selection

from orchestration.dbt.assets import dbt_incremental_models, dbt_models


def dbt_selection(dbt_select: str) -> AssetSelection:
    """The dbt models a dbt selection string picks, across both dbt asset definitions."""
    return build_dbt_asset_selection([dbt_incremental_models], dbt_select) | build_dbt_asset_selection(
        [dbt_models], dbt_select
    )
