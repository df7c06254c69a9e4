import datetime
import logging
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal

import pyarrow as pa
import pytest
from dbt.adapters.chdb.session import WarehouseBusyError

from warehouse import Warehouse
from warehouse.connection import partition_literal


def test_query_returns_clickhouse_types_as_arrow(warehouse):
    with warehouse.connect() as conn:
        table = conn.query_arrow(
            "SELECT toDateTime('2026-11-01 23:59:59', 'UTC') AS ts, toDate('2026-11-02') AS day,"
            " toDecimal64('10.25', 2) AS money, toUInt64(7) AS n, 'Привет' AS text"
        )
    assert table.to_pylist() == [
        {
            "ts": datetime.datetime(2026, 11, 1, 23, 59, 59, tzinfo=datetime.UTC),
            "day": datetime.date(2026, 11, 2),
            "money": Decimal("10.25"),
            "n": 7,
            "text": "Привет",
        }
    ]


def test_reading_a_result_loads_neither_pyarrow_dataset_nor_pandas(tmp_path):
    # pq.read_table would import pyarrow.dataset and pandas with it: 0.5 s of every short run
    probe = textwrap.dedent(
        f"""
        import sys
        from warehouse import Warehouse
        with Warehouse(path={str(tmp_path / "wh")!r}).connect() as conn:
            assert conn.query_arrow("SELECT toDate('2026-11-02') AS day").column("day").to_pylist()[0].day == 2
        print(sorted(m for m in ("pyarrow.dataset", "pandas") if m in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_parameters_are_bound_not_pasted(warehouse):
    hostile = "x'); DROP DATABASE system; --"
    with warehouse.connect() as conn:
        assert conn.scalar("SELECT {v:String}", {"v": hostile}) == hostile
        assert conn.scalar("SELECT length({names:Array(String)})", {"names": ["a", "b'c"]}) == 2
        assert conn.scalar("SELECT count() FROM system.databases WHERE name = 'system'") == 1


def test_insert_arrow_and_dataframe_roundtrip(warehouse):
    data = pa.table({"id": pa.array(range(100_000), pa.uint64()), "label": pa.array([f"r{i}" for i in range(100_000)])})
    with warehouse.connect() as conn:
        conn.command("CREATE DATABASE IF NOT EXISTS t")
        conn.command("CREATE TABLE t.items (label String, id UInt64) ENGINE = MergeTree ORDER BY id")
        conn.insert_arrow("t.items", data)
        frame = conn.query_df("SELECT count() AS n, sum(id) AS s, max(label) AS top FROM t.items")
    assert frame.to_dict("records") == [{"n": 100_000, "s": sum(range(100_000)), "top": "r99999"}]


def test_replace_partition_replaces_and_empty_staging_drops(warehouse):
    with warehouse.connect() as conn:
        conn.command("CREATE DATABASE IF NOT EXISTS t")
        conn.command("CREATE TABLE t.daily (d Date, v Int32) ENGINE = MergeTree PARTITION BY d ORDER BY v")
        conn.command("CREATE TABLE t.stage AS t.daily")
        conn.command("INSERT INTO t.daily VALUES ('2026-11-01', 1), ('2026-11-02', 2)")
        conn.command("INSERT INTO t.stage VALUES ('2026-11-01', 10), ('2026-11-01', 11)")
        conn.replace_partition("t.daily", "t.stage", partition_literal(datetime.date(2026, 11, 1)))
        assert conn.query_arrow("SELECT d, v FROM t.daily ORDER BY v").column("v").to_pylist() == [2, 10, 11]
        conn.command("TRUNCATE TABLE t.stage")
        conn.replace_partition("t.daily", "t.stage", partition_literal(datetime.date(2026, 11, 2)))
        assert conn.query_arrow("SELECT v FROM t.daily ORDER BY v").column("v").to_pylist() == [10, 11]


def test_replace_rows_replaces_a_day_of_a_month_and_settled_months_are_merged(warehouse):
    """A load replaces its day within the month partition: the day's own parts are dropped, a part shared with
    other days is replaced by a copy of their rows (no lightweight delete, whose mask only a slow mutation
    removes), the other days kept; months before the newest are merged into one part, the newest keeps a part
    a day."""
    day = datetime.date(2026, 11, 2)
    with warehouse.connect() as conn:
        conn.command("CREATE DATABASE IF NOT EXISTS t")
        conn.command("CREATE TABLE t.monthly (d Date, v Int32) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY v")
        conn.command("CREATE TABLE t.stage AS t.monthly")
        conn.command("INSERT INTO t.monthly VALUES ('2026-11-01', 1), ('2026-11-02', 2)")  # one part, two days
        conn.command("INSERT INTO t.monthly VALUES ('2026-11-02', 3)")  # a part of the day alone
        conn.command("INSERT INTO t.monthly VALUES ('2026-10-30', 4)")
        conn.command("INSERT INTO t.monthly VALUES ('2026-10-31', 5)")
        conn.command("INSERT INTO t.stage VALUES ('2026-11-02', 20), ('2026-11-02', 21)")
        replace = ["t.monthly", "t.stage", partition_literal(202611), f"d = '{day}'", "t.monthly_work"]
        conn.replace_rows(*replace)
        assert conn.query_arrow("SELECT v FROM t.monthly ORDER BY v").column("v").to_pylist() == [1, 4, 5, 20, 21]
        conn.command("TRUNCATE TABLE t.stage")  # a re-run that finds nothing leaves nothing of the day
        conn.replace_rows(*replace)
        assert conn.query_arrow("SELECT v FROM t.monthly ORDER BY v").column("v").to_pylist() == [1, 4, 5]
        parts = (
            "SELECT partition, count() AS n, max(has_lightweight_delete) AS deleted FROM system.parts"
            " WHERE active AND database = 't' AND table = 'monthly' GROUP BY partition ORDER BY partition"
        )
        # November: the copy of the shared part's day 1 (and the empty part REPLACE PARTITION leaves), no mask
        assert not conn.query_arrow(parts).to_pylist()[1]["deleted"]
        assert conn.query_arrow(
            "SELECT _part AS part, groupArray(v) AS v FROM t.monthly WHERE d >= '2026-11-01' GROUP BY _part"
        ).to_pylist()[0]["v"] == [1]
        conn.merge_settled_partitions("t.monthly")
        merged = conn.query_arrow(parts).to_pylist()
        assert merged[0] == {"partition": "202610", "n": 1, "deleted": False}  # a month before the newest: merged
        conn.command("INSERT INTO t.stage VALUES ('2026-11-03', 30)")
        conn.replace_rows("t.monthly", "t.stage", partition_literal(202611), "d = '2026-11-03'", "t.monthly_work")
        conn.merge_settled_partitions("t.monthly")
        grown = conn.query_arrow(parts).to_pylist()[1]
        assert (grown["n"], grown["deleted"]) == (merged[1]["n"] + 1, False)  # a part more: day 3's own
        assert conn.query_arrow("SELECT v FROM t.monthly ORDER BY v").column("v").to_pylist() == [1, 4, 5, 30]
        assert conn.scalar("SELECT count() FROM system.tables WHERE database = 't' AND name = 'monthly_work'") == 0


def test_settled_partitions_with_deleted_rows_are_merged_and_the_newest_month_is_left(warehouse):
    """Rows deleted by an earlier release (a lightweight delete's mask) leave a past month's single part when it
    is merged; the newest month keeps its parts as they are."""
    with warehouse.connect() as conn:
        conn.command("CREATE DATABASE IF NOT EXISTS t")
        conn.command("CREATE TABLE t.masked (d Date, v Int32) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY v")
        conn.command("INSERT INTO t.masked VALUES ('2026-10-30', 1), ('2026-10-31', 2)")
        conn.command("INSERT INTO t.masked VALUES ('2026-11-01', 3), ('2026-11-02', 4)")
        conn.command("DELETE FROM t.masked WHERE v IN (1, 3)")
        parts = (
            "SELECT partition, count() AS n, max(has_lightweight_delete) AS deleted FROM system.parts"
            " WHERE active AND database = 't' AND table = 'masked' GROUP BY partition ORDER BY partition"
        )
        assert [(p["n"], p["deleted"]) for p in conn.query_arrow(parts).to_pylist()] == [(1, 1), (1, 1)]
        conn.merge_settled_partitions("t.masked")
        assert [(p["n"], p["deleted"]) for p in conn.query_arrow(parts).to_pylist()] == [(1, 0), (1, 1)]
        assert conn.query_arrow("SELECT v FROM t.masked ORDER BY v").column("v").to_pylist() == [2, 4]


def test_identifiers_are_checked(warehouse):
    with warehouse.connect() as conn, pytest.raises(ValueError, match="not a valid table identifier"):
        conn.replace_partition("t.daily; DROP TABLE x", "t.stage", "tuple()")
    with pytest.raises(ValueError, match="quotes"):
        partition_literal("it's")


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from warehouse import Warehouse
    with Warehouse(path=sys.argv[1]).connect():
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold(path: str, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, path, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.slow
def test_a_second_process_waits_and_says_so(tmp_path, caplog):
    path = str(tmp_path / "wh")
    holder = _hold(path, 3)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), Warehouse(path=path, lock_timeout=60).connect() as conn:
        waited = time.monotonic() - started
        assert conn.scalar("SELECT 1") == 1
    holder.wait()
    assert waited >= 1.0
    assert f"in use by process {holder.pid} (python" in caplog.text


@pytest.mark.slow
def test_a_second_process_gives_up_after_the_timeout(tmp_path):
    path = str(tmp_path / "wh")
    holder = _hold(path, 10)
    started = time.monotonic()
    with (
        pytest.raises(WarehouseBusyError, match="still locked after 1s"),
        Warehouse(path=path, lock_timeout=1).connect(),
    ):
        pass
    assert time.monotonic() - started < 8
    holder.kill()
    holder.wait()


@pytest.mark.skipif(
    not os.environ.get("CLICKHOUSE_HOST"), reason="CLICKHOUSE_HOST not set: no ClickHouse server to test"
)
def test_server_backend_roundtrip():
    server = Warehouse(
        backend="clickhouse",
        host=os.environ["CLICKHOUSE_HOST"],
        port=int(os.environ.get("CLICKHOUSE_PORT", "8123")),
        user=os.environ.get("CLICKHOUSE_USER", "default"),
        password=os.environ.get("CLICKHOUSE_PASSWORD", ""),
    )
    with server.connect() as conn:
        conn.command("CREATE DATABASE IF NOT EXISTS ott_test")
        conn.command("DROP TABLE IF EXISTS ott_test.items")
        conn.command("CREATE TABLE ott_test.items (id UInt64, d Date) ENGINE = MergeTree PARTITION BY d ORDER BY id")
        conn.command("CREATE TABLE IF NOT EXISTS ott_test.stage AS ott_test.items")
        conn.command("TRUNCATE TABLE ott_test.stage")
        conn.insert_arrow(
            "ott_test.stage",
            pa.table({"id": pa.array([1, 2], pa.uint64()), "d": pa.array([datetime.date(2026, 11, 1)] * 2)}),
        )
        conn.replace_partition("ott_test.items", "ott_test.stage", partition_literal(datetime.date(2026, 11, 1)))
        assert conn.scalar("SELECT count() FROM ott_test.items WHERE id > {n:UInt64}", {"n": 1}) == 1
