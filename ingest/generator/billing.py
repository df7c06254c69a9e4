"""Billing (accounts, tariffs, subscriptions, transactions) and the content catalog as CSV landing files.

Money is written as exact decimal text with its currency; CSV is what Smarty-like middleware exports.
"""

from pathlib import Path

import numpy as np
import pyarrow as pa

from ingest.generator import formats as f
from ingest.generator.world import SUBSCRIPTION_KINDS, World

PERIOD_DAYS = {"monthly": 30, "annual": 365, "trial": 7}
PRICE_FACTOR = {"monthly": 1, "annual": 10, "trial": 0}


def write_snapshots(world: World, out_dir: Path) -> dict[str, int]:
    """Accounts, tariffs and the content catalog: tables replaced whole on every load."""
    billing, content = out_dir / "billing", out_dir / "content"
    counts = {
        "accounts": f.write_csv(
            billing / "accounts.csv",
            pa.table(
                {
                    "account_id": world.account_id,
                    "client_id": world.account_client,
                    "tariff_id": world.account_tariff,
                    "region": world.account_region,
                    "is_active": world.account_active,
                    "created_at": f.sql_datetime(world.account_created),
                }
            ),
        ),
        "tariffs": f.write_csv(
            billing / "tariffs.csv",
            pa.table(
                {
                    "tariff_id": world.tariff_id,
                    "client_id": world.tariff_client,
                    "name": world.tariff_name,
                    "price": f.money(world.tariff_price),
                    "currency": world.tariff_currency,
                }
            ),
        ),
        "channels": f.write_csv(
            content / "channels.csv",
            pa.table({"channel_id": world.channel_id, "client_id": world.channel_client, "name": world.channel_name}),
        ),
        "titles": f.write_csv(
            content / "titles.csv",
            pa.table(
                {
                    "title_id": world.title_id,
                    "title_ru": world.title_name,
                    "genre_name": world.title_genre,
                    "age_restriction": world.title_age,
                }
            ),
        ),
        "episodes": f.write_csv(
            content / "episodes.csv",
            pa.table(
                {
                    "episode_id": world.episode_id,
                    "title_id": world.episode_title,
                    "season_num": world.episode_season,
                    "episode_num": world.episode_num,
                    "duration_s": world.episode_duration,
                }
            ),
        ),
    }
    subscriptions = _subscriptions(world)
    counts["subscriptions"] = f.write_csv(billing / "subscriptions.csv", subscriptions["table"])
    counts["transactions"] = _write_transactions(world, subscriptions, billing / "transactions")
    return counts


def _subscriptions(world: World) -> dict:
    """Consecutive subscription periods per account from its creation to the end of the world."""
    rng = np.random.default_rng([world.seed, 2])
    n = len(world.account_id)
    kind = rng.choice(SUBSCRIPTION_KINDS, size=n, p=[0.8, 0.15, 0.05])
    period = np.vectorize(PERIOD_DAYS.get)(kind) * 86400
    first = np.maximum(world.account_created, world.start_seconds - 90 * 86400)
    world_end = world.day_seconds(world.days)
    periods = np.maximum(1, np.ceil((world_end - first) / period).astype(np.int64))
    periods = np.where(kind == "trial", 1, periods)
    # churn: an inactive account stops renewing at a random period
    periods = np.where(world.account_active, periods, np.maximum(1, (periods * rng.random(n)).astype(np.int64)))

    owner = np.repeat(np.arange(n), periods)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(periods) - periods, periods)
    started = first[owner] + k * period[owner]
    ended = started + period[owner]
    tariff = world.account_tariff[owner]
    price = world.tariff_price[tariff - 1] * np.vectorize(PRICE_FACTOR.get)(kind[owner])
    currency = world.tariff_currency[tariff - 1]
    table = pa.table(
        {
            "subscription_id": np.arange(1, len(owner) + 1),
            "account_id": world.account_id[owner],
            "tariff_id": tariff,
            "kind": kind[owner],
            "started_at": f.sql_datetime(started),
            "ended_at": f.sql_datetime(ended),
            "price": f.money(price),
            "currency": currency,
        }
    )
    return {
        "table": table,
        "account": world.account_id[owner],
        "tariff": tariff,
        "started": started,
        "price": price,
        "currency": currency,
        "id": np.arange(1, len(owner) + 1),
    }


def _write_transactions(world: World, subs: dict, out_dir: Path) -> int:
    """A payment and a charge for every paid subscription period; a few refunds days later."""
    rng = np.random.default_rng([world.seed, 3])
    paid = subs["price"] > 0
    at = subs["started"][paid] + rng.integers(0, 600, int(paid.sum()))
    base = {
        "account_id": subs["account"][paid],
        "subscription_id": subs["id"][paid],
        "tariff_id": subs["tariff"][paid],
        "amount": subs["price"][paid],
        "currency": subs["currency"][paid],
    }
    refunded = rng.random(len(at)) < 0.03
    refund_at = at[refunded] + rng.integers(1, 5, int(refunded.sum())) * 86400
    kinds = np.concatenate([np.full(len(at), "payment"), np.full(len(at), "charge"), np.full(len(refund_at), "refund")])
    when = np.concatenate([at, at + 1, refund_at])
    columns = {key: np.concatenate([v, v, v[refunded]]) for key, v in base.items()}
    order = np.lexsort((np.arange(len(when)), when))
    when, kinds = when[order], kinds[order]
    columns = {key: v[order] for key, v in columns.items()}
    ids = np.arange(1, len(when) + 1)

    total = 0
    for day_index in range(world.days):
        lo, hi = np.searchsorted(when, [world.day_seconds(day_index), world.day_seconds(day_index + 1)])
        day = np.datetime64(world.start, "D") + day_index
        table = pa.table(
            {
                "transaction_id": ids[lo:hi],
                "account_id": columns["account_id"][lo:hi],
                "subscription_id": columns["subscription_id"][lo:hi],
                "tariff_id": columns["tariff_id"][lo:hi],
                "kind": kinds[lo:hi],
                "amount": f.money(columns["amount"][lo:hi]),
                "currency": columns["currency"][lo:hi],
                "created_at": f.sql_datetime(when[lo:hi]),
            }
        )
        total += f.write_csv(out_dir / f"{day}.csv", table)
    return total
