"""Runs whose process died (SIGKILL, out of memory, machine restart): found, marked failed, said once.

A process that runs jobs holds a kernel lock (flock) on a file of its own under `$DAGSTER_HOME/run-liveness/`
for as long as it lives, and tags its runs with that file: the command line's processes and the processes the
run worker forks for runs launched by the daemon or the UI (`orchestration.run_worker`). A run still marked in
progress whose file nobody holds has lost its process; the run monitoring of `dagster.yaml` asks the run
launcher, which asks this module. Runs started by Dagster's default launcher (an instance set up otherwise) run
in a code server's subprocess and are checked through that server.

Nothing else has to be released by hand: the warehouse lease is a kernel lock too (`warehouse.lease`) and
the next holder of the lease drops the dead run's work tables.
"""

import atexit
import fcntl
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, RunsFilter
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.tags import GRPC_INFO_TAG, PARTITION_NAME_TAG
from dbt.adapters.chdb.session import file_is_locked

LIVENESS_TAG = "ott/liveness"
# Runs in these states have (or are about to have) a process working on them.
_IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]

_held: dict[str, int] = {}  # liveness file -> the descriptor that keeps its lock, for the life of this process


def liveness_tags(dagster_home: str | Path) -> dict[str, str]:
    """Tags that tie a run to this process: its liveness file, locked until the process ends."""
    folder = Path(dagster_home) / "run-liveness"
    for path in _held:
        if Path(path).parent == folder:
            return {LIVENESS_TAG: path}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    _held[str(path)] = fd
    atexit.register(path.unlink, missing_ok=True)  # a process that dies instead leaves it to fail_dead_runs
    return {LIVENESS_TAG: str(path)}


def liveness_file_pid(path: str | Path) -> int:
    """The process a liveness file belongs to (its name is <pid>-<token>.lock)."""
    return int(Path(path).name.split("-", 1)[0])


def run_worker_health(instance: DagsterInstance, run: DagsterRun) -> CheckRunHealthResult:
    """RUNNING while the run's process may be alive (or when that cannot be told), FAILED when it is gone."""
    current = instance.get_run_by_id(run.run_id) or run
    if current.is_finished:
        return CheckRunHealthResult(WorkerStatus.SUCCESS, "the run has finished")
    if LIVENESS_TAG in current.tags:
        return _liveness_file_health(Path(current.tags[LIVENESS_TAG]))
    if GRPC_INFO_TAG in current.tags:
        return _code_server_health(current)
    return CheckRunHealthResult(WorkerStatus.RUNNING, "no way to tell: assumed alive")


def fail_dead_runs(instance: DagsterInstance, say: Callable[[str], None]) -> list[str]:
    """Mark failed every run in progress whose process is gone, saying so once per run; their ids."""
    failed, in_use = [], set()
    for record in instance.get_run_records(RunsFilter(statuses=_IN_PROGRESS)):
        run = record.dagster_run
        health = run_worker_health(instance, run)
        if health.status != WorkerStatus.FAILED:
            in_use.add(run.tags.get(LIVENESS_TAG))
            continue
        partition = run.tags.get(PARTITION_NAME_TAG)
        message = (
            f"Run {run.run_id} (job {run.job_name}{f', partition {partition}' if partition else ''}) stopped "
            f"without finishing: {health.msg} (killed, out of memory or a restart). It is now marked failed; "
            f"it holds nothing that blocks other runs. Run the same job again to redo its work."
        )
        instance.report_run_failed(run, message)
        say(message)
        failed.append(run.run_id)
    _remove_unused_liveness_files(Path(instance.root_directory) / "run-liveness", in_use)
    return failed


def _liveness_file_health(path: Path) -> CheckRunHealthResult:
    try:
        alive = file_is_locked(path)
    except FileNotFoundError:
        return CheckRunHealthResult(WorkerStatus.FAILED, f"its process left no trace ({path.name} is gone)")
    if alive:
        return CheckRunHealthResult(WorkerStatus.RUNNING, "its process is alive")
    return CheckRunHealthResult(WorkerStatus.FAILED, f"its process {liveness_file_pid(path)} is gone")


def _code_server_health(run: DagsterRun) -> CheckRunHealthResult:
    from dagster._grpc.client import DagsterGrpcClient
    from dagster._grpc.types import CanCancelExecutionRequest, CanCancelExecutionResult
    from dagster._serdes import deserialize_value

    info = json.loads(run.tags[GRPC_INFO_TAG])
    client = DagsterGrpcClient(port=info.get("port"), socket=info.get("socket"), host=info.get("host", "localhost"))
    try:
        reply = client.can_cancel_execution(CanCancelExecutionRequest(run_id=run.run_id), timeout=10)
    except Exception:
        return CheckRunHealthResult(WorkerStatus.FAILED, "the code server that ran it is gone")
    if deserialize_value(reply, CanCancelExecutionResult).can_cancel:
        return CheckRunHealthResult(WorkerStatus.RUNNING, "its code server still runs it")
    return CheckRunHealthResult(WorkerStatus.FAILED, "its code server no longer runs it")


def _remove_unused_liveness_files(folder: Path, in_use: set[str | None]) -> None:
    """Drop liveness files of processes that ended and of no run still in progress."""
    if not folder.is_dir():
        return
    for path in folder.glob("*.lock"):
        if str(path) in _held or str(path) in in_use:
            continue
        if _liveness_file_health(path).status == WorkerStatus.FAILED:
            path.unlink(missing_ok=True)
