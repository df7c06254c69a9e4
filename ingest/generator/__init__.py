"""A seeded, deterministic sample world written in the landing-zone formats of every source."""

from datetime import date
from pathlib import Path

from ingest.generator import billing, events, payments, viewing
from ingest.generator.world import build_world


def generate(
    out_dir: Path, start: date, days: int, scale: float = 1.0, seed: int = 42, bad_fraction: float = 0.001
) -> dict[str, int]:
    """Write the landing zone under `out_dir`; return rows written per file family.

    `scale` 1.0 is about 2,000 accounts and 3,000 viewing sessions, 1,500 payments and 4,000 event-page
    visits a day. The same arguments always give byte-identical files.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    world = build_world(start, days, scale, seed)
    counts = billing.write_snapshots(world, out_dir)
    counts["viewing_sessions"] = sum(viewing.write_day(world, d, out_dir, bad_fraction) for d in range(days))
    counts["payment_events"] = sum(payments.write_day(world, d, out_dir) for d in range(days))
    counts["analytics_events"] = sum(events.write_day(world, d, out_dir) for d in range(days))
    return counts
