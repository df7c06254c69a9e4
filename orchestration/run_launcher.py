"""The run launcher of the project's Dagster instance (dagster.yaml): runs launched by the daemon or the UI are
forked from a warm worker process (`orchestration.run_worker`) instead of started as new Python processes."""

import os
import signal
import subprocess
import sys
import threading
import time

from dagster import DagsterRun, DagsterRunStatus
from dagster._core.launcher import CheckRunHealthResult, LaunchRunContext, RunLauncher, WorkerStatus
from dagster._serdes import ConfigurableClass, ConfigurableClassData, serialize_value

from orchestration.run_health import LIVENESS_TAG, liveness_file_pid, run_worker_health

# How long a request to stop a run waits for the run to have started.
START_TIMEOUT_SECONDS = 30


class RunWorkerGone(RuntimeError):
    """The worker process ended before it could fork a run."""


class ForkingRunLauncher(RunLauncher, ConfigurableClass):
    """Launches each run in a process forked from a warm worker (`orchestration.run_worker`), started on the
    first launch and again whenever it is found dead."""

    def __init__(self, inst_data: ConfigurableClassData | None = None):
        self._inst_data = inst_data
        self._worker: subprocess.Popen | None = None
        self._lock = threading.Lock()
        super().__init__()

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict:
        return {}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: dict) -> "ForkingRunLauncher":
        return cls(inst_data=inst_data)

    def launch_run(self, context: LaunchRunContext) -> None:
        from dagster._grpc.types import ExecuteRunArgs

        run = context.dagster_run
        request = ExecuteRunArgs(
            job_origin=run.job_code_origin, run_id=run.run_id, instance_ref=self._instance.get_ref()
        )
        pid = self.fork_run(serialize_value(request))
        self._instance.report_engine_event(f"Forked the run's process {pid} from the warm run worker.", run)

    def fork_run(self, request: str) -> int:
        """Hand `request` to the worker (started if need be); the process id of the run it forked."""
        with self._lock:
            pid = self._ask_worker(request)
            if pid is None:  # the worker ended since the last launch (killed): a new one gets the request
                pid = self._ask_worker(request)
            if pid is None:
                raise RunWorkerGone(f"the run worker ended (exit code {self._worker.returncode}); see its output")
            return pid

    def _ask_worker(self, request: str) -> int | None:
        if self._worker is None or self._worker.poll() is not None:
            self._worker = subprocess.Popen(
                [sys.executable, "-m", "orchestration.run_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,  # a Ctrl-C at the daemon's terminal does not reach the runs
            )
        try:
            self._worker.stdin.write(request + "\n")
            self._worker.stdin.flush()
            reply = self._worker.stdout.readline()
        except BrokenPipeError:
            reply = ""
        if reply.strip().isdigit():
            return int(reply)
        self._worker.wait()
        return None

    def worker_pid(self) -> int | None:
        """The worker's process id while it runs."""
        return self._worker.pid if self._worker is not None and self._worker.poll() is None else None

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            return False
        run = self._started(run)  # a run still starting would mark itself started over the request to stop
        if LIVENESS_TAG not in run.tags or run_worker_health(self._instance, run).status != WorkerStatus.RUNNING:
            return False  # no process of its own, or it is gone
        pid = liveness_file_pid(run.tags[LIVENESS_TAG])
        self._instance.report_run_canceling(run)
        try:
            os.kill(pid, signal.SIGTERM)  # the run's process stops at its next step and ends the run as canceled
        except ProcessLookupError:
            return False
        return True

    def _started(self, run: DagsterRun) -> DagsterRun:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while run.status == DagsterRunStatus.STARTING and time.monotonic() < deadline:
            time.sleep(0.1)
            run = self._instance.get_run_by_id(run.run_id) or run
        return run

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        return run_worker_health(self._instance, run)

    def dispose(self) -> None:
        if self._worker is not None and self._worker.poll() is None:
            self._worker.stdin.close()  # the worker ends; runs it forked go on
            self._worker.wait()
