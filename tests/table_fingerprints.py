"""Every table of the warehouse's layers as (row count, order-independent checksum), to compare two warehouses.

Load timestamps are left out; floats are rounded (a parallel sum may differ in its last bits); aggregate states
are finalized (a state's bytes depend on insertion order, its value does not). The tables of one run's findings
(an `invocation_id` column: int_payments__window_event_days, int_events__rebuilt_days) are left out: they hold
what the last run found for its own window, which its models have already read.
"""

from warehouse.connection import WarehouseConnection

LAYERS = ("raw", "staging", "intermediate", "marts")
LOAD_TIMESTAMPS = ("_loaded_at", "quarantined_at")
RUN_FINDINGS = "invocation_id"


def _hashed(name: str, type_: str) -> str:
    column = f"`{name}`"
    if type_.startswith("AggregateFunction("):
        return f"finalizeAggregation({column})"
    if "Float" in type_ and "Array" not in type_:
        return f"round({column}, 6)"
    return column


def table_fingerprints(conn: WarehouseConnection) -> dict[str, tuple[int, int]]:
    columns = conn.query_arrow(
        "SELECT database || '.' || table AS t, name, type FROM system.columns"
        " WHERE database IN {layers:Array(String)} ORDER BY t, position",
        {"layers": list(LAYERS)},
    ).to_pylist()
    by_table: dict[str, list[str]] = {}
    for column in columns:
        if column["name"] not in LOAD_TIMESTAMPS:
            by_table.setdefault(column["t"], []).append(_hashed(column["name"], column["type"]))
    for table in {column["t"] for column in columns if column["name"] == RUN_FINDINGS}:
        del by_table[table]
    fingerprints = {}
    for table, hashed in by_table.items():
        row = conn.query_arrow(f"SELECT count() AS n, sum(cityHash64({', '.join(hashed)})) AS h FROM {table}")
        fingerprints[table] = (row.column("n")[0].as_py(), row.column("h")[0].as_py())
    return fingerprints
