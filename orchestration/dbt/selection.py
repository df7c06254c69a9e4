"""Select dbt models by dbt's own selection syntax across the project's dbt asset definitions."""

from dagster import AssetSelection
from dagster_dbt import build_dbt_asset_selection

from orchestration.dbt.assets import dbt_incremental_models, dbt_models


def dbt_selection(dbt_select: str) -> AssetSelection:
    """The dbt models a dbt selection string picks, across both dbt asset definitions, with their own tests.

    dbt's eager test selection would also take a test defined on a model outside the selection that merely
    references a selected one (a reconciliation), and run it against a table the job does not build; a plain
    asset selection takes the checks of the selected assets only.
    """
    models = build_dbt_asset_selection([dbt_incremental_models], dbt_select) | build_dbt_asset_selection(
        [dbt_models], dbt_select
    )
    return models.without_checks().upstream(depth=0)
