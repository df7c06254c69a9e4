"""The funnel's users table (int_events__funnel_users) run day by day, then after a corrected old day that takes
chains away, equals a build of the same landing files from scratch: a user whose last chain went falls back to
their earlier chains, a user left with no chain leaves the table."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from dagster import AssetSelection, materialize

from orchestration.dbt.selection import dbt_selection
from orchestration.demo import partition_range_tags
from orchestration.events.assets import analytics_events
from orchestration.events.resources import EventsSource
from orchestration.resources import LandingZone
from tests.events_world import E1, O1, as_json, user
from warehouse import Warehouse

DAYS = [date.today() - timedelta(days=20) + timedelta(days=n) for n in range(4)]
D1, D2, D3, D4 = DAYS
FUNNEL_TABLES = (
    "intermediate.int_events__funnel_chains",
    "intermediate.int_events__funnel_users",
    "marts.agg_events_funnel",
)


def _events() -> list[tuple]:
    """(id, org, type, event, user, properties, created_at): U1 reaches registration started on D1 and the whole
    funnel on D3; U2 starts a registration on D3 only; U3 views the page on D1 and D4, U4 on D3."""
    steps = {
        (user(1), D1): ["page.view", "registration.started"],
        (user(1), D3): ["page.view", "registration.started", "registration.completed", "checkin.completed"],
        (user(2), D3): ["page.view", "registration.started"],
        (user(3), D1): ["page.view"],
        (user(3), D4): ["page.view"],
        (user(4), D3): ["page.view"],
    }
    events = []
    for (who, day), kinds in steps.items():
        for minute, kind in enumerate(kinds):
            props = {"source": "vk", "registrationId": f"R-{who[-1]}-{day.day}"} if "registration" in kind else {}
            if kind == "checkin.completed":
                props = {"registrationId": f"R-{who[-1]}-{day.day}"}
            at = f"{day}T10:{minute * 10:02d}:00Z"
            events.append((len(events) + 1, O1, kind, E1, who, props, at))
    return events


def _write_day(landing: Path, day: date, events: list[tuple]) -> None:
    path = landing / "events" / "analytics_events" / f"{day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(as_json(e)) + "\n" for e in events if e[6].startswith(day.isoformat())))


def _build(warehouse_dir: Path, landing: Path, first: date, last: date) -> None:
    from orchestration.definitions import defs

    resources = {
        **defs.resources,
        "warehouse": Warehouse(path=str(warehouse_dir), lock_timeout=60),
        "landing": LandingZone(path=str(landing)),
        "events_source": EventsSource(kind="files"),
    }
    selection = AssetSelection.assets(analytics_events) | dbt_selection("+path:models/marts/events")
    result = materialize(
        list(defs.assets), resources=resources, selection=selection, tags=partition_range_tags(first, last)
    )
    assert result.success


def _rows(warehouse_dir: Path) -> dict[str, list[dict]]:
    with Warehouse(path=str(warehouse_dir)).connect() as conn:
        return {
            table: conn.query_arrow(f"SELECT * EXCEPT last_event_date FROM {table} ORDER BY ALL").to_pylist()
            if table.startswith("marts")
            else conn.query_arrow(f"SELECT * FROM {table} ORDER BY ALL").to_pylist()
            for table in FUNNEL_TABLES
        }


@pytest.mark.slow
def test_a_corrected_day_that_takes_chains_away_equals_a_full_rebuild(tmp_path, monkeypatch):
    monkeypatch.setenv("OTT_FUNNEL_WINDOW_HOURS", "1")  # chains start and end on their day: a run rebuilds D-1..D
    landing = tmp_path / "landing"
    events = _events()
    for day in DAYS:
        _write_day(landing, day, events)
    daily = tmp_path / "daily"
    for day in DAYS:
        _build(daily, landing, day, day)
    with Warehouse(path=str(daily)).connect() as conn:
        before = conn.query_arrow(
            "SELECT user_id, last_start_page_view, last_start_registration_started, last_start_checked_in"
            " FROM intermediate.int_events__funnel_users ORDER BY user_id"
        ).to_pylist()
    assert [(str(r["user_id"]), r["last_start_page_view"], r["last_start_checked_in"]) for r in before] == [
        (user(1), D3, D3),
        (user(2), D3, None),
        (user(3), D4, None),
        (user(4), D3, None),
    ]

    # D3's corrected file has none of U1's and U2's events (U4's stay): U1 falls back to D1, U2 has no chain left
    corrected = [e for e in events if not (e[6].startswith(D3.isoformat()) and e[4] in (user(1), user(2)))]
    _write_day(landing, D3, corrected)
    _build(daily, landing, D3, D3)

    scratch = tmp_path / "scratch"
    _build(scratch, landing, D1, D4)
    incremental, full = _rows(daily), _rows(scratch)
    assert incremental == full
    users = {str(r["user_id"]): r for r in incremental["intermediate.int_events__funnel_users"]}
    assert set(users) == {user(1), user(3), user(4)}
    assert (users[user(1)]["last_start_page_view"], users[user(1)]["last_start_registration_started"]) == (D1, D1)
    assert users[user(1)]["last_start_checked_in"] is None
    funnel = incremental["marts.agg_events_funnel"][0]
    assert (funnel["page_views"], funnel["registration_started"], funnel["checked_in"]) == (3, 1, 0)
