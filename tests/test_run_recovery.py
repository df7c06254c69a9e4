"""The pieces that let a run die at any moment without blocking the next: the warehouse lease, the dead-run
check, the clean-up of work tables, the daemon's run monitoring. Real processes, killed with SIGKILL."""

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, asset, materialize
from dagster._core.launcher import WorkerStatus
from dagster._core.storage.tags import GRPC_INFO_TAG, PARTITION_NAME_TAG
from dagster._core.test_utils import create_run_for_test
from dbt.adapters.chdb.session import WarehouseBusyError

from orchestration.instance import instance_config
from orchestration.run_health import LIVENESS_TAG, fail_dead_runs, run_worker_health
from warehouse import Warehouse
from warehouse.lease import hold_lease, lease_holder

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_LEASE_HOLDER = textwrap.dedent(
    """
    import sys, time
    from warehouse.lease import hold_lease
    with hold_lease(sys.argv[1], "run abc123 (job daily_pipeline)", timeout=5):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold_lease(warehouse_path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", _LEASE_HOLDER, str(warehouse_path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def test_a_waiter_names_the_holder_sleeps_and_goes_on_when_it_is_done(tmp_path):
    holder = _hold_lease(tmp_path / "warehouse", 2.5)
    said: list[str] = []
    started, cpu_before = time.monotonic(), _cpu_seconds()
    with hold_lease(tmp_path / "warehouse", "run def456 (job save_stats)", timeout=30, on_wait=said.append):
        waited, cpu = time.monotonic() - started, _cpu_seconds() - cpu_before
        assert lease_holder(tmp_path / "warehouse").startswith("run def456 (job save_stats), process ")
    holder.wait()
    assert waited >= 1.5
    assert cpu < 0.25 * waited  # it sleeps between looks: no spinning
    assert len(said) == 2
    assert f"in use by run abc123 (job daily_pipeline), process {holder.pid} (python" in said[0]
    assert "Waiting up to 30s (OTT_LOCK_TIMEOUT)" in said[0]
    assert said[1].startswith("The warehouse is free after")
    assert lease_holder(tmp_path / "warehouse") is None


def test_the_lease_of_a_killed_holder_is_free_at_once(tmp_path):
    holder = _hold_lease(tmp_path / "warehouse", 60)
    assert "run abc123" in lease_holder(tmp_path / "warehouse")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    said: list[str] = []
    with hold_lease(tmp_path / "warehouse", "next run", timeout=0.5, on_wait=said.append):
        pass
    assert said == []


def test_a_waiter_gives_up_after_the_timeout_saying_what_to_do(tmp_path):
    holder = _hold_lease(tmp_path / "warehouse", 30)
    try:
        with pytest.raises(WarehouseBusyError) as error, hold_lease(tmp_path / "warehouse", "late run", timeout=1):
            pass
    finally:
        holder.kill()
        holder.wait()
    message = str(error.value)
    assert f"still in use by run abc123 (job daily_pipeline), process {holder.pid}" in message
    assert "after 1s of waiting" in message and "OTT_LOCK_TIMEOUT" in message and "stop that process" in message


def test_the_next_holder_drops_the_work_tables_a_dead_run_left(tmp_path):
    warehouse = Warehouse(path=str(tmp_path / "warehouse"), lock_timeout=30)
    with warehouse.connect() as conn:
        for database in ("raw", "marts"):
            conn.command(f"CREATE DATABASE IF NOT EXISTS {database}")
        for table in (
            "raw._load_payment_events_0123456789ab",
            "raw._stageq_viewing_sessions_ba9876543210",
            "marts.fct_payments__dbt_backup",
            "marts.fct_viewing_sessions__dbt_new_data_1f2e3d",
            "marts.fct_viewing_sessions__dbt_new_data_1f2e3d_202611",  # a month being rebuilt
            "marts.fct_viewing_sessions__dbt_new_data_repartition",  # a day-partitioned table being copied
            "raw._month_viewing_sessions_0123456789ab",
            "raw._repartition_quarantine_0123456789ab",
            "raw._tmp_replace_e4d5c7f5b39cd946_widljaagbf4fb9ec",
            "raw.payment_events",
            "marts.fct_payments",
        ):
            conn.command(f"CREATE TABLE {table} (x UInt8) ENGINE = MergeTree ORDER BY x")

    @asset
    def uses_the_warehouse(warehouse: Warehouse) -> None:
        with warehouse.connect() as conn:
            conn.scalar("SELECT 1")

    instance = DagsterInstance.ephemeral()
    result = materialize([uses_the_warehouse], resources={"warehouse": warehouse}, instance=instance)
    assert result.success
    with warehouse.connect() as conn:
        left = conn.query_arrow(
            "SELECT database || '.' || name AS t FROM system.tables WHERE database IN ('raw', 'marts') ORDER BY t"
        )
    assert left.column("t").to_pylist() == ["marts.fct_payments", "raw.payment_events"]
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert any(m.startswith("Dropped 9 work tables left by a run that died") for m in messages)


_LIVE_PROCESS = textwrap.dedent(
    """
    import sys, time
    from orchestration.run_health import liveness_tags
    print(liveness_tags(sys.argv[1])["ott/liveness"], flush=True)
    time.sleep(60)
    """
)


def test_a_run_whose_process_died_is_marked_failed_once(tmp_path):
    instance = DagsterInstance.local_temp(str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-c", _LIVE_PROCESS, instance.root_directory], stdout=subprocess.PIPE, text=True
    )
    liveness_file = process.stdout.readline().strip()
    run = create_run_for_test(
        instance,
        job_name="daily_pipeline",
        status=DagsterRunStatus.STARTED,
        tags={LIVENESS_TAG: liveness_file, PARTITION_NAME_TAG: "2026-11-01"},
    )
    untraceable = create_run_for_test(instance, job_name="save_stats", status=DagsterRunStatus.STARTED)
    said: list[str] = []
    assert run_worker_health(instance, run).status == WorkerStatus.RUNNING
    assert fail_dead_runs(instance, said.append) == [] and said == []

    process.send_signal(signal.SIGKILL)
    process.wait()
    assert run_worker_health(instance, run).status == WorkerStatus.FAILED
    assert fail_dead_runs(instance, said.append) == [run.run_id]
    assert fail_dead_runs(instance, said.append) == []
    assert len(said) == 1
    assert f"Run {run.run_id} (job daily_pipeline, partition 2026-11-01) stopped without finishing" in said[0]
    assert f"its process {process.pid} is gone" in said[0]
    assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE
    assert not Path(liveness_file).exists()
    # a run nothing can be told about is left alone
    assert instance.get_run_by_id(untraceable.run_id).status == DagsterRunStatus.STARTED


def test_a_run_whose_code_server_is_gone_is_failed(tmp_path):
    instance = DagsterInstance.local_temp(str(tmp_path))
    run = create_run_for_test(
        instance,
        job_name="daily_pipeline",
        status=DagsterRunStatus.STARTED,
        tags={GRPC_INFO_TAG: '{"host": "localhost", "socket": "/nonexistent/dagster-grpc.sock"}'},
    )
    health = run_worker_health(instance, run)
    assert health.status == WorkerStatus.FAILED and "code server" in health.msg


@pytest.mark.slow
def test_the_daemon_fails_runs_whose_process_died(tmp_path):
    """`make ui` starts the daemon: with the project's dagster.yaml its run monitoring fails dead runs."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_config(home))
    instance = DagsterInstance.from_config(str(home))
    process = subprocess.Popen([sys.executable, "-c", _LIVE_PROCESS, str(home)], stdout=subprocess.PIPE, text=True)
    run = create_run_for_test(
        instance,
        job_name="daily_pipeline",
        status=DagsterRunStatus.STARTED,
        tags={LIVENESS_TAG: process.stdout.readline().strip()},
    )
    process.send_signal(signal.SIGKILL)
    process.wait()
    daemon = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED:
            time.sleep(1)
    finally:
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.wait()
    assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE
    failure = instance.all_logs(run.run_id)[-1]
    assert f"its process {process.pid} is gone" in (failure.dagster_event.message or "")
