"""Billing, customer dynamics and Premier's content marts on a hand-made world (tests/billing_world.py),
every figure computed by hand; PostgreSQL and Parquet ingest against the CSV files."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from dagster import AssetSelection, materialize

from ingest import billing
from orchestration.billing.assets import ingest_assets as billing_assets
from orchestration.billing.resources import BillingSource
from orchestration.billing.schedules import dynamics_run_config
from orchestration.content.assets import ingest_assets as content_assets
from orchestration.dbt.selection import dbt_selection
from orchestration.demo import partition_range_tags
from orchestration.resources import LandingZone
from orchestration.viewing.assets import viewing_sessions
from orchestration.viewing.resources import ViewingSource
from tests import billing_world as w
from tests.postgres_server import started_server
from warehouse import Warehouse

MARTS = "+path:models/marts/billing +path:models/marts/content"
SELECTION = AssetSelection.assets(*billing_assets, *content_assets, viewing_sessions) | dbt_selection(MARTS)
D = Decimal


def _resources(root, billing_source=None):
    from orchestration.definitions import defs

    return {
        **defs.resources,
        "warehouse": Warehouse(path=str(root / "warehouse"), lock_timeout=60),
        "landing": LandingZone(path=str(root / "landing")),
        "viewing_source": ViewingSource(kind="files"),
        "billing_source": billing_source or BillingSource(),
    }


def _build(root, resources, first=w.FIRST_DAY, last=w.LAST_DAY, run_config=None, selection=SELECTION):
    from orchestration.definitions import defs

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTT_WAREHOUSE_PATH", str(root / "warehouse"))  # read by dbt's subprocess
        result = materialize(
            list(defs.assets),
            resources=resources,
            selection=selection,
            tags=partition_range_tags(first, last),
            run_config=run_config,
        )
    assert result.success
    return result


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("billing")
    w.write_landing(root / "landing")
    resources = _resources(root)
    _build(root, resources)
    return {"root": root, "resources": resources}


@pytest.fixture
def conn(world):
    with world["resources"]["warehouse"].connect() as connection:
        yield connection


def _rows(conn, sql):
    return conn.query_arrow(sql).to_pylist()


def test_collect_daily_stats_by_utc_day(conn):
    rows = _rows(
        conn,
        "SELECT payment_date, client_id, currency, payments_count, payments_amount, paying_customers,"
        " refunds_count, refunds_amount FROM marts.agg_billing_daily_payments ORDER BY payment_date, client_id",
    )
    assert [tuple(r.values()) for r in rows] == [
        (date(2025, 2, 15), 1, "RUB", 1, D("299.00"), 1, 0, D("0")),  # the charge is not a payment
        (date(2025, 2, 20), 2, "USD", 1, D("9.99"), 1, 0, D("0")),
        (date(2025, 3, 1), 1, "RUB", 1, D("100.00"), 1, 0, D("0")),  # 23:59:59 is still March 1st
        (date(2025, 3, 1), 2, "USD", 1, D("5.00"), 1, 0, D("0")),
        (date(2025, 3, 2), 1, "RUB", 1, D("50.00"), 1, 1, D("40.00")),  # 00:00:00 is March 2nd
        (date(2025, 3, 15), 1, "RUB", 1, D("299.00"), 1, 0, D("0")),
    ]
    assert all(isinstance(r["payments_amount"], Decimal) for r in rows)
    by_tariff = _rows(
        conn,
        "SELECT tariff_name, currency, sum(payments_amount) AS paid, sum(refunds_amount) AS refunded"
        " FROM marts.agg_billing_daily_tariff_payments GROUP BY tariff_name, currency ORDER BY tariff_name",
    )
    assert by_tariff == [
        {"tariff_name": "Premium", "currency": "USD", "paid": D("14.99"), "refunded": D("0")},
        {"tariff_name": "Базовый", "currency": "RUB", "paid": D("748.00"), "refunded": D("40.00")},
    ]


def _dynamics(conn, grain, client, *starts):
    table = f"marts.agg_billing_customer_dynamics_{grain}"
    rows = _rows(
        conn,
        "SELECT period_start, total_customers AS total, new_customers AS new, active_customers AS active,"
        f" churned_customers AS churned, paying_customers AS paying FROM {table} WHERE client_id = {client}"
        " ORDER BY period_start",
    )
    wanted = {datetime.fromisoformat(s).replace(tzinfo=UTC) for s in starts}
    return {r.pop("period_start").strftime("%m-%d %H"): r for r in rows if r["period_start"] in wanted}


def test_customer_dynamics_by_day(conn):
    got = _dynamics(
        conn,
        "daily",
        1,
        "2025-02-14",
        "2025-02-15",
        "2025-03-01",
        "2025-03-02",
        "2025-03-08",
        "2025-03-09",
        "2025-03-15",
    )
    row = lambda total, new, active, churned, paying: locals()  # noqa: E731
    assert got == {
        "02-14 00": row(1, 0, 0, 0, 0),
        "02-15 00": row(1, 0, 1, 0, 1),
        "03-01 00": row(3 - 1, 1, 2, 0, 1),  # 102 created and covered from 23:59:59
        "03-02 00": row(3, 1, 2, 1, 1),  # 103 at 00:00:00; 102 churned at 12:00
        "03-08 00": row(3, 0, 2, 0, 0),
        "03-09 00": row(3, 0, 1, 1, 0),  # 103's trial ended at 00:00:00
        "03-15 00": row(3, 0, 1, 0, 1),  # s1 -> s2 touch: 101 never churned
    }
    client2 = _dynamics(conn, "daily", 2, "2025-03-01", "2025-03-10", "2025-03-16")
    assert client2 == {  # s5 and s6 overlap: one account, covered once
        "03-01 00": row(1, 0, 1, 0, 1),
        "03-10 00": row(1, 0, 1, 0, 0),
        "03-16 00": row(1, 0, 1, 0, 0),
    }


def test_customer_dynamics_by_hour(conn):
    got = _dynamics(conn, "hourly", 1, "2025-03-01 22:00", "2025-03-01 23:00", "2025-03-02 00:00", "2025-03-02 12:00")
    row = lambda total, new, active, churned, paying: locals()  # noqa: E731
    assert got == {
        "03-01 22": row(1, 0, 1, 0, 0),
        "03-01 23": row(2, 1, 2, 0, 1),
        "03-02 00": row(3, 1, 3, 0, 1),
        "03-02 12": row(3, 0, 2, 1, 0),
    }


def test_first_run_built_the_previous_month(conn):
    first = conn.scalar("SELECT min(period_start) FROM marts.agg_billing_customer_dynamics_hourly")
    assert first == datetime(2025, 1, 1, tzinfo=UTC)  # min_date 2025-02-15: all of January too
    assert conn.scalar("SELECT count() FROM marts.agg_billing_customer_dynamics_daily") == 2 * (31 + 28 + 16)


def test_extended_billing_aggregate(conn):
    rows = _rows(
        conn,
        "SELECT passport_id, subscription_id, start_date, end_date, money, currency, LTV, LT_total"
        " FROM marts.Extended_billing_aggregate ORDER BY subscription_id",
    )
    assert [tuple(r.values()) for r in rows] == [
        (101, 1, date(2025, 2, 15), date(2025, 3, 15), D("299.00"), "RUB", D("299.00"), 28.0),
        (101, 2, date(2025, 3, 15), date(2025, 4, 14), D("299.00"), "RUB", D("598.00"), 58.0),
        (102, 3, date(2025, 3, 1), date(2025, 3, 2), D("60.00"), "RUB", D("60.00"), round(43201 / 86400, 6)),
        (103, 4, date(2025, 3, 2), date(2025, 3, 9), D("50.00"), "RUB", D("50.00"), 7.0),
        (201, 5, date(2025, 2, 20), date(2025, 3, 20), D("9.99"), "USD", D("9.99"), 28.0),
        (201, 6, date(2025, 3, 1), date(2025, 3, 10), D("5.00"), "USD", D("14.99"), 28.0),  # inside s5: no new time
    ]


def test_episode_views_by_viewer(conn):
    rows = _rows(
        conn,
        "SELECT dt, passport_id, subscription_kind, subscription_id, tv_id, season_num, episode_num, cnt_views,"
        " cnt_views_3min, view_duration_s, age_restriction, genre_name, geo_region_title_ru"
        " FROM marts.episode_views_by_viewer ORDER BY dt, passport_id, tv_id",
    )
    assert [tuple(r.values()) for r in rows] == [
        (date(2025, 3, 1), 201, "monthly", 6, 8, 1, 1, 1, 1, 3600.0, 12, "комедия", "Алматы"),
        (date(2025, 3, 2), 102, "monthly", 3, 7, 1, 1, 1, 1, 1200.0, 16, "драма", "Санкт-Петербург"),
        (date(2025, 3, 10), 101, "monthly", 1, 7, 1, 1, 1, 1, 2000.0, 16, "драма", "Москва"),
        (date(2025, 3, 10), 101, "monthly", 1, 8, 2, 3, 1, 1, 600.0, 12, "комедия", "Москва"),
        (date(2025, 3, 11), 101, "monthly", 1, 8, 2, 3, 1, 1, 600.0, 12, "комедия", "Москва"),
        (date(2025, 3, 16), 101, "monthly", 2, 7, 1, 2, 1, 0, 120.0, 16, "драма", "Москва"),  # under 3 minutes
    ]


def test_revenue_allocation_to_the_kopeck(conn):
    rows = _rows(
        conn,
        "SELECT tv_id, title_ru, season_num, dt, currency, watching_time, alloc_revenue FROM"
        " marts.content_dash_table_till_user_driver_allocation_from_2020_history ORDER BY currency, dt, tv_id",
    )
    assert [tuple(r.values()) for r in rows] == [
        (0, "(unallocated)", 0, date(2025, 3, 2), "RUB", 0.0, D("50.00")),  # 103 watched nothing
        (7, "Жизнь", 1, date(2025, 3, 2), "RUB", 1200.0, D("60.00")),  # s3 after its 40.00 refund
        # s1's 29900 kopecks over 2000 + 600 + 600 s: 18687.5, 5606.25, 5606.25; the leftover kopeck goes to
        # the largest remainder
        (7, "Жизнь", 1, date(2025, 3, 10), "RUB", 2000.0, D("186.88")),
        (8, "Сериал", 2, date(2025, 3, 10), "RUB", 600.0, D("56.06")),
        (8, "Сериал", 2, date(2025, 3, 11), "RUB", 600.0, D("56.06")),
        (7, "Жизнь", 1, date(2025, 3, 16), "RUB", 120.0, D("299.00")),
        (0, "(unallocated)", 0, date(2025, 2, 20), "USD", 0.0, D("9.99")),  # s5: its account's view is under s6
        (8, "Сериал", 1, date(2025, 3, 1), "USD", 3600.0, D("5.00")),
    ]
    totals = {(r["currency"]): D(0) for r in rows}
    for r in rows:
        totals[r["currency"]] += r["alloc_revenue"]
    assert totals == {"RUB": D("708.00"), "USD": D("14.99")}  # the money of every subscription


def _snapshot(conn) -> dict:
    tables = [
        "agg_billing_daily_payments",
        "agg_billing_daily_tariff_payments",
        "agg_billing_customer_dynamics_hourly",
        "agg_billing_customer_dynamics_daily",
        "Extended_billing_aggregate",
        "episode_views_by_viewer",
        "content_dash_table_till_user_driver_allocation_from_2020_history",
    ]
    return {t: conn.query_df(f"SELECT * FROM marts.{t} ORDER BY ALL").to_dict("records") for t in tables}


def _raw(conn, source) -> list[dict]:
    names = ", ".join(f"`{c.name}`" for c in source.columns)
    return conn.query_arrow(f"SELECT {names} FROM {source.table} ORDER BY ALL").to_pylist()


def test_postgres_billing_matches_the_files(world, tmp_path):
    server = started_server(w.postgres_sql())
    try:
        source = BillingSource(
            kind="postgres",
            host="127.0.0.1",
            port=server.port,
            database=server.database,
            user=server.user,
            password=server.password,
            tables={"billing_subscriptions": "subscription"},
            columns={
                "billing_subscriptions": {"subscription_id": "id"},
                "billing_transactions": {"created_at": "created"},
            },
        )
        resources = _resources(tmp_path, source)
        result = materialize(
            billing_assets, resources=resources, tags=partition_range_tags(date(2025, 3, 1), date(2025, 3, 2))
        )
        assert result.success
    finally:
        server.stop()
    transactions = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == "billing_transactions"
    ]
    # each day's time range is pushed down: only that day's rows are read
    assert transactions[0].materialization.metadata["partitions"].value == {"2025-03-01": 2, "2025-03-02": 2}
    with resources["warehouse"].connect() as from_pg:
        pg = {s.name: _raw(from_pg, s) for s in billing.SOURCES}
    with world["resources"]["warehouse"].connect() as from_files:
        files = {s.name: _raw(from_files, s) for s in billing.SOURCES}
    march = [t for t in files["billing_transactions"] if t["created_at"].date() in (date(2025, 3, 1), date(2025, 3, 2))]
    assert pg["billing_transactions"] == march
    for name in ("billing_accounts", "billing_tariffs", "billing_subscriptions"):
        assert pg[name] == files[name], name


def test_parquet_billing_files_load_like_csv(world, tmp_path):
    landing = tmp_path / "landing"
    for name in ("accounts", "tariffs", "subscriptions"):
        table = pacsv.read_csv(world["root"] / "landing" / "billing" / f"{name}.csv")
        (landing / "billing").mkdir(parents=True, exist_ok=True)
        pq.write_table(table, landing / "billing" / f"{name}.parquet")
    march1 = world["root"] / "landing" / "billing" / "transactions" / "2025-03-01.csv"
    (landing / "billing" / "transactions").mkdir()
    pq.write_table(pacsv.read_csv(march1), landing / "billing" / "transactions" / "2025-03-01.parquet")
    resources = _resources(tmp_path)
    assert materialize(billing_assets, resources=resources, partition_key="2025-03-01").success
    with resources["warehouse"].connect() as from_parquet:
        parquet = {s.name: _raw(from_parquet, s) for s in billing.SOURCES}
    with world["resources"]["warehouse"].connect() as from_files:
        files = {s.name: _raw(from_files, s) for s in billing.SOURCES}
    for name in ("billing_accounts", "billing_tariffs", "billing_subscriptions"):
        assert parquet[name] == files[name], name
    assert parquet["billing_transactions"] == [
        t for t in files["billing_transactions"] if t["created_at"].date() == date(2025, 3, 1)
    ]


def test_a_rerun_changes_nothing_and_client_id_rebuilds_only_those_clients(world):
    """Last in this module: it adds accounts to the world."""
    root, resources = world["root"], world["resources"]
    with resources["warehouse"].connect() as conn:
        before = _snapshot(conn)
    day = date(2025, 3, 2)
    _build(root, resources, day, day)
    with resources["warehouse"].connect() as conn:
        assert _snapshot(conn) == before

    # two accounts appear on March 5th; only client 2's dynamics are rebuilt
    with (root / "landing" / "billing" / "accounts.csv").open("a") as accounts:
        accounts.write("104,1,1,Москва,true,2025-03-05 08:00:00\n202,2,2,Алматы,true,2025-03-05 09:00:00\n")
    march5 = date(2025, 3, 5)
    dynamics = AssetSelection.assets(*billing_assets) | dbt_selection("+agg_billing_customer_dynamics_daily")
    _build(root, resources, march5, march5, run_config=dynamics_run_config([2]), selection=dynamics)
    with resources["warehouse"].connect() as conn:
        assert _dynamics(conn, "daily", 2, "2025-03-05")["03-05 00"]["new"] == 1
        assert _dynamics(conn, "daily", 2, "2025-03-05")["03-05 00"]["total"] == 2
        assert _dynamics(conn, "daily", 1, "2025-03-05")["03-05 00"]["new"] == 0  # carried over unchanged
        assert conn.scalar("SELECT count() FROM marts.agg_billing_customer_dynamics_daily") == 2 * (31 + 28 + 16)


@pytest.mark.slow
def test_command_line_runs_the_jobs_with_smartys_flags(world, tmp_path):
    """After the previous test added account 104 (client 1) on March 5th: the command rebuilds client 1."""
    root = world["root"]
    env = {
        **os.environ,
        "OTT_WAREHOUSE_PATH": str(root / "warehouse"),
        "OTT_LANDING_DIR": str(root / "landing"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    for arguments in (
        ["cache_customers_dynamic", "--client_id", "1", "--date", "2025-03-05", "--settings=settings.smarty"],
        ["collect_daily_stats", "--date", "2025-03-15", "--settings=settings.smarty"],
    ):
        command = [sys.executable, "-m", "orchestration.cli", *arguments]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"{arguments[0]}: success" in done.stdout
    with world["resources"]["warehouse"].connect() as conn:
        assert _dynamics(conn, "daily", 1, "2025-03-05")["03-05 00"] == {
            "total": 4,
            "new": 1,
            "active": 2,  # 101 and 103 (trial until the 9th); 104 has no subscription
            "churned": 0,
            "paying": 0,
        }
        assert _rows(
            conn, "SELECT payments_amount FROM marts.agg_billing_daily_payments WHERE payment_date = '2025-03-15'"
        ) == [{"payments_amount": D("299.00")}]
