"""A long in-process run as a person sees it: a line per step on the terminal, everything else in the log file."""

import sys

from dagster import DagsterInstance, asset, materialize

from orchestration.progress import RunProgress, output_to_file


@asset
def landed(context) -> int:
    print("a library talking on stdout")
    context.log.info("an info line for the log")
    return 1


@asset
def built(context, landed: int) -> int:
    print("native noise on stderr", file=sys.stderr)
    context.log.warning("something worth a look")
    return landed + 1


def test_steps_on_the_terminal_everything_else_in_the_log(tmp_path, capfd):
    instance = DagsterInstance.ephemeral()
    log = tmp_path / "logs" / "run.log"
    with output_to_file(log) as terminal, RunProgress(instance, 2, terminal) as progress:
        result = materialize([landed, built], instance=instance)
    seen = capfd.readouterr()
    assert result.success and progress.failed_steps == []
    lines = seen.out.splitlines()
    assert [line.split()[:2] for line in lines] == [["landed", "done"], ["built", "done"]]
    assert "2/2 assets" in lines[-1] and lines[-1].endswith(" s")
    assert seen.err == ""
    written = log.read_text()
    for text in ("a library talking on stdout", "native noise on stderr", "an info line for the log", "STEP_SUCCESS"):
        assert text in written
