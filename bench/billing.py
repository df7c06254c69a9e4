"""Benchmark: billing, customer dynamics and Premier's content marts at 1 million accounts.

1. generate 1M accounts with 100 days of subscriptions and transactions (about 5M) and the last 30 days of
   viewing (10M sessions, a third of them films and series), and ingest them;
2. dbt: build every billing and content model (daily payments, customer dynamics by hour and day over the
   whole range plus the month before, Extended_billing_aggregate, episode_views_by_viewer, the revenue
   allocation) with their tests; per-model times from dbt's run results, peak memory;
3. the revenue allocation computed again by pandas from the same inputs (largest-remainder kopecks), the
   peer baseline, timed, and compared with the mart row for row.
Each step runs in its own process. Results: bench/results/billing.json.
"""

import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from bench.common import dbt_build, ingest_days, run_child, run_steps, write_report

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", 1_000_000))  # smaller for a smoke run
BILLING_DAYS = 100
VIEWING_DAYS = 30
SESSIONS = ACCOUNTS * 10
START = date(2026, 7, 1)
VIEWING_START = START + timedelta(days=BILLING_DAYS - VIEWING_DAYS)
MODELS = "+path:models/marts/billing +path:models/marts/content"
RESULTS = Path(__file__).parent / "results" / "billing.json"


def _generate(workdir: Path) -> dict:
    from functools import partial

    from ingest.generator import _write_days, billing, viewing
    from ingest.generator.world import build_world

    landing = workdir / "landing"
    world = build_world(START, BILLING_DAYS, ACCOUNTS / 2000, seed=4)
    counts = billing.write_snapshots(world, landing)
    # viewing only for the last 30 days, at SESSIONS over them
    viewing_world = replace(world, start=VIEWING_START, days=VIEWING_DAYS, scale=SESSIONS / VIEWING_DAYS / 3000)
    counts["viewing_sessions"] = _write_days(
        partial(viewing.write_day, out_dir=landing, bad_fraction=0.0), viewing_world, parallel=True
    )
    return counts


def _ingest(workdir: Path) -> dict:
    from ingest import billing, content, viewing
    from warehouse import Warehouse

    snapshots = (billing.ACCOUNTS, billing.TARIFFS, billing.SUBSCRIPTIONS, *content.SOURCES)
    result = {"transactions": ingest_days(workdir, billing.TRANSACTIONS, START, BILLING_DAYS, snapshots)}
    result["viewing_sessions"] = ingest_days(workdir, viewing.sessions_source(), VIEWING_START, VIEWING_DAYS)
    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        result["accounts"] = conn.scalar("SELECT count() FROM raw.billing_accounts")
        result["subscriptions"] = conn.scalar("SELECT count() FROM raw.billing_subscriptions")
    return result


def _dbt(workdir: Path) -> dict:
    last = START + timedelta(days=BILLING_DAYS - 1)
    result = dbt_build(workdir, MODELS, {"min_date": START.isoformat(), "max_date": last.isoformat()})
    run = json.loads((workdir / "target" / "run_results.json").read_text())
    result["model_seconds"] = {
        r["unique_id"].split(".")[-1]: round(r["execution_time"], 2)
        for r in run["results"]
        if r["unique_id"].startswith("model.") and r["unique_id"].split(".")[-1].startswith(("agg_", "mart_", "fct_"))
    }
    from warehouse import Warehouse

    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        result["vod_view_rows"] = conn.scalar("SELECT count() FROM intermediate.int_content__vod_views")
        result["allocation_rows"] = conn.scalar(
            "SELECT count() FROM marts.content_dash_table_till_user_driver_allocation_from_2020_history"
        )
    return result


def _pandas_allocation(workdir: Path) -> dict:
    import numpy as np
    import pandas as pd

    from warehouse import Warehouse

    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        views = conn.query_df(
            "SELECT subscription_id, tv_id, season_num, view_date AS dt, watch_seconds"
            " FROM intermediate.int_content__vod_views WHERE subscription_id IS NOT NULL AND watch_seconds > 0"
        )
        subscriptions = conn.query_df(
            "SELECT subscription_id, currency, toInt64(money * 100) AS kopecks, toDate(started_at) AS start_date"
            " FROM intermediate.int_billing__subscriptions"
        )
        mart = conn.query_df(
            "SELECT tv_id, season_num, dt, currency, toInt64(alloc_revenue * 100) AS kopecks"
            " FROM marts.content_dash_table_till_user_driver_allocation_from_2020_history"
        )
    started = time.perf_counter()
    views["watch_ms"] = (views["watch_seconds"] * 1000).round().astype("int64")
    watched = views.groupby(["subscription_id", "tv_id", "season_num", "dt"], as_index=False)["watch_ms"].sum()
    shares = watched.merge(subscriptions[subscriptions["kopecks"] > 0], on="subscription_id")
    total = shares.groupby("subscription_id")["watch_ms"].transform("sum")
    weighted = shares["kopecks"].to_numpy(dtype=object) * shares["watch_ms"].to_numpy(dtype=object)
    shares["floor"] = (weighted // total.to_numpy(dtype=object)).astype("int64")
    shares["remainder"] = (weighted % total.to_numpy(dtype=object)).astype("float64")
    shares["leftover"] = shares["kopecks"] - shares.groupby("subscription_id")["floor"].transform("sum")
    shares = shares.sort_values(
        ["subscription_id", "remainder", "tv_id", "season_num", "dt"], ascending=[True, False, True, True, True]
    )
    shares["rank"] = shares.groupby("subscription_id").cumcount() + 1
    shares["alloc"] = shares["floor"] + (shares["rank"] <= shares["leftover"]).astype("int64")
    allocated = shares.groupby(["tv_id", "season_num", "dt", "currency"], as_index=False)["alloc"].sum()
    unallocated_subs = subscriptions[
        (subscriptions["kopecks"] <= 0) | ~subscriptions["subscription_id"].isin(shares["subscription_id"])
    ]
    unallocated = unallocated_subs.groupby(["start_date", "currency"], as_index=False)["kopecks"].sum()
    unallocated = unallocated.rename(columns={"start_date": "dt", "kopecks": "alloc"}).assign(tv_id=0, season_num=0)
    result = pd.concat([allocated, unallocated], ignore_index=True)
    seconds = time.perf_counter() - started
    key = ["tv_id", "season_num", "dt", "currency"]
    ours = result.groupby(key, as_index=False)["alloc"].sum().sort_values(key).reset_index(drop=True)
    theirs = mart.groupby(key, as_index=False)["kopecks"].sum().sort_values(key).reset_index(drop=True)
    agree = bool(np.array_equal(ours["alloc"].to_numpy(), theirs["kopecks"].to_numpy())) and len(ours) == len(theirs)
    return {
        "seconds": round(seconds, 2),
        "view_rows_in_memory": len(views),
        "allocation_rows": len(ours),
        "identical_to_the_mart": agree,
        "revenue_kopecks": int(subscriptions["kopecks"].sum()),
        "allocated_kopecks": int(result["alloc"].sum()),
    }


STEPS = {"generate": _generate, "ingest": _ingest, "dbt": _dbt, "pandas": _pandas_allocation}


def main() -> None:
    report: dict = {
        "benchmark": "billing, customer dynamics and Premier marts at 1M accounts",
        "accounts": ACCOUNTS,
        "billing_days": BILLING_DAYS,
        "viewing_days": VIEWING_DAYS,
        "target_sessions": SESSIONS,
        "machine": f"{os.cpu_count()} cores",
    }
    with tempfile.TemporaryDirectory(prefix="bench-billing-") as workdir:
        run_steps("bench.billing", STEPS, workdir, report)
    allocation = report["dbt"]["model_seconds"].get("mart_content_revenue_allocation")
    if allocation:
        report["allocation_speedup_vs_pandas"] = round(report["pandas"]["seconds"] / allocation, 1)
    write_report(RESULTS, report)


if __name__ == "__main__":
    if len(sys.argv) > 2:
        run_child(STEPS, sys.argv[1], sys.argv[2])
    else:
        main()
