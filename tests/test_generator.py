import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingest.generator import generate


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    counts_a = generate(a, date(2026, 1, 1), 3, 0.1, seed=11)
    counts_b = generate(b, date(2026, 1, 1), 3, 0.1, seed=11)
    generate(c, date(2026, 1, 1), 3, 0.1, seed=12)
    assert counts_a == counts_b
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)
    assert len(_digest(a)) == 3 * 4 + 7  # 4 daily families x 3 days + 7 snapshot files


def test_files_cover_every_source_and_parse(tmp_path):
    counts = generate(tmp_path, date(2026, 1, 1), 2, 0.2, seed=3)
    assert counts["viewing_sessions"] == 2 * int(3000 * 0.2)
    assert counts["accounts"] == int(2000 * 0.2)
    for family in ("viewing/sessions", "payments/events", "events/analytics_events"):
        for path in (tmp_path / family).glob("*.json"):
            for line in path.read_text(encoding="utf-8").splitlines():
                json.loads(line)
    accounts = pd.read_csv(tmp_path / "billing" / "accounts.csv")
    assert {"Москва", "Санкт-Петербург"} <= set(accounts["region"])


def _sessions(path: Path) -> pd.DataFrame:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    frame = pd.DataFrame(rows)
    frame["start"] = pd.to_datetime(frame["start"].map(lambda d: d["$date"]))
    frame["end"] = pd.to_datetime(frame["end"].map(lambda d: d["$date"]))
    return frame


def test_viewing_has_prime_time_and_realistic_lengths(tmp_path):
    generate(tmp_path, date(2026, 1, 1), 1, 1.0, seed=5, bad_fraction=0)
    sessions = _sessions(tmp_path / "viewing" / "sessions" / "2026-01-01.json")
    by_hour = sessions["start"].dt.hour.value_counts().reindex(range(24), fill_value=0)
    assert by_hour.loc[17:20].sum() > 3 * by_hour.loc[2:5].sum()  # 20-23 Moscow time versus the small hours
    minutes = (sessions["end"] - sessions["start"]).dt.total_seconds() / 60
    assert 5 < minutes.median() < 60
    assert minutes.max() <= 6 * 60 + 1
    assert set(sessions["content_type"]) == {"channel", "vod", "catchup"}
    assert sessions["_id"].map(lambda i: i["$oid"]).is_unique


def test_event_funnel_drops_off_stage_by_stage(tmp_path):
    generate(tmp_path, date(2026, 1, 1), 1, 0.5, seed=5)
    lines = (tmp_path / "events" / "analytics_events" / "2026-01-01.json").read_text().splitlines()
    types = pd.Series([json.loads(line)["event_type"] for line in lines]).value_counts()
    assert (
        types["page.view"]
        > types["registration.started"]
        > types["registration.completed"]
        > types["checkin.completed"]
    )
    assert types["registration.cancelled"] > 0 and types["payment.completed"] > 0


def test_payment_events_include_duplicates_and_all_entities(tmp_path):
    generate(tmp_path, date(2026, 1, 1), 1, 0.5, seed=5)
    lines = (tmp_path / "payments" / "events" / "2026-01-01.json").read_text().splitlines()
    assert len(lines) > len(set(lines))  # at-least-once delivery
    types = {json.loads(line)["event_type"] for line in lines}
    assert {"invoice.created", "payment.created", "payment.status_changed", "refund.created", "payout.created"} <= types


@pytest.mark.parametrize(("days", "scale"), [(0, 1.0), (1, 0.0)])
def test_bad_parameters_are_rejected(tmp_path, days, scale):
    with pytest.raises(ValueError):
        generate(tmp_path, date(2026, 1, 1), days, scale)


@pytest.mark.slow
def test_parallel_days_write_the_same_bytes_as_serial(tmp_path):
    from functools import partial

    from ingest.generator import _write_days, viewing
    from ingest.generator.world import build_world

    world = build_world(date(2026, 1, 1), 3, 20.0, seed=9)
    for folder, parallel in (("serial", False), ("parallel", True)):
        rows = _write_days(partial(viewing.write_day, out_dir=tmp_path / folder, bad_fraction=0.001), world, parallel)
        assert rows == 3 * 60_000
    assert _digest(tmp_path / "serial") == _digest(tmp_path / "parallel")
