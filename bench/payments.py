"""Benchmark: the Magista statistics at 10 million payments over 30 days.

1. generate and ingest the 30 days of payment events (JSON lines; validation, de-duplication and quarantine
   included) and the shops snapshot, rows/s;
2. dbt: build every payments model (status history, entity facts, the minute aggregate, shop accounting)
   with their tests;
3. each statistics query for one shop over the whole month at split_interval 300 s, 50 runs each, through
   the DSL (`run_query`: validation, SQL on the minute aggregate, answer shaping); p50 and p95 per statistic,
   and the same queries forced onto the payments fact (exact path);
4. the peer baseline: the same five aggregations in pandas on that shop's payments, already in memory (the
   load is not timed), 50 runs each; the answers are compared with the DSL's value for value.
Each step runs in its own process. Results: bench/results/payments.json.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.common import dbt_build, ingest_days, run_child, run_steps, write_report
from query.magista.requests import STATISTICS

PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", 10_000_000))  # smaller for a smoke run
DAYS = 30
SCALE = PAYMENTS / DAYS / 1500  # the generator writes 1,500 payments a day per unit of scale
START = date(2026, 9, 1)
RUNS = 50
SPLIT = 300
MERCHANT, SHOP = "74480e4f-1a36-4edd-8175-7a9e984313b0", "1"
RESULTS = Path(__file__).parent / "results" / "payments.json"


def _request(kind: str) -> dict:
    end = START + timedelta(days=DAYS)
    params = {"merchant_id": MERCHANT, "shop_id": SHOP, "split_interval": SPLIT}
    params |= {"from_time": f"{START}T00:00:00Z", "to_time": f"{end}T00:00:00Z"}
    return {"query": {kind: params}}


def _percentiles(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[int(0.95 * len(ms)) - 1], 1)}


def _generate(workdir: Path) -> dict:
    from functools import partial

    from ingest.generator import _write_days, payments
    from ingest.generator.world import build_world

    world = build_world(START, DAYS, SCALE, seed=9)
    payments.write_shops(workdir / "landing")
    lines = _write_days(partial(payments.write_day, out_dir=workdir / "landing"), world, parallel=True)
    return {"event_lines_written": lines}


def _ingest(workdir: Path) -> dict:
    from ingest.payments import EVENTS, SHOPS

    return ingest_days(workdir, EVENTS, START, DAYS, snapshots=(SHOPS,))


def _dbt(workdir: Path) -> dict:
    result = dbt_build(workdir, "+path:models/marts/payments")
    from warehouse import Warehouse

    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        result["payments"] = conn.scalar("SELECT count() FROM marts.fct_payments")
        result["shop_payments"] = conn.scalar(
            f"SELECT count() FROM marts.fct_payments WHERE merchant_id = '{MERCHANT}' AND shop_id = '{SHOP}'"
        )
        result["minute_aggregate_rows"] = conn.scalar("SELECT count() FROM marts.agg_payments_minute")
    return result


def _dsl(workdir: Path) -> dict:
    import json

    from query.magista import run_query
    from warehouse import Warehouse

    result: dict = {}
    answers = {}
    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        for exact in (False, True):
            for kind in STATISTICS:
                timings = []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    answer = run_query(conn, _request(kind), exact=exact)
                    timings.append(time.perf_counter() - started)
                path = "fact" if exact else "minute_aggregate"
                result.setdefault(path, {})[kind] = _percentiles(timings) | {"buckets": len(answer)}
                answers[f"{path}:{kind}"] = answer
    (workdir / "dsl_answers.json").write_text(json.dumps(answers))
    return result


KEYS = {
    "payments_turnover": ["currency_symbolic_code"],
    "payments_geo_stat": ["city_id", "country_id", "currency_symbolic_code"],
    "payments_pmt_cards_stat": ["payment_system"],
    "payments_conversion_stat": [],
    "customers_rate_stat": [],
}


def _pandas_statistic(kind: str, payments, first_bucket: int):
    """One statistic on one shop's payments, bucketed on the same grid as the DSL (from_time is on it)."""
    offset = (payments["created_ms"] // 1000 // SPLIT - first_bucket) * SPLIT
    frame = payments.assign(offset=offset, net=payments["amount"] - payments["fee"])
    captured = frame[frame["reached_captured"]]
    by = ["offset", *KEYS[kind]]
    amounts = {"amount_with_fee": ("net", "sum"), "amount_without_fee": ("amount", "sum")}
    if kind == "payments_pmt_cards_stat":
        return captured.groupby(by).agg(total_count=("amount", "size"), **amounts)
    if kind == "payments_conversion_stat":
        settled = frame[frame["reached_captured"] | (frame["status"] == "failed")]
        table = settled.groupby(by).agg(successful_count=("reached_captured", "sum"), total_count=("status", "size"))
        return table.assign(conversion=table["successful_count"] / table["total_count"])
    if kind == "customers_rate_stat":
        return captured.dropna(subset=["payer"]).groupby(by).agg(unic_count=("payer", "nunique"))
    return captured.groupby(by).agg(**amounts)


def _pandas(workdir: Path) -> dict:
    import json

    from query.magista.searches import value_text
    from warehouse import Warehouse

    end = START + timedelta(days=DAYS)
    with Warehouse(path=str(workdir / "warehouse")).connect() as conn:
        payments = conn.query_df(
            "SELECT toUnixTimestamp64Milli(created_at) AS created_ms, reached_captured, status, amount, fee,"
            " ifNull(currency_symbolic_code, '') AS currency_symbolic_code, ifNull(city_id, 0) AS city_id,"
            " ifNull(country_id, 0) AS country_id, ifNull(payment_system, '') AS payment_system, payer"
            " FROM marts.fct_payments WHERE merchant_id = {merchant:String} AND shop_id = {shop:String}"
            " AND created_at >= {start:DateTime64(3, 'UTC')} AND created_at < {end:DateTime64(3, 'UTC')}",
            {"merchant": MERCHANT, "shop": SHOP, "start": f"{START} 00:00:00.000", "end": f"{end} 00:00:00.000"},
        )
    payments["reached_captured"] = payments["reached_captured"].astype(bool)
    first_bucket = int(datetime(START.year, START.month, START.day).timestamp()) // SPLIT
    result: dict = {"rows_in_memory": len(payments), "statistics": {}}
    answers = {}
    for kind in STATISTICS:
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            table = _pandas_statistic(kind, payments, first_bucket)
            timings.append(time.perf_counter() - started)
        result["statistics"][kind] = _percentiles(timings)
        answers[kind] = [
            {name: value_text(value) for name, value in row.items()} for row in table.reset_index().to_dict("records")
        ]
    (workdir / "pandas_answers.json").write_text(json.dumps(answers))
    return result


def _agree(workdir: Path) -> dict:
    """Per statistic: the DSL's answers (aggregate and fact path) and pandas' hold the same rows."""
    import json

    dsl = json.loads((workdir / "dsl_answers.json").read_text())
    pandas = json.loads((workdir / "pandas_answers.json").read_text())

    def rows(answer: list[dict]) -> list:
        return sorted(sorted(row.items()) for row in answer)

    return {
        kind: rows(dsl[f"minute_aggregate:{kind}"]) == rows(dsl[f"fact:{kind}"]) == rows(pandas[kind])
        for kind in STATISTICS
    }


STEPS = {"generate": _generate, "ingest": _ingest, "dbt": _dbt, "dsl": _dsl, "pandas": _pandas}


def main() -> None:
    report: dict = {
        "benchmark": "Magista statistics at 10M payments",
        "target_payments": PAYMENTS,
        "days": DAYS,
        "split_interval_seconds": SPLIT,
        "runs_per_statistic": RUNS,
        "query": f"one shop ({SHOP}), {START} to {START + timedelta(days=DAYS)}",
        "machine": f"{os.cpu_count()} cores",
    }
    with tempfile.TemporaryDirectory(prefix="bench-payments-") as workdir:
        run_steps("bench.payments", STEPS, workdir, report)
        report["answers_agree"] = _agree(Path(workdir))
    report["p50_speedup_vs_pandas"] = {
        kind: round(
            report["pandas"]["statistics"][kind]["p50_ms"] / report["dsl"]["minute_aggregate"][kind]["p50_ms"], 1
        )
        for kind in STATISTICS
    }
    write_report(RESULTS, report)


if __name__ == "__main__":
    if len(sys.argv) > 2:
        run_child(STEPS, sys.argv[1], sys.argv[2])
    else:
        main()
