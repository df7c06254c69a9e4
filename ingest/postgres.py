"""Read a day of a PostgreSQL table (or all of a snapshot table) through ClickHouse's `postgresql()` table
function.

The time range is a WHERE on the table function, which ClickHouse pushes down to PostgreSQL, so only the
day's rows cross the wire; each row becomes a JSON line (`formatRowNoNewline`) inside the warehouse, plus its
fields as text for sources declared over CSV columns, and goes through the same validation as the file
variant. No row passes through Python.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.load import LoadResult, PartitionLoad
from ingest.spec import RawSource
from warehouse.connection import WarehouseConnection, sql_string


@dataclass(frozen=True)
class PostgresTable:
    host: str
    port: int
    database: str
    user: str
    password: str
    table: str
    schema: str = "public"

    def table_function(self) -> str:
        args = [f"{self.host}:{self.port}", self.database, self.table, self.user, self.password, self.schema]
        return "postgresql(" + ", ".join(sql_string(a) for a in args) + ")"

    def redact(self, text: str) -> str:
        """`text` with the password masked, for error messages that may quote the query."""
        return text.replace(self.password, "***") if self.password else text


class PostgresLoadError(RuntimeError):
    """Reading from PostgreSQL failed; the message never contains the password."""


def day_select(pg: PostgresTable, columns: Mapping[str, str], time_column: str, day: date, text: bool = False) -> str:
    """SELECT of one UTC day: `columns` maps our field name to the PostgreSQL column; see `table_select`."""
    lower, upper = day.isoformat(), (day + timedelta(days=1)).isoformat()
    time = _identifier(time_column)
    return table_select(pg, columns, text) + (
        f" WHERE {time} >= toDateTime64('{lower} 00:00:00', 6, 'UTC') AND {time} < toDateTime64('{upper} 00:00:00', 6, 'UTC')"
    )


def table_select(pg: PostgresTable, columns: Mapping[str, str], text: bool = False) -> str:
    """SELECT (_line, raw) where raw is the row as a JSON line; with `text`, also every field as text (empty
    for NULL) under our name, the shape the CSV reader gives, for sources declared over CSV columns."""
    fields = ", ".join(f"{_identifier(column)} AS {_identifier(key)}" for key, column in columns.items())
    # INSERT matches columns by position: the text aliases only need to differ from the JSON keys
    texts = "".join(f", ifNull(toString({_identifier(c)}), '') AS _text_{i}" for i, c in enumerate(columns.values()))
    return (
        f"SELECT rowNumberInAllBlocks() + 1 AS _line, formatRowNoNewline('JSONEachRow', {fields}) AS raw"
        f"{texts if text else ''} FROM {pg.table_function()}"
    )


def load_postgres_partition(
    conn: WarehouseConnection,
    source: RawSource,
    pg: PostgresTable,
    columns: Mapping[str, str],
    time_column: str | None,
    day: date | None,
) -> LoadResult:
    """Replace `source`'s partition `day` with that day's rows (`time_column` in the UTC day), or, for a
    snapshot source (day None), the whole table with every row."""
    text = source.format == "csv"
    names = ["raw", *columns] if text else ["raw"]
    load = PartitionLoad(conn, source, day, names)
    try:
        try:
            if day is None:
                load.insert_select(table_select(pg, columns, text), names)
            else:
                load.insert_select(day_select(pg, columns, time_column, day, text), names)
        except Exception as exc:
            raise PostgresLoadError(
                f"reading {pg.schema}.{pg.table} from {pg.host}:{pg.port} failed: {pg.redact(str(exc))}"
            ) from None
        return load.commit()
    finally:
        load.drop_work_tables()


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain column name: {name!r}")
    return f"`{name}`"
