"""Payment-processing events (Magista's world) as JSON lines, one file per day.

Every entity's events carry a per-entity `sequence_id`; a small share of events is delivered twice,
as real event sinks do, so ingest must keep the last event per entity by sequence.
"""

from pathlib import Path

import numpy as np
import pyarrow as pa

from ingest.generator import formats as f
from ingest.generator.world import World

MERCHANTS = ["74480e4f-1a36-4edd-8175-7a9e984313b0", "5b0ff8b1-5c1f-4a9a-9b6e-0d3d62b1c6a2"]
SHOPS_PER_MERCHANT = 3
CITIES = np.array([[524901, 2017370], [498817, 2017370], [1496747, 2017370], [625144, 630336], [703448, 690791]])
CITY_WEIGHTS = [0.45, 0.2, 0.15, 0.1, 0.1]
PAYMENT_SYSTEMS = np.array(["visa", "mastercard", "mir", "maestro"])
METHODS = np.array(["bank_card", "bank_card", "bank_card", "payment_terminal", "digital_wallet"])
TOKEN_PROVIDERS = np.array(["applepay", "googlepay", "samsungpay"])
CURRENCIES = np.array(["RUB", "USD"])
CHARGEBACK_CATEGORIES = np.array(["fraud", "dispute", "authorisation", "processing_error"])
# per merchant: its shops' categories (1 online cinema, 2 IPTV subscriptions, 3 test shop)
SHOP_CATEGORIES = [1, 2, 3]
SHOP_NAMES = ["cinema", "iptv", "test"]


def write_shops(out_dir: Path) -> int:
    """The shops of every merchant with their category: a snapshot replaced whole on every load."""
    shops = np.arange(1, len(MERCHANTS) * SHOPS_PER_MERCHANT + 1)
    position = (shops - 1) % SHOPS_PER_MERCHANT
    lines = f.json_object(
        [
            ("merchant_id", f.quoted(pa.array(np.array(MERCHANTS)[(shops - 1) // SHOPS_PER_MERCHANT]))),
            ("shop_id", f.quoted(f.text(shops))),
            ("category_id", f.text(np.array(SHOP_CATEGORIES)[position])),
            ("name", f.quoted(pa.array(np.array(SHOP_NAMES)[position]))),
        ]
    )
    return f.write_lines(out_dir / "payments" / "shops.json", lines)


def write_day(world: World, day_index: int, out_dir: Path) -> int:
    rng = np.random.default_rng([world.seed, 4, day_index])
    n = max(1, int(1500 * world.scale))
    t0 = world.day_seconds(day_index) + np.sort(rng.integers(0, 86400, n))
    merchant = rng.integers(0, len(MERCHANTS), n)
    shop = merchant * SHOPS_PER_MERCHANT + rng.integers(1, SHOPS_PER_MERCHANT + 1, n)
    currency = CURRENCIES[(rng.random(n) < 0.08).astype(int)]
    amount = rng.integers(10, 5000, n) * 100
    fee = amount * 45 // 1000
    captured = rng.random(n) < 0.82
    city = CITIES[rng.choice(len(CITIES), n, p=CITY_WEIGHTS)]
    invoice_id = f.hex_ids(rng, n, 6)
    customer = rng.integers(1, max(2, int(800 * world.scale)), n)
    flow = np.where(rng.random(n) < 0.9, "instant", "hold")
    method = rng.choice(METHODS, n)
    base = {
        "merchant_id": f.quoted(pa.array(np.array(MERCHANTS)[merchant])),
        "shop_id": f.quoted(f.text(shop)),
        "invoice_id": f.quoted(invoice_id),
    }
    # the routing and card fields come from their own stream, so the older fields keep their values
    routing = np.random.default_rng([world.seed, 4, day_index, 1])
    tokenized = (method == "bank_card") & (routing.random(n) < 0.25)
    payment_fields = {
        **base,
        "payment_id": f.quoted(pa.array(np.full(n, "1"))),
        "amount": f.text(amount),
        "fee": f.text(fee),
        "currency": f.quoted(pa.array(currency)),
        "flow": f.quoted(pa.array(flow)),
        "method": f.quoted(pa.array(method)),
        "terminal_provider": _nullable(method == "payment_terminal", np.full(n, "euroset")),
        "token_provider": _nullable(tokenized, routing.choice(TOKEN_PROVIDERS, n)),
        "payment_system": f.quoted(pa.array(rng.choice(PAYMENT_SYSTEMS, n, p=[0.35, 0.3, 0.3, 0.05]))),
        "email": f.quoted(f.concat(["user", f.text(customer), "@example.ru"])),
        "ip": f.quoted(f.concat(["10.", f.text(rng.integers(0, 256, n)), ".", f.text(rng.integers(0, 256, n)), ".7"])),
        "fingerprint": f.quoted(f.hex_ids(rng, n, 8)),
        "first6": f.quoted(f.text(rng.integers(400000, 560000, n))),
        "last4": f.quoted(f.text(rng.integers(1000, 9999, n))),
        "customer_id": f.quoted(f.text(customer)),
        "city_id": f.text(city[:, 0]),
        "country_id": f.text(city[:, 1]),
        "external_id": f.quoted(f.concat(["pay-", f.hex_ids(routing, n, 5)])),
        "rrn": f.quoted(f.text(routing.integers(10**11, 10**12, n))),
        "approval_code": f.quoted(f.text(routing.integers(100000, 1000000, n))),
        "provider_id": f.text(routing.integers(1, 5, n)),
        "terminal_id": f.text(routing.integers(1, 21, n)),
        "domain_revision": f.text(routing.integers(7000, 7050, n)),
    }
    invoice_external_id = f.quoted(f.concat(["order-", f.hex_ids(routing, n, 5)]))
    settle = t0 + rng.integers(5, 90, n)
    status = np.where(captured, "captured", "failed")
    batches = [
        _events(
            "invoice.created",
            base
            | {
                "amount": f.text(amount),
                "currency": payment_fields["currency"],
                "status": _q(n, "unpaid"),
                "external_id": invoice_external_id,
            },
            1,
            t0,
        ),
        _events("payment.created", payment_fields | {"status": _q(n, "pending")}, 2, t0 + 2),
        _events(
            "payment.status_changed",
            base | {"payment_id": payment_fields["payment_id"], "status": f.quoted(pa.array(status))},
            3,
            settle,
        ),
    ]
    paid = np.flatnonzero(captured)
    batches.append(
        _events("invoice.status_changed", _take(base, paid) | {"status": _q(len(paid), "paid")}, 4, settle[paid] + 1)
    )
    refunded = paid[rng.random(len(paid)) < 0.03]
    batches.append(
        _events(
            "refund.created",
            _take(base, refunded)
            | {
                "payment_id": _q(len(refunded), "1"),
                "refund_id": _q(len(refunded), "1"),
                "amount": f.text(amount[refunded]),
                "currency": f.quoted(pa.array(currency[refunded])),
                "status": _q(len(refunded), "succeeded"),
                "external_id": f.quoted(f.concat(["refund-", f.hex_ids(routing, len(refunded), 5)])),
            },
            5,
            settle[refunded] + 3600,
        )
    )
    charged_back = paid[rng.random(len(paid)) < 0.005]
    batches.append(
        _events(
            "chargeback.created",
            _take(base, charged_back)
            | {
                "payment_id": _q(len(charged_back), "1"),
                "chargeback_id": _q(len(charged_back), "1"),
                "amount": f.text(amount[charged_back]),
                "currency": f.quoted(pa.array(currency[charged_back])),
                "status": _q(len(charged_back), "pending"),
                "category": f.quoted(pa.array(rng.choice(CHARGEBACK_CATEGORIES, len(charged_back)))),
                "stage": _q(len(charged_back), "chargeback"),
            },
            6,
            settle[charged_back] + 7200,
        )
    )
    batches.append(_payouts(rng, world, day_index))

    lines = pa.concat_arrays([b[0] for b in batches])
    when = np.concatenate([b[1] for b in batches])
    lines = lines.take(pa.array(np.argsort(when, kind="stable")))
    repeats = np.flatnonzero(rng.random(len(lines)) < 0.005)
    lines = pa.concat_arrays([lines, lines.take(pa.array(repeats))])  # at-least-once delivery
    day = np.datetime64(world.start, "D") + day_index
    return f.write_lines(out_dir / "payments" / "events" / f"{day}.json", lines)


def _payouts(rng: np.random.Generator, world: World, day_index: int) -> tuple[pa.Array, np.ndarray]:
    shops = np.arange(1, len(MERCHANTS) * SHOPS_PER_MERCHANT + 1)
    m = len(shops)
    fields = {
        "merchant_id": f.quoted(pa.array(np.array(MERCHANTS)[(shops - 1) // SHOPS_PER_MERCHANT])),
        "shop_id": f.quoted(f.text(shops)),
        "payout_id": f.quoted(f.concat([f.text(np.full(m, day_index)), "-", f.text(shops)])),
        "amount": f.text(rng.integers(1000, 50000, m) * 100),
        "currency": _q(m, "RUB"),
        "status": _q(m, "paid"),
        "payout_type": _q(m, "russian_bank_account"),
    }
    return _events("payout.created", fields, 1, np.full(m, world.day_seconds(day_index) + 23 * 3600))


def _events(event_type: str, fields: dict, sequence: int, at: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    n = len(at)
    head = [
        ("event_type", _q(n, event_type)),
        ("sequence_id", f.text(np.full(n, sequence))),
        ("created_at", f.quoted(f.iso_utc(at))),
    ]
    return f.json_object(head + list(fields.items())), at


def _take(fields: dict, rows: np.ndarray) -> dict:
    index = pa.array(rows)
    return {key: value.take(index) for key, value in fields.items()}


def _nullable(present: np.ndarray, values: np.ndarray) -> pa.Array:
    """JSON strings where `present`, null elsewhere."""
    return pa.array(np.where(present, np.char.add(np.char.add('"', values.astype(str)), '"'), "null"))


def _q(n: int, value: str) -> pa.Array:
    return pa.array(np.full(n, f'"{value}"'))
