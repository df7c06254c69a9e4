"""The server backend: a ClickHouse server or cluster through clickhouse-connect."""

from collections.abc import Mapping
from typing import Any

import clickhouse_connect
import pyarrow as pa

from warehouse.connection import WarehouseConnection, checked_identifier


class ServerConnection(WarehouseConnection):
    reads_local_files = False  # file() would read the server's disk

    def __init__(self, host: str, port: int, user: str, password: str, secure: bool, database: str):
        self._client = clickhouse_connect.get_client(
            host=host,
            port=port,
            username=user,
            password=password,
            secure=secure,
            database=database,
            settings={"mutations_sync": 2, "alter_sync": 2},
        )

    def close(self) -> None:
        self._client.close()

    def command(self, sql: str, parameters: Mapping[str, Any] | None = None) -> None:
        self._client.command(sql, parameters=dict(parameters or {}))

    def query_arrow(self, sql: str, parameters: Mapping[str, Any] | None = None) -> pa.Table:
        return self._client.query_arrow(sql, parameters=dict(parameters or {}), use_strings=True)

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        database, name = checked_identifier(table).split(".")
        self._client.insert_arrow(name, data, database=database)
