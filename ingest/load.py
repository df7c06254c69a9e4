"""Load one partition of one source into its raw table, idempotently and without losing a record.

Every record read ends up either in `raw.<source>` or in `raw.quarantine` with a reason, and the counts
are checked (`read = loaded + quarantined`). The day is built in staging tables and swapped into its month's
partition with REPLACE PARTITION, so a failed load leaves the previous data in place and a re-run replaces,
never appends.
"""

import csv
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ingest import json_fields
from ingest.files import read_json_lines
from ingest.spec import Column, RawSource
from warehouse.connection import WarehouseConnection, partition_literal, sql_string
from warehouse.work_tables import ingest_work_tables

QUARANTINE = "raw.quarantine"
# Partitions by month: the embedded warehouse loads every part when it opens, and a partition a day was
# hundreds of parts per table a year. A load replaces its day within the month (replace_rows).
DAILY_PARTITION_KEY = "toYYYYMM(_partition_date)"
QUARANTINE_PARTITION_KEY = f"(source, {DAILY_PARTITION_KEY})"
QUARANTINE_DDL = f"""
CREATE TABLE IF NOT EXISTS {QUARANTINE} (
    source LowCardinality(String) COMMENT 'raw table the record was meant for',
    _partition_date Date COMMENT 'the load partition (1970-01-01 for snapshot sources)',
    line UInt64 COMMENT 'line or record number in the source',
    reason String COMMENT 'why the record was not loaded',
    raw String COMMENT 'the record as read',
    quarantined_at DateTime DEFAULT now()
) ENGINE = MergeTree PARTITION BY {QUARANTINE_PARTITION_KEY} ORDER BY (source, _partition_date, line)
"""
SNAPSHOT_DAY = date(1970, 1, 1)
# chDB maps whole files into memory by default (counted in the process's memory): read them instead
FILE_READS = "storage_file_read_method = 'pread'"
# a CSV record that cannot be split into its fields is left out of the read (and recorded, to be quarantined);
# fields are taken by position, whatever the header calls them
CSV_READS = (
    f"{FILE_READS}, input_format_allow_errors_num = 1000000000000, input_format_allow_errors_ratio = 1,"
    " input_format_with_names_use_header = 0, input_format_csv_skip_trailing_empty_lines = 1"
)
# an insert's memory grows with its records (about 1 MiB a thousand payment events): big files go in slices;
# each slice reads the whole file again, which costs more, against the engine's speed, for Parquet's rows
RECORDS_PER_INSERT = 700_000
PARQUET_ROWS_PER_INSERT = 1_400_000
# both views written at once, by two threads
INSERTS = "parallel_view_processing = 1, max_insert_threads = 2"
LINE = Column("_line", "UInt64", "", "the record's line (or row) in the partition's landing files, counted across them")


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
    _repartition(conn, QUARANTINE, QUARANTINE_PARTITION_KEY, lambda table: QUARANTINE_DDL.replace(QUARANTINE, table))
    conn.command(_raw_table_ddl(source, source.table))
    _add_new_columns(conn, source)
    if source.daily:
        _repartition(conn, source.table, DAILY_PARTITION_KEY, lambda table: _raw_table_ddl(source, table))
    if source.ttl:
        _apply_changed_ttl(conn, source)


def _raw_table_ddl(source: RawSource, table: str) -> str:
    columns = ",\n    ".join(
        f"`{c.name}` {c.type}" + (f" COMMENT {sql_string(c.comment)}" if c.comment else "")
        for c in (*source.columns, LINE)
    )
    partition = f"PARTITION BY {DAILY_PARTITION_KEY} " if source.daily else ""
    ttl = f" TTL {source.ttl} DELETE" if source.ttl else ""
    return (
        f"CREATE TABLE IF NOT EXISTS {table} (\n    {columns},\n"
        f"    _partition_date Date, _loaded_at DateTime DEFAULT now()\n)"
        f" ENGINE = MergeTree {partition}ORDER BY ({source.order_by}){ttl}"
        + (f" COMMENT {sql_string(source.description)}" if source.description else "")
    )


def _repartition(conn: WarehouseConnection, table: str, partition_key: str, ddl: Callable[[str], str]) -> None:
    """A table an earlier version partitioned by day is copied into a table created by `ddl(name)` and takes
    its place with one EXCHANGE (a load killed before it leaves the old table and a work table the next run
    drops)."""
    database, name = table.split(".")
    current = conn.scalar(
        "SELECT partition_key FROM system.tables WHERE database = {db:String} AND name = {name:String}",
        {"db": database, "name": name},
    )
    if _partition_key_text(current) == _partition_key_text(partition_key):
        return
    copy = ingest_work_tables(name)["repartition"]
    conn.command(f"DROP TABLE IF EXISTS {copy}")
    conn.command(ddl(copy))
    columns = ", ".join(
        f"`{c}`"
        for c in conn.query_arrow(
            "SELECT name FROM system.columns WHERE database = {db:String} AND table = {name:String}",
            {"db": database, "name": copy.split(".")[1]},
        )
        .column("name")
        .to_pylist()
    )
    conn.command(f"INSERT INTO {copy} ({columns}) SELECT {columns} FROM {table}")
    conn.command(f"OPTIMIZE TABLE {copy} FINAL")
    conn.command(f"EXCHANGE TABLES {table} AND {copy}")
    conn.command(f"DROP TABLE {copy} SYNC")  # at once: a dropped table's files otherwise stay for minutes


def _partition_key_text(key: str) -> str:
    """A partition key as text to compare: without spaces or one pair of outer parentheses (system.tables
    shows `PARTITION BY (source, x)` as `(source, x)` and a single column without them)."""
    text = key.replace(" ", "")
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


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
    for column in (*source.columns, LINE):
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


@dataclass(frozen=True)
class RecordTexts:
    """Where records' texts can be read again: `text` and `number` (its record number) over `reader`."""

    number: str
    text: str
    reader: str


class PartitionLoad:
    """A partition being loaded: add records, then commit (or discard on error).

    Every record is parsed and checked once, on its way into the work tables: through a Null-engine table
    whose two materialized views write the good records, typed, into the stage table (the raw table's twin)
    and every record's line, key, reason and text into the marks table. Duplicates of a key are then found
    in the marks and deleted from the stage. A JSON-lines or Parquet file that the embedded warehouse can
    read itself never passes through Python; other readers' batches go through a load table, so memory is
    bounded by one batch.
    """

    def __init__(self, conn: WarehouseConnection, source: RawSource, day: date | None, text_columns: list[str]):
        self.conn, self.source, self.day = conn, source, day
        create_raw_table(conn, source)
        work = ingest_work_tables(source.name)
        self.work = work
        self.load, self.checked, self.stage, self.stage_q = work["load"], work["checked"], work["stage"], work["stageq"]
        self.marks = work["marks"]
        self.read = 0
        self.malformed: list[tuple[int, str, str]] = []
        # where the text of a quarantined record is read from, if not kept in the marks (a good record's is not)
        self.texts: list[RecordTexts] = [RecordTexts("_line", "raw", self.load)]
        columns = ", ".join(f"`{name}` String" for name in text_columns if name != "_line")
        conn.command(f"CREATE TABLE {self.load} (_line UInt64, {columns}) ENGINE = MergeTree ORDER BY _line")
        conn.command(f"CREATE TABLE {self.checked} ENGINE = Null EMPTY AS {_checked_select(source, self.load)}")
        conn.command(f"CREATE TABLE {self.stage} AS {source.table}")
        if source.ttl:  # the stage must keep what was checked: rows reaching the retention mid-load leave raw later
            conn.command(f"ALTER TABLE {self.stage} REMOVE TTL")
        conn.command(f"CREATE TABLE {self.stage_q} AS {QUARANTINE}")
        key = ", _key" if source.key else ""
        marks = f"SELECT _line, _reason, raw{key} FROM {self.checked}"
        conn.command(f"CREATE TABLE {self.marks} ENGINE = MergeTree ORDER BY _line EMPTY AS {marks}")
        casts = ", ".join(f"CAST(`{c.name}`, {sql_string(c.type)}) AS `{c.name}`" for c in source.columns)
        day_sql = f"toDate('{(day or SNAPSHOT_DAY).isoformat()}')"
        conn.command(
            f"CREATE MATERIALIZED VIEW {work['tostage']} TO {self.stage}"
            f" AS SELECT {casts}, _line, {day_sql} AS _partition_date FROM {self.checked} WHERE _reason = ''"
        )
        conn.command(f"CREATE MATERIALIZED VIEW {work['tomarks']} TO {self.marks} AS {marks}")

    def add(self, records: pa.Table, malformed: list[tuple[int, str, str]] | None = None) -> None:
        if records.num_rows:
            self.conn.insert_arrow(self.load, records)
        self.read += records.num_rows + len(malformed or [])
        self.malformed += malformed or []

    def add_json_lines(self, paths: list[Path], first_line: int) -> int:
        """Add the non-empty lines of JSON-lines files; a record's number is its line in its file plus the
        lines of the files before it, counted on from `first_line`. Return the number to continue from."""
        offsets = [first_line]
        for path in paths:
            offsets.append(offsets[-1] + line_count(path))
        # a name with a comma cannot go into file()'s {a,b,...}
        readable = [warehouse_reads(self.conn, p) and "," not in p.name for p in paths]
        pending = zip(paths, offsets, offsets[1:], readable, strict=False)
        for (folder, in_warehouse), group in groupby(pending, key=lambda item: (item[0].parent, item[3])):
            group = list(group)
            if in_warehouse:
                self._insert_json_lines(folder, [(path.name, first) for path, first, _, _ in group], group[-1][2])
                continue
            for path, first, _, _ in group:
                records = read_json_lines(path)
                numbers = pc.add(records.column("_line"), pa.scalar(first - 1, pa.uint64()))
                self.add(records.set_column(0, "_line", numbers))
        return offsets[-1]

    def _insert_json_lines(self, folder: Path, files: list[tuple[str, int]], end: int) -> None:
        """Read `folder`'s files (name, first line number; the last ends before line `end`) by the warehouse's
        file(), all in one read, or one read per slice of RECORDS_PER_INSERT lines."""
        if len(files) == 1:
            pattern, offset = str(folder / files[0][0]), str(files[0][1])
        else:  # {a,b,...} is file()'s list of alternatives
            pattern = str(folder / ("{" + ",".join(name for name, _ in files) + "}"))
            names = "[" + ", ".join(sql_string(name) for name, _ in files) + "]"
            offset = f"transform(_file, {names}, [{', '.join(str(first) for _, first in files)}], 0)"
        text = r"toValidUTF8(trimRight(line, '\r'))"
        reader = f"file({sql_string(pattern)}, 'LineAsString')"
        for start in range(files[0][1], end, RECORDS_PER_INSERT):
            numbered = (
                f"SELECT _row_number + {offset} AS _line, line FROM {reader}"
                f" WHERE _line >= {start} AND _line < {start + RECORDS_PER_INSERT}"
            )
            lines = f"(SELECT _line, {text} AS raw FROM ({numbered}) WHERE notEmpty(trimBoth(raw, ' \\t\\n\\v\\f')))"
            self._insert_checked(lines)
        self.texts.append(RecordTexts(f"_row_number + {offset}", text, reader))

    def add_parquet_rows(self, path: Path, first_line: int, rows: int, columns: Mapping[str, str]) -> None:
        """Add a Parquet file's rows straight from the warehouse's file() (JSON-lines sources): `columns` maps
        a Parquet column to its value's text. A row's JSON line is written only if it is quarantined."""
        keys = json_fields.keys_read(c.expr for c in self.source.columns)
        texts = ", ".join(columns.get(key, "NULL") for key in keys)
        shape = sql_string(json_fields.shape(keys))
        for start in range(0, rows, PARQUET_ROWS_PER_INSERT):
            records = (
                f"(SELECT _row_number + {int(first_line)} AS _line, '' AS raw, CAST(tuple({texts}), {shape})"
                f" AS {json_fields.PARSED} FROM file({sql_string(str(path))}, 'Parquet')"
                f" WHERE _row_number >= {start} AND _row_number < {start + PARQUET_ROWS_PER_INSERT})"
            )
            self._insert_checked(records, with_json=True)
        as_json = ", ".join(f"`{name}`" for name in columns)
        reader = f"file({sql_string(str(path))}, 'Parquet')"
        self.texts.append(
            RecordTexts(f"_row_number + {int(first_line)}", f"formatRowNoNewline('JSONEachRow', {as_json})", reader)
        )

    def add_csv_file(self, path: Path, header: list[str]) -> None:
        """Add a CSV file's records, read by the warehouse's file(); a record with the wrong number of fields is
        quarantined as malformed. A record's number is its line when no field spans lines (the header is 1)."""
        with tempfile.TemporaryDirectory(prefix="ott-csv-") as folder:
            errors = Path(folder) / "errors.csv"
            self._insert_csv(path, header, errors, [])
            unread = self._malformed_csv_rows(errors, len(header)) if errors.exists() else []
        if unread:  # the records after an unread row were numbered too low: number them again
            for table in (self.stage, self.marks):
                self.conn.command(f"TRUNCATE TABLE {table}")
            self.read = 0
            self.texts.pop()
            self._insert_csv(path, header, None, [line for line, _, _ in unread])
            malformed = [row for row in unread if row[2].strip()]  # a blank line is no record
            self.read += len(malformed)
            self.malformed += malformed

    def _insert_csv(self, path: Path, header: list[str], errors: Path | None, malformed_lines: list[int]) -> None:
        structure = sql_string(", ".join(f"`{name}` String" for name in header))
        settings = CSV_READS + (f", input_format_record_errors_file_path = {sql_string(str(errors))}" if errors else "")
        reader = f"(SELECT _row_number AS _row, * FROM file({sql_string(str(path))}, 'CSVWithNames', {structure}) SETTINGS {settings})"
        # the good records before a malformed one on line L: L - 2 - (malformed ones before it)
        before = [line - 2 - i for i, line in enumerate(sorted(malformed_lines))]
        number = f"_row + 2 + arrayCount(x -> x <= _row, [{', '.join(map(str, before))}]::Array(UInt64))"
        columns = ", ".join(f"`{name}`" for name in header)
        self._insert_checked(f"(SELECT {number} AS _line, '' AS raw, {columns} FROM {reader})")
        self.texts.append(RecordTexts(number, f"arrayStringConcat([{columns}], ',')", reader))

    def _malformed_csv_rows(self, errors: Path, expected: int) -> list[tuple[int, str, str]]:
        """The records the CSV reader could not split into `expected` fields: (line, reason, text)."""
        rows = self.conn.query_arrow(
            f"SELECT offset, raw_data FROM file({sql_string(str(errors))}, 'CSV',"
            " 'time String, database Nullable(String), table Nullable(String), offset UInt64, reason String,"
            " raw_data String')"
        ).to_pylist()
        found = []
        for row in rows:
            fields = len(next(csv.reader([row["raw_data"]]), []))
            found.append(
                (row["offset"] + 1, f"malformed CSV row: expected {expected} fields, got {fields}", row["raw_data"])
            )
        return sorted(found)

    def _insert_checked(self, records: str, with_json: bool = False) -> None:
        before = self.conn.scalar(f"SELECT count() FROM {self.marks}")
        self.conn.command(
            f"INSERT INTO {self.checked} {_checked_select(self.source, records, with_json)}"
            f" SETTINGS {FILE_READS}, {INSERTS}"
        )
        self.read += self.conn.scalar(f"SELECT count() FROM {self.marks}") - before

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
        as_json = ", ".join(f"{expr} AS `{name}`" for name, expr in fields.items())
        select = f"SELECT {line}, formatRowNoNewline('JSONEachRow', {as_json})"
        if self.source.format == "csv":
            # INSERT matches columns by position: the text aliases only need to differ from the JSON keys
            select += "".join(f", ifNull(toString({expr}), '') AS _text_{i}" for i, expr in enumerate(fields.values()))
        self.insert_select(f"{select} {from_sql}", row_columns(self.source, fields))

    def commit(self) -> LoadResult:
        conn, source = self.conn, self.source
        partition_day = self.day or SNAPSHOT_DAY
        if conn.scalar(f"SELECT count() FROM {self.load}"):
            conn.command(f"INSERT INTO {self.checked} {_checked_select(source, self.load)} SETTINGS {INSERTS}")
        reason, bad = "_reason", "_reason != ''"
        if source.key:
            first = f"SELECT min(_line) FROM {self.marks} GROUP BY _key"
            dups = self.work["dups"]
            conn.command(
                f"CREATE TABLE {dups} ENGINE = MergeTree ORDER BY _line"
                f" AS SELECT _line FROM {self.marks} WHERE _reason = '' AND _line NOT IN ({first})"
            )
            if conn.scalar(f"SELECT count() FROM {dups}"):
                conn.command(f"DELETE FROM {self.stage} WHERE _line IN {dups}")
            reason = f"if(_reason != '', _reason, {sql_string('duplicate ' + (source.key_label or source.key))})"
            bad += f" OR _line IN {dups}"
        day_sql = f"toDate('{partition_day.isoformat()}')"
        into_quarantine = f"INSERT INTO {self.stage_q} (source, _partition_date, line, reason, raw)"
        conn.command(
            f"{into_quarantine} SELECT '{source.name}', {day_sql}, _line, {reason}, raw FROM {self.marks}"
            f" WHERE ({bad}) AND raw != ''"
        )
        late = f"SELECT _line, {reason} AS reason FROM {self.marks} WHERE ({bad}) AND raw = ''"
        for texts in self.texts if conn.scalar(f"SELECT count() FROM ({late})") else []:
            wanted = (
                f"SELECT {texts.number} AS file_line, {texts.text} AS text FROM {texts.reader}"
                f" WHERE {texts.number} IN (SELECT _line FROM ({late}))"
            )
            conn.command(
                f"{into_quarantine} SELECT '{source.name}', {day_sql}, _line, reason, text"
                f" FROM ({wanted}) AS records INNER JOIN ({late}) AS quarantined ON file_line = _line"
                f" SETTINGS {FILE_READS}"
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
        day_rows = f"_partition_date = {day_sql}"
        if self.day:
            conn.replace_rows(
                source.table, self.stage, partition_literal(month_of(self.day)), day_rows, self.work["month"]
            )
            conn.merge_settled_partitions(source.table)
        else:
            conn.replace_partition(source.table, self.stage, partition_literal())
        conn.replace_rows(
            QUARANTINE,
            self.stage_q,
            partition_literal(source.name, month_of(partition_day)),
            f"source = {sql_string(source.name)} AND {day_rows}",
            self.work["monthq"],
        )
        conn.merge_settled_partitions(QUARANTINE)
        day_text = self.day.isoformat() if self.day else None
        return LoadResult(source.name, day_text, self.read, loaded, quarantined, by_reason)

    def drop_work_tables(self) -> None:
        for table in self.work.values():  # the views first: they name the tables they read and write
            self.conn.command(f"DROP TABLE IF EXISTS {table}")


def month_of(day: date) -> int:
    """The `toYYYYMM` month of a day: the partition its rows are in."""
    return day.year * 100 + day.month


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


def _checked_select(source: RawSource, records: str, with_json: bool = False) -> str:
    """Each record of `records` (a table or subquery of `_line`, `raw` and the reader's text columns) with its
    typed columns and `_reason`: empty for a good record, else the first problem. Duplicates are found over
    the whole partition afterwards, by `_key`. `with_json`: records that come with their `_json` already (and
    their `raw` left empty, to be written only if they are quarantined)."""
    typed = typed_columns(source)
    conditions: list[tuple[str, str]] = []
    inner = f"SELECT * FROM {records}"
    if source.format == "jsonl" and not with_json:
        conditions.append(("NOT isValidJSON(raw)", "invalid JSON"))
        conditions.append(("NOT startsWith(trimLeft(raw), '{')", "not a JSON object"))
        inner = f"SELECT _line, raw, {json_fields.parse_once(c.expr for c in source.columns)} FROM {records}"
    conditions += [(f"`{c.name}` IS NULL", f"missing or invalid {c.name}") for c in source.columns if c.required]
    conditions += list(source.checks)
    reason = "multiIf(" + ", ".join(f"{cond}, {sql_string(why)}" for cond, why in conditions) + ", '')"
    key = f", ({source.key}) AS _key" if source.key else ""
    checked = f"SELECT *, {reason} AS _reason{key} FROM (SELECT _line, raw, {typed} FROM ({inner}))"
    # a good record's text is not carried on: it is read again only if the record turns out a duplicate
    return f"SELECT * EXCEPT (raw), if(_reason = '', '', raw) AS raw FROM ({checked})"


def typed_columns(source: RawSource) -> str:
    """Each of `source`'s columns cast from its expression, NULL where the text does not parse."""
    return ", ".join(f"{_parse(c.expr, c.type)} AS `{c.name}`" for c in source.columns)


def warehouse_reads(conn: WarehouseConnection, path: Path) -> bool:
    """Whether the warehouse's file() can read `path` itself: it sees this machine's files, and the path
    names one file (file() expands *, ? and {a,b} as globs)."""
    return conn.reads_local_files and not any(c in str(path) for c in "*?{}")


def line_count(path: Path) -> int:
    """The number of lines in a file (a last line without a newline counts)."""
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _parse(expr: str, ch_type: str) -> str:
    """`expr` cast to `ch_type`, NULL where the text does not parse (arrays cannot be Nullable: kept as is)."""
    inner = ch_type[len("Nullable(") : -1] if ch_type.startswith("Nullable(") else ch_type
    if inner.startswith("Array("):
        return f"CAST({expr}, {sql_string(inner)})"
    return f"accurateCastOrNull({expr}, {sql_string(inner)})"
