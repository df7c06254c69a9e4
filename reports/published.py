"""Published snapshots of the marts that reports and outside tools (Tableau, Excel) read.

Each publish builds a new version directory and then switches the `current` symlink to it with one atomic
rename: a reader sees the whole previous set or the whole new one, never a mix, and an interrupted publish
leaves `current` untouched. The bot reads these files, so it never waits for the embedded warehouse.

A daily table is published as one file per UTC day (`<name>/<day>.parquet|csv|xlsx`), a small table as one
file (`<name>.parquet|csv|xlsx`). The version keeps a fingerprint (rows and a hash of their content) of every
day and table: what did not change since the previous version is hard-linked from it, so a daily publish
writes the days the run changed, not the history.
"""

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

from warehouse.connection import WarehouseConnection

if TYPE_CHECKING:  # reading returns DataFrames; publishing (every daily run) needs no pandas
    import pandas as pd


@dataclass(frozen=True)
class PublishedTable:
    model: str  # the dbt model it comes from
    sql: str
    day_column: str | None = None  # one file per UTC day of this Date column


TABLES = {
    "billing_daily_payments": PublishedTable(
        "agg_billing_daily_payments", "SELECT * FROM marts.agg_billing_daily_payments", "payment_date"
    ),
    "billing_customer_dynamics_daily": PublishedTable(
        "agg_billing_customer_dynamics_daily", "SELECT * FROM marts.agg_billing_customer_dynamics_daily", "period_date"
    ),
    "billing_extended_aggregate": PublishedTable(
        "mart_billing_extended_aggregate", "SELECT * FROM marts.Extended_billing_aggregate"
    ),
    "episode_views_by_viewer": PublishedTable(
        "mart_content_episode_views_by_viewer", "SELECT * FROM marts.episode_views_by_viewer", "dt"
    ),
    "content_revenue_allocation": PublishedTable(
        "mart_content_revenue_allocation",
        "SELECT * FROM marts.content_dash_table_till_user_driver_allocation_from_2020_history",
        "dt",
    ),
    "viewing_max_online_daily": PublishedTable(
        "agg_viewing_max_online_daily", "SELECT * FROM marts.agg_viewing_max_online_daily", "view_date"
    ),
    "viewing_channel_daily": PublishedTable(
        "agg_viewing_channel_daily",
        "SELECT d.*, c.channel_name AS channel_name FROM marts.agg_viewing_channel_daily AS d"
        " LEFT JOIN staging.stg_content__channels AS c ON c.channel_id = d.channel_id",
        "view_date",
    ),
    "payments_daily": PublishedTable("agg_payments_daily", "SELECT * FROM marts.agg_payments_daily", "payment_date"),
    "events_dashboard": PublishedTable("agg_events_dashboard", "SELECT * FROM marts.agg_events_dashboard"),
    "events_funnel": PublishedTable("agg_events_funnel", "SELECT * FROM marts.agg_events_funnel"),
}
FORMATS = ("parquet", "csv", "xlsx")
EXCEL_MAX_ROWS = 1_048_575  # below the header
KEEP_VERSIONS = 2
MANIFEST = "manifest.json"
SCHEMA_FILE = "_schema.parquet"  # a daily table's columns, for readers of a table with no day yet


class NotPublished(FileNotFoundError):
    """No snapshot has been published yet (run the pipeline first)."""


@dataclass
class PublishStats:
    rows: dict[str, int]
    files_written: int
    files_kept: int


def publish(conn: WarehouseConnection, root: Path) -> PublishStats:
    """Write a new version (what changed since the current one) and make it current."""
    root.mkdir(parents=True, exist_ok=True)
    previous = _current_version(root)
    previous_manifest = _read_manifest(previous)
    version = root / f"v{time.time_ns()}"
    partial = root / f".{version.name}.partial"
    partial.mkdir()
    manifest: dict[str, dict[str, str]] = {}
    stats = PublishStats(rows={}, files_written=0, files_kept=0)
    try:
        for name, table in TABLES.items():
            fingerprints = _fingerprints(conn, table)
            manifest[name] = fingerprints
            stats.rows[name] = sum(int(f.split(":")[1]) for f in fingerprints.values())
            before = previous_manifest.get(name, {})
            changed = sorted(key for key, f in fingerprints.items() if before.get(key) != f)
            for key in sorted(set(fingerprints) - set(changed)):
                stats.files_kept += _link_files(previous, partial, _stem(name, table, key))
            if table.day_column:
                (partial / name).mkdir(exist_ok=True)
                columns = _portable(conn.query_arrow(f"SELECT * FROM ({table.sql}) LIMIT 0"))
                pq.write_table(columns, partial / name / SCHEMA_FILE)
            if changed:
                stats.files_written += _write_changed(conn, name, table, changed, partial)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial.rename(version)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    link = root / ".current.new"
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    os.replace(link, root / "current")
    _prune(root, keep=version)
    return stats


def read(root: Path, name: str) -> "pd.DataFrame":
    """The current snapshot of a published table (every day of a daily one)."""
    table = TABLES[name]
    current = root / "current"
    if table.day_column is None:
        path = current / f"{name}.parquet"
        if not path.exists():
            raise NotPublished(f"{name} has not been published under {root}: run the pipeline first")
        return pq.read_table(path).to_pandas()
    folder = current / name
    if not (folder / SCHEMA_FILE).exists():
        raise NotPublished(f"{name} has not been published under {root}: run the pipeline first")
    schema = pq.read_schema(folder / SCHEMA_FILE)
    days = [pq.read_table(p, schema=schema) for p in sorted(folder.glob("*.parquet")) if p.name != SCHEMA_FILE]
    return pa.concat_tables([schema.empty_table(), *days]).to_pandas()


def _fingerprints(conn: WarehouseConnection, table: PublishedTable) -> dict[str, str]:
    """`rows:hash` per day (daily table) or for the whole table (key ""), with the columns' names and types,
    so a changed schema rewrites everything."""
    columns = conn.query_arrow(f"DESCRIBE ({table.sql})").to_pylist()
    shape = hashlib.sha1(json.dumps([[c["name"], c["type"]] for c in columns]).encode()).hexdigest()[:12]
    key = f"toString({table.day_column})" if table.day_column else "''"
    found = conn.query_arrow(
        f"SELECT {key} AS key, count() AS rows, sum(cityHash64(tuple(*))) AS content FROM ({table.sql}) GROUP BY key"
    ).to_pylist()
    if not table.day_column and not found:
        found = [{"key": "", "rows": 0, "content": 0}]
    return {f["key"]: f"{shape}:{f['rows']}:{f['content']}" for f in found}


def _stem(name: str, table: PublishedTable, key: str) -> str:
    return f"{name}/{key}" if table.day_column else name


def _link_files(previous: Path | None, partial: Path, stem: str) -> int:
    linked = 0
    for fmt in FORMATS:
        source = previous / f"{stem}.{fmt}" if previous else None
        if source is not None and source.exists():
            target = partial / f"{stem}.{fmt}"
            target.parent.mkdir(exist_ok=True)
            os.link(source, target)
            linked += 1
    return linked


def _write_changed(conn: WarehouseConnection, name: str, table: PublishedTable, keys: list[str], partial: Path) -> int:
    if table.day_column is None:
        return _write_formats(
            _portable(conn.query_arrow(f"SELECT * FROM ({table.sql}) ORDER BY ALL")), partial / name, name
        )
    rows = _portable(
        conn.query_arrow(
            f"SELECT * FROM ({table.sql}) WHERE toString({table.day_column}) IN {{days:Array(String)}} ORDER BY ALL",
            {"days": keys},
        )
    )
    day_text = pc.cast(rows.column(table.day_column), pa.string())
    return sum(_write_formats(rows.filter(pc.equal(day_text, day)), partial / name / day, name) for day in keys)


def _write_formats(table: pa.Table, stem: Path, sheet: str) -> int:
    pq.write_table(table, stem.with_suffix(".parquet"))
    pacsv.write_csv(_csv_ready(table), stem.with_suffix(".csv"))
    if table.num_rows > EXCEL_MAX_ROWS:
        return 2
    _write_xlsx(table, stem.with_suffix(".xlsx"), sheet)
    return 3


def _current_version(root: Path) -> Path | None:
    current = root / "current"
    return current.resolve() if current.exists() else None


def _read_manifest(version: Path | None) -> dict[str, dict[str, str]]:
    if version is None or not (version / MANIFEST).exists():
        return {}  # nothing to reuse: every file is written
    return json.loads((version / MANIFEST).read_text())


def _portable(table: pa.Table) -> pa.Table:
    """UUIDs as their text: extension types are not understood by CSV writers, Excel or most tools."""
    columns = [
        pa.array([None if v is None else str(v) for v in c.to_pylist()], pa.string())
        if isinstance(c.type, pa.BaseExtensionType)
        else c
        for c in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def _csv_ready(table: pa.Table) -> pa.Table:
    """Decimals keep their exact text; CSV readers get plain columns."""
    columns = [c.cast(pa.string()) if pa.types.is_decimal(c.type) else c for c in table.columns]
    return pa.table(columns, names=table.column_names)


def _write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    """Typed cells row by row in constant memory; times in UTC without a zone (Excel has none)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "remove_timezone": True,
            "default_date_format": "yyyy-mm-dd",
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    try:
        worksheet = workbook.add_worksheet(sheet[:31])
        datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        worksheet.write_row(0, 0, table.column_names)
        formats = [datetime_format if pa.types.is_timestamp(c.type) else None for c in table.columns]
        for index, row in enumerate(zip(*(c.to_pylist() for c in table.columns), strict=True), start=1):
            for column, (value, cell_format) in enumerate(zip(row, formats, strict=True)):
                worksheet.write(index, column, value, cell_format)
    finally:
        workbook.close()


def _prune(root: Path, keep: Path) -> None:
    versions = sorted((p for p in root.glob("v*") if p.is_dir()), key=lambda p: int(p.name[1:]))
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in root.glob(".v*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
