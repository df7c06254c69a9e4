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
from orchestration.resources import LandingZone
from tests.table_fingerprints import table_fingerprints
from warehouse import Warehouse

START = date(2026, 10, 5)
DAYS = 3


def _daily_pipeline(defs, warehouse: Warehouse, landing: Path, partition_key: str | None = None, tags=None) -> None:
    resources = {**defs.resources, "warehouse": warehouse, "landing": LandingZone(path=str(landing))}
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


@pytest.mark.slow
def test_day_by_day_runs_and_a_corrected_day_equal_a_full_rebuild(tmp_path):
    from orchestration.definitions import defs
    from orchestration.demo import partition_range_tags

    landing = tmp_path / "landing"
    generate(landing, START, DAYS, 0.05, seed=11)
    _registrations_change_later(landing / "events" / "analytics_events")
    daily = Warehouse(path=str(tmp_path / "daily"), lock_timeout=60)
    for offset in range(DAYS):
        _daily_pipeline(defs, daily, landing, (START + timedelta(days=offset)).isoformat())
    _correct_sessions(landing / "viewing" / "sessions" / f"{START.isoformat()}.json")
    _daily_pipeline(defs, daily, landing, START.isoformat())

    full = Warehouse(path=str(tmp_path / "full"), lock_timeout=60)
    last = START + timedelta(days=DAYS - 1)
    _daily_pipeline(defs, full, landing, tags=partition_range_tags(START, last))

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
    with full.connect() as conn:
        rebuilt = table_fingerprints(conn)
    # the world has sessions across midnight and registrations that change days after their completion
    assert crossing >= 2 and corrected_day_two == 1 and changed_later == 2
    assert set(incremental) == set(rebuilt)
    differing = {t: (incremental[t], rebuilt[t]) for t in incremental if incremental[t] != rebuilt[t]}
    assert differing == {}
    assert incremental["marts.agg_viewing_online_minute"][0] > 0
