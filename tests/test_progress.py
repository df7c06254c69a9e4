"""A long in-process run as a person sees it: a line per step and the warnings on the terminal, everything else
in the log file."""

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
    assert [line.split()[:2] for line in lines] == [["landed", "done"], ["warning:", "built:"], ["built", "done"]]
    assert lines[1] == "  warning: built: something worth a look"
    assert "2/2 assets" in lines[-1] and lines[-1].endswith(" s")
    assert seen.err == ""
    written = log.read_text()
    for text in ("a library talking on stdout", "native noise on stderr", "an info line for the log", "STEP_SUCCESS"):
        assert text in written


@asset
def broken(context, landed: int) -> int:
    raise ValueError(f"landing file for day {landed} is not valid JSON")


def test_a_failed_step_says_why_on_the_terminal(tmp_path, capfd):
    instance = DagsterInstance.ephemeral()
    with output_to_file(tmp_path / "run.log") as terminal, RunProgress(instance, 2, terminal) as progress:
        result = materialize([landed, broken], instance=instance, raise_on_error=False)
    lines = capfd.readouterr().out.splitlines()
    assert not result.success and progress.failed_steps == ["broken"]
    assert lines[-2].split()[:2] == ["broken", "FAILED"]
    assert lines[-1] == "    ValueError: landing file for day 1 is not valid JSON"
