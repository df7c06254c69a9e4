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

from ingest.load import LoadResult, PartitionLoad, row_columns
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


def rows_sql(pg: PostgresTable, time_column: str | None = None, day: date | None = None) -> str:
    """FROM the table function, with the UTC day's range as a WHERE that ClickHouse pushes down to PostgreSQL."""
    if day is None:
        return f"FROM {pg.table_function()}"
    lower, upper = day.isoformat(), (day + timedelta(days=1)).isoformat()
    time = _identifier(time_column or "")
    return (
        f"FROM {pg.table_function()}"
        f" WHERE {time} >= toDateTime64('{lower} 00:00:00', 6, 'UTC') AND {time} < toDateTime64('{upper} 00:00:00', 6, 'UTC')"
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
    load = PartitionLoad(conn, source, day, row_columns(source, columns))
    try:
        try:
            fields = {name: _identifier(column) for name, column in columns.items()}
            load.insert_rows(rows_sql(pg, time_column, day), fields, line="rowNumberInAllBlocks() + 1")
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
