"""Asset keys and groups for dbt nodes, derived from the dbt project itself.

Models: key `<layer database>/<model>` (e.g. `marts/fct_payments`), group = the domain folder under the
layer (`models/<layer>/<domain>/...`). Sources: key `raw/<table>`, the key of the ingest asset that loads it.
"""

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class OttDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[2] if len(fqn) > 3 else None
