"""One dbt command of a dbt asset: on the step's warehouse, reusing the previous parse, with bounded leftovers."""

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource

from exports.files import write_atomically
from orchestration.dbt.resources import DBT_PROJECT_DIR
from warehouse import Warehouse

TARGET_DIR = DBT_PROJECT_DIR / "target"
PARSE_FILE = "partial_parse.msgpack"
# Each invocation writes its artifacts and dbt.log into a directory of its own; older ones are removed.
KEEP_INVOCATIONS = 30


def run_dbt(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, args: list[str]
) -> Iterator[Any]:
    """Run dbt in this process and stream its events. Taking the `warehouse` resource is what makes a dbt step
    hold the warehouse lease while dbt works; dbt's profile is pointed at the same directory, and the session
    held open meanwhile is what dbt's own sessions join instead of opening the directory again.

    dbt parses the whole project again (5 s) whenever its vars or profile differ from the parse it is given;
    the previous parse of this asset on this warehouse (the profile names its directory) with the same vars is
    handed over, so every run of a day's partition (the hourly jobs', and the next day's daily run) parses only
    what changed: only the first run with a day's vars parses it all, also when other warehouses share the
    project.
    """
    name = context.op_execution_context.op.name
    target = TARGET_DIR / f"{name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    kept_parse = kept_parse_path(name, warehouse.path, args)
    target.mkdir(parents=True)
    with contextlib.suppress(FileNotFoundError):  # none yet, or pruned meanwhile by a run on another warehouse
        shutil.copyfile(kept_parse, target / PARSE_FILE)
    previous = os.environ.get("OTT_WAREHOUSE_PATH")
    os.environ["OTT_WAREHOUSE_PATH"] = warehouse.path
    try:
        with warehouse.connect():
            yield from dbt.cli(args, context=context, target_path=target).stream()
    finally:
        if previous is None:
            del os.environ["OTT_WAREHOUSE_PATH"]
        else:
            os.environ["OTT_WAREHOUSE_PATH"] = previous
    _keep_parse(target / PARSE_FILE, kept_parse)
    prune_target_dir(TARGET_DIR, KEEP_INVOCATIONS)


def kept_parse_path(asset: str, warehouse_path: str, args: list[str]) -> Path:
    """Where the parse of `asset`'s dbt command `args` on the warehouse at `warehouse_path` is kept: one per
    asset, warehouse and vars (dbt reparses everything when the vars change)."""
    vars_text = args[args.index("--vars") + 1] if "--vars" in args else ""
    key = hashlib.sha1(json.dumps([warehouse_path, vars_text]).encode()).hexdigest()[:10]
    return TARGET_DIR / f"{asset}.{key}.{PARSE_FILE}"


def _keep_parse(parse: Path, kept: Path) -> None:
    if parse.exists():
        write_atomically(kept, parse.read_bytes())


def prune_target_dir(target_dir: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest invocation directories (`<asset>-<run>-<id>`) under `target_dir`, and
    all but the `keep` newest kept parses (one per asset, warehouse and vars: test runs make many warehouses)."""
    invocations = [p for p in target_dir.iterdir() if p.is_dir() and p.name.count("-") >= 2]
    kept_parses = [p for p in target_dir.glob(f"*.{PARSE_FILE}") if p.name != PARSE_FILE]
    removed = [*_all_but_newest(invocations, keep), *_all_but_newest(kept_parses, keep)]
    for old in removed:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    return removed


def _all_but_newest(paths: list[Path], keep: int) -> list[Path]:
    """Processes on other warehouses share the directory: what one of them removed meanwhile is left out."""
    modified = {}
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            modified[path] = path.stat().st_mtime
    return sorted(modified, key=modified.__getitem__, reverse=True)[keep:]
