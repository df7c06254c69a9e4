"""What one scheduled day costs as history grows: the daily pipeline and the hourly cache_max_online.

For each history length (days, at --scale): generate the world and build the whole history (the baseline:
a full rebuild of every mart, which is what every scheduled run cost before the marts were incremental;
histories longer than --chunk-days are built as consecutive backfills of at most that many days, each one
run, as an operator loads a year), then run the last day's `daily_pipeline` partition and
`cache_max_online` as the command line and the scheduler run them, each in a fresh process: one run first
that is not counted (it parses the dbt project for this warehouse after a code change and finishes the merges
the last build left), then the best of two.
Every step's wall time and peak RSS (its process, which runs dbt too) go to
bench/results/incremental.json. A built history is kept (and a half-built one resumed) between runs.

    python -m bench.incremental [--days 30 365] [--scale 20] [--chunk-days 92] [--workdir DIR]
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


def _best_of_two_after_a_warm_up(workdir: Path, *args: str) -> dict:
    warm_up = _step(workdir, *args)
    runs = [_step(workdir, *args) for _ in range(2)]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "runs_seconds": [r["seconds"] for r in runs], "warm_up_seconds": warm_up["seconds"]}


def _build(data: Path, first: date, last: date, chunk_days: int) -> list[dict]:
    """Build the history in backfills of at most `chunk_days`; each finished one is recorded, so a killed
    benchmark goes on from the next."""
    record = data / "built-chunks.json"
    chunks = json.loads(record.read_text()) if record.exists() else []
    start = first + timedelta(days=sum(c["days"] for c in chunks))
    while start <= last:
        end = min(last, start + timedelta(days=chunk_days - 1))
        step = _step(data, "run", "daily_pipeline", "--from", start.isoformat(), "--to", end.isoformat())
        chunks.append({"from": start.isoformat(), "to": end.isoformat(), "days": (end - start).days + 1, **step})
        record.write_text(json.dumps(chunks))
        print(f"  built {start} .. {end}: {step['seconds']} s, {step['peak_rss_mib']} MiB", flush=True)
        start = end + timedelta(days=1)
    return chunks


def history(days: int, scale: float, chunk_days: int, workdir: Path) -> dict:
    from ingest.generator import generate

    data = workdir / f"history-{days}d-scale{scale:g}"
    built_file = data / "built"
    if not built_file.exists():
        last = date.today() - timedelta(days=1)
        first = last - timedelta(days=days - 1)
        generated = data / "generated.json"
        if not generated.exists():
            counts = generate(data / "landing", first, days, scale, SEED)
            generated.write_text(json.dumps({"first": first.isoformat(), "counts": counts}))
        meta = json.loads(generated.read_text())
        first = date.fromisoformat(meta["first"])
        chunks = _build(data, first, first + timedelta(days=days - 1), chunk_days)
        build = {
            "seconds": round(sum(c["seconds"] for c in chunks), 1),
            "peak_rss_mib": max(c["peak_rss_mib"] for c in chunks),
            "runs": chunks,
        }
        built_file.write_text(json.dumps({**meta, "full_build": build}))
    built = json.loads(built_file.read_text())
    last = (date.fromisoformat(built["first"]) + timedelta(days=days - 1)).isoformat()
    return {
        "days": days,
        "first_day": built["first"],
        "generated": built["counts"],
        "full_rebuild_of_history": built["full_build"],
        "daily_pipeline_one_day": _best_of_two_after_a_warm_up(data, "run", "daily_pipeline", "--date", last),
        "cache_max_online": _best_of_two_after_a_warm_up(data, "cache_max_online", "--date", last),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, nargs="+", default=[30, 365])
    parser.add_argument("--scale", type=float, default=20.0, help="20: 60,000 sessions, 30,000 payments a day")
    parser.add_argument("--chunk-days", type=int, default=92)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ott-bench-incremental"))
    args = parser.parse_args()
    report = {
        "what": "one scheduled day's runs at each history length; baseline: the full rebuild of that history",
        "scale": args.scale,
        "machine": f"{os.cpu_count()} cores",
        "histories": [],
    }
    for days in args.days:
        result = history(days, args.scale, args.chunk_days, args.workdir)
        print(json.dumps(result), flush=True)
        report["histories"].append(result)
    report["bench_peak_rss_mib"] = peak_rss_mib()
    write_report(ROOT / "bench" / "results" / "incremental.json", report)


if __name__ == "__main__":
    main()
