"""What the benchmarks share: running each step in its own process, peak memory, and `dbt build`."""

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mib() -> int:
    """The larger of this process's and its children's peak resident memory."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024)


def run_child(steps: dict[str, Callable[[Path], dict]], step: str, workdir: str) -> None:
    """Body of a step's own process: run it and print its figures with its peak memory as JSON."""
    result = steps[step](Path(workdir))
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


def run_steps(module: str, steps: dict, workdir: str, report: dict) -> None:
    """Run every step of `module` in its own process, in order, adding each step's figures to `report`."""
    for step in steps:
        done = subprocess.run([sys.executable, "-m", module, step, workdir], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{step} failed:\n{done.stderr[-4000:]}")
        report[step] = json.loads(done.stdout.strip().splitlines()[-1])
        print(step, report[step], flush=True)


def dbt_build(workdir: Path, select: str, dbt_vars: dict | None = None) -> dict:
    """`dbt build --select ...` on the benchmark's warehouse, timed; fails loudly if any node fails."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "OTT_WAREHOUSE_PATH": str(workdir / "warehouse"), "DBT_INDIRECT_SELECTION": "cautious"}
    project = str(ROOT / "dbt_project")
    command = [
        str(dbt),
        "build",
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(workdir / "target"),
        "--select",
        select,
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-4000:])
    summary = [line for line in done.stdout.splitlines() if "Done. PASS=" in line][-1]
    return {"seconds": round(seconds, 1), "dbt": summary.split("Done. ")[1].strip()}


def ingest_days(workdir: Path, source, start, days: int, snapshots=()) -> dict:
    """Load `snapshots`, then time loading `days` daily landing files of `source` into the bench warehouse."""
    from datetime import timedelta

    from ingest.landing import load_landing_file
    from warehouse import Warehouse

    landing = workdir / "landing"
    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        for snapshot in snapshots:
            load_landing_file(conn, snapshot, landing, None)
        started = time.perf_counter()
        results = [load_landing_file(conn, source, landing, start + timedelta(days=d)) for d in range(days)]
        seconds = time.perf_counter() - started
    read = sum(r.read for r in results)
    return {
        "read": read,
        "loaded": sum(r.loaded for r in results),
        "quarantined": sum(r.quarantined for r in results),
        "seconds": round(seconds, 1),
        "rows_per_second": round(read / seconds),
    }


def write_report(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
