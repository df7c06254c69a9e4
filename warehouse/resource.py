"""The Dagster resource that hands out warehouse connections."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field, PrivateAttr

from warehouse.connection import WarehouseConnection
from warehouse.locations import warehouse_path

# On a server, work tables older than this are a dead run's (a live load finishes its tables within minutes).
SERVER_WORK_TABLE_AGE_SECONDS = 24 * 3600


class Warehouse(ConfigurableResource):
    """ClickHouse for ingest, exports and queries: embedded chDB (`path`) or a server.

    Outside a run, the embedded directory is opened for one operation and closed after it; a process that
    finds it busy waits up to `lock_timeout` seconds. In a Dagster run, the embedded warehouse is leased (see
    `warehouse.lease`): one run (or, with the multiprocess executor, one step) at a time, released by the
    kernel however the holder ends. While it holds the lease, the run keeps one session open from step to
    step (opening a directory loads every table's parts, about 0.27 ms a part); dbt, which runs in the
    step's process, joins it with sessions of its own.
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
    _keep_session: bool = PrivateAttr(default=False)
    _session: WarehouseConnection | None = PrivateAttr(default=None)

    @contextmanager
    def connect(self) -> Iterator[WarehouseConnection]:
        if self._keep_session and self._session is None:
            self._session = self._open()
        if self._session is not None:
            yield self._session
            return
        connection = self._open()
        try:
            yield connection
        finally:
            connection.close()

    def release_session(self) -> None:
        """Close the session a run keeps open: the directory is free for other processes after this."""
        if self._session is not None:
            session, self._session = self._session, None
            session.close()

    def _open(self) -> WarehouseConnection:
        if self.backend == "embedded":
            from warehouse.embedded import EmbeddedConnection

            return EmbeddedConnection(self.path, self.lock_timeout)
        from warehouse.server import ServerConnection

        return ServerConnection(self.host, self.port, self.user, self.password, self.secure, self.database)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["Warehouse"]:
        """For the steps that use it: hold the lease of an embedded warehouse, then clear a dead run's work
        tables (nobody else can be using them while we hold the lease)."""
        from warehouse.work_tables import drop_leftover_work_tables

        if self.backend != "embedded":
            with self.connect() as conn:
                _report_dropped(context, drop_leftover_work_tables(conn, SERVER_WORK_TABLE_AGE_SECONDS))
            yield self
            return
        from warehouse.lease import hold_lease

        with hold_lease(self.path, _holder(context), self.lock_timeout, on_wait=context.log.warning):
            self._keep_session = True
            try:
                with self.connect() as conn:
                    _report_dropped(context, drop_leftover_work_tables(conn))
                yield self
            finally:
                self._keep_session = False
                self.release_session()


def _holder(context: InitResourceContext) -> str:
    run = context.dagster_run
    return f"run {run.run_id} (job {run.job_name})" if run else "a Dagster process"


def _report_dropped(context: InitResourceContext, tables: list[str]) -> None:
    if tables:
        context.log.warning(f"Dropped {len(tables)} work tables left by a run that died: {', '.join(tables)}")
