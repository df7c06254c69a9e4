"""dbt exposures as Dagster assets downstream of the marts they read, so the UI shows who depends on a mart.

They are observed, not built: each names an application outside the dbt project (the Telegram reports, the
published snapshots, the Magista DSL, the Smarty write-back, the event exports).
"""

from pathlib import Path

from dagster import AssetKey, AssetSpec
from dagster_dbt.dbt_manifest import validate_manifest

from orchestration.dbt.translator import OttDbtTranslator


def exposure_specs(manifest_path: Path) -> list[AssetSpec]:
    manifest = validate_manifest(manifest_path)  # the parse the dbt assets read (dagster-dbt keeps one per path)
    translator = OttDbtTranslator()
    return [
        AssetSpec(
            key=AssetKey(["exposures", exposure["name"]]),
            deps=[translator.get_asset_key(manifest["nodes"][node]) for node in exposure["depends_on"]["nodes"]],
            description=exposure["description"].strip(),
            group_name="exposures",
            kinds={"dbt"},
            metadata={"type": exposure["type"], "maturity": exposure.get("maturity") or "", "label": exposure["label"]},
        )
        for exposure in manifest["exposures"].values()
    ]
