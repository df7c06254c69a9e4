"""Benchmark: viewing at 10 million sessions over 30 days.

1. ingest: the 30 mongoexport files into raw.viewing_sessions (validation and quarantine included), rows/s;
2. dbt: build every viewing model (sessions, online per minute, peaks, save_stats, channel metrics,
   the four sortings) with their tests;
3. the same daily max-online (with its minute) and the four popularity criteria computed (a) by chDB
   running the models' SQL and (b) by pandas on the same sessions with the same sweep-line algorithm,
   the peer baseline; the two answers are compared, then timed.
Each step runs in its own process so its peak RSS is its own. Results: bench/results/viewing.json.
"""

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.common import dbt_build, ingest_days, run_child, run_steps, write_report

SESSIONS = 10_000_000
DAYS = 30
SCALE = SESSIONS / DAYS / 3000
START = date(2026, 9, 1)
AS_OF = START + timedelta(days=DAYS - 1)
RESULTS = Path(__file__).parent / "results" / "viewing.json"
MODELS = "+tag:cache_max_online +tag:save_stats +tag:channel_sorting"

PEAKS_SQL = """
SELECT client_id, toDate(minute) AS day, max(online) AS peak, argMax(minute, (online, -toUnixTimestamp(minute))) AS at
FROM (
    SELECT client_id, minute, sum(d) OVER (PARTITION BY client_id ORDER BY minute ROWS UNBOUNDED PRECEDING) AS online
    FROM (
        SELECT client_id, change.1 AS minute, sum(change.2) AS d
        FROM marts.fct_viewing_sessions
        ARRAY JOIN [
            (toDateTime(toStartOfMinute(started_at), 'UTC'), toInt8(1)),
            (toDateTime(toStartOfMinute(ended_at - toIntervalMillisecond(1)), 'UTC') + 60, toInt8(-1))
        ] AS change
        WHERE ended_at > started_at
        GROUP BY client_id, minute
    )
)
GROUP BY client_id, day ORDER BY client_id, day
"""
CRITERIA_SQL = """
SELECT client_id, channel_id, sum(watch_seconds) AS watch_time, count() AS watch_sessions,
       avg(watch_seconds) AS average_watch_time, quantileExactInclusive(0.5)(watch_seconds) AS median_watch_time
FROM marts.fct_viewing_sessions WHERE channel_id IS NOT NULL
GROUP BY client_id, channel_id ORDER BY client_id, channel_id
"""


def _generate(workdir: Path) -> dict:
    from functools import partial

    from ingest.generator import _write_days, billing, viewing
    from ingest.generator.world import build_world

    world = build_world(START, DAYS, SCALE, seed=3)
    billing.write_snapshots(world, workdir / "landing")
    rows = _write_days(
        partial(viewing.write_day, out_dir=workdir / "landing", bad_fraction=0.001), world, parallel=True
    )
    size = sum(p.stat().st_size for p in (workdir / "landing" / "viewing").rglob("*.json"))
    return {"sessions_written": rows, "json_bytes": size}


def _ingest(workdir: Path) -> dict:
    from ingest import billing, content
    from ingest.viewing import SESSIONS

    return ingest_days(workdir, SESSIONS, START, DAYS, snapshots=(billing.ACCOUNTS, content.CHANNELS))


def _chdb_queries(workdir: Path) -> dict:
    from warehouse import Warehouse

    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        started = time.perf_counter()
        peaks = conn.query_df(PEAKS_SQL)
        criteria = conn.query_df(CRITERIA_SQL)
        seconds = time.perf_counter() - started
    peaks.to_parquet(workdir / "chdb_peaks.parquet")
    criteria.to_parquet(workdir / "chdb_criteria.parquet")
    return {"seconds": round(seconds, 2)}


def _pandas(workdir: Path) -> dict:
    import pandas as pd

    from warehouse import Warehouse

    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        sessions = conn.query_df(
            "SELECT client_id, channel_id, started_at, ended_at, watch_seconds FROM marts.fct_viewing_sessions"
        )
    started = time.perf_counter()
    live = sessions[sessions["ended_at"] > sessions["started_at"]]
    ups = pd.DataFrame({"client_id": live["client_id"], "minute": live["started_at"].dt.floor("min"), "delta": 1})
    last = (live["ended_at"] - pd.Timedelta(milliseconds=1)).dt.floor("min") + pd.Timedelta(minutes=1)
    downs = pd.DataFrame({"client_id": live["client_id"], "minute": last, "delta": -1})
    changes = pd.concat([ups, downs]).groupby(["client_id", "minute"], as_index=False)["delta"].sum()
    changes["online"] = changes.groupby("client_id")["delta"].cumsum()
    changes["day"] = changes["minute"].dt.date
    best = changes.sort_values(["client_id", "day", "online", "minute"], ascending=[True, True, False, True])
    peaks = best.groupby(["client_id", "day"], as_index=False).first()[["client_id", "day", "online", "minute"]]
    channels = sessions[sessions["channel_id"].notna()]
    criteria = channels.groupby(["client_id", "channel_id"], as_index=False)["watch_seconds"].agg(
        watch_time="sum", watch_sessions="size", average_watch_time="mean", median_watch_time="median"
    )
    seconds = time.perf_counter() - started
    peaks.to_parquet(workdir / "pandas_peaks.parquet")
    criteria.to_parquet(workdir / "pandas_criteria.parquet")
    return {"seconds": round(seconds, 2), "sessions_in_memory": len(sessions)}


def _compare(workdir: Path) -> bool:
    import numpy as np
    import pandas as pd

    chdb_peaks = pd.read_parquet(workdir / "chdb_peaks.parquet")
    pandas_peaks = pd.read_parquet(workdir / "pandas_peaks.parquet")
    same_peaks = chdb_peaks["peak"].tolist() == pandas_peaks["online"].tolist() and [
        t.replace(tzinfo=None) for t in chdb_peaks["at"]
    ] == [t.replace(tzinfo=None) for t in pandas_peaks["minute"]]
    a = pd.read_parquet(workdir / "chdb_criteria.parquet")
    b = pd.read_parquet(workdir / "pandas_criteria.parquet")
    same_criteria = all(
        np.allclose(a[c].astype(float), b[c].astype(float))
        for c in ("watch_time", "watch_sessions", "average_watch_time", "median_watch_time")
    )
    return bool(same_peaks and same_criteria)


def _dbt(workdir: Path) -> dict:
    return dbt_build(workdir, MODELS, {"sorting_as_of": AS_OF.isoformat()})


STEPS = {"generate": _generate, "ingest": _ingest, "dbt": _dbt, "chdb": _chdb_queries, "pandas": _pandas}


def main() -> None:
    report: dict = {
        "benchmark": "viewing at 10M sessions",
        "sessions": SESSIONS,
        "days": DAYS,
        "machine": f"{os.cpu_count()} cores",
    }
    with tempfile.TemporaryDirectory(prefix="bench-viewing-") as workdir:
        run_steps("bench.viewing", STEPS, workdir, report)
        report["chdb_and_pandas_agree"] = _compare(Path(workdir))
    report["speedup_vs_pandas"] = round(report["pandas"]["seconds"] / report["chdb"]["seconds"], 1)
    report["peak_rss_mib_max"] = max(report[s]["peak_rss_mib"] for s in ("ingest", "dbt", "chdb"))
    write_report(RESULTS, report)


if __name__ == "__main__":
    if len(sys.argv) > 2:
        run_child(STEPS, sys.argv[1], sys.argv[2])
    else:
        main()
