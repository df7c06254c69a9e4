"""Read a day of a PostgreSQL table through ClickHouse's `postgresql()` table function.

The time range is a WHERE on the table function, which ClickHouse pushes down to PostgreSQL, so only the
day's rows cross the wire; each row becomes a JSON line (`formatRowNoNewline`) inside the warehouse and goes
through the same validation as the file variant. No row passes through Python.
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


def day_select(pg: PostgresTable, columns: Mapping[str, str], time_column: str, day: date) -> str:
    """SELECT (_line, raw) of one UTC day: `columns` maps the JSON key to the PostgreSQL column."""
    fields = ", ".join(f"{_identifier(column)} AS {_identifier(key)}" for key, column in columns.items())
    lower, upper = day.isoformat(), (day + timedelta(days=1)).isoformat()
    time = _identifier(time_column)
    return (
        f"SELECT rowNumberInAllBlocks() + 1 AS _line, formatRowNoNewline('JSONEachRow', {fields}) AS raw"
        f" FROM {pg.table_function()}"
        f" WHERE {time} >= toDateTime64('{lower} 00:00:00', 6, 'UTC') AND {time} < toDateTime64('{upper} 00:00:00', 6, 'UTC')"
    )


def load_postgres_day(
    conn: WarehouseConnection,
    source: RawSource,
    pg: PostgresTable,
    columns: Mapping[str, str],
    time_column: str,
    day: date,
) -> LoadResult:
    load = PartitionLoad(conn, source, day, ["raw"])
    try:
        try:
            load.insert_select(day_select(pg, columns, time_column, day))
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
