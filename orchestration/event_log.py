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
"""

import atexit
import sqlite3
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster import StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# The index database and the few runs a process writes or reads at once (the webserver reads many runs in turn).
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
    kept open instead of created and disposed of for every statement."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)
        # Closing a database's last connection folds its write-ahead log into it (megabytes a run otherwise
        # left beside every run's database); a process that exits without disposing of its instance does too.
        atexit.register(_dispose_at_exit, weakref.ref(self))

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
        with self._db_lock:  # as Dagster's: one statement at a time per process, whatever the thread
            with self._engine(shard).connect() as connection, connection.begin():
                yield connection

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        # The lock above is what keeps a connection to one thread at a time, so any thread may take it.
        engine = create_engine(
            self.conn_string_for_shard(shard),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        if len(self._engines) > KEPT_DATABASES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # before the run databases' files are deleted
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


def _dispose_at_exit(storage: "weakref.ref[KeptOpenSqliteEventLogStorage]") -> None:
    if (alive := storage()) is not None:
        alive._dispose_engines()
