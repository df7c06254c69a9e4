"""Event analytics on a hand-made world (tests/events_world.py): dashboard, funnel, report, export, TTL,
and the PostgreSQL path on a throwaway server."""

import csv
import datetime as dt
import io
import json
import os
import time

import openpyxl
import pytest
from dagster import AssetSelection, materialize

from exports.events import export
from orchestration.dbt.selection import dbt_selection
from orchestration.demo import partition_range_tags
from orchestration.events.assets import analytics_events
from orchestration.events.resources import EventsSource
from orchestration.resources import ExportsDir, LandingZone
from query import events
from tests.events_world import DAY1, DAY2, E1, E2, O1, O2, postgres_sql, user, write_landing
from tests.postgres_server import started_server
from warehouse import Warehouse


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("events")
    write_landing(root / "landing")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTT_WAREHOUSE_PATH", str(root / "warehouse"))
        patch.setenv("OTT_FUNNEL_WINDOW_HOURS", "1")
        from orchestration.definitions import defs

        resources = {
            **defs.resources,
            "warehouse": Warehouse(path=str(root / "warehouse"), lock_timeout=60),
            "landing": LandingZone(path=str(root / "landing")),
            "exports": ExportsDir(path=str(root / "exports")),
            "events_source": EventsSource(kind="files"),
        }
        selection = AssetSelection.assets(analytics_events) | dbt_selection("+path:models/marts/events")
        result = materialize(
            list(defs.assets), resources=resources, selection=selection, tags=partition_range_tags(DAY1, DAY2)
        )
        assert result.success
        yield {"root": root, "resources": resources, "result": result}


@pytest.fixture
def conn(world):
    with world["resources"]["warehouse"].connect() as connection:
        yield connection


def test_ingest_keeps_and_counts_unknown_types(world, conn):
    metadata = [
        m.materialization.metadata
        for m in world["result"].get_asset_materialization_events()
        if m.asset_key.path == ["raw", "analytics_events"]
    ]
    # one run loads both days; each partition's event carries the run's totals and the per-day counts
    assert (metadata[0]["read"].value, metadata[0]["quarantined"].value) == (24, 0)
    assert metadata[0]["partitions"].value == {DAY1.isoformat(): 23, DAY2.isoformat(): 1}
    assert metadata[0]["unknown event types (kept)"].value == {"page.scroll": 1}
    row = conn.query_arrow(
        "SELECT event_type, received_event_type, ticket_type_id, registration_id, traffic_source FROM marts.fct_analytics_events WHERE registration_id = 'R4'"
    ).to_pylist()
    assert row == [
        {
            "event_type": "registration.completed",
            "received_event_type": "registration.created",
            "ticket_type_id": "standard",
            "registration_id": "R4",
            "traffic_source": "telegram",
        }
    ]


def test_dashboard_totals_and_breakdowns(conn):
    board = events.dashboard(conn, E1)
    # views: U1, U2 x2, U4, U5, U6, U7 = 7 by 6 users; registrations R1-R6, R2 cancelled, R1 checked in
    assert {k: board[k] for k in events.METRICS} == {
        "totalViews": 7,
        "uniqueViews": 6,
        "totalRegistrations": 6,
        "confirmedRegistrations": 5,
        "checkedIn": 1,
        "viewToRegistrationRate": 1.0,
        "registrationToCheckinRate": 0.2,
    }
    assert [
        (d["date"], d["totalViews"], d["uniqueViews"], d["totalRegistrations"], d["registrationToCheckinRate"])
        for d in board["byDay"]
    ] == [
        (DAY1.isoformat(), 6, 5, 6, 0.2),
        (DAY2.isoformat(), 1, 1, 0, None),  # no confirmed registration: null, not an error
    ]
    assert [
        (t["ticketTypeId"], t["totalRegistrations"], t["confirmedRegistrations"], t["checkedIn"])
        for t in board["byTicketType"]
    ] == [
        ("standard", 3, 2, 0),
        ("student", 1, 1, 0),
        ("vip", 2, 2, 1),
    ]
    assert [
        (
            s["source"],
            s["totalViews"],
            s["uniqueViews"],
            s["totalRegistrations"],
            s["confirmedRegistrations"],
            s["checkedIn"],
        )
        for s in board["bySource"]
    ] == [
        ("direct", 1, 1, 2, 2, 0),
        ("email", 1, 1, 0, 0, 0),
        ("telegram", 2, 2, 2, 2, 1),
        ("vk", 3, 2, 2, 1, 0),
    ]


def test_funnel_counts_users_in_order_within_the_window(conn):
    # levels: U1 4, U2 3 (repeat view), U3 0 (no view), U4 1 (no start), U5 3 (out of order in the file),
    # U6 2 (completed 90 min after the view: outside the 1-hour window), U7 1
    answer = events.funnel(conn, E1)
    assert answer["windowHours"] == 1
    assert [s["count"] for s in answer["stages"]] == [6, 4, 3, 1]  # >=1: all but U3; >=2: U1 U2 U5 U6; >=3: U1 U2 U5
    assert answer["startRate"] == pytest.approx(4 / 6)
    assert answer["completionRate"] == pytest.approx(3 / 4)
    assert answer["attendanceRate"] == pytest.approx(1 / 3)


def test_zero_denominators_give_null(conn):
    answer = events.funnel(conn, E2)  # one start, no page view
    assert [s["count"] for s in answer["stages"]] == [0, 0, 0, 0]
    assert (answer["startRate"], answer["completionRate"], answer["attendanceRate"]) == (None, None, None)
    with pytest.raises(events.NotFound):
        events.dashboard(conn, E2)


def test_organization_report_over_a_period(conn):
    both = events.organization_report(conn, O1, DAY1, DAY2)
    assert [e["eventId"] for e in both["events"]] == [E1]
    assert {k: both["totals"][k] for k in events.METRICS} == {
        "totalViews": 7,
        "uniqueViews": 6,
        "totalRegistrations": 6,
        "confirmedRegistrations": 5,
        "checkedIn": 1,
        "viewToRegistrationRate": 1.0,
        "registrationToCheckinRate": 0.2,
    }
    second_day = events.organization_report(conn, O1, DAY2, DAY2)["totals"]
    assert (
        second_day["totalViews"],
        second_day["uniqueViews"],
        second_day["totalRegistrations"],
        second_day["viewToRegistrationRate"],
    ) == (1, 1, 0, 0.0)
    other = events.organization_report(conn, O2, DAY1, DAY2)
    assert other["totals"]["totalViews"] == 1
    with pytest.raises(events.BadPeriod):
        events.organization_report(conn, O1, DAY2, DAY1)


def test_csv_export_is_utf8_with_cyrillic(conn, tmp_path):
    written = export(conn, O1, DAY1, DAY2, "csv", tmp_path)
    assert written.mime_type == "text/csv" and written.rows == 2
    text = written.path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Дата", "ID события", "Просмотры"]
    assert rows[1] == [DAY1.isoformat(), E1, "6", "5", "6", "5", "1", "1.2", "0.2"]
    assert rows[2] == [DAY2.isoformat(), E1, "1", "1", "0", "0", "0", "0.0", ""]
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file and renamed


def test_xlsx_export_has_typed_cells(conn, tmp_path):
    written = export(conn, O1, DAY1, DAY2, "xlsx", tmp_path, event_id=E1)
    assert written.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(written.path).active
    assert sheet.title == "Отчёт"
    assert [c.value for c in sheet[1]][:2] == ["Дата", "ID события"]
    first = [c for c in sheet[2]]
    assert first[0].value == dt.datetime.combine(DAY1, dt.time()) and first[0].is_date
    assert [c.value for c in first[1:7]] == [E1, 6, 5, 6, 5, 1]
    assert all(isinstance(c.value, int | float) for c in first[2:9])
    assert first[7].value == pytest.approx(1.2) and first[7].number_format == "0.00%"
    assert sheet.cell(row=3, column=9).value is None  # a null rate is an empty cell
    with pytest.raises(ValueError, match="valid: csv, xlsx"):
        export(conn, O1, DAY1, DAY2, "pdf", tmp_path)


def test_marts_drop_what_is_past_the_retention(conn):
    """Events past their TTL leave the marts too: by the day for the daily mart, by an event's last day for the
    per-event marts (so an event leaves when its last analytics event does)."""
    ttls = {
        "agg_events_organization_daily": "TTL event_date + toIntervalDay(365)",
        "agg_events_funnel": "TTL last_event_date + toIntervalDay(365)",
        "agg_events_dashboard": "TTL last_event_date + toIntervalDay(365)",
    }
    for mart, ttl in ttls.items():
        query = conn.scalar(
            f"SELECT create_table_query FROM system.tables WHERE database = 'marts' AND name = '{mart}'"
        )
        assert ttl in query
    last = conn.query_df(
        "SELECT f.event_id AS event_id, f.last_event_date AS funnel, e.last AS events FROM marts.agg_events_funnel AS f"
        " INNER JOIN (SELECT event_id, max(event_date) AS last FROM marts.fct_analytics_events"
        " WHERE user_id IS NOT NULL GROUP BY event_id) AS e ON e.event_id = f.event_id"
    )
    assert len(last) > 0 and (last["funnel"] == last["events"]).all()
    conn.command("CREATE TABLE marts.funnel_ttl_check AS marts.agg_events_funnel")
    try:
        conn.command(
            "INSERT INTO marts.funnel_ttl_check SELECT * REPLACE (today() - (rowNumberInAllBlocks() * 400) AS last_event_date)"
            " FROM (SELECT * FROM marts.agg_events_funnel LIMIT 2)"
        )
        conn.command("OPTIMIZE TABLE marts.funnel_ttl_check FINAL")
        assert conn.scalar("SELECT groupArray(last_event_date) FROM marts.funnel_ttl_check") == [dt.date.today()]
    finally:
        conn.command("DROP TABLE marts.funnel_ttl_check")


def test_the_dashboard_is_the_same_from_monthly_states_as_from_daily_ones(world, monkeypatch, tmp_path):
    """Whole months are merged from int_events__monthly_breakdowns, months partly past the retention from the
    daily states. With a 31-day retention the world's first day is at the boundary, so the dashboard built
    again reads its month from the daily rows (and the next day's from the monthly rows when it starts a
    month): the same rows as with the one-year retention, where every month is whole."""
    warehouse = world["resources"]["warehouse"]
    rows = "SELECT * EXCEPT last_event_date FROM marts.agg_events_dashboard ORDER BY ALL"
    with warehouse.connect() as conn:
        from_monthly_states = conn.query_arrow(rows).to_pylist()
        whole_from = conn.scalar("SELECT toStartOfMonth(addMonths(today() - 30, 1))")
    assert dt.date.fromisoformat(str(whole_from)) > DAY1  # the first day's month is read from the daily rows
    assert len(from_monthly_states) > 5

    _rebuild_dashboard(warehouse, 31, monkeypatch, tmp_path)

    with warehouse.connect() as conn:
        assert conn.query_arrow(rows).to_pylist() == from_monthly_states


def test_the_dashboard_leaves_out_days_past_the_retention_that_the_ttl_has_not_removed_yet(
    world, monkeypatch, tmp_path
):
    """A 30-day retention puts the world's first day past it while the daily tables still hold that day (their
    TTL changes when they are built again): the dashboard built with it has no row for that day, and its totals
    count only the views of the days after it."""
    warehouse = world["resources"]["warehouse"]
    past = "breakdown = 'day' AND toDate(breakdown_value) <= today() - 30"
    with warehouse.connect() as conn:
        assert conn.scalar(f"SELECT count() FROM marts.agg_events_dashboard WHERE {past}") > 0
        assert conn.scalar("SELECT min(event_date) FROM marts.agg_events_organization_daily") == DAY1

    _rebuild_dashboard(warehouse, 30, monkeypatch, tmp_path)

    retained_views = "event_type = 'page.view' AND event_date > today() - 30"
    with warehouse.connect() as conn:
        assert conn.scalar(f"SELECT count() FROM marts.agg_events_dashboard WHERE {past}") == 0
        totals = conn.query_arrow(
            "SELECT event_id, totalViews, uniqueViews FROM marts.agg_events_dashboard WHERE breakdown = 'total'"
        ).to_pylist()
        expected = conn.query_arrow(
            f"SELECT event_id, toUInt64(countIf({retained_views})) AS totalViews,"
            f" toUInt64(uniqExactIf(user_id, {retained_views})) AS uniqueViews"
            " FROM marts.fct_analytics_events WHERE event_id IS NOT NULL GROUP BY event_id"
        ).to_pylist()
        all_views = conn.scalar("SELECT countIf(event_type = 'page.view') FROM marts.fct_analytics_events")
    expected_by_event = {row["event_id"]: row for row in expected}
    assert totals and all(row == expected_by_event[row["event_id"]] for row in totals)
    assert sum(row["totalViews"] for row in totals) < all_views  # the first day's views are left out


def _rebuild_dashboard(warehouse: Warehouse, retention_days: int, monkeypatch, tmp_path) -> None:
    """dbt builds the dashboard alone from scratch with another retention (the daily tables keep theirs)."""
    from orchestration.dbt.resources import DBT_PROJECT_DIR, dbt_resource

    monkeypatch.setenv("OTT_WAREHOUSE_PATH", warehouse.path)
    kept_parse = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if kept_parse.exists():
        (tmp_path / "partial_parse.msgpack").write_bytes(kept_parse.read_bytes())
    retention = json.dumps({"events_retention_days": retention_days})
    dbt_resource().cli(
        ["build", "-s", "agg_events_dashboard", "--full-refresh", "--vars", retention], target_path=tmp_path
    ).wait()


def test_a_run_of_a_day_of_this_month_keeps_the_past_months_viewers_and_counts_each_viewer_once(monkeypatch, tmp_path):
    """Last month's viewers are merged once into int_events__past_months_viewers; a run that loads a day of this
    month leaves that table as it is, and the dashboard still counts a viewer of both months once."""
    today = dt.date.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    landing = tmp_path / "landing"
    _write_user_views(landing, last_month, [(1, "vk"), (2, "telegram"), (2, "telegram")])
    monkeypatch.setenv("OTT_WAREHOUSE_PATH", str(tmp_path / "warehouse"))
    from orchestration.definitions import defs

    resources = {
        **defs.resources,
        "warehouse": Warehouse(path=str(tmp_path / "warehouse"), lock_timeout=60),
        "landing": LandingZone(path=str(landing)),
        "events_source": EventsSource(kind="files"),
    }
    selection = AssetSelection.assets(analytics_events) | dbt_selection("+agg_events_dashboard")
    past_months = (
        "SELECT name, modification_time FROM system.parts"
        " WHERE active AND database = 'intermediate' AND table = 'int_events__past_months_viewers'"
    )
    views = "SELECT breakdown, breakdown_value, totalViews, uniqueViews FROM marts.agg_events_dashboard"
    views += " WHERE breakdown IN ('total', 'source') ORDER BY ALL"

    def run(day: dt.date) -> None:
        tags = partition_range_tags(day, day)
        assert materialize(list(defs.assets), resources=resources, selection=selection, tags=tags).success

    run(last_month)
    with resources["warehouse"].connect() as conn:
        kept = conn.query_arrow(past_months).to_pylist()
        merged = conn.query_arrow(
            "SELECT breakdown_value, finalizeAggregation(unique_viewers_state) AS viewers, first_month, end_month"
            " FROM intermediate.int_events__past_months_viewers WHERE breakdown = 'source' ORDER BY ALL"
        ).to_pylist()
    assert [(row["breakdown_value"], row["viewers"], row["end_month"]) for row in merged] == [
        ("telegram", 1, today.replace(day=1)),
        ("vk", 1, today.replace(day=1)),
    ]

    _write_user_views(landing, today, [(2, "vk"), (3, "vk")])
    run(today)
    expected = [
        {"breakdown": "source", "breakdown_value": "telegram", "totalViews": 2, "uniqueViews": 1},
        {"breakdown": "source", "breakdown_value": "vk", "totalViews": 3, "uniqueViews": 3},
        {"breakdown": "total", "breakdown_value": "", "totalViews": 5, "uniqueViews": 3},
    ]
    with resources["warehouse"].connect() as conn:
        assert conn.query_arrow(past_months).to_pylist() == kept  # the same part: not built again
        assert conn.query_arrow(views).to_pylist() == expected
        # as a run that died after emptying it leaves it
        conn.command("TRUNCATE TABLE intermediate.int_events__past_months_viewers")

    # the dashboard built alone reads the past months month by month when the table lacks them
    _rebuild_dashboard(resources["warehouse"], 365, monkeypatch, tmp_path)
    with resources["warehouse"].connect() as conn:
        assert conn.query_arrow(views).to_pylist() == expected
    # and the next run builds the table again
    run(today)
    with resources["warehouse"].connect() as conn:
        assert conn.query_arrow(past_months).to_pylist() != []
        assert conn.query_arrow(views).to_pylist() == expected


def _write_user_views(landing, day: dt.date, views: list[tuple[int, str]]) -> None:
    """The landing file of `day`: views of E1's page, by user number and traffic source, at noon."""
    path = landing / "events" / "analytics_events" / f"{day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        {
            "id": f"30000000-0000-4000-8000-{day:%Y%m%d}{n:04d}",
            "tenant_id": O1,
            "event_type": "page.view",
            "event_id": E1,
            "user_id": user(number),
            "properties": {"source": source},
            "created_at": f"{day}T12:00:00Z",
        }
        for n, (number, source) in enumerate(views)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _write_page_views(landing, day: dt.date, created_at: dict[str, str]) -> None:
    """The landing file of `day`: anonymous views of E1's page, by event id and creation time."""
    path = landing / "events" / "analytics_events" / f"{day}.json"
    path.parent.mkdir(parents=True)
    lines = [
        {
            "id": id_,
            "tenant_id": O1,
            "event_type": "page.view",
            "event_id": E1,
            "user_id": None,
            "properties": {},
            "created_at": at,
        }
        for id_, at in created_at.items()
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_retention_ttl_removes_old_rows(world, conn, monkeypatch, tmp_path):
    from ingest import events as spec
    from ingest.landing import load_landing_file

    ttl = "TTL toDateTime(created_at) + toIntervalDay(365)"
    assert ttl in conn.scalar(
        "SELECT create_table_query FROM system.tables WHERE database = 'marts' AND name = 'fct_analytics_events'"
    )
    conn.close()  # this test uses a warehouse of its own: one embedded directory per process at a time
    landing = world["root"] / "landing"
    with Warehouse(path=str(tmp_path / "warehouse")).connect() as own:
        load_landing_file(own, spec.events_source(), landing, DAY1)
        assert ttl in own.scalar(
            "SELECT create_table_query FROM system.tables WHERE database = 'raw' AND name = 'analytics_events'"
        )
        old = f"SELECT count() FROM raw.analytics_events WHERE _partition_date = '{DAY1}'"
        assert own.scalar(old) == 23
        # the operator shortens the retention to 10 days; the next load applies it to the rows already stored
        monkeypatch.setenv("OTT_EVENTS_RETENTION_DAYS", "10")
        recent = dt.date.today() - dt.timedelta(days=1)
        _write_page_views(
            tmp_path,
            recent,
            {
                "20000000-0000-4000-8000-000000000001": f"{recent}T10:00:00Z",
                "20000000-0000-4000-8000-000000000002": f"{DAY1}T10:00:00Z",
            },
        )
        result = load_landing_file(own, spec.events_source(), tmp_path, recent)
        # an event already past the retention is quarantined with its reason rather than silently dropped
        assert (result.loaded, result.reasons) == (1, {"older than the retention period (10 days)": 1})
        own.command("OPTIMIZE TABLE raw.analytics_events FINAL")
        assert own.scalar(old) == 0
        assert own.scalar(f"SELECT count() FROM raw.analytics_events WHERE _partition_date = '{recent}'") == 1


def test_events_reaching_the_retention_during_their_load_are_counted_once(monkeypatch, tmp_path):
    """A day at the retention's edge: records checked as kept must not vanish from the load before it commits
    (the staged rows once carried the raw table's TTL, and a merge mid-load dropped them: a count mismatch)."""
    from ingest import events as spec
    from ingest import load
    from ingest.landing import load_landing_file

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    day = (now - dt.timedelta(days=2)).date()
    # two days old give or take seconds: past a two-day retention, or about to be
    edge = {
        f"30000000-0000-4000-8000-00000000000{n}": (now - dt.timedelta(days=2, seconds=3 - n)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        for n in range(6)
    }
    _write_page_views(tmp_path, day, edge)
    commit = load.PartitionLoad.commit

    def commit_after_the_edge_passed(self):
        time.sleep(4)
        self.conn.command(f"OPTIMIZE TABLE {self.stage} FINAL")  # a merge, which applies any TTL
        return commit(self)

    monkeypatch.setattr(load.PartitionLoad, "commit", commit_after_the_edge_passed)
    with Warehouse(path=str(tmp_path / "warehouse")).connect() as own:
        result = load_landing_file(own, spec.events_source(retention=2), tmp_path, day)
        assert result.read == 6 and result.loaded + result.quarantined == 6
        assert result.reasons == {"older than the retention period (2 days)": result.quarantined}
        assert 0 < result.loaded < 6


@pytest.fixture(scope="module")
def postgres():
    server = started_server(postgres_sql())
    yield server
    server.stop()


def _pg_source(server, **overrides) -> EventsSource:
    return EventsSource(
        kind="postgres",
        host="127.0.0.1",
        port=server.port,
        database=server.database,
        user=server.user,
        password=server.password,
        **overrides,
    )


def test_postgres_ingest_matches_the_files(world, postgres, tmp_path):
    resources = {
        "warehouse": Warehouse(path=str(tmp_path / "wh")),
        "landing": LandingZone(path=str(tmp_path)),
        "events_source": _pg_source(postgres),
    }
    result = materialize([analytics_events], resources=resources, tags=partition_range_tags(DAY1, DAY2))
    assert result.success
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    # the row of the third day is not read: each day's time range is pushed down to PostgreSQL
    assert metadata["partitions"].value == {DAY1.isoformat(): 23, DAY2.isoformat(): 1}
    assert metadata["read"].value == 24
    columns = "toString(id) AS id, toString(tenant_id) AS t, event_type, toString(event_id) AS e, toString(user_id) AS u, ticket_type_id, registration_id, traffic_source, created_at"
    # one process hosts one embedded warehouse at a time: read them one after the other
    with resources["warehouse"].connect() as from_pg:
        pg_rows = from_pg.query_arrow(f"SELECT {columns} FROM raw.analytics_events ORDER BY id").to_pylist()
    with world["resources"]["warehouse"].connect() as from_files:
        file_rows = from_files.query_arrow(
            f"SELECT {columns} FROM raw.analytics_events WHERE _partition_date <= {{day:Date}} ORDER BY id",
            {"day": DAY2.isoformat()},
        ).to_pylist()
    assert pg_rows == file_rows


def test_postgres_errors_never_show_the_password(postgres, tmp_path):
    from ingest.postgres import PostgresLoadError

    resources = {
        "warehouse": Warehouse(path=str(tmp_path / "wh")),
        "landing": LandingZone(path=str(tmp_path)),
        "events_source": _pg_source(postgres, table="no_such_table"),
    }
    with pytest.raises(PostgresLoadError) as failure:
        materialize([analytics_events], resources=resources, partition_key=DAY1.isoformat())
    assert "no_such_table" in str(failure.value)
    assert postgres.password not in str(failure.value)


def test_scheduled_reports_asset_writes_each_organizations_files(world):
    from orchestration.events.assets import events_organization_reports

    result = materialize([events_organization_reports], resources=world["resources"], partition_key=DAY1.isoformat())
    assert result.success
    folder = world["root"] / "exports" / "events" / DAY1.isoformat()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"events_{org}_{DAY1}_{DAY1}.{ext}" for org in (O1, O2) for ext in ("csv", "xlsx"))
    o2 = list(csv.reader(io.StringIO((folder / f"events_{O2}_{DAY1}_{DAY1}.csv").read_bytes().decode("utf-8-sig"))))
    assert o2[1][:4] == [DAY1.isoformat(), "00000000-0000-4000-8000-0000000000e3", "1", "1"]
    # a backfill of a range is one run that writes every day's reports
    result = materialize(
        [events_organization_reports], resources=world["resources"], tags=partition_range_tags(DAY1, DAY2)
    )
    assert result.success
    written = result.get_asset_materialization_events()[0].materialization.metadata["files"].value
    days = {name.split("/")[0] for name in written}
    assert days == {DAY1.isoformat(), DAY2.isoformat()}
    assert all((world["root"] / "exports" / "events" / name).exists() for name in written)


def test_command_line(world, monkeypatch, capsys, tmp_path):
    from orchestration.cli import main

    monkeypatch.setenv("OTT_WAREHOUSE_PATH", str(world["root"] / "warehouse"))
    assert main(["events", "funnel", "--event_id", E1]) == 0
    assert [s["count"] for s in json.loads(capsys.readouterr().out)["stages"]] == [6, 4, 3, 1]
    assert main(["events", "report", "--organization_id", O1, "--date_from", str(DAY1), "--date_to", str(DAY2)]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["totalViews"] == 7
    out = [
        "events",
        "export",
        "--organization_id",
        O1,
        "--date_from",
        str(DAY1),
        "--date_to",
        str(DAY2),
        "--format",
        "xlsx",
    ]
    assert main([*out, "--out", str(tmp_path)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["mimeType"].endswith("spreadsheetml.sheet") and answer["rows"] == 2 and os.path.exists(answer["path"])
    assert main(["events", "report", "--organization_id", O1, "--date_from", str(DAY2), "--date_to", str(DAY1)]) == 2
    assert "is before date_from" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["events", "dashboard", "--event_id", "not-a-uuid"])
    assert "not a UUID: 'not-a-uuid'" in capsys.readouterr().err
