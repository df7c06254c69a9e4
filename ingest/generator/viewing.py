"""Viewing sessions as Smarty's middleware stores them, written in mongoexport's JSON lines."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.generator import formats as f
from ingest.generator.world import World

# Share of a day's sessions starting in each UTC hour: quiet at night, prime time 20-23 Moscow (17-20 UTC).
HOUR_WEIGHTS = np.array(
    [3, 2, 1.5, 1, 1, 1.5, 3, 4, 4.5, 4.5, 4.5, 4.5, 5, 5, 5.5, 6, 7, 9, 10, 10, 9, 7, 5, 4], dtype=float
)
HOUR_WEIGHTS /= HOUR_WEIGHTS.sum()
CONTENT_TYPES = np.array(["channel", "vod", "catchup"])
CONTENT_WEIGHTS = [0.7, 0.2, 0.1]
MAX_SESSION_SECONDS = 6 * 3600


def write_day(world: World, day_index: int, out_dir: Path, bad_fraction: float) -> int:
    rng = np.random.default_rng([world.seed, 1, day_index])
    n = max(1, int(3000 * world.scale))
    day_start = world.day_seconds(day_index)

    eligible = world.account_created < day_start + 86400
    weights = np.where(eligible, world.account_weight, 0.0)
    pick = rng.choice(len(world.account_id), size=n, p=weights / weights.sum())
    start = day_start + rng.choice(24, size=n, p=HOUR_WEIGHTS) * 3600 + rng.integers(0, 3600, n)
    start = np.maximum(start, world.account_created[pick])
    order = np.argsort(start, kind="stable")
    pick, start = pick[order], start[order]

    content = rng.choice(CONTENT_TYPES, size=n, p=CONTENT_WEIGHTS)
    is_vod = content == "vod"
    # channel zapping is short, films and catch-up run longer; lognormal with a long tail
    median = np.where(content == "channel", 900, 2400)
    duration = np.minimum(rng.lognormal(np.log(median), 1.0), MAX_SESSION_SECONDS).astype(np.int64) + 5
    end = start + duration

    client = world.account_client[pick]
    channel_rank = np.minimum(rng.zipf(1.6, n), 40) - 1
    channel = (client - 1) * 40 + 1 + channel_rank
    episode = rng.integers(0, len(world.episode_id), n)
    device = np.where(rng.random(n) < 0.8, world.account_device[pick], rng.choice(world.account_device, n))

    oid = f.hex_ids(rng, n, 12, prefix_seconds=start)
    start_text, end_text = f.iso_utc(start, millis=True), f.iso_utc(end, millis=True)
    account_text = f.text(world.account_id[pick])
    bad = _bad_rows(rng, n, bad_fraction)
    if bad.any():
        # a few broken records, as real devices send: end before start, no account
        end_text = pc.if_else(pa.array(bad == 1), f.iso_utc(start - 60, millis=True), end_text)
        account_text = pc.if_else(pa.array(bad == 2), "null", account_text)

    common = [
        ("_id", f.concat(['{"$oid":"', oid, '"}'])),
        ("client_id", f.text(client)),
        ("account_id", account_text),
        ("device", f.quoted(pa.array(device))),
        ("tariffs", f.concat(["[", f.text(world.account_tariff[pick]), "]"])),
        ("content_type", f.quoted(pa.array(content))),
    ]
    times = [
        ("start", f.concat(['{"$date":"', start_text, '"}'])),
        ("end", f.concat(['{"$date":"', end_text, '"}'])),
    ]
    channel_lines = f.json_object([*common, ("channel_id", f.text(channel)), *times])
    vod_lines = f.json_object(
        [
            *common,
            ("title_id", f.text(world.episode_title[episode])),
            ("season", f.text(world.episode_season[episode])),
            ("episode", f.text(world.episode_num[episode])),
            *times,
        ]
    )
    lines = pc.if_else(pa.array(is_vod), vod_lines, channel_lines)
    day = np.datetime64(world.start, "D") + day_index
    return f.write_lines(out_dir / "viewing" / "sessions" / f"{day}.json", lines)


def _bad_rows(rng: np.random.Generator, n: int, fraction: float) -> np.ndarray:
    """0 for a good row, else a defect code (1: end before start, 2: missing account)."""
    codes = np.zeros(n, dtype=np.int8)
    if fraction > 0:
        hit = rng.random(n) < fraction
        codes[hit] = rng.integers(1, 3, int(hit.sum()))
    return codes
