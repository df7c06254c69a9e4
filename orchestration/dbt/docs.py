"""dbt's documentation site for analysts: generated from the project and the warehouse's catalog (column types
and row counts of the built tables), served locally by dbt."""

import subprocess
from pathlib import Path

from orchestration.dbt.resources import DBT_PROJECT_DIR, dbt_command, dbt_environment
from warehouse.locations import data_dir


class DocsFailed(RuntimeError):
    """dbt could not generate the documentation; the message holds its output."""


def docs_dir() -> Path:
    return data_dir() / "dbt-docs"


def generate_docs(target: Path | None = None) -> Path:
    """Write the site (index.html, manifest.json, catalog.json) to `target`; the warehouse must be built."""
    target = target or docs_dir()
    result = subprocess.run(
        dbt_command("docs", "generate", "--target-path", str(target), "--quiet"),
        capture_output=True,
        text=True,
        env=dbt_environment(),
        cwd=DBT_PROJECT_DIR,
    )
    if result.returncode != 0:
        raise DocsFailed(f"dbt docs generate failed:\n{result.stdout}{result.stderr}")
    return target


def serve_command(target: Path, port: int) -> list[str]:
    return dbt_command(
        "docs", "serve", "--target-path", str(target), "--port", str(port), "--host", "127.0.0.1", "--no-browser"
    )
