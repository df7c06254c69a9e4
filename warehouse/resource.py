"""The Dagster resource that hands out warehouse connections."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from warehouse.connection import WarehouseConnection
from warehouse.locations import warehouse_path


class Warehouse(ConfigurableResource):
    """ClickHouse for ingest, exports and queries: embedded chDB (`path`) or a server.

    The embedded directory is opened for one operation and closed after it, so that dbt (another
    process) can open it in between; a process that finds it busy waits up to `lock_timeout` seconds.
    """

    backend: Literal["embedded", "clickhouse"] = "embedded"
    path: str = Field(default_factory=lambda: str(warehouse_path()))
    lock_timeout: float = 300.0
    host: str = "localhost"
    port: int = 8123
    user: str = "default"
    password: str = ""
    secure: bool = False
    database: str = "default"

    @contextmanager
    def connect(self) -> Iterator[WarehouseConnection]:
        if self.backend == "embedded":
            from warehouse.embedded import EmbeddedConnection

            connection = EmbeddedConnection(self.path, self.lock_timeout)
        else:
            from warehouse.server import ServerConnection

            connection = ServerConnection(self.host, self.port, self.user, self.password, self.secure, self.database)
        try:
            yield connection
        finally:
            connection.close()
