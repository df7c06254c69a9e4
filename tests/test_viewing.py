"""Viewing marts on a hand-made dataset (tests/viewing_world.py), every figure computed by hand."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from dagster import AssetSelection, materialize
from dagster_dbt import build_dbt_asset_selection

from orchestration.dbt.assets import dbt_incremental_models, dbt_models
from orchestration.demo import partition_range_tags
from orchestration.resources import ExportsDir, LandingZone
from orchestration.viewing.assets import channel_sorting_by_popularity, dbt_channel_sorting
from orchestration.viewing.resources import MongoDB, ViewingSource
from orchestration.viewing.schedules import sorting_run_config
from tests.viewing_world import DAY1, DAY2, write_landing
from warehouse import Warehouse

UTC = dt.UTC


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("viewing")
    write_landing(root / "landing")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTT_WAREHOUSE_PATH", str(root / "warehouse"))  # read by dbt's subprocess
        from orchestration.definitions import defs

        resources = {
            **defs.resources,
            "warehouse": Warehouse(path=str(root / "warehouse"), lock_timeout=60),
            "landing": LandingZone(path=str(root / "landing")),
            "exports": ExportsDir(path=str(root / "exports")),
            "viewing_source": ViewingSource(kind="files"),
            "mongodb": MongoDB(),
        }
        selection = (
            AssetSelection.keys(["raw", "viewing_sessions"], ["raw", "billing_accounts"], ["raw", "content_channels"])
            | build_dbt_asset_selection([dbt_incremental_models], "+tag:cache_max_online +tag:save_stats")
            | build_dbt_asset_selection([dbt_models], "+tag:cache_max_online +tag:save_stats +tag:channel_sorting")
        )
        result = materialize(
            list(defs.assets), resources=resources, selection=selection, tags=partition_range_tags(DAY1, DAY2)
        )
        assert result.success
        yield {"root": root, "defs": defs, "resources": resources}


@pytest.fixture
def conn(world):
    with world["resources"]["warehouse"].connect() as connection:
        yield connection


def test_daily_peak_and_its_minute(conn):
    rows = conn.query_arrow(
        "SELECT view_date, max_online, max_online_at FROM marts.agg_viewing_max_online_daily ORDER BY view_date"
    ).to_pylist()
    assert rows == [
        {"view_date": DAY1, "max_online": 3, "max_online_at": _at("2025-06-01T10:15:00")},  # s1 + s2 + s3 (10:15-10:19)
        {
            "view_date": DAY2,
            "max_online": 1,
            "max_online_at": _at("2025-06-02T00:00:00"),
        },  # s4 continuing after midnight
    ]


def test_online_per_minute_counts_overlapping_sessions_of_one_account_twice(conn):
    online = dict(
        conn.query_arrow(
            "SELECT minute, online FROM marts.agg_viewing_online_minute WHERE minute BETWEEN '2025-06-01 10:09:00' AND '2025-06-01 10:37:00' ORDER BY minute"
        )
        .to_pandas()
        .itertuples(index=False)
    )
    expect = {
        "10:09": 1,
        "10:10": 2,
        "10:14": 2,
        "10:15": 3,
        "10:19": 3,
        "10:20": 2,
        "10:29": 2,
        "10:30": 1,
        "10:36": 1,
        "10:37": 0,
    }
    for minute, count in expect.items():
        assert online[_at(f"2025-06-01T{minute}:00")] == count, minute


def test_channel_peaks(conn):
    rows = conn.query_arrow(
        "SELECT channel_id, max_online, max_online_at FROM marts.agg_viewing_channel_max_online_daily WHERE view_date = '2025-06-01' ORDER BY channel_id"
    ).to_pylist()
    assert rows == [
        {"channel_id": 1, "max_online": 2, "max_online_at": _at("2025-06-01T10:10:00")},
        {"channel_id": 2, "max_online": 1, "max_online_at": _at("2025-06-01T10:15:00")},
        {"channel_id": 3, "max_online": 1, "max_online_at": _at("2025-06-01T23:55:00")},
    ]


def test_save_stats_per_customer_and_day(conn):
    rows = conn.query_arrow(
        "SELECT view_date, account_id, sessions, watch_seconds, distinct_channels, devices, first_seen_at, last_seen_at"
        " FROM marts.agg_viewing_customer_daily ORDER BY view_date, account_id"
    ).to_pylist()
    assert [tuple(r.values()) for r in rows] == [
        (DAY1, 10, 3, 6700.0, 2, ["A", "B"], _at("2025-06-01T10:00:00"), _at("2025-06-01T21:00:00")),
        (DAY1, 11, 1, 570.0, 1, ["B"], _at("2025-06-01T10:10:30"), _at("2025-06-01T10:20:00")),
        (DAY1, 12, 1, 300.0, 1, ["A"], _at("2025-06-01T23:55:00"), _at("2025-06-02T00:00:00")),
        (DAY2, 11, 2, 1310.0, 1, ["A"], _at("2025-06-02T09:00:00"), _at("2025-06-02T10:01:00")),
        (DAY2, 12, 1, 600.0, 1, ["A"], _at("2025-06-02T00:00:00"), _at("2025-06-02T00:10:00")),
    ]


def test_channel_daily_metrics(conn):
    rows = conn.query_arrow(
        "SELECT channel_id, sessions, watch_seconds, unique_viewers, average_watch_seconds, median_watch_seconds, reach,"
        " watch_time_share FROM marts.agg_viewing_channel_daily WHERE view_date = '2025-06-01' ORDER BY channel_id"
    ).to_pylist()
    total = 2370 + 1300 + 300
    assert [tuple(r.values()) for r in rows] == [
        (1, 2, 2370.0, 2, 1185.0, 1185.0, 1.0, pytest.approx(2370 / total)),
        (2, 1, 1300.0, 1, 1300.0, 1300.0, 0.5, pytest.approx(1300 / total)),
        (3, 1, 300.0, 1, 300.0, 300.0, 0.5, pytest.approx(300 / total)),
    ]
    day2 = conn.query_arrow(
        "SELECT channel_id, sessions, median_watch_seconds FROM marts.agg_viewing_channel_daily WHERE view_date = '2025-06-02' ORDER BY channel_id"
    )
    assert day2.to_pylist() == [
        {"channel_id": 2, "sessions": 2, "median_watch_seconds": 655.0},  # (1250 + 60) / 2
        {"channel_id": 3, "sessions": 1, "median_watch_seconds": 600.0},
    ]


def _sort(world, **options) -> dict[str, list[int]]:
    options = {"client_id": [1], "days_number": 2, "as_of": "2025-06-02", **options}
    result = materialize(
        [dbt_channel_sorting, channel_sorting_by_popularity],
        resources=world["resources"],
        run_config=sorting_run_config(options),
    )
    assert result.success
    with world["resources"]["warehouse"].connect() as conn:
        rows = conn.query_arrow(
            "SELECT criterion, groupArray(channel_id) AS ids FROM (SELECT * FROM marts.mart_viewing_channel_sorting ORDER BY rank) GROUP BY criterion"
        ).to_pylist()
    return {r["criterion"]: r["ids"] for r in rows}


def test_sorting_by_each_criterion(world):
    # per channel over both days (sessions re-joined across midnight):
    # 1: [1800, 570] -> 2370 s, 2 sessions, mean 1185, median 1185
    # 2: [1300, 1250, 60] -> 2610 s, 3 sessions, mean 870, median 1250
    # 3: [900] -> 900 s, 1 session; 4: never watched, always last
    assert _sort(world) == {
        "watch_time": [2, 1, 3, 4],
        "watch_sessions": [2, 1, 3, 4],
        "average_watch_time": [1, 3, 2, 4],
        "median_watch_time": [2, 1, 3, 4],
    }


def test_sorting_filters(world):
    assert _sort(world, criterion=["watch_time"], devices=["B"]) == {"watch_time": [2, 1, 3, 4]}  # 1300 vs 570
    assert _sort(world, criterion=["average_watch_time"], tariffs=[1]) == {
        "average_watch_time": [1, 2, 3, 4]
    }  # 1800 > 1300 > 900
    # only active accounts: channel 3 was watched by inactive account 12 alone, so it joins 4 as unwatched
    assert _sort(world, criterion=["watch_sessions"], accounts_active=True) == {"watch_sessions": [2, 1, 3, 4]}
    with world["resources"]["warehouse"].connect() as conn:
        unwatched = conn.query_arrow(
            "SELECT channel_id FROM marts.mart_viewing_channel_sorting WHERE value IS NULL ORDER BY channel_id"
        )
        assert unwatched.column(0).to_pylist() == [3, 4]
    assert _sort(world, criterion=["watch_time"], days_number=1) == {
        "watch_time": [2, 3, 1, 4]
    }  # 2 June only: 1310, 600


def test_ties_are_broken_by_channel_id(world):
    ranked = _sort(world, criterion=["watch_sessions"], as_of="2025-06-01", days_number=1)
    assert ranked == {"watch_sessions": [1, 2, 3, 4]}  # channel 1: 2 sessions; 2 and 3: one each -> by id


def test_sorting_export_file(world):
    _sort(world, criterion=["median_watch_time"], accounts_active=True)
    exported = json.loads((world["root"] / "exports" / "channel_sorting_by_popularity.json").read_text())
    assert [(d["client_id"], d["criterion"], d["channel_ids"]) for d in exported] == [
        (1, "median_watch_time", [2, 1, 3, 4])
    ]
    assert exported[0]["parameters"] == {
        "days_number": 2,
        "as_of": "2025-06-02",
        "devices": [],
        "tariffs": [],
        "accounts_active": True,
    }


@pytest.mark.slow
def test_command_line_runs_the_same_job(world, tmp_path):
    root = world["root"]
    env = {
        **os.environ,
        "OTT_WAREHOUSE_PATH": str(root / "warehouse"),
        "OTT_LANDING_DIR": str(root / "landing"),
        "OTT_EXPORTS_DIR": str(tmp_path / "exports"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    command = [
        sys.executable,
        "-m",
        "orchestration.cli",
        "create_channel_sorting_by_popularity",
        "--client_id",
        "1",
        "--days_number",
        "2",
        "--criterion",
        "median_watch_time",
        "--as_of",
        "2025-06-02",
        "--settings=settings.smarty",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    exported = json.loads((tmp_path / "exports" / "channel_sorting_by_popularity.json").read_text())
    assert [d["channel_ids"] for d in exported] == [[2, 1, 3, 4]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--days_number", "30", "--criterion", "popularity"],
            "invalid choice: 'popularity' (choose from 'watch_time', 'watch_sessions', 'average_watch_time', 'median_watch_time')",
        ),
        (["--days_number", "0", "--criterion", "watch_time"], "must be at least 1"),
        (
            ["--days_number", "3", "--criterion", "watch_time", "--client_id", "1,two"],
            "expected comma-separated integers",
        ),
        (["--criterion", "watch_time"], "the following arguments are required: --days_number"),
    ],
)
def test_command_line_rejects_bad_options(arguments, message, capsys):
    from orchestration.cli import main

    with pytest.raises(SystemExit):
        main(["create_channel_sorting_by_popularity", *arguments])
    assert message in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "check"),
    [
        (
            "cache_max_online",
            "SELECT max_online FROM marts.agg_viewing_max_online_daily WHERE view_date = '2025-06-01'",
        ),
        ("save_stats", "SELECT sum(sessions) FROM marts.agg_viewing_customer_daily WHERE view_date = '2025-06-01'"),
    ],
)
def test_the_other_commands_run_their_jobs_for_a_day(world, tmp_path, command, check):
    root = world["root"]
    env = {
        **os.environ,
        "OTT_WAREHOUSE_PATH": str(root / "warehouse"),
        "OTT_LANDING_DIR": str(root / "landing"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", command, "--date", "2025-06-01", "--settings=settings.smarty"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{command}: success" in done.stdout
    with world["resources"]["warehouse"].connect() as conn:
        assert conn.scalar(check) == {"cache_max_online": 3, "save_stats": 5}[command]
