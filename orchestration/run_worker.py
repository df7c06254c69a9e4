"""The warm run worker: a process that imports Dagster and dbt once, then forks a process for every run it is
handed (`orchestration.run_launcher` starts it and hands it the runs).

Dagster's own launcher has a code server start every run in a new Python process, which imports Dagster,
dagster-dbt and dbt again: 3 to 4 s on these machines, more than the work of an hourly run on the demo world. A
forked run starts with them imported. It reads the project's definitions from disk (a run always has the current
code), holds a liveness file like a command-line run (`orchestration.run_health`) and runs the job as
`dagster api execute_run` would.

Only libraries that start no thread when imported are loaded before forking: a fork copies the forking thread
alone, and chDB and pyarrow start native threads as they load (a chDB session opened in a child forked after
that hangs), so each run loads them itself. The worker checks it holds one thread before serving.

Protocol, on the worker's standard input and output: one line per run in (Dagster's `ExecuteRunArgs`), the
forked process's id out. The worker ends when its input closes (its launcher's process ended); the runs it forked
go on.
"""

import atexit
import importlib
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import IO, TYPE_CHECKING

from orchestration.lifelong_imports import lifelong_imports

if TYPE_CHECKING:
    from dagster import DagsterInstance

# Imported before forking: what every run needs and what starts no thread on import (numpy, pyarrow and chDB do).
PRELOADED = (
    "dagster",
    "dagster._cli.api",
    "dagster._core.storage.sqlite_storage",
    "dagster_dbt",
    "dbt.cli.main",
    "dbt.adapters.clickhouse",
    "dbt.contracts.project",
    "pymongo",
)
# The project's definitions: imported by every forked run, from disk.
DEFINITIONS = "orchestration.definitions"
# The parse of the whole project that the definitions keep current (orchestration.dbt.resources.ensure_manifest).
# Spelled out here: orchestration.dbt and warehouse.locations, which name it, load pyarrow, which starts threads.
PROJECT_PARSE = Path(__file__).resolve().parents[1] / "dbt_project" / "target" / "partial_parse.msgpack"


class ThreadsBeforeFork(RuntimeError):
    """An import started a thread in the worker: forking it would leave the runs with a broken copy."""


def serve(requests: IO[str], replies: IO[str]) -> None:
    """The worker: import what runs share, then fork a run for every request line, until the input closes."""
    with lifelong_imports():
        for module in PRELOADED:
            importlib.import_module(module)
        _build_dbt_schemas()
        _prepare_dbt_code(PROJECT_PARSE)
    threads = os.listdir("/proc/self/task")
    if len(threads) != 1:
        names = sorted(open(f"/proc/self/task/{tid}/comm").read().strip() for tid in threads)
        raise ThreadsBeforeFork(f"the run worker has {len(threads)} threads after its imports ({', '.join(names)})")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the runs it forks are reaped by the kernel
    while request := requests.readline():
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _forked_run(request)
            finally:  # whatever happens, the run's process never returns into the worker's loop
                os._exit(code)
        replies.write(f"{pid}\n")
        replies.flush()


def _build_dbt_schemas() -> None:
    """dbt validates the project and its configuration against JSON schemas that it builds once per process
    (0.4 s): built here, every run has them."""
    from dbt.contracts.project import Configuration, Project

    Project.json_schema()
    Configuration.json_schema()


def _prepare_dbt_code(parse: Path) -> None:
    """Code dbt generates the first time a process needs it, generated here from the project's parse so that every
    run has it (the parse's data is dropped; the code stays):

    - the functions that read and write dbt's dataclasses (mashumaro): reading the project's parse, building its
      graph and writing it back spent 0.9 s of each run on them;
    - the compiled Jinja template of every macro (dbt keeps them by their text, so a macro edited since compiles
      again in the run that uses it): an events run compiled about a hundred of them, 1.7 s of its threads' time.

    Without a parse yet, or one this dbt cannot read (dbt will parse again), the runs generate the code themselves.
    """
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumaro_encoder, extended_mashumuro_decoder
    from dbt_common.clients.jinja import template_cache

    try:
        manifest = Manifest.from_msgpack(parse.read_bytes(), decoder=extended_mashumuro_decoder)
    except Exception as exc:  # a head start only: the runs work the same without it
        print(f"run worker: dbt's code not prepared ({parse}: {exc!r})", file=sys.stderr)
        return
    manifest.build_flat_graph()
    manifest.to_msgpack(extended_mashumaro_encoder)
    for macro in manifest.macros.values():
        template_cache.get_node_template(macro)


def _forked_run(request: str) -> int:
    """The run's process: leave the worker's pipes and signals, load the definitions, run the job; exit code.
    A failure before the job runs (definitions that do not load) fails the run at once, with the error."""
    from dagster import DagsterInstance
    from dagster._grpc.types import ExecuteRunArgs
    from dagster._serdes import deserialize_value
    from dagster._utils.interrupts import capture_interrupts

    from orchestration.run_health import liveness_tags

    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # its output goes where the worker's errors go: the launching process's terminal or log
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # its own subprocesses (dbt parse) are waited for
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        args = deserialize_value(request, ExecuteRunArgs)
        with capture_interrupts(), DagsterInstance.from_ref(args.instance_ref) as instance:
            instance.add_run_tags(args.run_id, liveness_tags(instance.root_directory))
            try:
                return _run_job(args.run_id, instance)
            except Exception:
                run = instance.get_run_by_id(args.run_id)
                if run is not None and not run.is_finished:
                    instance.report_run_failed(run, f"The run's process failed:\n{traceback.format_exc()}")
                return 1
    finally:
        atexit._run_exitfuncs()  # as a process that returns from its main: e.g. the event log's files are closed
        sys.stdout.flush()
        sys.stderr.flush()


def _run_job(run_id: str, instance: "DagsterInstance") -> int:
    from dagster._cli.api import _execute_run_command_body

    with lifelong_imports():
        importlib.import_module(DEFINITIONS)
    return _execute_run_command_body(run_id, instance, lambda _event: None, set_exit_code_on_failure=True)


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
