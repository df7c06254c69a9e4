"""Operations every warehouse backend offers, written once over three primitives."""

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:  # pandas costs 0.3 s to import, and an hourly run never needs it
    import pandas as pd

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def checked_identifier(name: str) -> str:
    """`name` if it is a plain (optionally database-qualified) identifier, else a ValueError."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid table identifier: {name!r}")
    return name


def sql_string(value: object) -> str:
    """`value` as a ClickHouse string literal, backslashes and quotes escaped."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def partition_literal(*values: date | str | int | None) -> str:
    """A PARTITION clause value from the partition key's values (an int as a number, such as a `toYYYYMM`
    month); no values means an unpartitioned table."""
    parts = [v.isoformat() if isinstance(v, date) else v for v in values if v is not None]
    for part in parts:
        if isinstance(part, str) and ("'" in part or "\\" in part):
            raise ValueError(f"partition value {part!r} may not contain quotes or backslashes")
    if not parts:
        return "tuple()"
    quoted = ", ".join(str(p) if isinstance(p, int) else f"'{p}'" for p in parts)
    return quoted if len(parts) == 1 else f"({quoted})"


class WarehouseConnection(ABC):
    """An open connection. Parameters are bound server-side as ClickHouse `{name:Type}` placeholders."""

    reads_local_files: bool  # whether the warehouse's file() reads this machine's files

    @abstractmethod
    def command(self, sql: str, parameters: Mapping[str, Any] | None = None) -> None:
        """Run a statement that returns no rows."""

    @abstractmethod
    def query_arrow(self, sql: str, parameters: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a query and return its result as an Arrow table with ClickHouse types mapped."""

    @abstractmethod
    def insert_arrow(self, table: str, data: pa.Table) -> None:
        """Insert an Arrow table column by column (no Python row loop); columns matched by name."""

    def query_df(self, sql: str, parameters: Mapping[str, Any] | None = None) -> "pd.DataFrame":
        return self.query_arrow(sql, parameters).to_pandas()

    def scalar(self, sql: str, parameters: Mapping[str, Any] | None = None) -> Any:
        result = self.query_arrow(sql, parameters)
        return result.column(0)[0].as_py() if result.num_rows else None

    def replace_partition(self, target: str, staging: str, partition: str) -> None:
        """Make `target`'s partition hold exactly what `staging` holds, in one atomic step.

        `partition` is a literal from `partition_literal`; `tuple()` is the whole of an unpartitioned
        table. An empty staging table empties the partition: a re-run that finds nothing leaves nothing.
        """
        target, staging = checked_identifier(target), checked_identifier(staging)
        staged = self.scalar(f"SELECT count() FROM {staging}")
        if staged:
            self.command(f"ALTER TABLE {target} REPLACE PARTITION {partition} FROM {staging}")
        elif partition == "tuple()":
            self.command(f"TRUNCATE TABLE {target}")
        else:
            self.command(f"ALTER TABLE {target} DROP PARTITION {partition}")

    def replace_rows(self, target: str, staging: str, partition: str, rows: str, work: str) -> None:
        """Make the rows of `target`'s `partition` that match the condition `rows` exactly what `staging`
        holds, in one atomic step, leaving the partition's other rows as they are (a day of a month partition).

        When no such row is there yet (a new day), `staging`'s part is added (ATTACH PARTITION FROM). Else the
        partition is built in the work table `work` from hard links of `target`'s parts: the other rows of the
        parts that hold such rows besides others are copied into a new part, every part holding such rows is
        dropped, `staging`'s parts are added, and the partition is swapped into `target` with REPLACE
        PARTITION. Merges are off in the work table, so parts move as they are; `merge_settled_partitions`
        merges them later. No mutation is used: a lightweight delete would leave a mask on the part, and
        removing it (APPLY DELETED MASK) waits on the warehouse's background pool for seconds.
        """
        target, staging, work = checked_identifier(target), checked_identifier(staging), checked_identifier(work)
        staged_parts = self.scalar(f"SELECT uniqExact(_part) FROM {staging}")
        if staged_parts > 1:  # one part for the day in the month: the month takes a part a day
            self.command(f"OPTIMIZE TABLE {staging} FINAL")
        if not self.scalar(f"SELECT count() FROM {target} WHERE {rows}"):  # a new day: its part added, atomic alone
            if staged_parts:
                self.command(f"ALTER TABLE {target} ATTACH PARTITION {partition} FROM {staging}")
            return
        self.command(f"DROP TABLE IF EXISTS {work}")
        self.command(f"CREATE TABLE {work} AS {target}")
        try:
            self.command(f"ALTER TABLE {work} MODIFY SETTING max_bytes_to_merge_at_max_space_in_pool = 1")
            self.command(f"ALTER TABLE {work} ATTACH PARTITION {partition} FROM {target}")
            matching = self.query_arrow(
                f"SELECT _part AS part, countIf({rows}) AS matching, count() AS rows FROM {work}"
                f" GROUP BY _part HAVING matching > 0"
            ).to_pylist()
            shared = [part["part"] for part in matching if part["matching"] < part["rows"]]
            if shared:  # their other rows are copied into a new part (no mutation: see the docstring)
                parts = ", ".join(sql_string(name) for name in shared)
                self.command(
                    f"INSERT INTO {work} SELECT * FROM {work} WHERE _part IN ({parts}) AND NOT ifNull(({rows}), 0)"
                )
            for part in matching:
                self.command(f"ALTER TABLE {work} DROP PART {sql_string(part['part'])}")
            if staged_parts:
                self.command(f"ALTER TABLE {work} ATTACH PARTITION {partition} FROM {staging}")
            self.replace_partition(target, work, partition)
        finally:
            self.command(f"DROP TABLE IF EXISTS {work}")

    def merge_settled_partitions(self, table: str) -> None:
        """Merge each partition of `table` with more than one part (or with deleted rows) into one, except those
        of the newest month (taking a part a day: merging them at each load would rewrite the month so far and
        mix the days a later load drops part by part). The embedded warehouse reads every part's files when it
        opens, and its short sessions leave background merges no time."""
        database, name = checked_identifier(table).split(".")
        unmerged = self.query_arrow(
            "SELECT partition_id FROM system.parts WHERE active AND database = {db:String} AND table = {name:String}"
            " GROUP BY partition_id HAVING (count() > 1 OR max(has_lightweight_delete))"
            " AND toStartOfMonth(max(max_date)) < (SELECT toStartOfMonth(max(max_date)) FROM system.parts"
            " WHERE active AND database = {db:String} AND table = {name:String})",
            {"db": database, "name": name},
        ).to_pylist()
        for partition in unmerged:
            self.command(f"OPTIMIZE TABLE {table} PARTITION ID {sql_string(partition['partition_id'])} FINAL")
