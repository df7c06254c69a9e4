"""The MongoDB path of viewing: ingest with a field mapping and the sortings written back.

Runs on mongomock behind pymongo's own API (the code path is the same); with MONGODB_URI set, the same
tests run against that server, in a database of their own that they drop afterwards.
"""

import datetime as dt
import os

import mongomock
import pytest
from bson import ObjectId
from dagster import AssetSelection, materialize

from orchestration.dbt.selection import dbt_selection
from orchestration.demo import partition_range_tags
from orchestration.resources import ExportsDir, LandingZone
from orchestration.viewing.assets import channel_sorting_by_popularity, dbt_channel_sorting, viewing_sessions
from orchestration.viewing.resources import MongoDB, ViewingSource
from orchestration.viewing.schedules import sorting_run_config
from tests.viewing_world import DAY1, DAY2, SESSIONS, TARIFFS, write_landing
from warehouse import Warehouse

# Another deployment's names for the same fields, nested paths included.
FIELDS = {"session_id": "session_uuid", "device": "stb.system_name", "start": "times.begin", "end": "times.finish"}


@pytest.fixture
def mongodb():
    name = f"ott_test_{os.getpid()}"
    if os.environ.get("MONGODB_URI"):
        resource = MongoDB(uri=os.environ["MONGODB_URI"], name=name)
        yield resource
        with resource.client() as client:
            client.drop_database(name)
    else:
        with mongomock.patch(servers=(("mongo.test", 27017),)):
            yield MongoDB(host="mongo.test", name=name)


def _doc(uuid, account, start, end, **extra):
    doc = {
        "_id": ObjectId(),
        "session_uuid": uuid,
        "client_id": 1,
        "account_id": account,
        "stb": {"system_name": "android_stb"},
        "tariffs": [1],
        "content_type": "channel",
        "channel_id": 3,
        "times": {"begin": start, "finish": end},
        "ignored_field": "not projected",
    }
    doc.update(extra)
    return doc


def _resources(tmp_path, mongodb, fields=None, batch_size=2):
    return {
        "warehouse": Warehouse(path=str(tmp_path / "warehouse"), lock_timeout=60),
        "landing": LandingZone(path=str(tmp_path / "landing")),
        "viewing_source": ViewingSource(kind="mongodb", fields=fields or {}, batch_size=batch_size),
        "mongodb": mongodb,
    }


def test_mongo_ingest_with_field_mapping_and_quarantine(tmp_path, mongodb):
    t = dt.datetime(2026, 11, 1, 10, 0)
    documents = [
        _doc("u1", 10, t, t + dt.timedelta(minutes=30)),
        _doc("u2", 11, t, t + dt.timedelta(minutes=5), stb={"system_name": "web"}),
        _doc("u3", 12, t - dt.timedelta(hours=2), t + dt.timedelta(hours=1)),
        _doc("u1", 13, t, t + dt.timedelta(minutes=1)),  # the same session twice
        _doc("u4", None, t, t + dt.timedelta(minutes=1)),
        _doc("u5", 14, t, t - dt.timedelta(seconds=1)),
        _doc("u6", 15, t, t + dt.timedelta(hours=25)),
        _doc("u7", 16, t, t + dt.timedelta(minutes=1), content_type="radio"),
        _doc("u8", 17, t, "soon"),
        _doc("u9", 18, t + dt.timedelta(days=1), t + dt.timedelta(days=1, minutes=5)),  # another day: not read
    ]
    with mongodb.client() as client:
        client[mongodb.name][mongodb.sessions_collection].insert_many(documents)
    resources = _resources(tmp_path, mongodb, FIELDS)
    result = materialize([viewing_sessions], resources=resources, partition_key="2026-11-01")
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert (metadata["read"].value, metadata["loaded"].value, metadata["quarantined"].value) == (9, 3, 6)
    assert metadata["quarantine reasons"].value == {
        "duplicate _id": 1,
        "missing or invalid account_id": 1,
        "end before start": 1,
        "duration over 24 h": 1,
        "unknown content type": 1,
        "missing or invalid ended_at": 1,
    }
    with resources["warehouse"].connect() as conn:
        rows = conn.query_arrow(
            "SELECT session_id, account_id, device, started_at FROM raw.viewing_sessions ORDER BY session_id"
        ).to_pylist()
    assert [(r["session_id"], r["account_id"], r["device"]) for r in rows] == [
        ("u1", 10, "android_stb"),
        ("u2", 11, "web"),
        ("u3", 12, "android_stb"),
    ]
    assert rows[0]["started_at"] == dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC)


def test_an_unknown_mapping_name_is_rejected():
    with pytest.raises(ValueError, match=r"unknown viewing field\(s\) \['stb_type'\]"):
        ViewingSource(kind="mongodb", fields={"stb_type": "device"}).mapping()


def test_sortings_are_written_back_to_mongo_idempotently(tmp_path, mongodb, monkeypatch):
    write_landing(tmp_path / "landing")
    with mongodb.client() as client:
        client[mongodb.name][mongodb.sessions_collection].insert_many(
            [
                {
                    "_id": ObjectId(oid.ljust(24, "0").replace("s", "5")),
                    "client_id": 1,
                    "account_id": account,
                    "device": device,
                    "tariffs": TARIFFS[account],
                    "content_type": content,
                    ("title_id" if content == "vod" else "channel_id"): target,
                    "start": dt.datetime.fromisoformat(start[:-1]),
                    "end": dt.datetime.fromisoformat(end[:-1]),
                }
                for oid, account, device, content, target, start, end in SESSIONS
            ]
        )
    monkeypatch.setenv("OTT_WAREHOUSE_PATH", str(tmp_path / "warehouse"))
    from orchestration.definitions import defs

    resources = {
        **defs.resources,
        **_resources(tmp_path, mongodb),
        "exports": ExportsDir(path=str(tmp_path / "exports")),
    }
    raw = AssetSelection.keys(["raw", "viewing_sessions"], ["raw", "billing_accounts"], ["raw", "content_channels"])
    selection = raw | dbt_selection("+tag:channel_sorting")
    assert materialize(
        list(defs.assets), resources=resources, selection=selection, tags=partition_range_tags(DAY1, DAY2)
    ).success
    options = {
        "client_id": [1],
        "days_number": 2,
        "as_of": "2025-06-02",
        "criterion": ["watch_time", "median_watch_time"],
    }
    for _ in range(2):
        run = materialize(
            [dbt_channel_sorting, channel_sorting_by_popularity],
            resources=resources,
            run_config=sorting_run_config(options),
        )
        assert run.success
    with mongodb.client() as client:
        stored = list(
            client[mongodb.name][mongodb.sortings_collection].find({}, {"_id": 0, "created_at": 0}).sort("criterion", 1)
        )
    assert stored == [
        {
            "client_id": 1,
            "criterion": "median_watch_time",
            "channel_ids": [2, 1, 3, 4],
            "parameters": {
                "days_number": 2,
                "as_of": "2025-06-02",
                "devices": [],
                "tariffs": [],
                "accounts_active": False,
            },
        },
        {
            "client_id": 1,
            "criterion": "watch_time",
            "channel_ids": [2, 1, 3, 4],
            "parameters": {
                "days_number": 2,
                "as_of": "2025-06-02",
                "devices": [],
                "tariffs": [],
                "accounts_active": False,
            },
        },
    ]
