"""Ingest against the engine it drives: each landing reader beside one INSERT ... SELECT of the same files.

For each source, a day (or a snapshot) at the sizes of the other benchmarks: payment events as JSON lines,
as Parquet and as 24 hourly files (bench/payments.py's day, about 1.3M events), analytics events (bench/events.py's
day, about 670,000), viewing sessions (bench/viewing.py's day, about 333,000) and billing subscriptions as CSV
(bench/billing.py's 1M accounts, about 4.25M rows).

- loader: `ingest.landing.load_landing_file`, every guarantee included (validation, quarantine with line
  numbers, de-duplication, the count check, the atomic swap of the partition);
- engine: a single `INSERT ... SELECT` from `file()` of the same files into a table of the same raw columns,
  with the same field expressions (each JSON line parsed once), keeping the records that parse (valid JSON,
  required fields present); no quarantine, no de-duplication.

Each source runs in its own process on its own warehouse: the loader twice (peak RSS read after these two),
then the engine twice; best of two each. Results: bench/results/ingest.json.

    python -m bench.ingest [--workdir /tmp/ott-bench-ingest] [--loader-only]
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.common import ROOT, peak_rss_mib, write_report

DAY = date(2026, 9, 1)
PAYMENTS_SCALE = 9_999_990 / 30 / 1500  # bench/payments.py: 10M payments over 30 days
EVENTS_SCALE = 20_000_000 / 30 / 7514  # bench/events.py: 20M event lines over 30 days
VIEWING_SCALE = 10_000_000 / 30 / 3000  # bench/viewing.py: 10M sessions over 30 days
ACCOUNTS_SCALE = 1_000_000 / 2000  # bench/billing.py: 1M accounts


def _generate(workdir: Path) -> dict:
    """The landing files every case reads (kept between runs of the benchmark)."""
    import pyarrow.json as pajson
    import pyarrow.parquet as pq

    from ingest.generator import billing, events, payments, viewing
    from ingest.generator.world import build_world

    done = workdir / "generated.json"
    if done.exists():
        return json.loads(done.read_text())
    landing = {name: workdir / name / "landing" for name in CASES}
    counts = {}
    world = build_world(DAY, 1, PAYMENTS_SCALE, seed=9)
    counts["payments_json"] = payments.write_day(world, 0, landing["payments_json"])
    day_file = landing["payments_json"] / "payments" / "events" / f"{DAY}.json"
    parquet = landing["payments_parquet"] / "payments" / "events" / f"{DAY}.parquet"
    parquet.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pajson.read_json(day_file), parquet)
    counts["payments_parquet"] = counts["payments_json"]
    hours = landing["payments_hourly"] / "payments" / "events" / str(DAY)
    hours.mkdir(parents=True, exist_ok=True)
    lines = day_file.read_bytes().splitlines(keepends=True)
    per_hour = -(-len(lines) // 24)
    for hour in range(24):
        (hours / f"{hour:02d}.json").write_bytes(b"".join(lines[hour * per_hour : (hour + 1) * per_hour]))
    counts["payments_hourly"] = len(lines)
    counts["analytics_events_json"] = events.write_day(
        build_world(DAY, 1, EVENTS_SCALE, seed=5), 0, landing["analytics_events_json"]
    )
    counts["viewing_sessions_json"] = viewing.write_day(
        build_world(DAY, 1, VIEWING_SCALE, seed=3), 0, landing["viewing_sessions_json"], bad_fraction=0.001
    )
    counts["billing_subscriptions_csv"] = billing.write_snapshots(
        build_world(DAY, 100, ACCOUNTS_SCALE, seed=4), landing["billing_subscriptions_csv"]
    )["subscriptions"]
    done.write_text(json.dumps(counts))
    return counts


def _source(case: str):
    from ingest.billing import SUBSCRIPTIONS
    from ingest.events import events_source
    from ingest.payments import EVENTS
    from ingest.viewing import SESSIONS

    if case.startswith("payments"):
        return EVENTS
    return {
        "analytics_events_json": events_source(3650),
        "viewing_sessions_json": SESSIONS,
        "billing_subscriptions_csv": SUBSCRIPTIONS,
    }[case]


def _files(case: str, landing: Path) -> list[Path]:
    from ingest.landing import landing_files

    source = _source(case)
    return landing_files(source, landing, DAY if source.daily else None)


def _engine_sql(case: str, files: list[Path], target: str) -> str:
    """The engine's own load of `files`: one INSERT ... SELECT, same columns, same field expressions."""
    from ingest import json_fields
    from ingest.load import typed_columns
    from warehouse.connection import sql_string

    source = _source(case)
    names = ", ".join(f"`{c.name}`" for c in source.columns)
    parsed = typed_columns(source)
    required = " AND ".join(f"`{c.name}` IS NOT NULL" for c in source.columns if c.required) or "1"
    casts = ", ".join(f"CAST(`{c.name}`, {sql_string(c.type)})" for c in source.columns)
    # file() takes one path or a glob: the hourly case is the day's folder of JSON files
    paths = sql_string(str(files[0]) if len(files) == 1 else str(files[0].parent / "*.json"))
    if files[0].suffix == ".parquet":  # the engine reads Parquet's typed columns as they are
        keys = json_fields.keys_read(c.expr for c in source.columns)
        texts = ", ".join(f"toString(`{key}`)" for key in keys)
        shape = sql_string(json_fields.shape(keys))
        return (
            f"INSERT INTO {target} ({names}) SELECT {casts} FROM (SELECT {parsed} FROM (SELECT"
            f" CAST(tuple({texts}), {shape}) AS {json_fields.PARSED} FROM file({paths}, 'Parquet'))) WHERE {required}"
        )
    if source.format == "csv":
        header = next(csv.reader(files[0].open()))
        structure = sql_string(", ".join(f"`{h}` String" for h in header))
        return (
            f"INSERT INTO {target} ({names}) SELECT {casts} FROM (SELECT {parsed}"
            f" FROM file({paths}, 'CSVWithNames', {structure})) WHERE {required}"
        )
    once = json_fields.parse_once(c.expr for c in source.columns)
    return (
        f"INSERT INTO {target} ({names}) SELECT {casts} FROM (SELECT {parsed} FROM (SELECT line AS raw, {once}"
        f" FROM file({paths}, 'LineAsString') WHERE isValidJSON(raw))) WHERE {required}"
    )


def _measure(case: str, workdir: Path, loader_only: bool) -> dict:
    from ingest.landing import load_landing_file
    from warehouse import Warehouse

    source = _source(case)
    landing = workdir / case / "landing"
    warehouse = workdir / case / "warehouse"
    shutil.rmtree(warehouse, ignore_errors=True)
    result: dict = {"source": source.name}
    with Warehouse(path=str(warehouse)).connect() as conn:
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            loaded = load_landing_file(conn, source, landing, DAY if source.daily else None)
            runs.append(time.perf_counter() - started)
        assert loaded.read == loaded.loaded + loaded.quarantined
        result["loader"] = {
            "read": loaded.read,
            "loaded": loaded.loaded,
            "quarantined": loaded.quarantined,
            "seconds": round(min(runs), 2),
            "rows_per_second": round(loaded.read / min(runs)),
            "peak_rss_mib": peak_rss_mib(),
        }
        if loader_only:
            return result
        files = _files(case, landing)
        conn.command("CREATE DATABASE IF NOT EXISTS bench")
        runs = []
        for _ in range(2):
            conn.command("DROP TABLE IF EXISTS bench.engine")
            conn.command(f"CREATE TABLE bench.engine AS {source.table}")
            started = time.perf_counter()
            conn.command(_engine_sql(case, files, "bench.engine"))
            runs.append(time.perf_counter() - started)
        rows = conn.scalar("SELECT count() FROM bench.engine")
    seconds = min(runs)
    result["engine"] = {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(loaded.read / seconds)}
    result["ratio"] = round(result["loader"]["rows_per_second"] / result["engine"]["rows_per_second"], 2)
    return result


CASES = (
    "payments_json",
    "payments_parquet",
    "payments_hourly",
    "analytics_events_json",
    "viewing_sessions_json",
    "billing_subscriptions_csv",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ott-bench-ingest"))
    parser.add_argument("--loader-only", action="store_true", help="time the loader only (e.g. an older version)")
    parser.add_argument("--case", action="append", choices=CASES, help="only these cases (default: all)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(args.child, args.workdir, args.loader_only)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    report = {"what": __doc__.split("\n\n")[0], "machine": f"{os.cpu_count()} cores", "day": str(DAY)}
    report["generated"] = _generate(args.workdir)
    report["cases"] = {}
    for case in args.case or CASES:
        command = [sys.executable, "-m", "bench.ingest", "--workdir", str(args.workdir), "--child", case]
        done = subprocess.run(command + (["--loader-only"] if args.loader_only else []), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{case} failed:\n{done.stderr[-4000:]}")
        report["cases"][case] = json.loads(done.stdout.strip().splitlines()[-1])
        print(case, report["cases"][case], flush=True)
    name = "ingest-loader-only.json" if args.loader_only else "ingest.json"
    write_report(ROOT / "bench" / "results" / name, report)


if __name__ == "__main__":
    main()
