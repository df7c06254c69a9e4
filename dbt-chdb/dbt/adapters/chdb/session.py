"""Open a chDB session on a data directory, waiting while another process holds it.

ClickHouse locks `<path>/status` with flock for as long as an embedded server is open on the
directory, so a second process cannot open it. We wait for the lock (up to a timeout) instead of
failing at once, and fail with a message that says what is going on.
"""

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from chdb import session as chdb_session

POLL_SECONDS = 0.5


class WarehouseBusyError(RuntimeError):
    """The chDB data directory stayed locked by another process for the whole timeout."""


def directory_is_locked(path: str) -> bool:
    """True when another process holds the ClickHouse status lock of `path`."""
    status = Path(path) / "status"
    if not status.exists():
        return False
    fd = os.open(status, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def open_session(
    path: str,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
) -> chdb_session.Session:
    """Open `path` (created if missing); wait up to `timeout` seconds while another process has it."""
    Path(path).mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            return chdb_session.Session(path)
        except RuntimeError as exc:
            if not directory_is_locked(path):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"chDB data directory {path} is in use by another process "
                    f"(still locked after {timeout:g}s). Wait for the other run to finish, "
                    f"or raise the lock timeout."
                ) from exc
            if on_wait and not announced:
                on_wait(f"chDB data directory {path} is in use by another process; waiting up to {timeout:g}s")
                announced = True
            time.sleep(POLL_SECONDS)
