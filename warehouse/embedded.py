"""The embedded backend: an in-process chDB session on a data directory."""

import logging
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from dbt.adapters.chdb.session import open_session

from warehouse.connection import WarehouseConnection, checked_identifier, sql_string

log = logging.getLogger(__name__)


class EmbeddedConnection(WarehouseConnection):
    reads_local_files = True

    def __init__(self, path: str, lock_timeout: float):
        self.path = path
        self._session = open_session(path, lock_timeout, on_wait=log.warning)

    def close(self) -> None:
        """Close the session (again is harmless): the directory is free for other processes after this."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def command(self, sql: str, parameters: Mapping[str, Any] | None = None) -> None:
        self._session.query(sql, "CSV", params=_params(parameters))

    def query_arrow(self, sql: str, parameters: Mapping[str, Any] | None = None) -> pa.Table:
        # Parquet rather than Arrow output: ClickHouse writes DateTime to Arrow as a bare UInt32. Read as one file:
        # pq.read_table goes through pyarrow.dataset, whose import (pandas with it) costs a short run 0.5 s.
        result = self._session.query(sql, "Parquet", params=_params(parameters))
        payload = result.bytes()
        if not payload:
            return pa.table({})
        return pq.ParquetFile(pa.BufferReader(payload)).read()

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        table = checked_identifier(table)
        columns = ", ".join(f"`{name}`" for name in data.column_names)
        arrow_source = data  # noqa: F841 - read by name through chDB's Python() table function
        self._session.query(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM Python(arrow_source)")


def _params(parameters: Mapping[str, Any] | None) -> dict | None:
    if not parameters:
        return None
    return {key: _param_text(value) for key, value in parameters.items()}


def _param_text(value: Any) -> Any:
    """chDB takes parameter values as text in ClickHouse's own literal syntax for composite types."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    return value


def _quoted(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return sql_string(value)
