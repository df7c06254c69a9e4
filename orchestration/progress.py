"""What a person at the terminal sees of a long in-process run: a line per finished step with its time and a
counter of materialized assets, and the run's warnings as they come (such as a wait for the warehouse), while
Dagster's event log and dbt's output go to a log file (and the UI)."""

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from dagster import DagsterEventType, DagsterInstance

POLL_SECONDS = 0.5
SHOWN_WARNINGS = 10


class RunProgress:
    """Follows the newest run of `instance` (started after this object) in a background thread."""

    def __init__(self, instance: DagsterInstance, total_assets: int, out: IO[str]):
        self.instance, self.total_assets, self.out = instance, total_assets, out
        self.known_runs = {run.run_id for run in instance.get_runs(limit=20)}
        self.run_id: str | None = None
        self.materialized: set = set()  # asset keys (a daily asset is materialized once per day)
        self.failed_steps: list[str] = []
        self.warnings = 0
        self._cursor: str | None = None
        self._started: dict[str, float] = {}  # step key -> when it started
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> "RunProgress":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read_new_events()  # the last events, written just before the run returned
        if self.warnings > SHOWN_WARNINGS:
            self._say(f"  ... and {self.warnings - SHOWN_WARNINGS} more warnings in the log")

    def _follow(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._read_new_events()

    def _read_new_events(self) -> None:
        if self.run_id is None:
            new = [r.run_id for r in self.instance.get_runs(limit=5) if r.run_id not in self.known_runs]
            if not new:
                return
            self.run_id = new[0]
        found = self.instance.get_records_for_run(self.run_id, cursor=self._cursor)
        self._cursor = found.cursor
        for record in found.records:
            entry = record.event_log_entry
            event = entry.dagster_event
            if event is None:
                if entry.level >= logging.WARNING:
                    self._warn(entry.level, entry.step_key, entry.user_message)
                continue
            step, at = event.step_key or "?", entry.timestamp
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                self.materialized.add(event.asset_key)
                continue
            if event.event_type == DagsterEventType.STEP_START:
                self._started[step] = at
                continue
            if event.event_type not in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                continue
            seconds = at - self._started.get(step, at)
            if event.event_type == DagsterEventType.STEP_FAILURE:
                self.failed_steps.append(step)
            mark = "FAILED" if event.event_type == DagsterEventType.STEP_FAILURE else "done"
            counter = f"{len(self.materialized)}/{self.total_assets} assets"
            self._say(f"  {step:<44} {mark:>6}  {counter:>14}  {seconds:6.1f} s")
            if event.event_type == DagsterEventType.STEP_FAILURE and event.step_failure_data.error:
                error = event.step_failure_data.error
                while error.cause and "dagster" in error.cls_name.lower():  # the user's error, not Dagster's wrapper
                    error = error.cause
                self._say(f"    {error.message.strip().splitlines()[0]}")

    def _warn(self, level: int, step: str | None, message: str) -> None:
        self.warnings += 1
        if self.warnings <= SHOWN_WARNINGS:
            self._say(f"  {logging.getLevelName(level).lower()}: {step or 'run'}: {message.splitlines()[0]}")

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()


@contextmanager
def output_to_file(path: Path) -> Iterator[IO[str]]:
    """Send everything written to this process's stdout and stderr (Python, dbt, native libraries) to `path`
    for the duration; yield a stream on the original terminal for the lines a person should see."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    saved_streams = sys.stdout, sys.stderr
    terminal = os.fdopen(os.dup(saved_out), "w", buffering=1)
    with path.open("a", buffering=1) as log:
        os.dup2(log.fileno(), 1)  # native code and child processes write to the descriptors
        os.dup2(log.fileno(), 2)
        sys.stdout = sys.stderr = log  # Python code to the stream objects, whatever they were
        try:
            yield terminal
        finally:
            log.flush()
            sys.stdout, sys.stderr = saved_streams
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()
