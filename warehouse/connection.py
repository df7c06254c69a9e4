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


def partition_literal(*values: date | str | None) -> str:
    """A PARTITION clause value from the partition key's values; no values means an unpartitioned table."""
    parts = [v.isoformat() if isinstance(v, date) else v for v in values if v is not None]
    for part in parts:
        if "'" in part or "\\" in part:
            raise ValueError(f"partition value {part!r} may not contain quotes or backslashes")
    if not parts:
        return "tuple()"
    quoted = ", ".join(f"'{p}'" for p in parts)
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
