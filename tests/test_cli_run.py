"""`ott-analytics run`: its arguments are checked before anything runs, with a message that says what is wrong."""

import pytest

from orchestration.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "daily_pipeline", "--from", "2026-11-02"], "give --date, or --from and --to together"),
        (
            ["run", "daily_pipeline", "--date", "2026-11-02", "--from", "2026-11-01", "--to", "2026-11-02"],
            "give --date",
        ),
        (["run", "daily_pipeline", "--from", "2026-11-03", "--to", "2026-11-02"], "--from 2026-11-03 is after --to"),
        (["run", "dialy_pipeline", "--date", "2026-11-02"], "no job 'dialy_pipeline'; the jobs are: "),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(argv, message, capsys):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert message in error
    if "no job" in message:
        assert "daily_pipeline" in error and "cache_max_online" in error


def test_the_installed_command_exits_with_main_s_code_and_its_output_flushed(tmp_path, ott_analytics_command):
    import os
    import subprocess

    done = subprocess.run(
        [ott_analytics_command, "run", "dialy_pipeline"],
        capture_output=True,
        text=True,
        env={**os.environ, "OTT_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("ott-analytics run: no job 'dialy_pipeline'")


def test_the_parser_and_the_warehouse_session_load_neither_dagster_nor_dbt():
    """`ott-analytics --help` and a mistyped argument load neither Dagster nor dbt (seconds of imports before a
    word is printed), and the warehouse session the sql command opens does not load dbt's adapter machinery;
    the jobs import them when they run."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from orchestration.cli import build_parser; build_parser();"
            " from dbt.adapters.chdb.session import WarehouseBusyError;"
            " print(sorted({m.split('.')[0] for m in sys.modules} & {'dagster', 'dagster_dbt'}),"
            " 'dbt.adapters.base' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.split() == ["[]", "False"]
