"""shop_accounting_report and the accounting marts: the seed's example rebuilt as events, refunds,
chargebacks and payouts, categories left out, currencies apart, and every window against a brute-force sum."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from query.magista import DslError, run_query
from tests.payments_world import build_warehouse

SEED_MERCHANT = "74480e4f-1a36-4edd-8175-7a9e984313b0"
OTHER = "m2"


def _payment(merchant, shop, invoice, created, amount, fee, status="captured", settled=None, currency="RUB"):
    base = {"merchant_id": merchant, "shop_id": shop, "invoice_id": invoice, "payment_id": "1"}
    return [
        {
            **base,
            "event_type": "payment.created",
            "sequence_id": 1,
            "created_at": created,
            "status": "pending",
            "amount": amount,
            "fee": fee,
            "currency": currency,
        },
        {
            **base,
            "event_type": "payment.status_changed",
            "sequence_id": 2,
            "created_at": settled or created,
            "status": status,
        },
    ]


def _entity(kind, merchant, shop, invoice, at, amount, final, final_at, currency="RUB"):
    """A refund, chargeback or payout: created pending, later moved to `final` at `final_at`."""
    ids = {f"{kind}_id": f"{kind[0]}-{invoice}"}
    if kind != "payout":
        ids |= {"invoice_id": invoice, "payment_id": "1"}
    base = {"merchant_id": merchant, "shop_id": shop, **ids}
    created = {**base, "event_type": f"{kind}.created", "sequence_id": 1, "created_at": at, "status": "pending"}
    created |= {"amount": amount, "currency": currency}
    changed = {**base, "event_type": f"{kind}.status_changed", "sequence_id": 2, "created_at": final_at}
    return [created, changed | {"status": final}]


# The seed's example, window 2016-08-11 00:12 to 17:12. Shop 1 opens at 2259530: 2196500 net of a payment two
# days before, a payout of 32470 the day before, 95500 net of a payment at 00:05 on the day itself.
SEED_EVENTS = [
    *_payment(SEED_MERCHANT, "1", "a1", "2016-08-09T10:00:00Z", 2300000, 103500),
    *_entity("payout", SEED_MERCHANT, "1", "a2", "2016-08-10T09:00:00Z", 32470, "paid", "2016-08-10T23:00:00Z"),
    *_payment(SEED_MERCHANT, "1", "a3", "2016-08-11T00:05:00Z", 100000, 4500),
    *_payment(SEED_MERCHANT, "1", "a4", "2016-08-11T10:00:00Z", 400000, 18000),
    *_payment(SEED_MERCHANT, "1", "a5", "2016-08-11T17:11:59.999Z", 44000, 1980),
    *_payment(SEED_MERCHANT, "1", "a6", "2016-08-11T17:12:00Z", 50000, 2250),  # to_time is exclusive
    *_payment(SEED_MERCHANT, "1", "a7", "2016-08-11T11:00:00Z", 99999, 999, status="failed"),
    # created before from_time, captured exactly at it: funds move when captured
    *_payment(SEED_MERCHANT, "2", "b1", "2016-08-11T00:11:30Z", 3631200, 163403, settled="2016-08-11T00:12:00Z"),
    *_payment(SEED_MERCHANT, "3", "c1", "2016-08-11T16:00:00Z", 450000, 20250),
    # a refund asked for inside the window but succeeding after it
    *_entity("refund", SEED_MERCHANT, "3", "c1", "2016-08-11T16:30:00Z", 450000, "succeeded", "2016-08-11T18:00:00Z"),
]
SEED_ANSWER = [
    {"shop_id": "1", "funds_acquired": "444000", "fee_charged": "19980", "opening_balance": "2259530"},
    {"shop_id": "2", "funds_acquired": "3631200", "fee_charged": "163403", "opening_balance": "0"},
    {"shop_id": "3", "funds_acquired": "450000", "fee_charged": "20250", "opening_balance": "0"},
]
SEED_CLOSING = {"1": "2683550", "2": "3467797", "3": "429750"}

# A second merchant in September: shop 10 (category 1) with RUB and USD, shop 11 (category 9, a test shop).
OTHER_EVENTS = [
    *_payment(OTHER, "10", "d1", "2016-09-01T08:00:00Z", 100000, 3000),
    *_payment(OTHER, "10", "d2", "2016-09-01T09:00:00Z", 5000, 150, currency="USD"),
    *_payment(OTHER, "10", "d3", "2016-09-02T12:00:00Z", 70000, 2100),
    *_entity("refund", OTHER, "10", "d1", "2016-09-02T13:00:00Z", 40000, "succeeded", "2016-09-02T13:05:00Z"),
    *_entity("chargeback", OTHER, "10", "d3", "2016-09-03T10:00:00Z", 70000, "accepted", "2016-09-04T10:00:00Z"),
    *_entity("chargeback", OTHER, "10", "d2", "2016-09-03T11:00:00Z", 5000, "rejected", "2016-09-03T12:00:00Z"),
    *_entity("payout", OTHER, "10", "d4", "2016-09-03T20:00:00Z", 20000, "paid", "2016-09-03T21:00:00Z"),
    *_entity("payout", OTHER, "10", "d5", "2016-09-04T20:00:00Z", 1000, "cancelled", "2016-09-04T21:00:00Z"),
    *_payment(OTHER, "11", "e1", "2016-09-02T10:00:00Z", 1000, 10),
    *_payment(OTHER, "12", "f1", "2016-09-02T10:30:00Z", 3000, 30),  # a shop missing from the snapshot
]
SHOPS = [
    {"merchant_id": SEED_MERCHANT, "shop_id": "1", "category_id": 1},
    {"merchant_id": SEED_MERCHANT, "shop_id": "2", "category_id": 1},
    {"merchant_id": SEED_MERCHANT, "shop_id": "3", "category_id": 2},
    {"merchant_id": OTHER, "shop_id": "10", "category_id": 1},
    {"merchant_id": OTHER, "shop_id": "11", "category_id": 9, "name": "test shop"},
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        warehouse = build_warehouse(tmp_path_factory.mktemp("accounting"), SEED_EVENTS + OTHER_EVENTS, SHOPS, patch)
    with warehouse.connect() as c:
        yield c


def _report(conn, from_time, to_time, **extra):
    return run_query(conn, {"query": {"shop_accounting_report": {"from_time": from_time, "to_time": to_time, **extra}}})


def _by_shop(rows):
    return {(r["shop_id"], r["currency_code"]): r for r in rows}


def test_the_seeds_example_gives_the_seeds_answer(conn):
    answer = _report(conn, "2016-08-11T00:12:00Z", "2016-08-11T17:12:00Z")
    expected = [
        {
            "merchant_id": SEED_MERCHANT,
            "shop_id": row["shop_id"],
            "currency_code": "RUB",
            "funds_acquired": row["funds_acquired"],
            "fee_charged": row["fee_charged"],
            "funds_refunded": "0",
            "funds_charged_back": "0",
            "funds_paid_out": "0",
            "opening_balance": row["opening_balance"],
            "closing_balance": SEED_CLOSING[row["shop_id"]],
        }
        for row in SEED_ANSWER
    ]
    assert answer == expected


def test_refunds_chargebacks_and_payouts_move_the_balance_when_they_happen(conn):
    rows = _by_shop(_report(conn, "2016-09-01T00:00:00Z", "2016-09-05T00:00:00Z"))
    rub = rows[("10", "RUB")]
    assert rub["funds_acquired"] == "170000" and rub["fee_charged"] == "5100"
    assert rub["funds_refunded"] == "40000"
    assert rub["funds_charged_back"] == "70000"  # the rejected chargeback is not a movement
    assert rub["funds_paid_out"] == "20000"  # the cancelled payout is not either
    assert rub["opening_balance"] == "0"
    assert rub["closing_balance"] == str(170000 - 5100 - 40000 - 70000 - 20000)
    usd = rows[("10", "USD")]
    assert (usd["funds_acquired"], usd["fee_charged"], usd["closing_balance"]) == ("5000", "150", "4850")
    assert rows[("12", "RUB")]["closing_balance"] == "2970"  # no category: never left out
    assert rows[("11", "RUB")]["closing_balance"] == "990"


def test_partial_days_split_at_the_exact_moment(conn):
    rows = _by_shop(_report(conn, "2016-09-02T13:05:00Z", "2016-09-04T10:00:00Z"))
    rub = rows[("10", "RUB")]
    # before 13:05 on the 2nd: the 1st's 97000 and the 2nd's capture of 67900
    assert rub["opening_balance"] == str(97000 + 67900)
    assert rub["funds_refunded"] == "40000"  # succeeded at 13:05:00, the window's first instant
    assert rub["funds_paid_out"] == "20000"
    assert rub["funds_charged_back"] == "0"  # accepted at 10:00 on the 4th, the window's end (exclusive)
    assert rub["closing_balance"] == str(97000 + 67900 - 40000 - 20000)


def test_categories_left_out(conn):
    every = _by_shop(_report(conn, "2016-09-01T00:00:00Z", "2016-09-05T00:00:00Z"))
    without = _by_shop(_report(conn, "2016-09-01T00:00:00Z", "2016-09-05T00:00:00Z", without_shop_category_ids=[9, 2]))
    # shop 3 (category 2) still has a balance in September: its refund succeeded after the capture's fee
    assert every[("3", "RUB")]["opening_balance"] == str(450000 - 20250 - 450000)
    assert set(every) - set(without) == {("11", "RUB"), ("3", "RUB")}
    assert _report(conn, "2016-08-11T00:12:00Z", "2016-08-11T17:12:00Z", without_shop_category_ids=[1]) == [
        row for row in _report(conn, "2016-08-11T00:12:00Z", "2016-08-11T17:12:00Z") if row["shop_id"] == "3"
    ]


def test_shops_with_no_balance_and_no_movement_are_not_listed(conn):
    assert _report(conn, "2016-01-01T00:00:00Z", "2016-02-01T00:00:00Z") == []
    later = _by_shop(_report(conn, "2017-01-01T00:00:00Z", "2017-01-02T00:00:00Z"))
    assert later[("1", "RUB")]["opening_balance"] == later[("1", "RUB")]["closing_balance"]
    assert later[("1", "RUB")]["funds_acquired"] == "0"


def test_any_window_matches_a_brute_force_sum_of_the_movements(conn):
    movements = conn.query_df("SELECT * FROM marts.fct_payments_balance_movements")
    excluded = {("m2", "11")}
    shops = movements[[(m, s) not in excluded for m, s in zip(movements.merchant_id, movements.shop_id, strict=True)]]
    rng = random.Random(5)
    start = datetime(2016, 8, 8, tzinfo=UTC)
    for _ in range(40):
        a = start + timedelta(seconds=rng.randrange(0, 30 * 86400))
        b = a + timedelta(seconds=rng.choice([1, 60, 3600, 86400, 3 * 86400, rng.randrange(1, 20 * 86400)]))
        if rng.random() < 0.3:
            a = a.replace(hour=0, minute=0, second=0)
        iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        answer = _by_shop(_report(conn, iso(a), iso(b), without_shop_category_ids=[9]))
        moved = shops.moved_at.dt.tz_localize("UTC") if shops.moved_at.dt.tz is None else shops.moved_at
        expected = {}
        for (shop, currency), group in shops.groupby(["shop_id", "currency_code"]):
            at = moved[group.index]
            inside = group[(at >= a) & (at < b)]
            opening = int(group[at < a].balance_change.sum())
            if opening == 0 and inside.empty:
                continue
            expected[(shop, currency)] = {
                "funds_acquired": str(int(inside.funds_acquired.sum())),
                "fee_charged": str(int(inside.fee_charged.sum())),
                "funds_refunded": str(int(inside.funds_refunded.sum())),
                "funds_paid_out": str(int(inside.funds_paid_out.sum())),
                "opening_balance": str(opening),
                "closing_balance": str(opening + int(inside.balance_change.sum())),
            }
        got = {key: {k: row[k] for k in next(iter(expected.values()), {})} for key, row in answer.items()}
        assert got == expected, (a, b)


def test_daily_mart_keeps_a_running_balance(conn):
    days = conn.query_df(
        "SELECT day, opening_balance, closing_balance, balance_change FROM marts.agg_payments_shop_accounting_daily"
        " WHERE merchant_id = 'm2' AND shop_id = '10' AND currency_code = 'RUB' ORDER BY day"
    )
    assert [str(d) for d in days.day] == ["2016-09-01", "2016-09-02", "2016-09-03", "2016-09-04"]
    assert list(days.closing_balance) == [97000, 97000 + 67900 - 40000, 97000 + 67900 - 40000 - 20000, 104900 - 70000]
    assert list(days.opening_balance[1:]) == list(days.closing_balance[:-1])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from_time": "2016-08-11T00:00:00Z"}, "to_time: invalid or not found"),
        ({"from_time": "2016-08-11T00:00:00Z", "to_time": "2016-08-10T00:00:00Z"}, "TimeRange is not valid"),
        ({"from_time": "yesterday", "to_time": "2016-08-10T00:00:00Z"}, "from_time"),
        (
            {
                "from_time": "2016-08-11T00:00:00Z",
                "to_time": "2016-08-12T00:00:00Z",
                "without_shop_category_ids": ["1; DROP"],
            },
            "without_shop_category_ids.0",
        ),
        ({"from_time": "2016-08-11T00:00:00Z", "to_time": "2016-08-12T00:00:00Z", "shop": "1"}, "unknown parameter"),
        (
            {"from_time": "2016-08-11T00:00:00Z", "to_time": "2016-08-12T00:00:00Z", "shop_id": "1"},
            "merchant_id must be set",
        ),
    ],
)
def test_clear_errors(conn, params, message):
    with pytest.raises(DslError, match=message):
        run_query(conn, json.dumps({"query": {"shop_accounting_report": params}}))


def test_reports_are_not_paged(conn):
    window = {"from_time": "2016-08-11T00:00:00Z", "to_time": "2016-08-12T00:00:00Z"}
    # Magista ignores size and from outside searches
    assert run_query(conn, {"query": {"shop_accounting_report": window, "size": 5}, "from": 2}) == run_query(
        conn, {"query": {"shop_accounting_report": window}}
    )
    with pytest.raises(DslError, match="a continuation token is only for searches"):
        run_query(conn, {"query": {"shop_accounting_report": window}}, continuation_token="abc")


def test_a_merchant_or_its_shops(conn):
    window = ("2016-09-01T00:00:00Z", "2016-09-05T00:00:00Z")
    every = _report(conn, *window)
    assert {row["merchant_id"] for row in every} == {SEED_MERCHANT, OTHER}
    assert _report(conn, *window, merchant_id=OTHER) == [row for row in every if row["merchant_id"] == OTHER]
    shops = _report(conn, *window, merchant_id=SEED_MERCHANT, shop_ids=["1", "3"])
    assert shops == [row for row in every if row["merchant_id"] == SEED_MERCHANT and row["shop_id"] in ("1", "3")]
    assert shops and _report(conn, *window, merchant_id=SEED_MERCHANT, shop_id="3") == [
        r for r in shops if r["shop_id"] == "3"
    ]
    # Magista's tests end windows in 3018: the report runs to the end of the data
    assert _report(conn, window[0], "3018-10-25T18:10:10Z", merchant_id=OTHER)
