"""Benchmark: the sample-data generator writing 10 million viewing sessions (30 days of mongoexport JSON).

Peer baseline in the same run: the same records written the way a plain Python script would, one
`json.dumps` per session, for one of the days; its rate is reported beside ours. Each side runs in its own
process so peak RSS is its own. Results go to bench/results/generator.json.
"""

import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

SESSIONS = 10_000_000
DAYS = 30
SCALE = SESSIONS / DAYS / 3000  # generator: 3,000 sessions a day per unit of scale
START = date(2026, 10, 1)
RESULTS = Path(__file__).parent / "results" / "generator.json"


def _vectorized(out: str) -> dict:
    from functools import partial

    from ingest.generator import _write_days, viewing
    from ingest.generator.world import build_world

    world = build_world(START, DAYS, SCALE, seed=1)
    started = time.perf_counter()
    rows = _write_days(partial(viewing.write_day, out_dir=Path(out), bad_fraction=0.001), world, parallel=True)
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}


def _per_row_baseline(out: str) -> dict:
    """One day of the same sessions, written row by row with json.dumps (the naive peer)."""
    from ingest.generator import viewing
    from ingest.generator.world import build_world

    world = build_world(START, DAYS, SCALE, seed=1)
    viewing.write_day(world, 0, Path(out), bad_fraction=0.001)
    source = Path(out) / "viewing" / "sessions" / f"{START}.json"
    documents = [json.loads(line) for line in source.read_text().splitlines()]
    started = time.perf_counter()
    with open(Path(out) / "baseline.json", "w") as handle:
        for doc in documents:
            handle.write(json.dumps(doc, separators=(",", ":")) + "\n")
    seconds = time.perf_counter() - started
    return {"rows": len(documents), "seconds": round(seconds, 2), "rows_per_second": round(len(documents) / seconds)}


def _child(kind: str) -> None:
    with tempfile.TemporaryDirectory() as out:
        result = {"vectorized": _vectorized, "baseline": _per_row_baseline}[kind](out)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_rss_mib"] = round(max(own, workers) / 1024)
    print(json.dumps(result))


def main() -> None:
    results = {}
    for kind in ("vectorized", "baseline"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.generator", kind], capture_output=True, text=True, check=True
        )
        results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    report = {
        "benchmark": "generate viewing sessions as mongoexport JSON lines",
        "sessions": SESSIONS,
        "days": DAYS,
        "machine": f"{platform.machine()}, {platform.python_version()}, {__import__('os').cpu_count()} cores",
        "ours": results["vectorized"],
        "baseline_per_row_json_dumps": results["baseline"],
        "speedup_rows_per_second": round(
            results["vectorized"]["rows_per_second"] / results["baseline"]["rows_per_second"], 1
        ),
        "note": "the baseline's rate excludes producing the records: it only serialises and writes ready dicts",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _child(sys.argv[1])
    else:
        main()
