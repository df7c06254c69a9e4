"""Parquet landing files: typed columns go into the warehouse as they are and become text there.

Each row is turned into a JSON line by `formatRowNoNewline` inside the warehouse (and, for sources declared
over CSV columns, each field into its text), so a Parquet record goes through exactly the same field mapping
and checks as its JSON-lines or CSV twin and reaches quarantine as readable text; no row passes through Python.
"""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.load import PartitionLoad, warehouse_reads


class UnsupportedParquetColumn(ValueError):
    """A Parquet column whose type has no JSON-lines counterpart here (nested types)."""


def clickhouse_type(name: str, arrow_type: pa.DataType) -> str:
    """The Nullable ClickHouse type a Parquet column is staged as."""
    if pa.types.is_dictionary(arrow_type):
        return clickhouse_type(name, arrow_type.value_type)
    if pa.types.is_boolean(arrow_type):
        inner = "Bool"
    elif pa.types.is_unsigned_integer(arrow_type):
        inner = "UInt64"
    elif pa.types.is_integer(arrow_type):
        inner = "Int64"
    elif pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        inner = (
            "Float64" if pa.types.is_floating(arrow_type) else f"Decimal({arrow_type.precision}, {arrow_type.scale})"
        )
    elif pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        inner = "String"
    elif pa.types.is_timestamp(arrow_type):
        inner = "DateTime64(3, 'UTC')"
    elif pa.types.is_date(arrow_type):
        inner = "Date32"
    else:
        raise UnsupportedParquetColumn(f"Parquet column {name!r} has type {arrow_type}, which cannot be loaded")
    return f"Nullable({inner})"


def _staged(table: pa.Table) -> pa.Table:
    """Dictionary columns decoded and timestamps in UTC milliseconds (naive ones are taken as UTC)."""
    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp("ms", tz="UTC"))
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def add_parquet_file(load: PartitionLoad, path: Path, first_line: int) -> int:
    """Add every row of `path` to `load`, numbered from `first_line`; return the row count."""
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    for name in schema.names:
        if name in ("_line", "raw") or "`" in name:
            raise UnsupportedParquetColumn(f"{path}: column name {name!r} is not allowed")
    types = {name: clickhouse_type(name, schema.field(name).type) for name in schema.names}
    rows = parquet.metadata.num_rows
    if load.source.format == "jsonl" and warehouse_reads(load.conn, path):
        texts = {name: _text(name, schema.field(name).type) for name in schema.names}
        load.add_parquet_rows(path, first_line, rows, texts)
        return rows
    table = _staged(pq.read_table(path))
    numbered = table.add_column(0, "_line", pa.array(range(first_line, first_line + table.num_rows), pa.uint64()))
    work = load.work["parquet"]
    columns = ", ".join(f"`{name}` {kind}" for name, kind in types.items())
    conn = load.conn
    conn.command(f"CREATE TABLE {work} (_line UInt64, {columns}) ENGINE = MergeTree ORDER BY _line")
    try:
        if numbered.num_rows:
            conn.insert_arrow(work, numbered)
        load.insert_rows(f"FROM {work}", {name: f"`{name}`" for name in types})
    finally:
        conn.command(f"DROP TABLE IF EXISTS {work}")
    return rows


def _text(name: str, arrow_type: pa.DataType) -> str:
    """A Parquet column's value as the text its JSON line would give (timestamps in UTC)."""
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_timestamp(arrow_type):
        return f"toString(toTimeZone(`{name}`, 'UTC'))"
    return f"toString(`{name}`)"
