"""The dbt project and the CLI resource that runs it (in the step's process; parsing in a subprocess)."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from dagster import AssetExecutionContext, OpExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource, DbtProject
from dagster_dbt.asset_utils import extract_runtime_selection_from_args, get_updated_cli_invocation_params_for_context
from dagster_dbt.dagster_dbt_translator import validate_opt_translator
from dagster_dbt.dbt_manifest import DbtManifestParam, validate_manifest
from packaging import version

from orchestration.dbt.in_process import InProcessDbt
from warehouse.locations import PROJECT_ROOT, warehouse_path

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=os.environ.get("OTT_DBT_TARGET", "embedded"),
)


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than any project file.

    The dbt assets are built from the manifest at import time, so a fresh clone (or an edited model)
    gets a current one without a separate step.
    """
    manifest = dbt_project.manifest_path
    sources = [DBT_PROJECT_DIR / name for name in ("dbt_project.yml", "profiles.yml", "selectors.yml")]
    for folder in ("models", "macros", "tests"):
        sources += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    newest = max(p.stat().st_mtime for p in sources)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    result = subprocess.run(
        dbt_command("parse", "--quiet"), capture_output=True, text=True, env=dbt_environment(), cwd=DBT_PROJECT_DIR
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest


def dbt_command(*args: str) -> list[str]:
    """A dbt command line on this project, its profiles and target."""
    return [
        dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        dbt_project.target or "embedded",
    ]


def dbt_environment() -> dict[str, str]:
    """The environment a dbt subprocess needs: the warehouse the profile opens."""
    return {**os.environ, "OTT_WAREHOUSE_PATH": os.environ.get("OTT_WAREHOUSE_PATH", str(warehouse_path()))}


def dbt_executable() -> str:
    """The `dbt` installed beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class InProcessDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource with dbt run in the step's process (`orchestration.dbt.in_process`) instead of
    a subprocess, and without two start-up costs that buy nothing here: asking the executable for its version
    (a `dbt --version` subprocess; it is this environment's dbt-core) and an in-process dbt adapter per
    invocation (it serves only row count and column metadata fetching, which these assets do not use).

    The selection a step's context asks for, the events and the errors are dagster-dbt's own; what a
    subprocess would take from its environment (target and log directories, profiles, project) is passed
    as dbt's command-line options.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest: DbtManifestParam | None = None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context: OpExecutionContext | AssetExecutionContext | None = None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        translator = validate_opt_translator(dagster_dbt_translator) or DagsterDbtTranslator()
        args, selects, excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest) if manifest else {},
            dagster_dbt_translator=translator,
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        project_dir = Path(params.dbt_project.project_dir if params.dbt_project else self.project_dir)
        target_path = target_path or self._get_unique_target_path(context=context)
        if not target_path.is_absolute():
            target_path = project_dir / target_path
        options = [
            *(["--profile", self.profile] if self.profile else []),
            *(["--target", self.target] if self.target else []),
            *(["--indirect-selection", params.indirect_selection] if params.indirect_selection else []),
            *(["--profiles-dir", self.profiles_dir] if self.profiles_dir else []),
            *["--project-dir", str(project_dir), "--target-path", str(target_path), "--log-path", str(target_path)],
            *["--log-level", "none", "--log-level-file", "debug"],  # events reach Dagster, not stdout
            # a log of its own per invocation: never rotated (a rotating log formats every line twice to check its size)
            *["--log-file-max-bytes", "0"],
            *["--no-send-anonymous-usage-stats", "--no-write-json"],
        ]
        return DbtCliInvocation(
            process=InProcessDbt(
                [*self.global_config_flags, *args, *options, *params.selection_args],
                run_results=target_path / "run_results.json",
            ),
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=raise_on_error,
            cli_version=self._cli_version,
            project=params.dbt_project,
            context=context,
        )


def dbt_resource() -> DbtCliResource:
    # dbt's profile reads the warehouse directory from the environment: the same one as this process's.
    os.environ.setdefault("OTT_WAREHOUSE_PATH", str(warehouse_path()))
    # A test that reads two models (reconciliations) runs only when both are built in the same invocation.
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "cautious")
    return InProcessDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


ensure_manifest()
