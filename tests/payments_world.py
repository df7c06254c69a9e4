"""Build a warehouse from hand-made payment events: landing files per day, the shops snapshot, dbt marts."""

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from dagster import materialize

from ingest.landing import load_landing_file
from ingest.payments import EVENTS, SHOPS
from orchestration.dbt.selection import dbt_selection
from warehouse import Warehouse


def write_events(landing: Path, events: list[dict]) -> list[date]:
    """One JSON-lines file per UTC day of the events' created_at; returns the days."""
    by_day: dict[date, list[dict]] = defaultdict(list)
    for event in events:
        by_day[date.fromisoformat(event["created_at"][:10])].append(event)
    for day, day_events in by_day.items():
        path = landing / "payments" / "events" / f"{day}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(e) + "\n" for e in day_events))
    return sorted(by_day)


def write_shops(landing: Path, shops: list[dict]) -> None:
    path = landing / "payments" / "shops.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(s) + "\n" for s in shops))


def build_warehouse(root: Path, events: list[dict], shops: list[dict], monkeypatch) -> Warehouse:
    """Load the events and shops and build every payments mart; `monkeypatch` points dbt at the warehouse."""
    landing = root / "landing"
    days = write_events(landing, events)
    write_shops(landing, shops)
    warehouse = Warehouse(path=str(root / "warehouse"))
    with warehouse.connect() as conn:
        for day in days:
            load_landing_file(conn, EVENTS, landing, day)
        load_landing_file(conn, SHOPS, landing, None)
    monkeypatch.setenv("OTT_WAREHOUSE_PATH", str(root / "warehouse"))
    from orchestration.definitions import defs
    from orchestration.partitions import PARTITIONS_START

    # The payments marts are incremental, built per daily partition; their first build reads all the events
    # whatever the partition, and these worlds may lie before the first partition (the seed's are in 2016).
    result = materialize(
        list(defs.assets),
        resources={**defs.resources, "warehouse": warehouse},
        selection=dbt_selection("+path:models/marts/payments"),
        partition_key=PARTITIONS_START,
    )
    assert result.success
    return warehouse
