"""What an hourly run costs on the demo world (`ott-analytics demo`: 14 days, scale 1), started three ways:

- `command_line`: `ott-analytics run JOB --date D`, a new process that loads everything and runs the job in itself;
- `dagster_run_process` (the peer baseline): Dagster's own run worker, `dagster api execute_run` in a new
  process, which is what Dagster's default run launcher has the code server start for every run;
- `forked`: the project's run launcher (dagster.yaml), as the daemon launches scheduled runs: the run's process is
  forked from the warm run worker. The first launch also starts the worker; it is reported on its own.

Each way runs the three hourly jobs for the world's last day, in turns (so a slow minute of the machine is shared),
REPEAT times; the wall time is from the start (or launch) until the run has finished. Results in
bench/results/hourly.json.

    python -m bench.hourly [--repeat 3] [--workdir DIR]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.common import ROOT, write_report

JOBS = ("cache_max_online", "cache_customers_dynamic", "analytics_events_hourly")


def build_world(workdir: Path) -> date:
    """The demo world in `workdir` (built once and kept); its last day."""
    built = workdir / "bench-world.json"
    if not built.exists():
        subprocess.run([sys.executable, "-m", "orchestration.cli", "demo"], cwd=ROOT, check=True, capture_output=True)
        landing = sorted((workdir / "landing" / "viewing" / "sessions").glob("*.json"))
        built.write_text(json.dumps({"last_day": landing[-1].stem}))
    return date.fromisoformat(json.loads(built.read_text())["last_day"])


def command_line(job: str, day: date) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", job, "--date", day.isoformat()],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


class Launches:
    """Runs created in the world's instance, executed by Dagster's run process or by the project's launcher."""

    def __init__(self):
        from dagster import DagsterInstance
        from dagster._core.definitions.reconstruct import ReconstructableRepository

        self.instance = DagsterInstance.get()
        self.repository = ReconstructableRepository.for_module("orchestration.definitions", "defs")

    def _create(self, job: str, day: date):
        recon_job = self.repository.get_reconstructable_job(job)
        return self.instance.create_run_for_job(
            job_def=recon_job.get_definition(),
            tags={"dagster/partition": day.isoformat()},
            job_code_origin=recon_job.get_python_origin(),
        )

    def dagster_run_process(self, job: str, day: date) -> float:
        from dagster._grpc.types import ExecuteRunArgs
        from dagster._serdes import serialize_value

        run = self._create(job, day)
        request = serialize_value(ExecuteRunArgs(run.job_code_origin, run.run_id, self.instance.get_ref()))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "dagster", "api", "execute_run", request], check=True, capture_output=True
        )
        return self._finished(run.run_id, started)

    def forked(self, job: str, day: date) -> float:
        run = self._create(job, day)
        started = time.perf_counter()
        self.instance.launch_run(run.run_id, workspace=None)
        while not self.instance.get_run_by_id(run.run_id).is_finished:
            time.sleep(0.05)
        return self._finished(run.run_id, started)

    def _finished(self, run_id: str, started: float) -> float:
        seconds = time.perf_counter() - started
        status = self.instance.get_run_by_id(run_id).status.value
        if status != "SUCCESS":
            raise RuntimeError(f"run {run_id} ended {status}")
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ott-bench-hourly"))
    args = parser.parse_args()
    os.environ["OTT_DATA_DIR"] = str(args.workdir)
    for name in ("OTT_WAREHOUSE_PATH", "OTT_LANDING_DIR", "DAGSTER_HOME", "OTT_EXPORTS_DIR"):
        os.environ.pop(name, None)
    day = build_world(args.workdir)
    from orchestration.instance import dagster_home

    dagster_home()
    launches = Launches()
    for job in JOBS:  # a first run per job parses the dbt project for its vars; not counted
        command_line(job, day)
    first_launch = launches.forked(JOBS[0], day)
    print(f"first launch (starts the run worker): {first_launch:.1f} s", flush=True)
    ways = {
        "command_line": command_line,
        "dagster_run_process": launches.dagster_run_process,
        "forked": launches.forked,
    }
    seconds: dict[str, dict[str, list[float]]] = {way: {job: [] for job in JOBS} for way in ways}
    for _ in range(args.repeat):
        for job in JOBS:
            for way, run in ways.items():
                seconds[way][job].append(round(run(job, day), 2))
                print(f"{job:24} {way:20} {seconds[way][job][-1]:5.1f} s", flush=True)
    launches.instance.dispose()
    report = {
        "what": "wall time of one hourly run on the demo world (14 days, scale 1), from start or launch to finish",
        "machine": f"{os.cpu_count()} cores",
        "day": day.isoformat(),
        "first_forked_launch_seconds": round(first_launch, 2),
        "runs_seconds": seconds,
        "median_seconds": {
            way: {job: round(statistics.median(runs), 1) for job, runs in jobs.items()} for way, jobs in seconds.items()
        },
    }
    print(json.dumps(report["median_seconds"], indent=2))
    write_report(ROOT / "bench" / "results" / "hourly.json", report)


if __name__ == "__main__":
    main()
