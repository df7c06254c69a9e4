"""The whole pipeline through Dagster on a tiny generated world, checked against pandas on the landing files."""

import json
import os
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from dagster import materialize

from tests.conftest import TINY_DAYS, TINY_START
from tests.table_fingerprints import table_fingerprints

MARTS = [
    "marts.fct_viewing_sessions",
    "marts.agg_viewing_channel_daily",
    "marts.agg_viewing_customer_daily",
    "marts.agg_viewing_max_online_daily",
    "marts.agg_billing_daily_payments",
    "marts.dim_content_episodes",
    "marts.fct_payments",
    "marts.agg_events_dashboard",
    "marts.agg_events_funnel",
]


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="module")
def first_run(pipeline_run):
    return pipeline_run


@pytest.fixture
def conn(defs, first_run):
    with defs.resources["warehouse"].connect() as connection:
        yield connection


def _valid_sessions(landing) -> pd.DataFrame:
    frames = []
    for path in sorted((landing / "viewing" / "sessions").glob("*.json")):
        rows = pd.DataFrame([json.loads(line) for line in path.read_text().splitlines()])
        rows["start"] = pd.to_datetime(rows["start"].map(lambda d: d["$date"]))
        rows["end"] = pd.to_datetime(rows["end"].map(lambda d: d["$date"]))
        rows["day"] = path.stem
        frames.append(rows)
    sessions = pd.concat(frames)
    return sessions[sessions["account_id"].notna() & (sessions["end"] >= sessions["start"])]


def test_ingest_metadata_accounts_for_every_record(first_run):
    materializations = first_run.get_asset_materialization_events()
    ingest = [m for m in materializations if m.asset_key.path[0] == "raw"]
    assert len(ingest) == 4 * TINY_DAYS + 7  # one per partition of the 4 daily sources, one per snapshot
    for event in ingest:
        metadata = event.materialization.metadata
        assert metadata["read"].value == metadata["loaded"].value + metadata["quarantined"].value
        assert metadata["read = loaded + quarantined"].value is True


def test_asset_checks_from_dbt_tests_all_pass(first_run):
    checks = first_run.get_asset_check_evaluations()
    assert len(checks) >= 30
    assert all(c.passed for c in checks), [c.check_name for c in checks if not c.passed]


def test_every_dbt_test_is_an_asset_check_the_run_evaluates(first_run):
    """Also a test joining models of two dbt asset definitions (dbt_project/selectors.yml): dagster-dbt would
    otherwise log it as an observation, with a warning on every run."""
    from orchestration.dbt.resources import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    tests = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "test"}
    assert {check.check_name for check in first_run.get_asset_check_evaluations()} == tests
    assert "relationships_stg_content__episodes_title_id__title_id__ref_stg_content__titles_" in tests


def test_viewing_marts_match_the_landing_files(conn, landing):
    sessions = _valid_sessions(landing)
    per_day = conn.query_df(
        "SELECT toString(session_date) AS day, count() AS n FROM marts.fct_viewing_sessions GROUP BY day ORDER BY day"
    )
    assert per_day.set_index("day")["n"].to_dict() == sessions.groupby("day").size().to_dict()

    # split at UTC midnight, independently of the dbt models: one part per day a session touches
    parts = []
    for row in sessions[sessions["content_type"] != "vod"].itertuples():
        day = row.start.normalize()
        while day < row.end:
            part = (min(row.end, day + pd.Timedelta(days=1)) - max(row.start, day)).total_seconds()
            parts.append((row.client_id, int(row.channel_id), str(day.date()), part, row.account_id))
            day += pd.Timedelta(days=1)
    frame = pd.DataFrame(parts, columns=["client_id", "channel_id", "day", "seconds", "account_id"])
    expected = (
        frame.groupby(["client_id", "channel_id", "day"])
        .agg(
            sessions=("seconds", "size"),
            total=("seconds", "sum"),
            viewers=("account_id", "nunique"),
            median=("seconds", "median"),
        )
        .reset_index()
    )
    actual = conn.query_df(
        "SELECT client_id, channel_id, toString(view_date) AS day, sessions, watch_seconds AS total,"
        " unique_viewers AS viewers, median_watch_seconds AS median FROM marts.agg_viewing_channel_daily"
        " ORDER BY client_id, channel_id, day"
    )
    assert actual[["sessions", "viewers"]].values.tolist() == expected[["sessions", "viewers"]].values.tolist()
    assert actual["total"].tolist() == pytest.approx(expected["total"].tolist())
    assert actual["median"].tolist() == pytest.approx(expected["median"].tolist())


def test_billing_payments_match_the_landing_files(conn, landing):
    accounts = pd.read_csv(landing / "billing" / "accounts.csv")
    transactions = pd.concat(
        pd.read_csv(p, dtype={"amount": str}) for p in sorted((landing / "billing" / "transactions").glob("*.csv"))
    )
    payments = transactions[transactions["kind"] == "payment"].merge(
        accounts[["account_id", "client_id"]], on="account_id"
    )
    payments["day"] = payments["created_at"].str[:10]
    payments["amount"] = payments["amount"].map(Decimal)
    expected = (
        payments.groupby(["day", "client_id", "currency"])
        .agg(n=("amount", "size"), total=("amount", "sum"))
        .reset_index()
    )
    actual = conn.query_arrow(
        "SELECT toString(payment_date) AS day, client_id, currency, payments_count AS n, payments_amount AS total"
        " FROM marts.agg_billing_daily_payments WHERE payments_count > 0 ORDER BY day, client_id, currency"
    ).to_pylist()
    assert [(r["day"], r["client_id"], r["currency"], r["n"], r["total"]) for r in actual] == [
        (r.day, r.client_id, r.currency, r.n, r.total) for r in expected.itertuples()
    ]


def test_payment_state_is_the_last_event_by_sequence(conn, landing):
    events = pd.concat(
        pd.DataFrame([json.loads(line) for line in p.read_text().splitlines()])
        for p in sorted((landing / "payments" / "events").glob("*.json"))
    )
    payment_events = events[events["event_type"].str.startswith("payment.")]
    last = payment_events.sort_values("sequence_id").groupby("invoice_id").tail(1)
    expected = last["status"].value_counts().to_dict()
    actual = conn.query_df("SELECT status, count() AS n FROM marts.fct_payments GROUP BY status")
    assert actual.set_index("status")["n"].to_dict() == expected


def test_event_dashboard_counts_views(conn, landing):
    events = pd.concat(
        pd.DataFrame([json.loads(line) for line in p.read_text().splitlines()])
        for p in sorted((landing / "events" / "analytics_events").glob("*.json"))
    )
    views = events[events["event_type"] == "page.view"]
    daily = "FROM marts.agg_events_dashboard WHERE breakdown = 'day'"
    assert conn.scalar(f"SELECT sum(totalViews) {daily}") == len(views)
    per_day = views.assign(day=views["created_at"].str[:10]).groupby(["event_id", "day"])["user_id"].nunique().sum()
    assert conn.scalar(f"SELECT sum(uniqueViews) {daily}") == per_day
    per_event = views.groupby("event_id")["user_id"].nunique().sum()
    assert conn.scalar("SELECT sum(uniqueViews) FROM marts.agg_events_dashboard WHERE breakdown = 'total'") == per_event


def _snapshot(conn) -> dict[str, list]:
    return {table: conn.query_arrow(f"SELECT * FROM {table} ORDER BY tuple(*)").to_pylist() for table in MARTS}


@pytest.mark.slow
def test_rematerializing_a_partition_or_a_fact_alone_changes_nothing(defs, first_run, monkeypatch, tmp_path):
    """The partition again, then its dbt models again, then a payments fact alone: the same rows each time. The
    days of the touched invoices (int_payments__window_event_days) and the rebuilt event days
    (int_events__rebuilt_days) are found once per run: the run that built those tables reads them; a run of the
    fact alone, which leaves the table as it was, looks the days up itself."""
    warehouse = defs.resources["warehouse"]
    with warehouse.connect() as conn:
        before = _snapshot(conn)
        raw_before = conn.scalar("SELECT count() FROM raw.viewing_sessions")
    day = TINY_START.isoformat()
    result = materialize(list(defs.assets), resources=defs.resources, partition_key=day)
    assert result.success
    with warehouse.connect() as conn:
        assert conn.scalar("SELECT count() FROM raw.viewing_sessions") == raw_before
        after = _snapshot(conn)
    assert after == before

    # The same partition again: dbt is handed this asset's previous parse (same vars) and parses only changes.
    from orchestration.dbt.assets import dbt_incremental_models
    from orchestration.dbt.invocations import TARGET_DIR
    from orchestration.dbt.resources import dbt_resource

    again = materialize([dbt_incremental_models], resources=defs.resources, partition_key=day)
    assert again.success
    [log] = TARGET_DIR.glob(f"dbt_incremental_models-{result.run_id[:7]}-*/dbt.log")
    [run_dir] = TARGET_DIR.glob(f"dbt_incremental_models-{again.run_id[:7]}-*")
    assert "Unable to do partial parsing" in log.read_text()  # the day's vars differ from the range's
    run_log = (run_dir / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in run_log
    assert "(select event_date from `intermediate`.`int_events__rebuilt_days`)" in run_log  # the event days, too
    with warehouse.connect() as conn:
        assert _snapshot(conn) == before
        found = conn.query_arrow("SELECT * FROM intermediate.int_payments__window_event_days ORDER BY ALL").to_pylist()
    fact = Path("compiled/ott_analytics/models/marts/payments/fct_payments.sql")
    read_found = "select event_date from `intermediate`.`int_payments__window_event_days`"
    in_run = (run_dir / fact).read_text()
    assert read_found in in_run and "lookup_key in" not in in_run
    [invocation] = {row["invocation_id"] for row in found}
    days_model = Path("compiled/ott_analytics/models/intermediate/payments/int_payments__window_event_days.sql")
    assert f"'{invocation}' as invocation_id" in (run_dir / days_model).read_text()

    monkeypatch.setenv("OTT_WAREHOUSE_PATH", warehouse.path)
    window = json.dumps({"min_date": day, "max_date": day})
    dbt_resource().cli(["build", "-s", "fct_payments", "--vars", window], target_path=tmp_path).wait()
    alone = (tmp_path / fact).read_text()
    assert read_found not in alone and "lookup_key in" in alone
    with warehouse.connect() as conn:
        assert _snapshot(conn) == before
        left = conn.query_arrow("SELECT * FROM intermediate.int_payments__window_event_days ORDER BY ALL").to_pylist()
    assert left == found


def test_the_demo_summary_reads_every_headline(conn):
    from query.summary import HEADLINES, mart_row_counts, summary_text

    text = summary_text(conn)
    for title, _ in HEADLINES:
        assert f"{title}:" in text
    counts = mart_row_counts(conn)
    assert counts["episode_views_by_viewer"] > 0 and counts["agg_payments_shop_accounting_daily"] > 0
    lines = text.splitlines()
    revenue = lines[lines.index("Premier: revenue allocated to titles / unallocated, by currency:") + 1]
    assert revenue != "  (none)"


def test_every_mart_column_is_documented(conn):
    """Analysts read the marts through dbt docs and the UI: a column without a description fails here."""
    import json

    from orchestration.dbt.resources import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text())
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["path"].startswith("marts/")]
    built = conn.query_arrow("SELECT table, name FROM system.columns WHERE database = 'marts'").to_pylist()
    columns: dict[str, set[str]] = {}
    for column in built:
        columns.setdefault(column["table"], set()).add(column["name"])
    assert len(marts) >= 30 and all(m["alias"] in columns for m in marts)
    undocumented = {
        m["name"]: sorted(c for c in columns[m["alias"]] if not m["columns"].get(c, {}).get("description"))
        for m in marts
    }
    assert {model: cols for model, cols in undocumented.items() if cols} == {}


def test_dbt_assets_carry_their_column_schema_for_the_ui(defs):
    from dagster import AssetKey

    node = defs.resolve_asset_graph().get(AssetKey(["marts", "fct_payments"]))
    columns = {c.name: c for c in node.metadata["dagster/column_schema"].columns}
    assert columns["payment_rrn"].type == "Nullable(String)"
    assert columns["payment_rrn"].description == "Retrieval reference number given by the acquirer."
    assert columns["created_at"].type == "DateTime64(3, 'UTC')"


def test_exposures_are_assets_downstream_of_the_marts_they_read(defs):
    from dagster import AssetKey

    graph = defs.resolve_asset_graph()
    exposures = {key.path[1] for key in graph.get_all_asset_keys() if key.path[0] == "exposures"}
    assert exposures == {
        "telegram_reports",
        "published_snapshots",
        "magista_dsl",
        "smarty_channel_sorting_write_back",
        "event_exports",
    }
    magista = graph.get(AssetKey(["exposures", "magista_dsl"]))
    assert not magista.is_materializable
    assert AssetKey(["marts", "agg_payments_minute"]) in magista.parent_keys
    for name in exposures:
        for parent in graph.get(AssetKey(["exposures", name])).parent_keys:
            assert graph.get(parent).is_materializable, parent  # every dependency is a model Dagster builds


def test_data_tests_of_day_partitioned_models_check_the_run_days(tmp_path):
    """A scheduled run's data tests read its days (macros/test_window.sql); reconciliations of two models'
    totals read whole tables; a build without the window vars checks every day."""

    def compiled(vars_json: str) -> dict[str, str]:
        target = tmp_path / f"target-{len(vars_json)}"
        done = _dbt(
            tmp_path / "warehouse",
            target,
            "compile",
            "--select",
            "fct_analytics_events stg_viewing__sessions agg_viewing_customer_daily,test_name:total_matches",
            "--vars",
            vars_json,
            "--indirect-selection",
            "eager",
            "--quiet",
        )
        assert done.returncode == 0, done.stdout[-2000:]
        return {p.stem: p.read_text() for p in target.rglob("compiled/**/*.sql")}

    window = "between toDate('2026-03-01') - 0 and toDate('2026-03-02') + 0"
    day = compiled('{"min_date": "2026-03-01", "max_date": "2026-03-02"}')
    assert (
        f"from (select * from `marts`.`fct_analytics_events` where event_date {window}) dbt_subquery"
        in (day["unique_fct_analytics_events_id"])
    )
    assert f"where session_date {window}" in day["unique_stg_viewing__sessions_session_id"]
    reconciliation = next(sql for name, sql in day.items() if name.startswith("total_matches_agg_viewing_cust"))
    assert "toDate" not in reconciliation
    assert "toDate('2999-12-31')" in compiled("{}")["unique_fct_analytics_events_id"]


def test_data_tests_of_rewritten_marts_check_the_rows_the_run_rewrote(defs, first_run, tmp_path):
    """The tests of a delete+insert mart (meta rewritten_rows) read the rows of the entities with events in the
    run's window: a duplicated payment fails its uniqueness test on a day it has events, and is not read on a
    day it has none (that day's run did not write it)."""
    from warehouse import Warehouse

    copy = _copy_of_warehouse(defs, tmp_path)
    with Warehouse(path=str(copy)).connect() as conn:
        invoice, payment, day = (
            conn.query_arrow(
                "SELECT invoice_id, payment_id, any(event_date) FROM staging.stg_payments__events"
                " WHERE payment_id IS NOT NULL GROUP BY invoice_id, payment_id HAVING uniqExact(event_date) = 1 LIMIT 1"
            )
            .to_pylist()[0]
            .values()
        )
        conn.command(
            "INSERT INTO marts.fct_payments SELECT * FROM marts.fct_payments"
            " WHERE invoice_id = {invoice:String} AND payment_id = {payment:String}",
            {"invoice": invoice, "payment": payment},
        )
        other_day = conn.scalar(
            "SELECT min(event_date) FROM staging.stg_payments__events WHERE event_date != {day:Date}", {"day": day}
        )

    def uniqueness_test(window_day) -> subprocess.CompletedProcess:
        return _dbt(
            copy,
            tmp_path / f"target-{window_day}",
            "test",
            "--select",
            "fct_payments,test_name:unique_combination",
            "--vars",
            json.dumps({"min_date": str(window_day), "max_date": str(window_day)}),
        )

    caught = uniqueness_test(day)
    assert caught.returncode == 1 and "FAIL 1 unique_combination_fct_payments_invoice_id__payment_id" in caught.stdout
    elsewhere = uniqueness_test(other_day)
    assert elsewhere.returncode == 0, elsewhere.stdout[-2000:]
    assert "PASS unique_combination_fct_payments_invoice_id__payment_id" in elsewhere.stdout


def test_a_run_replaces_its_days_in_month_partitions_and_a_day_partitioned_table_is_copied(defs, first_run, tmp_path):
    """Day-grained models are partitioned by month (docs/incremental.md: the warehouse loads every part when it
    opens). A run replaces the days its new data holds, as parts of their own, and leaves the rest of the month;
    the post-hook merges a month no run writes into one part and removes rows deleted from parts it keeps; a
    table an earlier release partitioned by day is copied into monthly partitions with the same rows, not
    rebuilt."""
    from warehouse import Warehouse

    copy = _copy_of_warehouse(defs, tmp_path)
    sessions = "marts.fct_viewing_sessions"
    day1, day2 = TINY_START, TINY_START + timedelta(days=1)
    october = [date(2026, 10, 30), date(2026, 10, 31)]

    def add_stale_row(conn, day: date) -> None:
        conn.command(
            f"INSERT INTO {sessions} SELECT * REPLACE ('stale {day}' AS session_id, toDate('{day}') AS session_date)"
            f" FROM {sessions} LIMIT 1"
        )

    with Warehouse(path=str(copy)).connect() as conn:
        order_by = conn.scalar("SELECT sorting_key FROM system.tables WHERE name = 'fct_viewing_sessions'")
        conn.command(
            f"CREATE TABLE marts.by_day AS {sessions} ENGINE = MergeTree PARTITION BY session_date ORDER BY ({order_by})"
        )
        conn.command(f"INSERT INTO marts.by_day SELECT * FROM {sessions}")
        conn.command(f"EXCHANGE TABLES marts.by_day AND {sessions}")
        conn.command("DROP TABLE marts.by_day")
        rows_before = table_fingerprints(conn)[sessions]
        for day in [day1, day2, *october]:  # a run for day 1 replaces the first and leaves the others
            add_stale_row(conn, day)
    assert rows_before[0] > 0

    def run_day(day: date) -> str:
        return _run_model_for_day(copy, tmp_path / f"target-{day}", "fct_viewing_sessions", day)

    assert f"{sessions}: partitioned by session_date, the model now by toYYYYMM(session_date); copying" in run_day(day1)
    with Warehouse(path=str(copy)).connect() as conn:
        add_stale_row(conn, october[0])  # October (no run writes it) now holds two parts
    assert "copying" not in run_day(day1)
    with Warehouse(path=str(copy)).connect() as conn:
        stale = conn.query_arrow(
            f"SELECT session_date FROM {sessions} WHERE startsWith(session_id, 'stale') ORDER BY session_date"
        )
        assert stale.column("session_date").to_pylist() == [october[0], october[0], october[1], day2]
        assert conn.scalar("SELECT partition_key FROM system.tables WHERE name = 'fct_viewing_sessions'") == (
            "toYYYYMM(session_date)"
        )
        parts = conn.query_arrow(
            "SELECT partition, countIf(rows > 0) AS parts, max(has_lightweight_delete) AS deleted FROM system.parts"
            " WHERE active AND database = 'marts' AND table = 'fct_viewing_sessions' GROUP BY partition"
        ).to_pylist()
        conn.command(f"DELETE FROM {sessions} WHERE startsWith(session_id, 'stale')")
        assert table_fingerprints(conn)[sessions] == rows_before
    # October (no run writes it) was merged; in November the day replaced is a part of its own (the next run
    # for it drops that part) beside the merged rest, which no longer holds day 1's rows
    assert sorted((p["partition"], p["parts"], p["deleted"]) for p in parts) == [
        ("202610", 1, False),
        ("202611", 2, False),
    ]


def test_a_payments_fact_from_before_event_date_is_rebuilt_from_all_history(defs, first_run, tmp_path):
    """A payments fact built by a release that kept no event_date (an unpartitioned table) cannot be copied into
    partitions by a column it lacks: the next run that builds it drops it and rebuilds it from all history,
    saying so, and the rebuilt table equals the one a clean run built."""
    from warehouse import Warehouse

    copy = _copy_of_warehouse(defs, tmp_path)
    invoices = "marts.fct_invoices"
    with Warehouse(path=str(copy)).connect() as conn:
        built = table_fingerprints(conn)[invoices]
        conn.command(
            f"CREATE TABLE marts.before_event_date ENGINE = MergeTree ORDER BY (merchant_id, shop_id, created_at)"
            f" AS SELECT * EXCEPT event_date FROM {invoices}"
        )
        conn.command(f"EXCHANGE TABLES marts.before_event_date AND {invoices}")
        conn.command("DROP TABLE marts.before_event_date")
    assert built[0] > 0

    output = _run_model_for_day(copy, tmp_path / "target", "fct_invoices", TINY_START + timedelta(days=TINY_DAYS - 1))
    assert (
        f"{invoices}: partitioned by nothing, the model now by toYYYYMM(event_date) (a column the table does not"
        " have yet: event_date); rebuilding it from all history"
    ) in " ".join(output.split())
    with Warehouse(path=str(copy)).connect() as conn:
        assert table_fingerprints(conn)[invoices] == built
        partition_key = conn.scalar("SELECT partition_key FROM system.tables WHERE name = 'fct_invoices'")
        assert partition_key in ("toYYYYMM(event_date)", "(toYYYYMM(event_date))")


def _copy_of_warehouse(defs, tmp_path: Path) -> Path:
    """A copy of the warehouse directory, taken under its lease with no session open: no run writes and no
    background merge replaces parts while the files are copied."""
    import shutil

    from warehouse.lease import hold_lease

    copy = tmp_path / "warehouse"
    path = defs.resources["warehouse"].path
    with hold_lease(path, "a test copying the warehouse", timeout=300):
        shutil.copytree(path, copy, symlinks=True)  # the database directories are relative links
    return copy


def _run_model_for_day(warehouse: Path, target: Path, model: str, day: date) -> str:
    """`dbt run` of one model for one day's window on `warehouse`; its output (the run must succeed)."""
    done = _dbt(
        warehouse, target, "run", "--select", model, "--vars", json.dumps({"min_date": str(day), "max_date": str(day)})
    )
    assert done.returncode == 0, done.stdout[-2000:]
    return done.stdout


def _dbt(warehouse: Path, target: Path, *args: str) -> subprocess.CompletedProcess:
    from orchestration.dbt.resources import DBT_PROJECT_DIR, dbt_executable

    return subprocess.run(
        [dbt_executable(), *args, "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "OTT_WAREHOUSE_PATH": str(warehouse)},
    )
