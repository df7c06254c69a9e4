"""Dagster's SQLite storage, made cheap per event: a run writes one event per step start, output, materialization
and check (about 80 for an hourly run, hundreds for the daily one).

- Commits: its databases are in WAL mode, where `synchronous=NORMAL` is SQLite's own advice: a commit no longer
  waits for an fsync, the database cannot be corrupted, and a killed process loses nothing it committed (only a
  power cut may lose the last commits). Under a daily run's writes an fsync can take tens of milliseconds.
- Connections: `SqliteEventLogStorage` creates an engine, opens a connection and closes it for every event;
  closing a WAL database's last connection checkpoints it, which waits for the disk. `KeptOpenSqliteEventLogStorage`
  keeps an engine (and its pooled connection) per database for the few databases in use, so an event costs an
  insert and a commit: the 82 events of an hourly run on the demo world took 2.2 to 3.3 s to store, 0.9 to 1.0 s
  kept open.
- Schema checks: before most writes and reads Dagster asks whether a table, a column or a completed data migration
  exists, each time with a query of SQLite's schema (and, for a table, a new engine and connection). What exists
  stays while the process runs; the answers found yes are kept, as Dagster's PostgreSQL storage keeps its own.
"""

import atexit
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster import StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# The index databases and the few runs a process writes or reads at once (the webserver reads many runs in turn).
KEPT_DATABASES = 8


def _commit_without_waiting_for_disk(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def relax_sqlite_commits() -> None:
    """Every SQLite connection this process opens through SQLAlchemy (Dagster's storage) commits as above."""
    if not event.contains(Engine, "connect", _commit_without_waiting_for_disk):
        event.listen(Engine, "connect", _commit_without_waiting_for_disk)


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's per-run SQLite event log (same files, same schema) with the engines of the databases last used
    kept open instead of created and disposed of for every statement. The engines are the process's, shared by
    every instance it opens (a test session or a command opens many), so what it keeps open stays bounded."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._present: set[tuple[str, str]] = set()  # (kind, name) of the tables, columns and migrations found
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> dict:
        return {"base_dir": StringSource}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> "KeptOpenSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:  # as Dagster's: one statement at a time per instance, whatever the thread
            engine = _kept_engine(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def has_table(self, table_name: str) -> bool:
        return self._found(("table", table_name), super().has_table, table_name)

    def has_asset_key_col(self, column_name: str) -> bool:
        return self._found(("asset_keys column", column_name), super().has_asset_key_col, column_name)

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        return self._found(
            ("asset_keys column", column_name), super()._has_asset_key_col_on_connection, conn, column_name
        )

    def has_secondary_index(self, name: str) -> bool:
        return self._found(("migration", name), super().has_secondary_index, name)

    def _found(self, fact: tuple[str, str], ask: Callable[..., bool], *args: Any) -> bool:
        """A schema fact: asked until it holds (a migration may add it while the process runs), then kept."""
        if fact in self._present:
            return True
        present = ask(*args)
        if present:
            self._present.add(fact)
        return present

    def _dispose_engines(self) -> None:
        index = self.conn_string_for_shard(INDEX_SHARD_NAME)
        _dispose_kept_engines(index.removesuffix(f"{INDEX_SHARD_NAME}.db"))  # this directory's databases

    def wipe(self) -> None:
        self._dispose_engines()  # before the run databases' files are deleted
        self._present.clear()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


_engines: OrderedDict[str, Engine] = OrderedDict()  # by connection string, the most recently used last
_engines_lock = threading.Lock()


def _kept_engine(url: str) -> Engine:
    with _engines_lock:
        engine = _engines.get(url)
        if engine is not None:
            _engines.move_to_end(url)
            return engine
        # A connection is used by one thread at a time (the storage's lock), so any thread may take it.
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
        _engines[url] = engine
        if len(_engines) > KEPT_DATABASES:
            _engines.popitem(last=False)[1].dispose()  # a connection in use is closed when it is given back
        return engine


def _dispose_kept_engines(prefix: str = "") -> None:
    """Close the kept engines whose connection string starts with `prefix`. Closing a database's last connection
    folds its write-ahead log into it (2.5 to 3 MB a run otherwise left beside every run's database)."""
    with _engines_lock:
        for url in [url for url in _engines if url.startswith(prefix)]:
            _engines.pop(url).dispose()


atexit.register(_dispose_kept_engines)
