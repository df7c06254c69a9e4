"""A run killed at any moment never blocks the runs after it, and the next run leaves every table as a clean
run would. Real processes started through the command line, killed with SIGKILL (the whole process group)."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from tests.conftest import TINY_START
from tests.table_fingerprints import table_fingerprints
from warehouse import Warehouse
from warehouse.work_tables import leftover_work_tables

DAY = TINY_START.isoformat()
RUN_TIMEOUT = 300  # seconds a whole daily_pipeline run on the tiny world may take, with the machine shared


def _env(data_dir: Path, landing: Path) -> dict[str, str]:
    env = {**os.environ, "OTT_DATA_DIR": str(data_dir), "OTT_LANDING_DIR": str(landing)}
    env["OTT_WAREHOUSE_PATH"] = str(data_dir / "warehouse")
    env["DAGSTER_HOME"] = str(data_dir / "dagster")
    env.pop("OTT_EXPORTS_DIR", None)
    return env


def _start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, killed whole like an OOM kill or a reboot would
    )


class Output:
    """A process's output lines, read in a thread so that waiting for a line can time out."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, marker: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                return False
            self.lines.append(line)
            if marker in line:
                return True
        return False

    def text(self) -> str:
        self.wait_for("\0never\0", timeout=RUN_TIMEOUT)  # drain to the end
        return "".join(self.lines)


def _kill_during(env: dict[str, str], step: str, delay: float) -> str:
    """Start the day's run, SIGKILL its process group `delay` seconds into `step`; the run's id."""
    process = _start(env, "run", "daily_pipeline", "--date", DAY, "--verbose")  # Dagster's event log: steps
    output = Output(process)
    reached = output.wait_for(f" - {step} - STEP_START", timeout=RUN_TIMEOUT)
    assert reached, f"the run never reached {step}:\n{''.join(output.lines[-30:])}"
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    return next(line.split(" - ")[4] for line in output.lines if " - RUN_START - " in line)


def _run_to_the_end(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = _start(env, *args)
    output = Output(process)
    try:
        process.wait(timeout=RUN_TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, output.text()


def _state(data_dir: Path) -> tuple[dict, list[str], list[str]]:
    with Warehouse(path=str(data_dir / "warehouse"), lock_timeout=30).connect() as conn:
        fingerprints, work_tables = table_fingerprints(conn), leftover_work_tables(conn)
    published = sorted(p.name for p in (data_dir / "exports" / "published" / "current").iterdir())
    return fingerprints, work_tables, published


@pytest.mark.slow
def test_runs_killed_during_ingest_dbt_and_publish_leave_nothing_behind(landing, tmp_path):
    reference_dir, killed_dir = tmp_path / "reference", tmp_path / "killed"
    reference = _start(_env(reference_dir, landing), "run", "daily_pipeline", "--date", DAY)
    reference_output = Output(reference)
    env = _env(killed_dir, landing)

    killed = [
        _kill_during(env, "raw__payment_events", delay=0.3),
        _kill_during(env, "dbt_models", delay=4.0),
        _kill_during(env, "exports__published_marts", delay=0.3),
    ]
    code, output = _run_to_the_end(env, "run", "daily_pipeline", "--date", DAY)
    assert code == 0, output[-3000:]
    assert "daily_pipeline: success" in output
    # each restart found the run before it dead, marked it failed and said so once
    assert output.count("stopped without finishing") == 1 and killed[-1] in output
    instance = DagsterInstance.from_config(str(killed_dir / "dagster"))
    statuses = {
        r.dagster_run.run_id: r.dagster_run.status for r in instance.get_run_records(RunsFilter(run_ids=killed))
    }
    assert statuses == dict.fromkeys(killed, DagsterRunStatus.FAILURE)
    assert not list((killed_dir / "dagster" / "run-liveness").glob("*.lock"))  # dead processes' files removed

    reference.wait(timeout=RUN_TIMEOUT)
    assert reference.returncode == 0, reference_output.text()[-3000:]
    fingerprints, work_tables, published = _state(killed_dir)
    clean_fingerprints, _, clean_published = _state(reference_dir)
    assert work_tables == []
    assert published == clean_published
    assert set(fingerprints) == set(clean_fingerprints)
    differing = {
        t: (fingerprints[t], clean_fingerprints[t]) for t in fingerprints if fingerprints[t] != clean_fingerprints[t]
    }
    assert differing == {}
    assert fingerprints["marts.fct_payments"][0] > 0 and fingerprints["raw.viewing_sessions"][0] > 0


@pytest.mark.slow
def test_two_commands_at_once_run_one_after_the_other(landing, tmp_path):
    env = _env(tmp_path / "data", landing)
    first = _start(env, "run", "cache_max_online", "--date", DAY, "--verbose")
    first_output = Output(first)
    assert first_output.wait_for("STEP_START", timeout=RUN_TIMEOUT)  # the first holds the warehouse now
    code, second_text = _run_to_the_end(env, "run", "cache_max_online", "--date", DAY)
    first.wait(timeout=RUN_TIMEOUT)
    first_text = first_output.text()
    assert first.returncode == 0, first_text[-3000:]
    assert code == 0, second_text[-3000:]
    first_run = next(line.split(" - ")[4] for line in first_text.splitlines() if " - RUN_START - " in line)
    # the second shows what a person sees by default: the wait as it happens, a line per step, the outcome
    lines = second_text.splitlines()
    waiting = [line for line in lines if "Waiting for the warehouse" in line]
    assert len(waiting) == 1 and waiting[0].startswith("  warning: ")
    assert f"in use by run {first_run} (job cache_max_online), process {first.pid}" in waiting[0]
    assert "OTT_LOCK_TIMEOUT" in waiting[0]
    assert any("The warehouse is free after" in line for line in lines)
    assert lines[0].startswith(f"cache_max_online for {DAY}: a line per step here, the run's log in ")
    assert any(line.split()[:2] == ["raw__viewing_sessions", "done"] for line in lines)
    assert lines[-1].startswith("cache_max_online: success in ")
    assert "STEP_START" not in second_text and "STEP_START" in Path(lines[0].rsplit(" ", 1)[1]).read_text()
