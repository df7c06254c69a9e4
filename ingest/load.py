"""Load one partition of one source into its raw table, idempotently and without losing a record.

Every record read ends up either in `raw.<source>` or in `raw.quarantine` with a reason, and the counts
are checked (`read = loaded + quarantined`). The partition is built in staging tables and swapped in with
REPLACE PARTITION, so a failed load leaves the previous data in place and a re-run replaces, never appends.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from ingest.spec import RawSource
from warehouse.connection import WarehouseConnection, partition_literal, sql_string
from warehouse.work_tables import ingest_work_tables

QUARANTINE = "raw.quarantine"
QUARANTINE_DDL = f"""
CREATE TABLE IF NOT EXISTS {QUARANTINE} (
    source LowCardinality(String) COMMENT 'raw table the record was meant for',
    _partition_date Date COMMENT 'the load partition (1970-01-01 for snapshot sources)',
    line UInt64 COMMENT 'line or record number in the source',
    reason String COMMENT 'why the record was not loaded',
    raw String COMMENT 'the record as read',
    quarantined_at DateTime DEFAULT now()
) ENGINE = MergeTree PARTITION BY (source, _partition_date) ORDER BY (source, _partition_date, line)
"""
SNAPSHOT_DAY = date(1970, 1, 1)


class LoadCountMismatch(RuntimeError):
    """Records were read that reached neither the raw table nor quarantine."""


@dataclass
class LoadResult:
    source: str
    partition: str | None
    read: int
    loaded: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)

    def metadata(self) -> dict:
        return {
            "read": self.read,
            "loaded": self.loaded,
            "quarantined": self.quarantined,
            "read = loaded + quarantined": self.read == self.loaded + self.quarantined,
            "quarantine reasons": dict(self.reasons),
        }


def create_raw_table(conn: WarehouseConnection, source: RawSource) -> None:
    conn.command("CREATE DATABASE IF NOT EXISTS raw")
    conn.command(QUARANTINE_DDL)
    columns = ",\n    ".join(
        f"`{c.name}` {c.type}" + (f" COMMENT {sql_string(c.comment)}" if c.comment else "") for c in source.columns
    )
    partition = "PARTITION BY _partition_date " if source.daily else ""
    ttl = f" TTL {source.ttl} DELETE" if source.ttl else ""
    conn.command(
        f"CREATE TABLE IF NOT EXISTS {source.table} (\n    {columns},\n"
        f"    _partition_date Date, _loaded_at DateTime DEFAULT now()\n)"
        f" ENGINE = MergeTree {partition}ORDER BY ({source.order_by}){ttl}"
        + (f" COMMENT {sql_string(source.description)}" if source.description else "")
    )
    _add_new_columns(conn, source)
    if source.ttl:
        _apply_changed_ttl(conn, source)


def _add_new_columns(conn: WarehouseConnection, source: RawSource) -> None:
    """A raw table created by an earlier version gains the columns the source has since been given (NULL for
    the rows already loaded; re-loading those days fills them)."""
    database, name = source.table.split(".")
    existing = set(
        conn.query_arrow(
            "SELECT name FROM system.columns WHERE database = {db:String} AND table = {name:String}",
            {"db": database, "name": name},
        )
        .column("name")
        .to_pylist()
    )
    for column in source.columns:
        if column.name not in existing:
            comment = f" COMMENT {sql_string(column.comment)}" if column.comment else ""
            conn.command(f"ALTER TABLE {source.table} ADD COLUMN IF NOT EXISTS `{column.name}` {column.type}{comment}")


def _apply_changed_ttl(conn: WarehouseConnection, source: RawSource) -> None:
    """If the retention was changed since the table was created, apply the new one to existing rows too.

    Rewriting the TTL of existing parts is expensive, so it runs only when the retention actually differs.
    """
    database, name = source.table.split(".")
    current = conn.scalar(
        "SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = {name:String}",
        {"db": database, "name": name},
    )
    if f"TTL {source.ttl}" not in current:
        conn.command(f"ALTER TABLE {source.table} MODIFY TTL {source.ttl} DELETE SETTINGS mutations_sync = 2")


class PartitionLoad:
    """A partition being loaded: add batches of reader records, then commit (or discard on error).

    Batches go straight into a load table in the warehouse, so memory is bounded by one batch.
    """

    def __init__(self, conn: WarehouseConnection, source: RawSource, day: date | None, text_columns: list[str]):
        self.conn, self.source, self.day = conn, source, day
        create_raw_table(conn, source)
        work = ingest_work_tables(source.name)
        self.load, self.checked, self.stage, self.stage_q = work["load"], work["checked"], work["stage"], work["stageq"]
        self.read = 0
        self.malformed: list[tuple[int, str, str]] = []
        columns = ", ".join(f"`{name}` String" for name in text_columns if name != "_line")
        conn.command(f"CREATE TABLE {self.load} (_line UInt64, {columns}) ENGINE = MergeTree ORDER BY _line")

    def add(self, records: pa.Table, malformed: list[tuple[int, str, str]] | None = None) -> None:
        if records.num_rows:
            self.conn.insert_arrow(self.load, records)
        self.read += records.num_rows + len(malformed or [])
        self.malformed += malformed or []

    def insert_select(self, select_sql: str, columns: list[str] | None = None) -> None:
        """Add the rows of a SELECT returning _line and `columns` (default: raw), run inside the warehouse (no
        rows pass through Python)."""
        names = ", ".join(f"`{c}`" for c in ["_line", *(columns or ["raw"])])
        before = self.conn.scalar(f"SELECT count() FROM {self.load}")
        self.conn.command(f"INSERT INTO {self.load} ({names}) {select_sql}")
        self.read += self.conn.scalar(f"SELECT count() FROM {self.load}") - before

    def insert_rows(self, from_sql: str, fields: Mapping[str, str], line: str = "_line") -> None:
        """Add typed rows that are already in the warehouse (`from_sql`: FROM a table or table function, WHERE
        if any). `fields` maps our field name to its column expression; each row becomes `raw`, its JSON line,
        and, for sources declared over CSV columns, each field's text (empty for NULL) as the CSV reader gives
        it, so the rows go through the same checks as their file twins."""
        json_fields = ", ".join(f"{expr} AS `{name}`" for name, expr in fields.items())
        select = f"SELECT {line}, formatRowNoNewline('JSONEachRow', {json_fields})"
        if self.source.format == "csv":
            # INSERT matches columns by position: the text aliases only need to differ from the JSON keys
            select += "".join(f", ifNull(toString({expr}), '') AS _text_{i}" for i, expr in enumerate(fields.values()))
        self.insert_select(f"{select} {from_sql}", row_columns(self.source, fields))

    def commit(self) -> LoadResult:
        conn, source = self.conn, self.source
        partition_day = self.day or SNAPSHOT_DAY
        conn.command(
            f"CREATE TABLE {self.checked} ENGINE = MergeTree ORDER BY _line AS {_checked_select(source, self.load)}"
        )
        conn.command(f"CREATE TABLE {self.stage} AS {source.table}")
        conn.command(f"CREATE TABLE {self.stage_q} AS {QUARANTINE}")
        names = ", ".join(f"`{c.name}`" for c in source.columns)
        casts = ", ".join(f"CAST(`{c.name}`, {sql_string(c.type)})" for c in source.columns)
        day_sql = f"toDate('{partition_day.isoformat()}')"
        conn.command(
            f"INSERT INTO {self.stage} ({names}, _partition_date) SELECT {casts}, {day_sql} FROM {self.checked} WHERE _reason = ''"
        )
        conn.command(
            f"INSERT INTO {self.stage_q} (source, _partition_date, line, reason, raw)"
            f" SELECT '{source.name}', {day_sql}, _line, _reason, raw FROM {self.checked} WHERE _reason != ''"
        )
        if self.malformed:
            conn.insert_arrow(self.stage_q, _quarantine_rows(source.name, partition_day, self.malformed))
        loaded = conn.scalar(f"SELECT count() FROM {self.stage}")
        reasons = conn.query_arrow(f"SELECT reason, count() AS n FROM {self.stage_q} GROUP BY reason ORDER BY reason")
        by_reason = dict(zip(reasons.column("reason").to_pylist(), reasons.column("n").to_pylist(), strict=True))
        quarantined = sum(by_reason.values())
        if self.read != loaded + quarantined:
            raise LoadCountMismatch(
                f"{source.name} {self.day}: read {self.read} records but loaded {loaded} and quarantined {quarantined}"
            )
        conn.replace_partition(source.table, self.stage, partition_literal(self.day))
        conn.replace_partition(QUARANTINE, self.stage_q, partition_literal(source.name, partition_day))
        day_text = self.day.isoformat() if self.day else None
        return LoadResult(source.name, day_text, self.read, loaded, quarantined, by_reason)

    def drop_work_tables(self) -> None:
        for table in (self.load, self.checked, self.stage, self.stage_q):
            self.conn.command(f"DROP TABLE IF EXISTS {table}")


def row_columns(source: RawSource, fields: Iterable[str]) -> list[str]:
    """The load table's columns for rows added with `PartitionLoad.insert_rows`."""
    return ["raw", *fields] if source.format == "csv" else ["raw"]


def load_partition(
    conn: WarehouseConnection,
    source: RawSource,
    records: pa.Table,
    day: date | None,
    malformed: list[tuple[int, str, str]] | None = None,
) -> LoadResult:
    """Replace `source`'s partition `day` (None for a snapshot) with `records` (reader text columns).

    `malformed` are records the reader could not even split into fields: (line, reason, text).
    """
    return load_batches(conn, source, day, records.column_names, [(records, malformed)])


def load_batches(
    conn: WarehouseConnection,
    source: RawSource,
    day: date | None,
    text_columns: list[str],
    batches,
) -> LoadResult:
    """Like `load_partition` for an iterable of (records, malformed) batches of the same columns."""
    load = PartitionLoad(conn, source, day, text_columns)
    try:
        for records, malformed in batches:
            load.add(records, malformed)
        return load.commit()
    finally:
        load.drop_work_tables()


def _quarantine_rows(source: str, day: date, rows: list[tuple[int, str, str]]) -> pa.Table:
    return pa.table(
        {
            "source": [source] * len(rows),
            "_partition_date": pa.array([day] * len(rows), pa.date32()),
            "line": pa.array([r[0] for r in rows], pa.uint64()),
            "reason": [r[1] for r in rows],
            "raw": [r[2] for r in rows],
        }
    )


def _checked_select(source: RawSource, load: str) -> str:
    """Each record with its typed columns and `_reason`: empty for a good record, else the first problem."""
    parsed = ", ".join(f"{_parse(c.expr, c.type)} AS `{c.name}`" for c in source.columns)
    conditions: list[tuple[str, str]] = []
    if source.format == "jsonl":
        conditions.append(("NOT isValidJSON(raw)", "invalid JSON"))
    conditions += [(f"`{c.name}` IS NULL", f"missing or invalid {c.name}") for c in source.columns if c.required]
    conditions += list(source.checks)
    if source.key:
        duplicate = f"row_number() OVER (PARTITION BY {source.key} ORDER BY _line) > 1"
        conditions.append((duplicate, f"duplicate {source.key_label or source.key}"))
    reason = "multiIf(" + ", ".join(f"{cond}, {sql_string(why)}" for cond, why in conditions) + ", '')"
    return f"SELECT *, {reason} AS _reason FROM (SELECT _line, raw, {parsed} FROM {load})"


def _parse(expr: str, ch_type: str) -> str:
    """`expr` cast to `ch_type`, NULL where the text does not parse (arrays cannot be Nullable: kept as is)."""
    inner = ch_type[len("Nullable(") : -1] if ch_type.startswith("Nullable(") else ch_type
    if inner.startswith("Array("):
        return f"CAST({expr}, {sql_string(inner)})"
    return f"accurateCastOrNull({expr}, {sql_string(inner)})"
