"""Incremental runs give the same answers as a full rebuild.

A world is built day by day through the scheduled daily pipeline (one partition a run), an old day's landing
file is then corrected and its partition run again; every table of every layer must then equal a build of
the same landing files from scratch, row for row.
"""

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from ingest.generator import generate
from orchestration.resources import ExportsDir, LandingZone
from tests.table_fingerprints import table_fingerprints
from warehouse import Warehouse

START = date(2026, 10, 5)
DAYS = 3  # generated days; the world then goes on with only a payment's late events
LAST = START + timedelta(days=40)
MERCHANT = "0f0e0d0c-0b0a-4909-8807-060504030201"


def _daily_pipeline(defs, warehouse: Warehouse, landing: Path, partition_key: str | None = None, tags=None) -> None:
    # exports of its own: the session's published snapshots belong to the session's warehouse (tests/test_reports.py)
    exports = ExportsDir(path=str(Path(warehouse.path).parent / f"exports-{Path(warehouse.path).name}"))
    resources = {
        **defs.resources,
        "warehouse": warehouse,
        "landing": LandingZone(path=str(landing)),
        "exports": exports,
    }
    result = defs.resolve_job_def("daily_pipeline").execute_in_process(
        partition_key=partition_key, resources=resources, tags=tags, raise_on_error=False
    )
    assert result.success


def _correct_sessions(path: Path) -> None:
    """A corrected export of an old day: one session removed, one stretched past midnight, one added."""
    sessions = [json.loads(line) for line in path.read_text().splitlines()]
    removed = sessions.pop(0)
    stretched = sessions[1]
    stretched["end"] = {"$date": f"{(START + timedelta(days=1)).isoformat()}T01:30:00.000Z"}
    added = {**removed, "_id": {"$oid": "0123456789abcdef01234567"}}
    added["start"] = {"$date": f"{START.isoformat()}T23:50:00.000Z"}
    added["end"] = {"$date": f"{(START + timedelta(days=1)).isoformat()}T00:20:00.000Z"}
    sessions.append(added)
    path.write_text("".join(json.dumps(s) + "\n" for s in sessions))


def _registrations_change_later(events_dir: Path) -> None:
    """Two registrations completed on the first day: one cancelled, one checked in on the last day."""
    first = [json.loads(line) for line in (events_dir / f"{START.isoformat()}.json").read_text().splitlines()]
    completed = [e for e in first if e["event_type"] == "registration.completed"][:2]
    last_day = START + timedelta(days=DAYS - 1)
    later = [
        {**event, "id": str(uuid.UUID(int=n + 1)), "event_type": kind, "created_at": f"{last_day}T1{n}:00:00Z"}
        for n, (event, kind) in enumerate(zip(completed, ("registration.cancelled", "checkin.completed"), strict=True))
    ]
    with (events_dir / f"{last_day.isoformat()}.json").open("a") as file:
        file.write("".join(json.dumps(e) + "\n" for e in later))


def _payment_with_late_events() -> list[dict]:
    """Created on the first day at 23:50, captured the next day, refunded 20 days and charged back 40 days later."""

    def event(kind: str, sequence: int, day: date, time: str, **fields) -> dict:
        at = f"{day.isoformat()}T{time}Z"
        base = {"event_type": kind, "sequence_id": sequence, "created_at": at, "merchant_id": MERCHANT}
        return {**base, "shop_id": "1", "invoice_id": "late00000001", "currency": "RUB", **fields}

    payment = {"payment_id": "1"}
    return [
        event("invoice.created", 1, START, "23:49:00", amount=100000, status="unpaid"),
        event(
            "payment.created",
            2,
            START,
            "23:50:00",
            **payment,
            amount=100000,
            fee=2500,
            status="pending",
            flow="instant",
            method="bank_card",
            payment_system="visa",
            customer_id="late-payer",
        ),
        event("payment.status_changed", 3, START + timedelta(days=1), "00:10:00", **payment, status="captured"),
        event("invoice.status_changed", 4, START + timedelta(days=1), "00:10:01", status="paid"),
        event(
            "refund.created",
            5,
            START + timedelta(days=20),
            "12:00:00",
            **payment,
            refund_id="1",
            amount=30000,
            status="succeeded",
        ),
        event(
            "chargeback.created",
            6,
            LAST,
            "09:00:00",
            **payment,
            chargeback_id="1",
            amount=70000,
            status="accepted",
            category="fraud",
            stage="chargeback",
        ),
    ]


def _landing_until_last_day(landing: Path) -> None:
    """The days after the generated ones hold no data but the payment's late events."""
    late = {}
    for payment_event in _payment_with_late_events():
        late.setdefault(payment_event["created_at"][:10], []).append(payment_event)
    header = next((landing / "billing" / "transactions").glob("*.csv")).read_text().splitlines()[0]
    for offset in range(41):
        day = (START + timedelta(days=offset)).isoformat()
        payments = landing / "payments" / "events" / f"{day}.json"
        if offset >= DAYS:
            for empty in (landing / "viewing" / "sessions", landing / "events" / "analytics_events"):
                (empty / f"{day}.json").write_text("")
            (landing / "billing" / "transactions" / f"{day}.csv").write_text(header + "\n")
            payments.write_text("")
        with payments.open("a") as file:
            file.write("".join(json.dumps(e) + "\n" for e in late.get(day, [])))


@pytest.mark.slow
def test_day_by_day_runs_and_a_corrected_day_equal_a_full_rebuild(tmp_path):
    from orchestration.definitions import defs
    from orchestration.demo import partition_range_tags

    landing = tmp_path / "landing"
    generate(landing, START, DAYS, 0.05, seed=11)
    _registrations_change_later(landing / "events" / "analytics_events")
    _landing_until_last_day(landing)
    daily = Warehouse(path=str(tmp_path / "daily"), lock_timeout=60)
    for offset in range(DAYS):
        _daily_pipeline(defs, daily, landing, (START + timedelta(days=offset)).isoformat())
    # the quiet weeks after as two backfills (each one run): the refund arrives in one, the chargeback in the other
    refund_day = START + timedelta(days=20)
    _daily_pipeline(defs, daily, landing, tags=partition_range_tags(START + timedelta(days=DAYS), refund_day))
    _daily_pipeline(defs, daily, landing, tags=partition_range_tags(refund_day + timedelta(days=1), LAST))
    _correct_sessions(landing / "viewing" / "sessions" / f"{START.isoformat()}.json")
    _daily_pipeline(defs, daily, landing, START.isoformat())

    full = Warehouse(path=str(tmp_path / "full"), lock_timeout=60)
    _daily_pipeline(defs, full, landing, tags=partition_range_tags(START, LAST))

    with daily.connect() as conn:
        incremental = table_fingerprints(conn)
        crossing = conn.scalar(
            "SELECT count() FROM marts.fct_viewing_sessions WHERE toDate(ended_at) > toDate(started_at)"
        )
        corrected_day_two = conn.scalar(
            "SELECT count() FROM intermediate.int_viewing__session_days"
            " WHERE session_id = '0123456789abcdef01234567' AND view_date = {day:Date}",
            {"day": START + timedelta(days=1)},
        )
        changed_later = conn.scalar(
            "SELECT count() FROM marts.fct_analytics_events WHERE event_date = {last:Date}"
            " AND event_type IN ('registration.cancelled', 'checkin.completed') AND registration_id IN ("
            "  SELECT registration_id FROM marts.fct_analytics_events"
            "  WHERE event_type = 'registration.completed' AND event_date = {first:Date})",
            {"first": START, "last": START + timedelta(days=DAYS - 1)},
        )
        late_payment = conn.query_df(
            "SELECT movement_type, toDate(moved_at) AS day, balance_change FROM marts.fct_payments_balance_movements"
            " WHERE invoice_id = 'late00000001' ORDER BY moved_at"
        ).values.tolist()
        late_closing = conn.scalar(
            "SELECT argMax(closing_balance, day) FROM marts.agg_payments_shop_accounting_daily"
            " WHERE merchant_id = {m:String}",
            {"m": MERCHANT},
        )
    with full.connect() as conn:
        rebuilt = table_fingerprints(conn)
    # the world has sessions across midnight and registrations that change days after their completion
    assert crossing >= 2 and corrected_day_two == 1 and changed_later == 2
    assert set(incremental) == set(rebuilt)
    differing = {t: (incremental[t], rebuilt[t]) for t in incremental if incremental[t] != rebuilt[t]}
    assert differing == {}
    assert incremental["marts.agg_viewing_online_minute"][0] > 0
    assert late_payment == [
        ["payment", START + timedelta(days=1), 97500],
        ["refund", START + timedelta(days=20), -30000],
        ["chargeback", LAST, -70000],
    ]
    assert late_closing == -2500
