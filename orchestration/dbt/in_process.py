"""A dbt invocation in this process, shaped like the `subprocess.Popen` that dagster-dbt reads.

dagster-dbt runs dbt as a subprocess and turns the JSON events it prints into Dagster events. Here dbt runs in
a thread of the step's process instead (dbt's programmatic `dbtRunner`), and its events are handed over as the
same JSON lines, so dagster-dbt's selection, event translation and error reporting apply unchanged. What that
saves: starting a Python process and importing dbt again (dagster-dbt has imported it already), and on the
embedded warehouse opening the data directory again: dbt's chDB sessions join the engine the run keeps open,
where a subprocess loads every table's parts (about 0.27 ms a part: 0.27 s for the 365-day benchmark warehouse).
"""

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dbt_common.events.base_types import EventMsg
from dbt_common.events.functions import msg_to_json
from dbt_common.exceptions.base import env_secrets, scrub_secrets

# dbt's own exit codes: 0 success, 1 a node failed, 2 dbt itself failed (bad arguments, profile, connection).
EXIT_FAILED_NODES = 1
EXIT_ERROR = 2


class InProcessDbt:
    """`dbt <args>` running in a daemon thread: `stdout` yields its events (info level and above, as dbt
    prints them with `--log-format json`), `wait()` its exit code. With `run_results`, the invocation's results
    are written there as dbt's `run_results.json` (for `--no-write-json`, which spares dbt writing its whole
    manifest twice an invocation, 0.3 to 0.5 s each on this project's 52 models and 109 tests)."""

    def __init__(self, args: list[str], run_results: Path | None = None):
        self.args = ["dbt", *args]
        self._run_results = run_results
        self.returncode: int | None = None
        self._reported_error = False
        self._lines: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.stdout = _Lines(self._lines)
        self._thread = threading.Thread(target=self._invoke, args=(args,), name="dbt", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> int | None:
        """The exit code; None if dbt still runs after `timeout`. (Popen raises there, but dagster-dbt waits with
        a timeout only while the run is being stopped, and then raises the stop itself.)"""
        self._thread.join(timeout)
        return self.returncode

    def send_signal(self, signal_number: int) -> None:
        """dbt in a thread cannot be interrupted; the run's process ending stops it (the thread is a daemon)."""

    def _invoke(self, args: list[str]) -> None:
        try:
            from dbt.cli.main import dbtRunner  # dbt's commands: 0.3 s to import, paid only by a step that runs dbt

            result = dbtRunner(callbacks=[self._forward]).invoke(args)
            if self._run_results is not None and hasattr(result.result, "write"):
                result.result.write(str(self._run_results))
            if result.success:
                self.returncode = 0
            elif result.exception is None:
                self.returncode = EXIT_FAILED_NODES
            else:
                self.returncode = EXIT_ERROR
                if not self._reported_error:  # failed before its event logger was set up (arguments, flags)
                    self._error(f"dbt failed: {result.exception}")
        except BaseException as exc:  # whatever stops dbt must reach the step as its error
            self.returncode = EXIT_ERROR
            self._error(f"dbt failed: {exc!r}")
        finally:
            self._lines.put(None)

    def _forward(self, message: EventMsg) -> None:
        if message.info.level == "error":
            self._reported_error = True
        if message.info.level != "debug":
            self._lines.put(scrub_secrets(msg_to_json(message), env_secrets()).encode())

    def _error(self, text: str) -> None:
        event: dict[str, Any] = {"info": {"name": "MainEncounteredError", "level": "error", "msg": text}, "data": {}}
        self._lines.put(json.dumps(event).encode())


class _Lines:
    """The event lines of one invocation, read once, as a pipe's lines would be."""

    def __init__(self, lines: "queue.SimpleQueue[bytes | None]"):
        self._queue = lines
        self.closed = False

    def __enter__(self) -> "_Lines":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.closed = True

    def __iter__(self) -> Iterator[bytes]:
        while (line := self._queue.get()) is not None:
            yield line
