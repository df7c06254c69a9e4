"""Open a chDB session on a data directory, waiting while another process holds it.

ClickHouse locks `<path>/status` with flock for as long as an embedded server is open on the
directory, so a second process cannot open it. We wait for the lock (up to a timeout) instead of
failing at once, say which process holds it, and fail with a message that says what to do.
"""

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from chdb import session as chdb_session

POLL_SECONDS = 0.5
SERVER_CONFIG = Path(__file__).with_name("embedded_server.xml")
# A dropped table's files are removed at once, not eight minutes later (ClickHouse's default, for UNDROP):
# sessions here are shorter than that, so each open would find the work tables of earlier runs still there.
# The server's configuration file cleans replaced parts early for the same reason.
STARTUP_SETTINGS = f"database_atomic_delay_before_drop_table_sec=0&config-file={SERVER_CONFIG}"


class WarehouseBusyError(RuntimeError):
    """The chDB data directory stayed locked by another process for the whole timeout."""


def directory_is_locked(path: str) -> bool:
    """True when another process holds the ClickHouse status lock of `path`."""
    status = Path(path) / "status"
    return status.exists() and file_is_locked(status)


def file_is_locked(path: str | Path) -> bool:
    """True when another process holds a flock on the existing file `path` (FileNotFoundError if missing)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def flock_holder(path: str | Path) -> int | None:
    """The id of the process holding a flock on `path`, read from Linux's /proc/locks (None if unknown)."""
    try:
        inode = os.stat(path).st_ino
        with open("/proc/locks", encoding="ascii") as locks:
            lines = locks.read().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4242 00:2e:1234 0 EOF"; waiting requests are marked "->" and skipped
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            return int(fields[4])
    return None


def describe_process(pid: int | None) -> str:
    """`process 4242 (dbt build ...)`: a process id with the start of its command line, for messages."""
    if pid is None:
        return "another process"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = ""
    words = [Path(word).name if i == 0 or "/" in word else word for i, word in enumerate(command.split())]
    text = " ".join(words)
    return f"process {pid} ({text[:80]})" if text else f"process {pid}"


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
            return chdb_session.Session(f"{path}?{STARTUP_SETTINGS}")
        except RuntimeError as exc:
            if not directory_is_locked(path):
                raise
            holder = describe_process(flock_holder(Path(path) / "status"))
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"chDB data directory {path} is in use by {holder} "
                    f"(still locked after {timeout:g}s). Wait for that process to finish and try again, "
                    f"or raise the lock timeout (lock_timeout in the dbt profile, OTT_LOCK_TIMEOUT in ott-analytics)."
                ) from exc
            if on_wait and not announced:
                on_wait(f"chDB data directory {path} is in use by {holder}; waiting up to {timeout:g}s")
                announced = True
            time.sleep(POLL_SECONDS)
