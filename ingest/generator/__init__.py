"""A seeded, deterministic sample world written in the landing-zone formats of every source."""

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path

from ingest.generator import billing, events, payments, viewing
from ingest.generator.world import World, build_world

# Below this many rows a day, starting worker processes costs more than it saves.
PARALLEL_ROWS_PER_DAY = 50_000


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
    parallel = scale * 3000 >= PARALLEL_ROWS_PER_DAY and days > 1
    counts["viewing_sessions"] = _write_days(
        partial(viewing.write_day, out_dir=out_dir, bad_fraction=bad_fraction), world, parallel
    )
    counts["payment_shops"] = payments.write_shops(out_dir)
    counts["payment_events"] = _write_days(partial(payments.write_day, out_dir=out_dir), world, parallel)
    counts["analytics_events"] = _write_days(partial(events.write_day, out_dir=out_dir), world, parallel)
    return counts


def _write_days(write_day: Callable[..., int], world: World, parallel: bool) -> int:
    """Write every day; days are independent (each has its own seeded generator), so order does not matter."""
    if not parallel:
        return sum(write_day(world, day) for day in range(world.days))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
        return sum(pool.map(write_day, [world] * world.days, range(world.days)))
