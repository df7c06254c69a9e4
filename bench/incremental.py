"""What one scheduled day costs as history grows: the daily pipeline and the hourly cache_max_online.

For each history length (days, at --scale): generate the world, build the whole history in one run (the
baseline: a full rebuild of every mart, which is what every scheduled run cost before the marts were
incremental), then run the last day's `daily_pipeline` partition and `cache_max_online` as the command line
and the scheduler run them, each in a fresh process, best of two. Every step's wall time and peak RSS (the
step's process and its dbt subprocess) go to bench/results/incremental.json.

    python -m bench.incremental [--days 30 120] [--scale 5] [--workdir /tmp/ott-bench-incremental]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import ROOT, peak_rss_mib, write_report

SEED = 42


def _step(workdir: Path, *args: str) -> dict:
    """One `ott-analytics` command in its own process on `workdir`'s data: its wall time and peak memory."""
    env = {**os.environ, "OTT_DATA_DIR": str(workdir)}
    for name in ("OTT_WAREHOUSE_PATH", "OTT_LANDING_DIR", "DAGSTER_HOME", "OTT_EXPORTS_DIR"):
        env.pop(name, None)
    code = "import sys; from orchestration.cli import main; code = main(sys.argv[1:]); "
    code += "from bench.common import peak_rss_mib; print('PEAK', peak_rss_mib()); sys.exit(code)"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"ott-analytics {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    peak = int(next(line for line in done.stdout.splitlines() if line.startswith("PEAK")).split()[1])
    return {"seconds": round(seconds, 1), "peak_rss_mib": peak}


def _best_of_two(workdir: Path, *args: str) -> dict:
    runs = [_step(workdir, *args) for _ in range(2)]
    return {**min(runs, key=lambda r: r["seconds"]), "runs_seconds": [r["seconds"] for r in runs]}


def history(days: int, scale: float, workdir: Path) -> dict:
    from ingest.generator import generate

    last = date.today() - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    data = workdir / f"history-{days}d"
    landing = data / "landing"
    if not (data / "built").exists():  # a long history is built once and kept between runs of the benchmark
        counts = generate(landing, first, days, scale, SEED)
        build = _step(data, "run", "daily_pipeline", "--from", first.isoformat(), "--to", last.isoformat())
        (data / "built").write_text(json.dumps({"counts": counts, "full_build": build}, default=str))
    built = json.loads((data / "built").read_text())
    return {
        "days": days,
        "first_day": first.isoformat(),
        "generated": built["counts"],
        "full_rebuild_of_history": built["full_build"],
        "daily_pipeline_one_day": _best_of_two(data, "run", "daily_pipeline", "--date", last.isoformat()),
        "cache_max_online": _best_of_two(data, "cache_max_online", "--date", last.isoformat()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, nargs="+", default=[30, 120])
    parser.add_argument("--scale", type=float, default=5.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ott-bench-incremental"))
    args = parser.parse_args()
    report = {
        "what": "one scheduled day's runs at each history length; baseline: the full rebuild of that history",
        "scale": args.scale,
        "machine": f"{os.cpu_count()} cores",
        "histories": [],
    }
    for days in args.days:
        result = history(days, args.scale, args.workdir)
        print(json.dumps(result), flush=True)
        report["histories"].append(result)
    report["bench_peak_rss_mib"] = peak_rss_mib()
    write_report(ROOT / "bench" / "results" / "incremental.json", report)


if __name__ == "__main__":
    main()
