"""Payment events landing as JSON lines, Parquet, or several files a day (one per hour): same raw rows."""

import json
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.landing import MissingLandingFile, load_landing_file
from ingest.parquet import UnsupportedParquetColumn
from ingest.payments import EVENTS

DAY = date(2024, 5, 1)
EVENTS_OF_THE_DAY = [
    {
        "event_type": "payment.created",
        "sequence_id": 1,
        "created_at": "2024-05-01T00:10:00Z",
        "merchant_id": "m",
        "shop_id": "1",
        "invoice_id": "i1",
        "payment_id": "1",
        "status": "pending",
        "amount": 12345,
        "fee": 555,
        "currency": "RUB",
        "email": "Ирина@example.ru",
        "city_id": 524901,
    },
    {
        "event_type": "payment.status_changed",
        "sequence_id": 2,
        "created_at": "2024-05-01T13:20:30.250Z",
        "merchant_id": "m",
        "shop_id": "1",
        "invoice_id": "i1",
        "payment_id": "1",
        "status": "captured",
    },
    {
        "event_type": "payout.created",
        "sequence_id": 1,
        "created_at": "2024-05-01T23:00:00Z",
        "merchant_id": "m",
        "shop_id": "1",
        "payout_id": "p1",
        "status": "paid",
        "amount": 1000,
    },
]
COLUMNS = sorted({key for event in EVENTS_OF_THE_DAY for key in event})


def _parquet_table(events: list[dict]) -> pa.Table:
    """The events as a typed table: created_at a real timestamp, numbers integers, absent fields null."""
    columns = {name: [e.get(name) for e in events] for name in COLUMNS}
    columns["created_at"] = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in columns["created_at"]]
    types = {"created_at": pa.timestamp("us", tz="UTC"), "sequence_id": pa.int32(), "city_id": pa.uint32()}
    types |= {"amount": pa.int64(), "fee": pa.int64()}
    return pa.table({name: pa.array(values, types.get(name, pa.string())) for name, values in columns.items()})


def _raw_rows(conn) -> list[tuple]:
    names = ", ".join(c.name for c in EVENTS.columns)
    return conn.query_arrow(f"SELECT {names} FROM raw.payment_events ORDER BY created_at, event_type").to_pylist()


def _json_lines(events: list[dict]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)


def test_parquet_day_file_loads_the_same_rows_as_json_lines(tmp_path, warehouse):
    folder = tmp_path / "json" / "payments" / "events"
    folder.mkdir(parents=True)
    (folder / f"{DAY}.json").write_text(_json_lines(EVENTS_OF_THE_DAY))
    parquet = tmp_path / "parquet" / "payments" / "events"
    parquet.mkdir(parents=True)
    pq.write_table(_parquet_table(EVENTS_OF_THE_DAY), parquet / f"{DAY}.parquet")
    with warehouse.connect() as conn:
        from_json = load_landing_file(conn, EVENTS, tmp_path / "json", DAY)
        json_rows = _raw_rows(conn)
        from_parquet = load_landing_file(conn, EVENTS, tmp_path / "parquet", DAY)
        parquet_rows = _raw_rows(conn)
    assert (from_json.loaded, from_parquet.loaded) == (3, 3)
    assert parquet_rows == json_rows
    assert parquet_rows[1]["created_at"] == datetime(2024, 5, 1, 13, 20, 30, 250000, tzinfo=UTC)
    assert parquet_rows[0]["email"] == "Ирина@example.ru" and parquet_rows[0]["amount"] == 12345


def test_hourly_files_fill_one_day_and_bad_rows_are_quarantined(tmp_path, warehouse):
    hours = tmp_path / "payments" / "events" / str(DAY)
    hours.mkdir(parents=True)
    (hours / "00.json").write_text(_json_lines(EVENTS_OF_THE_DAY[:1]) + "{not json\n")
    bad = dict(EVENTS_OF_THE_DAY[1], event_type=None)
    pq.write_table(_parquet_table([EVENTS_OF_THE_DAY[1], bad]), hours / "13.parquet")
    pq.write_table(_parquet_table(EVENTS_OF_THE_DAY[2:]), hours / "23.parquet")
    (hours / "notes.txt").write_text("not a landing file")
    with warehouse.connect() as conn:
        result = load_landing_file(conn, EVENTS, tmp_path, DAY)
        quarantined = conn.query_arrow(
            "SELECT line, reason, raw FROM raw.quarantine WHERE source = 'payment_events' ORDER BY line"
        ).to_pylist()
    assert (result.read, result.loaded, result.quarantined) == (5, 3, 2)
    assert [(q["line"], q["reason"]) for q in quarantined] == [
        (2, "invalid JSON"),
        (4, "missing or invalid event_type"),
    ]
    assert json.loads(quarantined[1]["raw"])["status"] == "captured"  # the Parquet row is kept as readable JSON


def test_a_day_reloaded_from_parquet_replaces_the_json_day(tmp_path, warehouse):
    folder = tmp_path / "payments" / "events"
    folder.mkdir(parents=True)
    (folder / f"{DAY}.json").write_text(_json_lines(EVENTS_OF_THE_DAY))
    with warehouse.connect() as conn:
        load_landing_file(conn, EVENTS, tmp_path, DAY)
        (folder / f"{DAY}.json").unlink()
        pq.write_table(_parquet_table(EVENTS_OF_THE_DAY[:1]), folder / f"{DAY}.parquet")
        load_landing_file(conn, EVENTS, tmp_path, DAY)
        assert conn.scalar("SELECT count() FROM raw.payment_events") == 1


def test_a_raw_table_of_an_earlier_version_gains_the_new_columns(tmp_path, warehouse):
    folder = tmp_path / "payments" / "events"
    folder.mkdir(parents=True)
    events = [dict(EVENTS_OF_THE_DAY[0], rrn="000111222333", domain_revision=7001), *EVENTS_OF_THE_DAY[1:]]
    (folder / f"{DAY}.json").write_text(_json_lines(events))
    with warehouse.connect() as conn:
        load_landing_file(conn, EVENTS, tmp_path, DAY)
        conn.command("ALTER TABLE raw.payment_events DROP COLUMN rrn, DROP COLUMN domain_revision")  # as it was
        earlier = date(2024, 4, 30)
        (folder / f"{earlier}.json").write_text(
            _json_lines([dict(EVENTS_OF_THE_DAY[2], created_at="2024-04-30T10:00:00Z")])
        )
        load_landing_file(conn, EVENTS, tmp_path, earlier)
        load_landing_file(conn, EVENTS, tmp_path, DAY)
        rows = conn.query_arrow(
            "SELECT _partition_date AS day, rrn, domain_revision FROM raw.payment_events"
            " WHERE event_type IN ('payment.created', 'payout.created') ORDER BY day, event_type"
        ).to_pylist()
    assert rows == [
        {"day": earlier, "rrn": None, "domain_revision": None},
        {"day": DAY, "rrn": "000111222333", "domain_revision": 7001},
        {"day": DAY, "rrn": None, "domain_revision": None},
    ]


def test_nested_parquet_columns_and_missing_days_are_clear_errors(tmp_path, warehouse):
    folder = tmp_path / "payments" / "events"
    folder.mkdir(parents=True)
    table = _parquet_table(EVENTS_OF_THE_DAY).append_column("tags", pa.array([["a"], [], None], pa.list_(pa.string())))
    pq.write_table(table, folder / f"{DAY}.parquet")
    with warehouse.connect() as conn:
        with pytest.raises(UnsupportedParquetColumn, match="Parquet column 'tags' has type list"):
            load_landing_file(conn, EVENTS, tmp_path, DAY)
        with pytest.raises(MissingLandingFile, match="2024-05-02"):
            load_landing_file(conn, EVENTS, tmp_path, date(2024, 5, 2))
        assert conn.scalar("SELECT count() FROM system.tables WHERE database = 'raw' AND name LIKE '\\_%'") == 0


def test_bad_shop_rows_are_quarantined_with_their_reason(tmp_path, warehouse):
    from ingest.payments import SHOPS

    shops = [
        {"merchant_id": "m", "shop_id": "1", "category_id": 1, "name": "кино"},
        {"merchant_id": "m", "shop_id": "2"},  # no category
        {"merchant_id": "m", "shop_id": "3", "category_id": "test"},
        {"merchant_id": "m", "shop_id": "1", "category_id": 2},  # the same shop again
    ]
    path = tmp_path / "payments" / "shops.json"
    path.parent.mkdir(parents=True)
    path.write_text(_json_lines(shops))
    with warehouse.connect() as conn:
        result = load_landing_file(conn, SHOPS, tmp_path, None)
        reasons = conn.query_arrow(
            "SELECT line, reason FROM raw.quarantine WHERE source = 'payment_shops' ORDER BY line"
        ).to_pylist()
        kept = conn.query_arrow("SELECT shop_id, category_id, name FROM raw.payment_shops").to_pylist()
    assert (result.read, result.loaded, result.quarantined) == (4, 1, 3)
    assert [(r["line"], r["reason"]) for r in reasons] == [
        (2, "missing or invalid category_id"),
        (3, "missing or invalid category_id"),
        (4, "duplicate shop"),
    ]
    assert kept == [{"shop_id": "1", "category_id": 1, "name": "кино"}]
