"""Benchmark: event analytics at 20 million events over 30 days.

1. ingest the 30 JSON-lines files into raw.analytics_events (validation and quarantine included), rows/s;
2. dbt: build the events models (fact, registrations, organization daily, dashboard, funnel) with tests;
3. the registration funnel per event computed (a) by chDB with windowFunnel and (b) by pandas with the same
   rule (each stage joins the latest earlier-stage event whose chain began within the window, merge_asof),
   the peer baseline; stage counts are compared, then timed.
Each step runs in its own process. Results: bench/results/events.json.
"""

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import dbt_build, ingest_days, run_child, run_steps, write_report

EVENTS_TARGET = 20_000_000
DAYS = 30
LINES_PER_SCALE_DAY = 7514  # event lines the generator writes a day per unit of scale
SCALE = EVENTS_TARGET / DAYS / LINES_PER_SCALE_DAY
START = date.today() - timedelta(days=DAYS + 1)  # recent: inside the 1-year retention
WINDOW_HOURS = 720
RESULTS = Path(__file__).parent / "results" / "events.json"
STEPS_SQL = [
    "event_type = 'page.view'",
    "event_type = 'registration.started'",
    "event_type = 'registration.completed'",
    "event_type = 'checkin.completed'",
]
FUNNEL_SQL = f"""
SELECT event_key, countIf(level >= 1) AS s1, countIf(level >= 2) AS s2, countIf(level >= 3) AS s3, countIf(level >= 4) AS s4
FROM (
    SELECT cityHash64(event_id) AS event_key, user_id,
           windowFunnel({WINDOW_HOURS * 3600})(toDateTime(created_at), {", ".join(STEPS_SQL)}) AS level
    FROM marts.fct_analytics_events WHERE event_id IS NOT NULL AND user_id IS NOT NULL
    GROUP BY event_key, user_id
)
GROUP BY event_key ORDER BY event_key
"""


def _generate(workdir: Path) -> dict:
    from functools import partial

    from ingest.generator import _write_days, events
    from ingest.generator.world import build_world

    world = build_world(START, DAYS, SCALE, seed=5)
    rows = _write_days(partial(events.write_day, out_dir=workdir / "landing"), world, parallel=True)
    return {"events_written": rows}


def _ingest(workdir: Path) -> dict:
    from ingest.events import events_source

    return ingest_days(workdir, events_source(), START, DAYS)


def _chdb_funnel(workdir: Path) -> dict:
    from warehouse import Warehouse

    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        started = time.perf_counter()
        funnel = conn.query_df(FUNNEL_SQL)
        seconds = time.perf_counter() - started
    funnel.to_parquet(workdir / "chdb_funnel.parquet")
    return {"seconds": round(seconds, 2), "events": len(funnel)}


def _pandas_funnel(workdir: Path) -> dict:
    import pandas as pd

    from warehouse import Warehouse

    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        events = conn.query_df(
            "SELECT cityHash64(event_id) AS event_key, cityHash64(user_id) AS user_key, toDateTime(created_at) AS at,"
            " event_type FROM marts.fct_analytics_events WHERE event_id IS NOT NULL AND user_id IS NOT NULL"
        )
    started = time.perf_counter()
    window = pd.Timedelta(hours=WINDOW_HOURS)
    keys = ["event_key", "user_key"]
    names = ["page.view", "registration.started", "registration.completed", "checkin.completed"]
    # stage 1: every view starts a chain at its own time
    level = events[events["event_type"] == names[0]][[*keys, "at"]].assign(chain_start=lambda f: f["at"])
    reached = [level[keys].drop_duplicates()]
    for name in names[1:]:
        step = events[events["event_type"] == name][[*keys, "at"]].sort_values("at")
        previous = level.sort_values("at")
        joined = pd.merge_asof(
            step, previous, on="at", by=keys, direction="backward", allow_exact_matches=False, suffixes=("", "_prev")
        )
        # the latest earlier-stage event carries the latest chain start; it must be within the window
        joined = joined[joined["chain_start"].notna() & (joined["at"] - joined["chain_start"] <= window)]
        level = joined[[*keys, "at", "chain_start"]]
        reached.append(level[keys].drop_duplicates())
    counts = [r.groupby("event_key").size().rename(f"s{i + 1}") for i, r in enumerate(reached)]
    funnel = pd.concat(counts, axis=1).fillna(0).astype("int64").reset_index().sort_values("event_key")
    seconds = time.perf_counter() - started
    funnel.to_parquet(workdir / "pandas_funnel.parquet")
    return {"seconds": round(seconds, 2), "rows_in_memory": len(events)}


def _compare(workdir: Path) -> bool:
    import pandas as pd

    a = pd.read_parquet(workdir / "chdb_funnel.parquet").astype("int64").reset_index(drop=True)
    b = pd.read_parquet(workdir / "pandas_funnel.parquet").astype("int64").reset_index(drop=True)
    cols = ["event_key", "s1", "s2", "s3", "s4"]
    return a[cols].values.tolist() == b[cols].values.tolist()


def _dbt(workdir: Path) -> dict:
    return dbt_build(workdir, "+path:models/marts/events")


STEPS = {"generate": _generate, "ingest": _ingest, "dbt": _dbt, "chdb": _chdb_funnel, "pandas": _pandas_funnel}


def main() -> None:
    report: dict = {
        "benchmark": "event analytics at 20M events",
        "target_events": EVENTS_TARGET,
        "days": DAYS,
        "funnel_window_hours": WINDOW_HOURS,
        "machine": f"{os.cpu_count()} cores",
    }
    with tempfile.TemporaryDirectory(prefix="bench-events-") as workdir:
        run_steps("bench.events", STEPS, workdir, report)
        report["chdb_and_pandas_funnels_agree"] = _compare(Path(workdir))
    report["funnel_speedup_vs_pandas"] = round(report["pandas"]["seconds"] / report["chdb"]["seconds"], 1)
    write_report(RESULTS, report)


if __name__ == "__main__":
    if len(sys.argv) > 2:
        run_child(STEPS, sys.argv[1], sys.argv[2])
    else:
        main()
