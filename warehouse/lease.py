"""The warehouse lease: one Dagster run or step at a time works on an embedded warehouse.

The lease is a kernel lock (flock) on `<warehouse directory>.lease`. However its holder ends (done, failed,
SIGKILL, out of memory, machine restart) the kernel releases the lock, so a dead run never blocks the runs
after it and nobody has to free anything by hand. The holder writes who it is into the file, so that a
waiter can say what it waits for.
"""

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from dbt.adapters.chdb.session import POLL_SECONDS, WarehouseBusyError, describe_process, flock_holder

# While waiting, say again who holds the lease this often (a long wait stays visible in logs and the UI).
REMIND_SECONDS = 60.0


def lease_path(warehouse_path: str | Path) -> Path:
    path = Path(warehouse_path)
    return path.with_name(path.name + ".lease")


def lease_holder(warehouse_path: str | Path) -> str | None:
    """Who holds the lease now, in words (None when it is free)."""
    path = lease_path(warehouse_path)
    pid = flock_holder(path) if path.exists() else None
    if pid is None:
        return None
    try:
        written = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        written = {}
    if written.get("pid") != pid:  # the holder has not written its name yet
        return describe_process(pid)
    return f"{written['holder']}, {describe_process(pid)}, since {written['since']}"


@contextmanager
def hold_lease(
    warehouse_path: str | Path,
    holder: str,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse lease for the block; wait up to `timeout` seconds while someone else has it."""
    path = lease_path(warehouse_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, warehouse_path, timeout, on_wait)
        since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"holder": holder, "pid": os.getpid(), "since": since}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, warehouse_path: str | Path, timeout: float, on_wait: Callable[[str], None] | None) -> None:
    started = time.monotonic()
    last_said = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if last_said is not None and on_wait:
                on_wait(f"The warehouse is free after {time.monotonic() - started:.0f}s of waiting; going on.")
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        holder = lease_holder(warehouse_path) or "another process"
        if waited >= timeout:
            raise WarehouseBusyError(
                f"The warehouse {warehouse_path} is still in use by {holder} after {timeout:g}s of waiting. "
                f"If that run is still working, let it finish and start this one again (or raise "
                f"OTT_LOCK_TIMEOUT); if it is stuck, stop that process."
            )
        if on_wait and (last_said is None or waited - last_said >= REMIND_SECONDS):
            on_wait(
                f"Waiting for the warehouse {warehouse_path}: it is in use by {holder}. "
                f"Waiting up to {timeout:g}s (OTT_LOCK_TIMEOUT)."
            )
            last_said = waited
        time.sleep(POLL_SECONDS)
