"""The chDB client wrapper and session opener, outside dbt's harness."""

import datetime
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from dbt.adapters.chdb.client import ChdbClient
from dbt.adapters.chdb.credentials import ChdbCredentials
from dbt_common.exceptions import DbtDatabaseError


@pytest.fixture(scope="module")
def client(chdb_data_path):
    wrapper = ChdbClient(ChdbCredentials(path=chdb_data_path, schema="client_test"))
    yield wrapper
    wrapper.close()


def test_values_keep_clickhouse_types(client):
    result = client.query(
        "SELECT toUInt64(18446744073709551615) AS big, toInt8(-3) AS small, toDecimal64('12.34', 2) AS money,"
        " toDateTime('2024-02-29 23:59:59', 'UTC') AS ts, toDate('2024-03-01') AS day,"
        " [1, 2] AS arr, CAST(NULL AS Nullable(String)) AS missing, 'Привет' AS text, 0.5 AS ratio"
    )
    assert result.column_names == ["big", "small", "money", "ts", "day", "arr", "missing", "text", "ratio"]
    assert result.result_set == [
        (
            18446744073709551615,
            -3,
            Decimal("12.34"),
            datetime.datetime(2024, 2, 29, 23, 59, 59),
            datetime.date(2024, 3, 1),
            [1, 2],
            None,
            "Привет",
            0.5,
        )
    ]
    assert isinstance(result.result_set[0][0], int)


def test_command_returns_first_value_and_database_is_used(client):
    assert client.command("SELECT currentDatabase()") == "client_test"
    assert client.command("CREATE TABLE IF NOT EXISTS t (a Int32) ENGINE = Memory") is None


def test_errors_carry_clickhouse_message(client):
    with pytest.raises(DbtDatabaseError, match=r"UNKNOWN_TABLE|does not exist"):
        client.query("SELECT * FROM no_such_table")


def test_per_query_settings_are_applied_and_restored(client):
    before = client.command("SELECT value FROM system.settings WHERE name = 'max_threads'")
    columns = client.columns_in_query("SELECT 1 AS a, 'x' AS b", settings={"max_threads": 1})
    assert [(c.name, c.dtype) for c in columns] == [("a", "UInt8"), ("b", "String")]
    assert client.command("SELECT value FROM system.settings WHERE name = 'max_threads'") == before


def test_the_columns_of_a_query_are_known_without_running_it(client):
    client.command("CREATE TABLE IF NOT EXISTS keyed (k UInt64, v Nullable(String)) ENGINE = MergeTree ORDER BY k")
    client.command("INSERT INTO keyed SELECT number, toString(number) FROM numbers(100)")
    # the IN subquery fails when it runs: a LIMIT 0 query builds its set to use the primary key, DESCRIBE does not
    touched = "SELECT throwIf(number = 0, 'the subquery ran') FROM numbers(3)"
    sql = f"SELECT k, v, toDate(k) AS d FROM keyed WHERE k IN ({touched})\n-- a comment ending the model"
    with pytest.raises(DbtDatabaseError, match="the subquery ran"):
        client.query(f"SELECT * FROM ({sql}\n) LIMIT 0")
    columns = client.columns_in_query(sql)
    assert [(c.name, c.data_type) for c in columns] == [("k", "UInt64"), ("v", "Nullable(String)"), ("d", "Date")]


def test_threads_share_one_engine(chdb_data_path):
    clients = [ChdbClient(ChdbCredentials(path=chdb_data_path, schema="client_test")) for _ in range(4)]
    clients[0].command("CREATE TABLE IF NOT EXISTS threaded (n UInt64) ENGINE = MergeTree ORDER BY n")
    clients[0].command("TRUNCATE TABLE threaded")

    def work(i):
        clients[i].command(f"INSERT INTO threaded SELECT number + {i * 1000} FROM numbers(1000)")
        return clients[i].command("SELECT count() FROM threaded")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    assert clients[0].command("SELECT count(), uniqExact(n) FROM threaded") == 4000
    for c in clients:
        c.close()


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from chdb import session
    s = session.Session(sys.argv[1])
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    s.close()
    """
)
_WAITER = textwrap.dedent(
    """
    import sys, time
    from dbt.adapters.chdb.session import open_session, WarehouseBusyError
    start = time.monotonic()
    try:
        s = open_session(sys.argv[1], float(sys.argv[2]), on_wait=lambda m: print("WAIT", m, flush=True))
    except WarehouseBusyError as e:
        print("BUSY", e, flush=True)
    else:
        s.close()
        print("OPENED after %.1f" % (time.monotonic() - start), flush=True)
    """
)


def _hold(path, seconds):
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, path, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _wait(path, timeout):
    return subprocess.run(
        [sys.executable, "-c", _WAITER, path, str(timeout)], capture_output=True, text=True, timeout=120
    ).stdout


@pytest.mark.slow
def test_second_process_waits_for_the_lock(tmp_path):
    holder = _hold(str(tmp_path), 4)
    out = _wait(str(tmp_path), 60)
    holder.wait()
    assert "WAIT" in out and f"in use by process {holder.pid} (python" in out
    waited = float(out.split("OPENED after")[1])
    assert waited >= 1.0


@pytest.mark.slow
def test_second_process_times_out_with_clear_error(tmp_path):
    holder = _hold(str(tmp_path), 8)
    started = time.monotonic()
    out = _wait(str(tmp_path), 1)
    assert time.monotonic() - started < 8
    holder.wait()
    assert "BUSY" in out and "OPENED" not in out and "still locked after 1s" in out
    assert f"in use by process {holder.pid}" in out and "OTT_LOCK_TIMEOUT" in out


_TWO_DIRECTORIES = textwrap.dedent(
    """
    import sys
    from dbt.adapters.chdb.client import ChdbClient
    from dbt.adapters.chdb.credentials import ChdbCredentials

    for path in sys.argv[1:]:
        client = ChdbClient(ChdbCredentials(path=path, schema="marts"))
        print(client.command("SELECT currentDatabase()"), client.command("EXISTS DATABASE marts"))
        client.close()
    """
)


def test_each_data_directory_a_process_opens_gets_the_profiles_database(tmp_path):
    # Its own process: a process hosts one engine at a time, and this session's is the shared directory's.
    directories = [str(tmp_path / "first"), str(tmp_path / "second")]
    done = subprocess.run([sys.executable, "-c", _TWO_DIRECTORIES, *directories], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["marts", "1", "marts", "1"]


def test_a_dropped_table_leaves_the_disk_before_the_session_closes(chdb_data_path):
    """Work tables are created and dropped on every run; sessions are short, so ClickHouse's default eight
    minutes before a dropped table's files go would leave them to every later open."""
    from pathlib import Path

    from dbt.adapters.chdb.session import open_session

    session = open_session(chdb_data_path, timeout=5)  # the process's server, opened by the first session
    dropped = Path(chdb_data_path) / "metadata_dropped"
    try:
        session.query("CREATE TABLE default.dropped_work (n UInt64) ENGINE = MergeTree ORDER BY n")
        session.query("INSERT INTO default.dropped_work SELECT number FROM numbers(1000)")
        session.query("DROP TABLE default.dropped_work")
        deadline = time.monotonic() + 30
        while any("dropped_work" in f.name for f in dropped.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any("dropped_work" in f.name for f in dropped.iterdir())
    finally:
        session.close()


def test_parts_replaced_by_a_merge_leave_the_disk_within_a_short_session(chdb_data_path):
    """ClickHouse first cleans a table's replaced parts 30 to 40 s after loading it; sessions here are often
    shorter (an hourly run), so every later open would load every earlier run's replaced parts again."""
    from dbt.adapters.chdb.session import open_session

    session = open_session(chdb_data_path, timeout=5)
    try:
        session.query("CREATE TABLE default.merged_parts (n UInt64) ENGINE = MergeTree ORDER BY n")
        for start in (0, 1000, 2000):
            session.query(f"INSERT INTO default.merged_parts SELECT number + {start} FROM numbers(1000)")
        session.query("OPTIMIZE TABLE default.merged_parts FINAL")

        def replaced_parts() -> int:
            found = session.query(
                "SELECT count() FROM system.parts WHERE database = 'default' AND table = 'merged_parts' AND NOT active",
                "CSV",
            )
            return int(found.bytes().decode().strip())

        assert replaced_parts() == 3
        deadline = time.monotonic() + 10
        while replaced_parts() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert replaced_parts() == 0
    finally:
        session.query("DROP TABLE IF EXISTS default.merged_parts")
        session.close()
