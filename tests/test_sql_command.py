"""`ott-analytics sql`: real queries on an embedded warehouse, errors without tracebacks, read-only unless
--write, every output format read back, scripts, and the interactive prompt in a terminal."""

import io
import json
import os
import pty
import select
import subprocess
import time
from types import SimpleNamespace

import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.cli import main
from warehouse import Warehouse


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    path = tmp_path / "warehouse"
    with Warehouse(path=str(path)).connect() as conn:
        conn.command("CREATE DATABASE marts")
        conn.command(
            "CREATE TABLE marts.turnover (day Date, shop_id String, amount Int64, share Float64)"
            " ENGINE = MergeTree ORDER BY (day, shop_id)"
        )
        conn.command(
            "INSERT INTO marts.turnover VALUES ('2026-01-01', '1', 1000, 0.25), ('2026-01-01', '2', 250, 0.5),"
            " ('2026-01-02', '1', 99999, 1.0)"
        )
    monkeypatch.setenv("OTT_WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("OTT_DATA_DIR", str(tmp_path))
    return path


def _run(capsysbinary, *args):
    code = main(["sql", *args])
    captured = capsysbinary.readouterr()
    return code, captured.out.decode(), captured.err.decode()


QUERY = "SELECT day, shop_id, amount FROM marts.turnover ORDER BY day, shop_id"


def test_a_query_answers_as_an_aligned_table(warehouse, capsysbinary):
    code, out, err = _run(capsysbinary, QUERY)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["day", "shop_id", "amount"]
    assert [line.split() for line in lines[2:5]] == [
        ["2026-01-01", "1", "1000"],
        ["2026-01-01", "2", "250"],
        ["2026-01-02", "1", "99999"],
    ]
    assert lines[2].endswith(" 1000") and lines[4].endswith("99999")  # numbers right-aligned
    assert lines[5].startswith("(3 rows;") and lines[6:] == [""]


def test_errors_show_clickhouses_message_not_a_traceback(warehouse, capsysbinary):
    code, out, err = _run(capsysbinary, "SELECT amount FROM marts.turnover WHERE")
    assert code == 2 and out == ""
    assert "Syntax error" in err and "Traceback" not in err and len(err.splitlines()) == 1
    code, _, err = _run(capsysbinary, "SELECT nothing FROM marts.turnover")
    assert code == 2 and ("Missing columns" in err or "Unknown expression" in err)


def test_read_only_unless_write(warehouse, capsysbinary):
    code, _, err = _run(capsysbinary, "DROP TABLE marts.turnover")
    assert code == 2 and "readonly" in err.lower() and "--write" in err
    code, _, err = _run(capsysbinary, "INSERT INTO marts.turnover VALUES ('2026-01-03', '3', 7, 0)")
    assert code == 2 and "--write" in err
    code, out, _ = _run(capsysbinary, "SELECT count() AS n FROM marts.turnover")
    assert out.splitlines()[2].strip() == "3"  # nothing changed
    code, out, _ = _run(capsysbinary, "--write", "INSERT INTO marts.turnover VALUES ('2026-01-03', '3', 7, 0)")
    assert code == 0 and out.startswith("OK")
    code, out, _ = _run(capsysbinary, "SELECT count() AS n FROM marts.turnover")
    assert out.splitlines()[2].strip() == "4"


def test_every_format_reads_back(warehouse, capsysbinary, tmp_path):
    query = "SELECT day, shop_id, amount, share FROM marts.turnover ORDER BY day, shop_id"
    code, out, _ = _run(capsysbinary, "--format", "csv", query)
    csv = pd.read_csv(io.StringIO(out), dtype={"shop_id": str})
    assert code == 0 and csv.to_dict("list") == {
        "day": ["2026-01-01", "2026-01-01", "2026-01-02"],
        "shop_id": ["1", "2", "1"],
        "amount": [1000, 250, 99999],
        "share": [0.25, 0.5, 1.0],
    }
    code, out, _ = _run(capsysbinary, "--format", "json", query)
    assert [json.loads(line) for line in out.splitlines()] == [
        {"day": "2026-01-01", "shop_id": "1", "amount": 1000, "share": 0.25},
        {"day": "2026-01-01", "shop_id": "2", "amount": 250, "share": 0.5},
        {"day": "2026-01-02", "shop_id": "1", "amount": 99999, "share": 1.0},
    ]
    target = tmp_path / "turnover.parquet"
    code, out, _ = _run(capsysbinary, "--format", "parquet", "--output", str(target), query)
    table = pq.read_table(target)
    assert code == 0 and out == "" and table.num_rows == 3
    assert (
        table.column("amount").to_pylist() == [1000, 250, 99999] and str(table.schema.field("amount").type) == "int64"
    )
    code, _, err = _run(capsysbinary, "--format", "csv", "--output", str(tmp_path / "bad.csv"), "SELECT nope")
    assert code == 2 and "nope" in err and not (tmp_path / "bad.csv").exists()  # a failed statement leaves no file


def test_scripts_from_a_file_or_standard_input(warehouse, capsysbinary, tmp_path, monkeypatch):
    script = tmp_path / "daily.sql"
    script.write_text(
        "-- a shop's turnover by day\n"
        "SELECT day, sum(amount) AS amount FROM marts.turnover WHERE shop_id = '1' GROUP BY day ORDER BY day;\n"
        "SELECT 'a;b' AS text;  -- a semicolon inside a string\n"
    )
    code, out, _ = _run(capsysbinary, "--format", "json", "-f", str(script))
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {"day": "2026-01-01", "amount": 1000},
        {"day": "2026-01-02", "amount": 99999},
        {"text": "a;b"},
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT max(amount) AS top FROM marts.turnover;"))
    code, out, _ = _run(capsysbinary, "--format", "csv")
    assert code == 0 and out.splitlines() == ['"top"', "99999"]


def test_a_table_shows_the_first_thousand_rows(warehouse, capsysbinary):
    code, out, _ = _run(capsysbinary, "SELECT number FROM numbers(1000000)")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 + 1000 + 2  # header, rows, the count and a blank line
    assert lines[-2].startswith("(more than 1000 rows, the first 1000 shown") and lines[-1] == ""
    code, out, _ = _run(capsysbinary, "--format", "csv", "SELECT number FROM numbers(5000)")
    assert len(out.splitlines()) == 5001  # files and other formats take every row


def test_the_interactive_prompt(warehouse, tmp_path, ott_analytics_command):
    """The command as a user meets it: in a terminal (a pseudo-terminal here), in a process of its own."""
    screen = _in_a_terminal(
        [ott_analytics_command, "sql"],
        [  # what the screen shows, then what the user types: a statement over two lines, an error, exit
            ("sql>", "SELECT sum(amount) AS total"),
            ("...", "FROM marts.turnover;"),
            ("101249", "SELECT oops;"),
            ("Unknown expression identifier", "exit"),
        ],
    )
    assert screen.returncode == 0, screen.text
    assert "FROM marts.turnover;" in (tmp_path / "sql_history").read_text()


def _in_a_terminal(argv, conversation, timeout=30.0):
    """Run a command on a pseudo-terminal; each line is typed once the screen shows what precedes it."""
    master, terminal = pty.openpty()
    process = subprocess.Popen(
        argv,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
    )
    os.close(terminal)
    output = select.poll()  # not select.select, limited to descriptors below 1024
    output.register(master, select.POLLIN)
    screen, read_from, pending = b"", 0, list(conversation)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if output.poll(100):
                try:
                    screen += os.read(master, 65536)
                except OSError:  # the terminal is gone: the command has exited
                    break
            if pending and pending[0][0].encode() in screen[read_from:]:
                read_from = len(screen)
                os.write(master, pending.pop(0)[1].encode() + b"\r")
        if not pending:
            process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    text = screen.decode("utf-8", "replace")
    assert not pending, f"the screen never showed {pending[0][0]!r}:\n{text}"
    return SimpleNamespace(returncode=process.returncode, text=text)
