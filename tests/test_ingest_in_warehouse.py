"""Landing files read by the warehouse itself (file()): the same rows, quarantine and line numbers as the
reader that passes records through Python (used for a ClickHouse server, which cannot see local files)."""

import json
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.landing import load_landing_file
from ingest.payments import EVENTS
from warehouse.embedded import EmbeddedConnection
from warehouse.work_tables import leftover_work_tables

DAY = date(2026, 11, 1)


def _event(n: int, **overrides) -> dict:
    event = {
        "event_type": "payment.created",
        "sequence_id": n,
        "created_at": f"2026-11-01T10:{n % 60:02d}:00.250Z",
        "merchant_id": "m1",
        "shop_id": "s1",
        "invoice_id": f"inv{n}",
        "payment_id": "1",
        "status": "pending",
        "amount": 1000 + n,
        "fee": 10,
        "currency": "RUB",
        "first6": "424242",
    }
    event.update(overrides)
    return event


def _line(event: dict) -> str:
    return json.dumps(event, ensure_ascii=False)


# a messy hour: CRLF, blank and whitespace lines, invalid UTF-8, a JSON array, numbers given as text,
# the same event twice (also with other spacing), bad JSON and a bad amount
FIRST_HOUR = (
    _line(_event(1)).encode() + b"\r\n"
    + b"\n"
    + _line(_event(2, email="okX@example.com")).encode().replace(b"X", b"\xff")
    + b"\n   \t\n"
    + b'["not", "an", "object"]\n'
    + _line(_event(3, amount="1003", sequence_id="3", shop_id=7)).encode() + b"\n"
    + _line(_event(1)).encode() + b"\n"
    + json.dumps(_event(1), indent=None, separators=(",", ":")).encode() + b"\n\n\n"
)  # fmt: skip
SECOND_HOUR = ('{"event_type": "payment.created", \n' + _line(_event(4, amount=-5)) + "\n" + _line(_event(5))).encode()


def _write_hours(landing):
    folder = landing / "payments" / "events" / str(DAY)
    folder.mkdir(parents=True)
    (folder / "10.json").write_bytes(FIRST_HOUR)
    (folder / "11.json").write_bytes(SECOND_HOUR)


EVENT_ROWS = "SELECT _line, sequence_id, shop_id, amount, email, created_at FROM raw.payment_events ORDER BY _line"


def _load(warehouse, landing, in_warehouse: bool, monkeypatch, source=EVENTS, day=DAY, rows_sql=EVENT_ROWS):
    """Load with the warehouse reading the files itself or through the Python readers: the result, the rows
    `rows_sql` selects and the quarantine; no work table may be left."""
    monkeypatch.setattr(EmbeddedConnection, "reads_local_files", in_warehouse)
    with warehouse.connect() as conn:
        result = load_landing_file(conn, source, landing, day)
        rows = conn.query_arrow(rows_sql).to_pylist()
        quarantined = conn.query_arrow("SELECT line, reason, raw FROM raw.quarantine ORDER BY line").to_pylist()
        assert leftover_work_tables(conn) == []
    return result, rows, quarantined


def test_hourly_files_read_by_the_warehouse_match_the_python_reader(tmp_path, warehouse, monkeypatch):
    _write_hours(tmp_path)
    in_warehouse = _load(warehouse, tmp_path, True, monkeypatch)
    through_python = _load(warehouse, tmp_path, False, monkeypatch)
    assert in_warehouse == through_python
    result, rows, quarantined = in_warehouse
    assert (result.read, result.loaded, result.quarantined) == (9, 4, 5)
    # line numbers count every line of the earlier file (10 lines in 10.json, its blank lines included)
    assert [(r["_line"], r["sequence_id"], r["shop_id"], r["amount"]) for r in rows] == [
        (1, 1, "s1", 1001),
        (3, 2, "s1", 1002),
        (6, 3, "7", 1003),  # numbers as text and text as a number are read as the column's type
        (13, 5, "s1", 1005),
    ]
    assert rows[1]["email"] == "ok\ufffd@example.com"  # invalid UTF-8 replaced, the record kept
    assert str(rows[0]["created_at"]) == "2026-11-01 10:01:00.250000+00:00"
    assert [(q["line"], q["reason"]) for q in quarantined] == [
        (5, "not a JSON object"),
        (7, "duplicate event (delivered twice)"),
        (8, "duplicate event (delivered twice)"),  # the same fields with other spacing
        (11, "invalid JSON"),
        (12, "negative amount"),
    ]
    assert quarantined[0]["raw"] == '["not", "an", "object"]'
    assert quarantined[1]["raw"] == _line(_event(1))  # a duplicate's text is read back from its file


def test_duplicate_and_bad_parquet_rows_reach_quarantine_as_json(tmp_path, warehouse):
    events = [_event(1), _event(2), _event(1), _event(3, event_type=None)]
    table = pa.Table.from_pylist(events)
    table = table.set_column(
        table.column_names.index("created_at"),
        "created_at",
        pa.array([pa.scalar(e["created_at"][:-1]).cast(pa.timestamp("ms")) for e in events], pa.timestamp("ms")),
    )
    folder = tmp_path / "payments" / "events"
    folder.mkdir(parents=True)
    pq.write_table(table, folder / f"{DAY}.parquet")
    with warehouse.connect() as conn:
        result = load_landing_file(conn, EVENTS, tmp_path, DAY)
        quarantined = conn.query_arrow("SELECT line, reason, raw FROM raw.quarantine ORDER BY line").to_pylist()
        loaded = conn.query_arrow("SELECT _line, created_at FROM raw.payment_events ORDER BY _line").to_pylist()
    assert (result.read, result.loaded, result.quarantined) == (4, 2, 2)
    assert [row["_line"] for row in loaded] == [1, 2]
    assert str(loaded[0]["created_at"]) == "2026-11-01 10:01:00.250000+00:00"
    assert [(q["line"], q["reason"]) for q in quarantined] == [
        (3, "duplicate event (delivered twice)"),
        (4, "missing or invalid event_type"),
    ]
    assert json.loads(quarantined[0]["raw"])["invoice_id"] == "inv1"
    assert json.loads(quarantined[1]["raw"])["event_type"] is None


@pytest.mark.parametrize("name", ["10,11.json", "{x}.json"])
def test_file_names_file_cannot_take_are_read_through_python(tmp_path, warehouse, name):
    folder = tmp_path / "payments" / "events" / str(DAY)
    folder.mkdir(parents=True)
    (folder / name).write_text(_line(_event(1)) + "\n" + _line(_event(1)) + "\n")
    with warehouse.connect() as conn:
        result = load_landing_file(conn, EVENTS, tmp_path, DAY)
    assert (result.read, result.loaded, result.quarantined) == (2, 1, 1)


def test_csv_read_by_the_warehouse_numbers_lines_and_quarantines_malformed_rows(tmp_path, warehouse, monkeypatch):
    from ingest.billing import SUBSCRIPTIONS

    path = tmp_path / "billing" / "subscriptions.csv"
    path.parent.mkdir(parents=True)
    rows = [
        "subscription_id,account_id,tariff_id,kind,started_at,ended_at,price,currency",
        "1,10,2,monthly,2026-10-01 00:00:00,2026-10-31 00:00:00,499.00,RUB",
        "2,11,2",
        '3,12,2,"monthly, promo",2026-10-01 00:00:00,2026-10-31 00:00:00,99.00,RUB',
        "4,13,2,monthly,2026-10-01 00:00:00,2026-10-31 00:00:00,499.00,RUB,extra",
        "1,14,2,monthly,2026-10-01 00:00:00,2026-10-31 00:00:00,1.00,RUB",
        "5,15,2,monthly,2026-10-02 00:00:00,2026-10-01 00:00:00,499.00,RUB",
    ]
    rows.insert(5, "")  # a blank line is no record, but it is a line
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n\r\n")

    def load(in_warehouse: bool):
        rows_sql = "SELECT subscription_id, account_id, kind, price FROM raw.billing_subscriptions ORDER BY 1"
        return _load(warehouse, tmp_path, in_warehouse, monkeypatch, SUBSCRIPTIONS, None, rows_sql)

    result, loaded, quarantined = load(True)
    assert (result.read, result.loaded, result.quarantined) == (6, 2, 4)
    assert [(r["subscription_id"], r["kind"], str(r["price"])) for r in loaded] == [
        (1, "monthly", "499.00"),
        (3, "monthly, promo", "99.00"),
    ]
    assert [(q["line"], q["reason"], q["raw"]) for q in quarantined] == [
        (3, "malformed CSV row: expected 8 fields, got 3", "2,11,2"),
        (5, "malformed CSV row: expected 8 fields, got 9", rows[4]),
        (7, "duplicate subscription_id", rows[6]),
        (8, "end before start", rows[7]),
    ]
    python_result, python_loaded, _ = load(False)
    assert python_loaded == loaded and python_result.reasons == result.reasons


def test_files_loaded_in_slices_give_the_same_partition(tmp_path, warehouse, monkeypatch):
    _write_hours(tmp_path)
    whole = _load(warehouse, tmp_path, True, monkeypatch)
    monkeypatch.setattr("ingest.load.RECORDS_PER_INSERT", 3)  # slices that cut through both files
    assert _load(warehouse, tmp_path, True, monkeypatch) == whole


def test_parquet_loaded_in_slices_gives_the_same_partition(tmp_path, warehouse, monkeypatch):
    folder = tmp_path / "payments" / "events"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([_event(n % 4) for n in range(10)]), folder / f"{DAY}.parquet")

    whole = _load(warehouse, tmp_path, True, monkeypatch)
    monkeypatch.setattr("ingest.load.PARQUET_ROWS_PER_INSERT", 3)
    assert _load(warehouse, tmp_path, True, monkeypatch) == whole
    assert [row["_line"] for row in whole[1]] == [1, 2, 3, 4] and len(whole[2]) == 6
