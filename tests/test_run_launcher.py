"""Runs launched through the project's instance (as the daemon and the UI launch them) are forked from the warm run
worker: they build their marts, a killed run is found dead, a killed worker is replaced, a run can be stopped."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.launcher import WorkerStatus

from orchestration.instance import instance_config
from orchestration.run_health import LIVENESS_TAG, fail_dead_runs, liveness_file_pid
from orchestration.run_launcher import ForkingRunLauncher
from tests.conftest import TINY_START
from warehouse import Warehouse

pytestmark = pytest.mark.slow

DAY = TINY_START.isoformat()


@pytest.fixture
def instance(tmp_path, landing):
    """An instance with the project's dagster.yaml; its run worker is stopped at the end."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_config(home))
    with DagsterInstance.from_config(str(home)) as instance:
        yield instance


def _launch(instance: DagsterInstance, job_name: str = "cache_max_online") -> DagsterRun:
    recon_job = ReconstructableRepository.for_module("orchestration.definitions", "defs").get_reconstructable_job(
        job_name
    )
    run = instance.create_run_for_job(
        job_def=recon_job.get_definition(),
        tags={"dagster/partition": DAY},
        job_code_origin=recon_job.get_python_origin(),
    )
    instance.launch_run(run.run_id, workspace=None)
    return run


def _wait(instance: DagsterInstance, run_id: str, done, timeout: float = 180) -> DagsterRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        if done(run):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {instance.get_run_by_id(run_id).status} after {timeout} s")


def _process(run: DagsterRun) -> int:
    return liveness_file_pid(run.tags[LIVENESS_TAG])


def test_launched_runs_are_forked_from_one_warm_worker_and_build_their_marts(instance):
    launcher = instance.run_launcher
    assert isinstance(launcher, ForkingRunLauncher)
    first = _wait(instance, _launch(instance).run_id, lambda run: run.is_finished)
    worker = launcher.worker_pid()
    second = _wait(instance, _launch(instance).run_id, lambda run: run.is_finished)

    assert first.status == second.status == DagsterRunStatus.SUCCESS
    assert worker is not None and launcher.worker_pid() == worker  # the same worker forked both
    assert len({_process(first), _process(second), worker, os.getpid()}) == 4
    messages = [entry.dagster_event.message for entry in instance.all_logs(second.run_id) if entry.dagster_event]
    forked = [message for message in messages if message and message.startswith("Forked")]
    assert forked == [f"Forked the run's process {_process(second)} from the warm run worker."]
    with Warehouse().connect() as conn:
        assert conn.scalar(f"select count() from marts.agg_viewing_max_online_daily where view_date = '{DAY}'") > 0


def test_a_killed_run_is_found_dead_and_a_killed_worker_is_replaced(instance):
    launcher = instance.run_launcher
    run = _launch(instance)
    started = _wait(instance, run.run_id, lambda run: LIVENESS_TAG in run.tags)
    os.kill(_process(started), signal.SIGKILL)
    _wait(instance, run.run_id, lambda run: launcher.check_run_worker_health(run).status == WorkerStatus.FAILED)
    assert fail_dead_runs(instance, say=lambda _message: None) == [run.run_id]
    assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE

    worker = launcher.worker_pid()
    os.kill(worker, signal.SIGKILL)
    again = _wait(instance, _launch(instance).run_id, lambda run: run.is_finished)
    assert again.status == DagsterRunStatus.SUCCESS
    assert launcher.worker_pid() not in (None, worker)


def test_a_launched_run_can_be_stopped(instance):
    run = _launch(instance, "daily_pipeline")
    assert instance.run_launcher.terminate(run.run_id)  # asked while it starts: it is stopped once it has started
    stopped = _wait(instance, run.run_id, lambda run: run.is_finished, timeout=60)
    assert stopped.status == DagsterRunStatus.CANCELED
    assert not instance.run_launcher.terminate(run.run_id)  # nothing left to stop


def test_a_run_whose_definitions_do_not_load_fails_at_once_saying_why(instance, monkeypatch):
    monkeypatch.setenv("OTT_PARTITIONS_START", "not a date")  # read by the definitions as the worker's runs load them
    run = _launch(instance)
    failed = _wait(instance, run.run_id, lambda run: run.is_finished, timeout=60)
    assert failed.status == DagsterRunStatus.FAILURE
    events = [entry.dagster_event for entry in instance.all_logs(run.run_id) if entry.dagster_event]
    failures = [event.message for event in events if event.event_type_value == "PIPELINE_FAILURE"]
    assert len(failures) == 1
    assert failures[0].startswith("The run's process failed:")
    assert "ValueError: time data 'not a date' does not match format" in failures[0]


def test_the_worker_refuses_to_fork_once_an_import_started_a_thread():
    worker = subprocess.run(
        [
            sys.executable,
            "-c",
            "import numpy, sys; from orchestration.run_worker import serve; serve(sys.stdin, sys.stdout)",
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode != 0
    assert "ThreadsBeforeFork: the run worker has" in worker.stderr
    assert "threads after its imports" in worker.stderr


def test_the_worker_prepares_dbt_code_from_the_project_parse_and_goes_on_without_one(tmp_path):
    probe = textwrap.dedent(
        """
        import os, sys
        from pathlib import Path
        from dbt_common.clients.jinja import template_cache
        from orchestration.run_worker import PROJECT_PARSE, _prepare_dbt_code

        _prepare_dbt_code(Path(sys.argv[1]))
        print("without a parse:", len(template_cache.file_cache))
        _prepare_dbt_code(PROJECT_PARSE)
        def compiled(opening):
            return sum(sql.lstrip().startswith(opening) for sql in template_cache.file_cache)
        print("compiled:", compiled("{% macro clickhouse__incremental_insert_overwrite("),
              compiled("{% materialization incremental, adapter='clickhouse' %}"), len(template_cache.file_cache))
        print("threads:", len(os.listdir("/proc/self/task")))
        """
    )
    subprocess.run([sys.executable, "-c", "import orchestration.dbt.resources"], check=True, timeout=300)  # a parse
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "missing.msgpack")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "without a parse: 0"
    assert "run worker: dbt's code not prepared" in result.stderr and "missing.msgpack" in result.stderr
    insert_overwrite, incremental, everything = (int(n) for n in lines[1].removeprefix("compiled: ").split())
    assert insert_overwrite >= 1 and incremental == 1  # the project's macros and its adapter's, as the runs use them
    assert everything > 500
    assert lines[2] == "threads: 1"  # still fit to fork
