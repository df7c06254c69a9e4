"""The dbt project and the CLI resource that runs it (in a subprocess, on the venv's own dbt)."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

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
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
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


class VenvDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource for the dbt installed in this environment, without two start-up costs that
    buy nothing here: asking the executable for its version (a `dbt --version` subprocess, about 2 s; it is
    this environment's dbt-core) and an in-process dbt adapter per invocation (about 1.5 s; it serves only row
    count and column metadata fetching, which these assets do not use)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> DbtCliResource:
    # dbt runs in a subprocess: hand it the same warehouse directory as this process.
    os.environ.setdefault("OTT_WAREHOUSE_PATH", str(warehouse_path()))
    # A test that reads two models (reconciliations) runs only when both are built in the same invocation.
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "cautious")
    return VenvDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


ensure_manifest()
