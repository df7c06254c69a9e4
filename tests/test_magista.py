"""The Magista DSL: the seed's example and bug report rebuilt as payment events, every statistic, errors."""

import json

import pytest

from query.magista import DslError, DslSettings, run_query
from tests.payments_world import build_warehouse

MERCHANT, SHOP = "1", "2"
MOSCOW, NOVOSIBIRSK, RUSSIA = 524901, 7536080, 2017370


def _payment(invoice, at, amount, fee, city, status, customer, system="visa"):
    base = {"merchant_id": MERCHANT, "shop_id": SHOP, "invoice_id": invoice, "payment_id": "1"}
    created = {
        **base,
        "event_type": "payment.created",
        "sequence_id": 2,
        "created_at": at,
        "status": "pending",
        "amount": amount,
        "fee": fee,
        "currency": "RUB",
        "payment_system": system,
        "city_id": city,
        "country_id": RUSSIA,
        "customer_id": customer,
    }
    changed = {**base, "event_type": "payment.status_changed", "sequence_id": 3, "created_at": at, "status": status}
    return [created, changed]


# The seed's payments_geo_stat example: from 00:12, split 300 s. Grid buckets: 00:10-00:15 (touched from
# 00:12, offset 0) and 00:15-00:20 (offset 300).
SEED_DAY = [
    *_payment("p1", "2016-03-22T00:12:30Z", 6000, 600, MOSCOW, "captured", "c1"),
    *_payment("p2", "2016-03-22T00:14:59Z", 4000, 400, MOSCOW, "captured", "c2", "mastercard"),
    *_payment("p3", "2016-03-22T00:13:00Z", 1000, 100, NOVOSIBIRSK, "captured", "c3"),
    *_payment("p4", "2016-03-22T00:16:00Z", 19000, 1000, MOSCOW, "captured", "c1"),
    *_payment("p5", "2016-03-22T00:17:00Z", 5100, 100, NOVOSIBIRSK, "captured", "c4"),
    *_payment("p6", "2016-03-22T00:13:30Z", 7777, 77, MOSCOW, "failed", "c5"),  # failed: not turnover
    *_payment("p7", "2016-03-22T00:11:59Z", 5000, 500, MOSCOW, "captured", "c6"),  # before from_time
    *_payment("p8", "2016-03-22T01:12:00Z", 5000, 500, MOSCOW, "captured", "c7"),  # to_time is exclusive
]
# The bug report: a captured and a failed payment five seconds apart inside one minute.
BUG_DAY = [
    *_payment("b1", "2016-12-12T10:00:20Z", 100, 1, MOSCOW, "captured", "d1"),
    *_payment("b2", "2016-12-12T10:00:25Z", 100, 1, MOSCOW, "failed", "d2"),
    *_payment("b3", "2016-12-12T10:03:00Z", 100, 1, MOSCOW, "captured", "d3"),
]
SEED_RESPONSE = [
    {
        "offset": "0",
        "city_id": "524901",
        "country_id": "2017370",
        "currency_symbolic_code": "RUB",
        "amount_with_fee": "9000",
        "amount_without_fee": "10000",
    },
    {
        "offset": "0",
        "city_id": "7536080",
        "country_id": "2017370",
        "currency_symbolic_code": "RUB",
        "amount_with_fee": "900",
        "amount_without_fee": "1000",
    },
    {
        "offset": "300",
        "city_id": "524901",
        "country_id": "2017370",
        "currency_symbolic_code": "RUB",
        "amount_with_fee": "18000",
        "amount_without_fee": "19000",
    },
    {
        "offset": "300",
        "city_id": "7536080",
        "country_id": "2017370",
        "currency_symbolic_code": "RUB",
        "amount_with_fee": "5000",
        "amount_without_fee": "5100",
    },
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        warehouse = build_warehouse(
            tmp_path_factory.mktemp("magista"),
            SEED_DAY + BUG_DAY,
            [{"merchant_id": MERCHANT, "shop_id": SHOP, "category_id": 1}],
            patch,
        )
    with warehouse.connect() as c:
        yield c


def _stat(kind, from_time="2016-03-22T00:12:00Z", to_time="2016-03-22T01:12:00Z", split="300", **extra):
    params = {
        "merchant_id": MERCHANT,
        "shop_id": SHOP,
        "from_time": from_time,
        "to_time": to_time,
        "split_interval": split,
        **extra,
    }
    return {"query": {kind: params}}


def test_the_seeds_geo_example_gives_the_seeds_answer(conn):
    request = _stat("payments_geo_stat")
    assert run_query(conn, json.dumps(request)) == SEED_RESPONSE
    assert run_query(conn, request, exact=True) == SEED_RESPONSE  # the minute aggregate and the fact agree


def test_every_statistic(conn):
    assert run_query(conn, _stat("payments_turnover")) == [
        {"offset": "0", "currency_symbolic_code": "RUB", "amount_with_fee": "9900", "amount_without_fee": "11000"},
        {"offset": "300", "currency_symbolic_code": "RUB", "amount_with_fee": "23000", "amount_without_fee": "24100"},
    ]
    assert run_query(conn, _stat("payments_pmt_cards_stat")) == [
        {
            "offset": "0",
            "payment_system": "mastercard",
            "total_count": "1",
            "amount_with_fee": "3600",
            "amount_without_fee": "4000",
        },
        {
            "offset": "0",
            "payment_system": "visa",
            "total_count": "2",
            "amount_with_fee": "6300",
            "amount_without_fee": "7000",
        },
        {
            "offset": "300",
            "payment_system": "visa",
            "total_count": "2",
            "amount_with_fee": "23000",
            "amount_without_fee": "24100",
        },
    ]
    assert run_query(conn, _stat("payments_conversion_stat")) == [
        {"offset": "0", "successful_count": "3", "total_count": "4", "conversion": "0.75"},
        {"offset": "300", "successful_count": "2", "total_count": "2", "conversion": "1.0"},
    ]
    assert run_query(conn, _stat("customers_rate_stat")) == [
        {"offset": "0", "unic_count": "3"},
        {"offset": "300", "unic_count": "2"},
    ]
    for kind in ("payments_turnover", "payments_pmt_cards_stat", "payments_conversion_stat", "customers_rate_stat"):
        assert run_query(conn, _stat(kind)) == run_query(conn, _stat(kind), exact=True), kind


def test_the_bug_report_conversion_no_longer_jumps(conn):
    def conversion(from_time):
        return run_query(conn, _stat("payments_conversion_stat", from_time, "2016-12-14T11:27:11Z", "60"))

    reference = conversion("2016-11-14T11:27:11Z")
    minute = [r for r in reference if r["total_count"] == "2"]
    assert [(r["successful_count"], r["conversion"]) for r in minute] == [("1", "0.5")]  # together, whatever the window
    for seconds in ("05", "40", "59"):
        assert conversion(f"2016-11-14T11:27:{seconds}Z") == reference
    shifted = conversion("2016-11-14T11:29:11Z")  # two whole minutes later: offsets move by two buckets
    assert shifted == [{**r, "offset": str(int(r["offset"]) - 120)} for r in reference]


def test_a_grid_origin_for_weekly_splits(conn):
    monday = DslSettings(origin=__import__("datetime").datetime(1970, 1, 5, tzinfo=__import__("datetime").UTC))
    week = str(7 * 86400)
    answer = run_query(conn, _stat("payments_turnover", "2016-03-01T00:00:00Z", "2016-04-01T00:00:00Z", week), monday)
    # 2016-03-22 is a Tuesday; the week from Monday 2016-02-29 is bucket 0, from 2016-03-21 is bucket 3
    assert [r["offset"] for r in answer] == [str(3 * 7 * 86400)]


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"query": {"payments_volume": {}}}, "unknown query type 'payments_volume'"),
        (_stat("payments_turnover", colour="red"), "unknown parameter 'colour'; valid: "),
        (_stat("payments_turnover", from_time="22.03.2016"), "from_time: Failed to parse: 22.03.2016"),
        (_stat("payments_turnover", from_time="2016-03-22T00:12:00"), "Failed to parse: 2016-03-22T00:12:00"),
        (
            _stat("payments_turnover", to_time="2016-03-22T00:11:00Z"),
            "TimeRange is not valid [from: 2016-03-22T00:12:00Z, to: 2016-03-22T00:11:00Z]",
        ),
        (_stat("payments_turnover", split="0"), "split_interval: invalid or not found"),
        (_stat("payments_turnover", split="five"), "split_interval: has incorrect value: 'five'"),
        (_stat("payments_turnover", merchant_id=None), "merchant_id"),
        ("{not json", "Failed to parse received json request"),
    ],
)
def test_clear_errors(conn, request_body, message):
    with pytest.raises(DslError) as failure:
        run_query(conn, request_body)
    assert message in str(failure.value)


def test_magistas_time_and_scope_rules_for_statistics(conn):
    assert run_query(conn, _stat("payments_turnover", to_time="2016-03-22T00:12:00Z")) == []  # equal: empty
    # an offset other than Z is the same instant
    assert run_query(conn, _stat("payments_turnover", from_time="2016-03-22T03:12:00+03:00")) == run_query(
        conn, _stat("payments_turnover")
    )
    # far-future ends as Magista's tests send them, with a one-minute split: only buckets with payments answer
    far = run_query(conn, _stat("payments_turnover", "2016-03-22T00:12:00Z", "3018-10-25T18:10:10Z", "60"))
    assert len(far) == 8 and far[0]["offset"] == "0"
    merchant_wide = _stat("payments_turnover")
    del merchant_wide["query"]["payments_turnover"]["shop_id"]
    assert run_query(conn, merchant_wide) == run_query(conn, _stat("payments_turnover"))  # its only shop
    shops = _stat("payments_turnover", shop_ids=[SHOP, "elsewhere"])
    del shops["query"]["payments_turnover"]["shop_id"]
    assert run_query(conn, shops) == run_query(conn, _stat("payments_turnover"))


@pytest.mark.parametrize("field", ["merchant_id", "shop_id"])
def test_injection_attempts_find_nothing(conn, field):
    for attack in ("1' OR '1'='1", "2'); DROP TABLE marts.fct_payments; --", "1\\' OR 1=1 --"):
        request = _stat("payments_geo_stat")
        request["query"]["payments_geo_stat"][field] = attack
        assert run_query(conn, request) == []
    assert conn.scalar("SELECT count() FROM marts.fct_payments") == 11


def test_injection_in_search_filters_finds_nothing(conn):
    for field in ("payment_email", "payment_fingerprint", "payment_ip", "shop_id"):
        answer = run_query(conn, {"query": {"payments": {"merchant_id": MERCHANT, field: "x' OR '1'='1"}}})
        assert answer["data"] == []
    for mask in ("4%' OR '1'='1", "%", "_" * 16):  # LIKE's own wildcards are plain characters in a mask
        assert run_query(conn, {"query": {"payments": {"payment_pan_mask": mask}}})["data"] == []
    assert conn.scalar("SELECT count() FROM marts.fct_payments") == 11


def test_command_line_reads_a_file_or_stdin(conn, tmp_path, monkeypatch, capsys):
    import io

    from orchestration.cli import main

    path = conn.path  # the module's warehouse: close it so the command can open it
    conn.close()
    monkeypatch.setenv("OTT_WAREHOUSE_PATH", path)
    request = tmp_path / "geo.json"
    request.write_text(json.dumps(_stat("payments_geo_stat")))
    assert main(["query", str(request)]) == 0
    assert json.loads(capsys.readouterr().out) == SEED_RESPONSE
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"query": {"payments_volume": {}}})))
    assert main(["query", "-"]) == 2
    assert "unknown query type 'payments_volume'" in capsys.readouterr().err
