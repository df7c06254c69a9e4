"""Work tables: the tables a load or a dbt model builds on its way and drops when it is done.

A run killed half-way leaves its work tables behind. Whoever next holds the warehouse lease drops them, so a
killed run leaves nothing that a clean run would not.
"""

import uuid

from warehouse.connection import WarehouseConnection, checked_identifier

# Ingest's work tables: raw._<kind>_<source>_<12 hex digits>; the materialized views first (dropped first).
INGEST_WORK_KINDS = (
    "tostage",
    "tomarks",
    "load",
    "checked",
    "stage",
    "stageq",
    "marks",
    "dups",
    "parquet",
    "month",
    "monthq",
    "repartition",
)
_INGEST_PATTERN = r"^_(" + "|".join(INGEST_WORK_KINDS) + r")_.+_[0-9a-f]{12}$"
# dbt-clickhouse's intermediate, backup and new-data relations of table and incremental materializations.
_DBT_PATTERN = r"__dbt_(tmp|backup|view_tmp|new_data|distributed_new_data)"
# ClickHouse's own table under construction in CREATE OR REPLACE TABLE (swapped in when it is complete).
_REPLACE_PATTERN = r"^_tmp_replace_"


def ingest_work_tables(source: str) -> dict[str, str]:
    """Fresh names for one load's work tables, by kind."""
    token = uuid.uuid4().hex[:12]
    return {kind: f"raw._{kind}_{source}_{token}" for kind in INGEST_WORK_KINDS}


def leftover_work_tables(conn: WarehouseConnection, older_than_seconds: int = 0) -> list[str]:
    """Work tables in the warehouse, as `database.name`, optionally only those not changed for a while."""
    found = conn.query_arrow(
        "SELECT database || '.' || name AS table FROM system.tables"
        " WHERE ((database = 'raw' AND match(name, {ingest:String}))"
        " OR match(name, {dbt:String}) OR match(name, {replace:String}))"
        " AND metadata_modification_time <= now() - {age:UInt32}"
        " ORDER BY engine != 'MaterializedView', table",
        {"ingest": _INGEST_PATTERN, "dbt": _DBT_PATTERN, "replace": _REPLACE_PATTERN, "age": older_than_seconds},
    )
    return found.column("table").to_pylist() if found.num_rows else []


def drop_leftover_work_tables(conn: WarehouseConnection, older_than_seconds: int = 0) -> list[str]:
    """Drop the work tables a dead run left; only safe while no other run can be using them."""
    tables = leftover_work_tables(conn, older_than_seconds)
    for table in tables:
        database, name = table.split(".", 1)
        checked_identifier(database)
        conn.command(f"DROP TABLE IF EXISTS `{database}`.`{name}`")
    return tables
