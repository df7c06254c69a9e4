"""Published snapshots of the marts that reports and outside tools (Tableau, Excel) read.

Each publish writes every table as Parquet, CSV and (when it fits Excel's row limit) XLSX into a new
version directory, then switches the `current` symlink to it with one atomic rename: a reader sees the
whole previous set or the whole new one, never a mix, and an interrupted publish leaves `current` untouched.
The bot reads these files, so it never waits for the embedded warehouse.
"""

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from warehouse.connection import WarehouseConnection

# published name -> (the dbt model it comes from, the query that gives it)
TABLES = {
    "billing_daily_payments": ("agg_billing_daily_payments", "SELECT * FROM marts.agg_billing_daily_payments"),
    "billing_customer_dynamics_daily": (
        "agg_billing_customer_dynamics_daily",
        "SELECT * FROM marts.agg_billing_customer_dynamics_daily",
    ),
    "billing_extended_aggregate": ("mart_billing_extended_aggregate", "SELECT * FROM marts.Extended_billing_aggregate"),
    "episode_views_by_viewer": ("mart_content_episode_views_by_viewer", "SELECT * FROM marts.episode_views_by_viewer"),
    "content_revenue_allocation": (
        "mart_content_revenue_allocation",
        "SELECT * FROM marts.content_dash_table_till_user_driver_allocation_from_2020_history",
    ),
    "viewing_max_online_daily": ("agg_viewing_max_online_daily", "SELECT * FROM marts.agg_viewing_max_online_daily"),
    "viewing_channel_daily": (
        "agg_viewing_channel_daily",
        "SELECT d.*, c.channel_name AS channel_name FROM marts.agg_viewing_channel_daily AS d"
        " LEFT JOIN staging.stg_content__channels AS c ON c.channel_id = d.channel_id",
    ),
    "payments_daily": ("agg_payments_daily", "SELECT * FROM marts.agg_payments_daily"),
    "events_dashboard": ("agg_events_dashboard", "SELECT * FROM marts.agg_events_dashboard"),
    "events_funnel": ("agg_events_funnel", "SELECT * FROM marts.agg_events_funnel"),
}
EXCEL_MAX_ROWS = 1_048_575  # below the header
KEEP_VERSIONS = 2


class NotPublished(FileNotFoundError):
    """No snapshot has been published yet (run the pipeline first)."""


def publish(conn: WarehouseConnection, root: Path) -> dict[str, int]:
    """Write a new version of every table and make it current; return rows per table."""
    root.mkdir(parents=True, exist_ok=True)
    version = root / f"v{time.time_ns()}"
    partial = root / f".{version.name}.partial"
    partial.mkdir()
    rows: dict[str, int] = {}
    try:
        for name, (_, sql) in TABLES.items():
            table = _portable(conn.query_arrow(sql))
            rows[name] = table.num_rows
            pq.write_table(table, partial / f"{name}.parquet")
            pacsv.write_csv(_csv_ready(table), partial / f"{name}.csv")
            if table.num_rows <= EXCEL_MAX_ROWS:
                _write_xlsx(table, partial / f"{name}.xlsx", name)
        partial.rename(version)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    link = root / ".current.new"
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    os.replace(link, root / "current")
    _prune(root, keep=version)
    return rows


def read(root: Path, name: str) -> pd.DataFrame:
    """The current snapshot of a published table."""
    path = root / "current" / f"{name}.parquet"
    if not path.exists():
        raise NotPublished(f"{name} has not been published under {root}: run the pipeline first")
    return pq.read_table(path).to_pandas()


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
    frame = table.to_pandas()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_localize(None)  # Excel has no time zones: UTC, as named in docs
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)


def _prune(root: Path, keep: Path) -> None:
    versions = sorted((p for p in root.glob("v*") if p.is_dir()), key=lambda p: int(p.name[1:]))
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in root.glob(".v*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
