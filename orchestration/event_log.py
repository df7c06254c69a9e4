"""Dagster's SQLite storage commits every run event (dozens a run) and waits for the disk each time.

Its databases are in WAL mode, where `synchronous=NORMAL` is SQLite's own advice: a commit no longer waits for
an fsync, the database cannot be corrupted, and a killed process loses nothing it committed (only a power cut
may lose the last commits). Under a daily run's writes an fsync can take tens of milliseconds.
"""

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _commit_without_waiting_for_disk(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def relax_sqlite_commits() -> None:
    """Every SQLite connection this process opens through SQLAlchemy (Dagster's storage) commits as above."""
    if not event.contains(Engine, "connect", _commit_without_waiting_for_disk):
        event.listen(Engine, "connect", _commit_without_waiting_for_disk)
