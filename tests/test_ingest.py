import json
from datetime import date

import pytest

from ingest import billing, viewing
from ingest.landing import MissingLandingFile, load_landing_file

DAY = date(2026, 11, 1)


def _session(oid, **overrides):
    doc = {
        "_id": {"$oid": oid},
        "client_id": 1,
        "account_id": 10,
        "device": "android_stb",
        "tariffs": [3],
        "content_type": "channel",
        "channel_id": 5,
        "start": {"$date": "2026-11-01T10:00:00.000Z"},
        "end": {"$date": "2026-11-01T10:30:00.000Z"},
    }
    doc.update(overrides)
    return json.dumps({k: v for k, v in doc.items() if v is not ...})


def _write_sessions(landing, lines, day=DAY):
    path = landing / "viewing" / "sessions" / f"{day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


GOOD = [
    _session("a1"),
    _session("a2", content_type="vod", channel_id=..., title_id=7, season=1, episode=2),
    _session("a3", start={"$date": {"$numberLong": "1793527200000"}}, end={"$date": "2026-11-01T11:00:00Z"}),
]
BAD = {
    "invalid JSON": '{"_id": {"$oid": "b1"}, "client_id": ',
    "missing or invalid account_id": _session("b2", account_id=None),
    "missing or invalid session_id": _session("b3", _id=...),
    "missing or invalid started_at": _session("b4", start={"$date": "yesterday-ish"}),
    "end before start": _session("b5", end={"$date": "2026-11-01T09:59:59Z"}),
    "duration over 24 h": _session("b6", end={"$date": "2026-11-02T10:00:01Z"}),
    "unknown content type": _session("b7", content_type="radio"),
    "channel session without channel_id": _session("b8", channel_id=...),
    "duplicate _id": _session("a1", account_id=99),
}


def test_every_bad_record_is_quarantined_with_its_reason(tmp_path, warehouse):
    _write_sessions(tmp_path, [*GOOD, *BAD.values()])
    with warehouse.connect() as conn:
        result = load_landing_file(conn, viewing.SESSIONS, tmp_path, DAY)
        loaded = conn.query_arrow(
            "SELECT session_id, account_id, content_type, title_id FROM raw.viewing_sessions ORDER BY session_id"
        )
        quarantine = conn.query_arrow("SELECT line, reason, raw FROM raw.quarantine ORDER BY line").to_pylist()
    assert (result.read, result.loaded, result.quarantined) == (12, 3, 9)
    assert result.metadata()["read = loaded + quarantined"] is True
    assert loaded.column("session_id").to_pylist() == ["a1", "a2", "a3"]
    assert loaded.column("account_id").to_pylist() == [10, 10, 10]  # the first a1, not the duplicate
    assert loaded.column("title_id").to_pylist() == [None, 7, None]
    assert [q["reason"] for q in quarantine] == list(BAD)
    assert [q["line"] for q in quarantine] == list(range(4, 13))
    assert quarantine[0]["raw"] == BAD["invalid JSON"]
    assert result.reasons == dict.fromkeys(BAD, 1)


def test_rerunning_a_day_replaces_it(tmp_path, warehouse):
    _write_sessions(tmp_path, [*GOOD, BAD["end before start"]])
    _write_sessions(
        tmp_path,
        [_session("c1", start={"$date": "2026-11-02T08:00:00Z"}, end={"$date": "2026-11-02T09:00:00Z"})],
        date(2026, 11, 2),
    )
    with warehouse.connect() as conn:
        for _ in range(2):
            load_landing_file(conn, viewing.SESSIONS, tmp_path, DAY)
            load_landing_file(conn, viewing.SESSIONS, tmp_path, date(2026, 11, 2))
        assert conn.scalar("SELECT count() FROM raw.viewing_sessions") == 4
        assert conn.scalar("SELECT count() FROM raw.quarantine") == 1
        _write_sessions(tmp_path, [GOOD[0]])  # the day's file was corrected upstream
        result = load_landing_file(conn, viewing.SESSIONS, tmp_path, DAY)
        assert (result.loaded, result.quarantined) == (1, 0)
        per_day = conn.query_arrow(
            "SELECT _partition_date AS d, count() AS n FROM raw.viewing_sessions GROUP BY d ORDER BY d"
        )
        assert per_day.column("n").to_pylist() == [1, 1]
        assert conn.scalar("SELECT count() FROM raw.quarantine") == 0


def test_an_empty_file_empties_the_day(tmp_path, warehouse):
    _write_sessions(tmp_path, GOOD)
    with warehouse.connect() as conn:
        load_landing_file(conn, viewing.SESSIONS, tmp_path, DAY)
        _write_sessions(tmp_path, [""])
        result = load_landing_file(conn, viewing.SESSIONS, tmp_path, DAY)
        assert (result.read, result.loaded) == (0, 0)
        assert conn.scalar("SELECT count() FROM raw.viewing_sessions") == 0


def test_a_missing_file_is_a_clear_error(tmp_path, warehouse):
    with warehouse.connect() as conn, pytest.raises(MissingLandingFile, match=r"2026-11-01\.json not found"):
        load_landing_file(conn, viewing.SESSIONS, tmp_path, DAY)


def test_csv_snapshot_with_malformed_and_invalid_rows(tmp_path, warehouse):
    path = tmp_path / "billing" / "subscriptions.csv"
    path.parent.mkdir(parents=True)
    header = "subscription_id,account_id,tariff_id,kind,started_at,ended_at,price,currency\n"
    path.write_text(
        header
        + "1,10,2,monthly,2026-10-01 00:00:00,2026-10-31 00:00:00,499.00,RUB\n"
        + "2,11,2,monthly,2026-10-05 00:00:00,2026-10-01 00:00:00,499.00,RUB\n"
        + "3,12,2,monthly,not a date,2026-10-31 00:00:00,499.00,RUB\n"
        + "4,13,2\n"
        + "5,14,6,monthly,2026-10-01 00:00:00,2026-10-31 00:00:00,9.99,USD\n"
    )
    with warehouse.connect() as conn:
        result = load_landing_file(conn, billing.SUBSCRIPTIONS, tmp_path, None)
        prices = conn.query_arrow(
            "SELECT subscription_id, price, currency FROM raw.billing_subscriptions ORDER BY subscription_id"
        )
        assert (result.read, result.loaded, result.quarantined) == (5, 2, 3)
        assert set(result.reasons) == {
            "end before start",
            "missing or invalid started_at",
            "malformed CSV row: expected 8 fields, got 3",
        }
        assert [str(p) for p in prices.column("price").to_pylist()] == ["499.00", "9.99"]
        assert prices.column("currency").to_pylist() == [b"RUB", b"USD"]
        path.write_text(header + "9,10,2,annual,2026-10-01 00:00:00,2027-10-01 00:00:00,4990.00,RUB\n")
        load_landing_file(conn, billing.SUBSCRIPTIONS, tmp_path, None)
        assert conn.query_arrow("SELECT subscription_id FROM raw.billing_subscriptions").column(0).to_pylist() == [9]
        assert conn.scalar("SELECT count() FROM raw.quarantine WHERE source = 'billing_subscriptions'") == 0
