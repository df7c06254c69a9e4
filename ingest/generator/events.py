"""Analytics Service events (`analytics_events`) as JSON lines, one file per day.

Visitors view an event page; some start registering, fewer finish, a few cancel, and some check in.
"""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.generator import formats as f
from ingest.generator.world import World

SOURCES = np.array(["telegram", "vk", "direct", "email", "yandex"])
SOURCE_WEIGHTS = [0.3, 0.25, 0.2, 0.15, 0.1]
TICKET_TYPES = np.array(["standard", "vip", "student"])
TENANTS = 3
EVENTS_PER_TENANT = 3


def write_day(world: World, day_index: int, out_dir: Path) -> int:
    ids = np.random.default_rng([world.seed, 5])
    tenants = f.uuids(ids, TENANTS)
    events = f.uuids(ids, TENANTS * EVENTS_PER_TENANT)
    users = f.uuids(ids, max(50, int(5000 * world.scale)))

    rng = np.random.default_rng([world.seed, 6, day_index])
    n = max(1, int(4000 * world.scale))
    day_start = world.day_seconds(day_index)
    event = rng.integers(0, len(events), n)
    user = rng.integers(0, len(users), n)
    source = rng.choice(SOURCES, n, p=SOURCE_WEIGHTS)
    viewed = day_start + rng.integers(0, 80000, n)
    started = rng.random(n) < 0.35
    completed = started & (rng.random(n) < 0.7)
    cancelled = completed & (rng.random(n) < 0.08)
    checked_in = completed & ~cancelled & (rng.random(n) < 0.6)
    paid = completed & (rng.random(n) < 0.5)
    ticket = rng.choice(TICKET_TYPES, n, p=[0.7, 0.1, 0.2])
    registration = f.uuids(rng, n)

    stages = [
        ("page.view", np.ones(n, bool), 0),
        ("registration.started", started, 60),
        ("registration.completed", completed, 300),
        ("payment.completed", paid, 320),
        ("registration.cancelled", cancelled, 3000),
        ("checkin.completed", checked_in, 5000),
        ("page.scroll", rng.random(n) < 0.01, 10),  # a type the service does not know: kept and counted
    ]
    parts, times = [], []
    for event_type, mask, delay in stages:
        rows = np.flatnonzero(mask)
        at = viewed[rows] + delay + rng.integers(0, 60, len(rows))
        take = pa.array(rows)
        has_registration = event_type not in ("page.view", "page.scroll")
        properties = [("source", f.quoted(pa.array(source[rows])))]
        if has_registration:
            properties += [
                ("ticketTypeId", f.quoted(pa.array(ticket[rows]))),
                ("registrationId", f.quoted(registration.take(take))),
            ]
        parts.append(
            f.json_object(
                [
                    ("id", f.quoted(f.uuids(rng, len(rows)))),
                    ("tenant_id", f.quoted(tenants.take(pa.array(event[rows] // EVENTS_PER_TENANT)))),
                    ("event_type", f.quoted(pa.array(np.full(len(rows), event_type)))),
                    ("event_id", f.quoted(events.take(pa.array(event[rows])))),
                    ("user_id", f.quoted(users.take(pa.array(user[rows])))),
                    ("properties", f.json_object(properties)),
                    ("created_at", f.quoted(f.iso_utc(np.minimum(at, day_start + 86399)))),
                ]
            )
        )
        times.append(np.minimum(at, day_start + 86399))
    if day_index == 0:
        published = f.json_object(
            [
                ("id", f.quoted(f.uuids(rng, len(events)))),
                ("tenant_id", f.quoted(tenants.take(pa.array(np.arange(len(events)) // EVENTS_PER_TENANT)))),
                ("event_type", f.quoted(pa.array(np.full(len(events), "event.published")))),
                ("event_id", f.quoted(events)),
                ("user_id", "null"),
                ("properties", "{}"),
                ("created_at", f.quoted(f.iso_utc(np.full(len(events), day_start)))),
            ]
        )
        parts.append(published)
        times.append(np.full(len(events), day_start))
    lines = pa.concat_arrays(parts)
    order = np.argsort(np.concatenate(times), kind="stable")
    day = np.datetime64(world.start, "D") + day_index
    return f.write_lines(out_dir / "events" / "analytics_events" / f"{day}.json", pc.take(lines, pa.array(order)))
