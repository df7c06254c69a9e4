"""Magista's searches and request envelope: every search parameter on a world of payment events, newest first,
continuation tokens while rows land, the enriched searches, and a table of request shapes as Magista's
clients and tests write them, accepted or refused as Magista's last version does."""

import base64
import json

import pytest

from query.magista import DslError, run_query
from tests.payments_world import build_warehouse

MERCHANT, OTHER = "6e5e5ea2-1e3c-4c5e-9d7f-6a2f2d9b1c11", "0b8b1c2e-7d35-4a6a-8a8e-3c7e1f0a2d22"


def _invoice(shop, invoice, at, amount, status, external_id, merchant=MERCHANT):
    base = {"merchant_id": merchant, "shop_id": shop, "invoice_id": invoice}
    created = {"event_type": "invoice.created", "sequence_id": 1, "created_at": at, "status": "unpaid"}
    events = [{**base, **created, "amount": amount, "currency": "RUB", "external_id": external_id}]
    if status != "unpaid":
        events.append(
            {**base, "event_type": "invoice.status_changed", "sequence_id": 4, "created_at": at, "status": status}
        )
    return events


def _payment(shop, invoice, at, amount, status, merchant=MERCHANT, **fields):
    base = {"merchant_id": merchant, "shop_id": shop, "invoice_id": invoice, "payment_id": "1"}
    created = {"event_type": "payment.created", "sequence_id": 2, "created_at": at, "status": "pending"}
    changed = {"event_type": "payment.status_changed", "sequence_id": 3, "created_at": at, "status": status}
    return [
        {**base, **created, "amount": amount, "fee": amount // 100, "currency": "RUB", **fields},
        {**base, **changed},
    ]


def _follow_up(kind, shop, invoice, entity_id, at, amount, statuses, **fields):
    """A refund or chargeback of the invoice's payment, moving through `statuses` a day apart."""
    base = {"merchant_id": MERCHANT, "shop_id": shop, "invoice_id": invoice, "payment_id": "1", f"{kind}_id": entity_id}
    events = [
        {**base, "event_type": f"{kind}.created", "sequence_id": 1, "created_at": at, "status": statuses[0]}
        | {"amount": amount, "currency": "RUB", **fields}
    ]
    for i, status in enumerate(statuses[1:], start=2):
        later = at.replace("T10", f"T1{i}")
        events.append(
            {**base, "event_type": f"{kind}.status_changed", "sequence_id": i, "created_at": later, "status": status}
        )
    return events


def _payout(shop, payout, at, payout_type):
    return [
        {
            "event_type": "payout.created",
            "sequence_id": 1,
            "created_at": at,
            "merchant_id": MERCHANT,
            "shop_id": shop,
            "payout_id": payout,
            "status": "paid",
            "amount": 100,
            "currency": "RUB",
            "payout_type": payout_type,
        }
    ]


CARD_A = {
    "method": "bank_card",
    "token_provider": "applepay",
    "payment_system": "visa",
    "first6": "411111",
    "last4": "1111",
    "rrn": "000111222333",
    "approval_code": "123456",
    "external_id": "pay-A",
    "provider_id": 1,
    "terminal_id": 7,
    "domain_revision": 100,
    "email": "Anna.Petrova@Example.ru",
    "customer_id": "c-anna",
}
# invoices A..E: A has a refund (20 days later) and a chargeback (40 days later); C and D share a moment
WORLD = [
    *_invoice("s1", "A", "2017-05-01T10:00:00Z", 1000, "paid", "order-A"),
    *_payment("s1", "A", "2017-05-01T10:00:00Z", 1000, "captured", **CARD_A),
    *_invoice("s2", "B", "2017-05-01T11:00:00Z", 2000, "unpaid", "order-B"),
    *_payment(
        "s2",
        "B",
        "2017-05-01T11:00:00Z",
        2000,
        "failed",
        method="payment_terminal",
        terminal_provider="euroset",
        provider_id=2,
        terminal_id=8,
        domain_revision=101,
        flow="hold",
    ),
    *_invoice("s3", "C", "2017-05-02T09:00:00Z", 3000, "paid", "order-C"),
    *_payment(
        "s3",
        "C",
        "2017-05-02T09:00:00Z",
        3000,
        "captured",
        method="bank_card",
        payment_system="mastercard",
        first6="55000000",
        last4="44",
        provider_id=1,
        terminal_id=9,
        domain_revision=102,
    ),
    *_invoice("s1", "D", "2017-05-02T09:00:00Z", 500, "paid", "order-D"),
    *_payment("s1", "D", "2017-05-02T09:00:00Z", 500, "captured", method="digital_wallet", domain_revision=103),
    *_invoice("s1", "E", "2017-05-03T08:00:00Z", 4000, "unpaid", "order-E"),
    *_payment("s1", "E", "2017-05-03T08:00:00Z", 4000, "pending", method="bank_card", token_provider="googlepay"),
    *_invoice("x1", "F", "2017-05-02T12:00:00Z", 700, "paid", "order-F", merchant=OTHER),
    *_payment("x1", "F", "2017-05-02T12:00:00Z", 700, "captured", merchant=OTHER, method="bank_card"),
    *_follow_up(
        "refund", "s1", "A", "r1", "2017-05-21T10:00:00Z", 1000, ["pending", "succeeded"], external_id="refund-A"
    ),
    *_follow_up("refund", "s3", "C", "r1", "2017-05-22T10:00:00Z", 300, ["pending", "failed"]),
    *_follow_up(
        "chargeback",
        "s1",
        "A",
        "cb1",
        "2017-06-10T10:00:00Z",
        1000,
        ["pending", "accepted"],
        category="fraud",
        stage="chargeback",
    ),
    *_payout("s1", "o1", "2017-05-05T10:00:00Z", "russian_bank_account"),
    *_payout("s2", "o2", "2017-05-06T10:00:00Z", "international_bank_account"),
    *_payout("s3", "o3", "2017-05-07T10:00:00Z", "wallet_info"),
]
SHOPS = [{"merchant_id": MERCHANT, "shop_id": s, "category_id": 1} for s in ("s1", "s2", "s3")]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        warehouse = build_warehouse(tmp_path_factory.mktemp("magista_searches"), WORLD, SHOPS, patch)
    with warehouse.connect() as c:
        yield c


def _search(conn, kind, merchant=MERCHANT, **params):
    scope = {"merchant_id": merchant} if merchant else {}
    return run_query(conn, {"query": {kind: {**scope, **params}}})


def _invoices(answer):
    return [row["invoice_id"] for row in answer["data"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["E", "C", "D", "B", "A"]),  # newest first; C and D at one moment: shop s3 before s1
        ({"shop_id": "s1"}, ["E", "D", "A"]),
        ({"shop_ids": ["s2", "s3"]}, ["C", "B"]),
        ({"exclude": {"shop_id": ["s1"]}}, ["C", "B"]),
        ({"invoice_ids": ["A", "C", "Z"]}, ["C", "A"]),
        ({"from_time": "2017-05-01T11:00:00Z", "to_time": "2017-05-02T09:00:00Z"}, ["B"]),  # to_time exclusive
        ({"from_time": "2017-05-02T09:00:00Z", "to_time": "2017-05-02T09:00:00Z"}, []),  # equal: valid, empty
        ({"payment_status": "failed"}, ["B"]),
        ({"payment_flow": "hold"}, ["B"]),
        ({"payment_method": "digital_wallet"}, ["D"]),
        ({"payment_terminal_provider": "euroset"}, ["B"]),  # implies payment_terminal
        ({"payment_token_provider": "applepay"}, ["A"]),  # implies bank_card
        ({"payment_token_provider": "googlepay", "payment_method": "bank_card"}, ["E"]),
        ({"payment_system": "mastercard"}, ["C"]),
        ({"payment_email": "anna.petrova"}, ["A"]),  # the seed: whole or part of the address
        ({"payment_customer_id": "c-anna"}, ["A"]),
        ({"payment_rrn": "000111222333"}, ["A"]),
        ({"payment_approval_code": "123456"}, ["A"]),
        ({"external_id": "pay-A"}, ["A"]),
        ({"payment_first6": "411111"}, ["A"]),
        ({"payment_first6": "55000000", "payment_last4": "44"}, ["C"]),
        ({"payment_bin": "411111"}, ["A"]),  # older clients' names
        ({"payment_last_digits": "1111"}, ["A"]),
        ({"pan_mask": "411111******1111"}, ["A"]),
        ({"payment_pan_mask": "4*****" + "*" * 6 + "1111"}, ["A"]),
        ({"payment_provider_id": 1}, ["C", "A"]),
        ({"payment_terminal_id": "8"}, ["B"]),  # digit strings are numbers, as in Magista
        ({"payment_amount": 3000}, ["C"]),
        ({"payment_amount_from": 1000, "payment_amount_to": 3000}, ["C", "B", "A"]),
        ({"payment_domain_revision": 102}, ["C"]),
        ({"from_payment_domain_revision": 101, "to_payment_domain_revision": 102}, ["C", "B"]),
        ({"shop_category_ids": [5]}, ["E", "C", "D", "B", "A"]),  # read but never used, as in Magista
    ],
)
def test_payment_search_parameters(conn, params, expected):
    assert _invoices(_search(conn, "payments", **params)) == expected


def test_a_search_with_no_scope_covers_every_merchant(conn):
    window = {"from_time": "2017-05-01T00:00:00Z", "to_time": "2017-05-04T00:00:00Z"}
    assert _invoices(_search(conn, "payments", merchant=None, **window)) == ["E", "F", "C", "D", "B", "A"]
    assert _invoices(_search(conn, "payments", merchant=OTHER)) == ["F"]


def test_a_payment_row_carries_magistas_fields(conn):
    (row,) = _search(conn, "payments", payment_rrn="000111222333")["data"]
    assert {k: row[k] for k in ("created_at", "status", "amount", "payment_token_provider", "payment_first6")} == {
        "created_at": "2017-05-01T10:00:00.000Z",
        "status": "captured",
        "amount": "1000",
        "payment_token_provider": "applepay",
        "payment_first6": "411111",
    }
    assert row["payment_terminal_id"] == "7" and row["payment_domain_revision"] == "100"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["E", "C", "D", "B", "A"]),
        ({"invoice_status": "paid"}, ["C", "D", "A"]),
        ({"invoice_amount": 500}, ["D"]),
        ({"external_id": "order-B"}, ["B"]),  # invoices match their own external id
        ({"payment_status": "failed"}, ["B"]),  # payment-level: invoices with a matching payment
        ({"payment_id": "1", "payment_method": "bank_card"}, ["E", "C", "A"]),
        ({"payment_first6": "4111"}, []),  # no card-number pattern for invoices, as in Magista: just no match
        ({"payment_status": "captured", "from_time": "2017-05-02T00:00:00Z"}, ["C", "D"]),
    ],
)
def test_invoice_search_parameters(conn, params, expected):
    assert _invoices(_search(conn, "invoices", **params)) == expected


def test_refund_chargeback_and_payout_searches(conn):
    refunds = _search(conn, "refunds")["data"]
    assert [(r["invoice_id"], r["refund_id"], r["status"]) for r in refunds] == [
        ("C", "r1", "failed"),
        ("A", "r1", "succeeded"),
    ]
    assert _invoices(_search(conn, "refunds", refund_status="succeeded")) == ["A"]
    assert _invoices(_search(conn, "refunds", external_id="refund-A")) == ["A"]
    assert _invoices(_search(conn, "refunds", invoice_ids=["C"], payment_id="1", refund_id="r1")) == ["C"]
    assert _invoices(_search(conn, "chargebacks", shop_id="s1", chargeback_statuses=["accepted"])) == ["A"]
    assert _invoices(_search(conn, "chargebacks", chargeback_categories=["dispute"])) == []
    assert _invoices(_search(conn, "chargebacks", chargeback_stages=["chargeback"], invoice_id="A")) == ["A"]
    payouts = lambda **p: [r["payout_id"] for r in _search(conn, "payouts", **p)["data"]]  # noqa: E731
    assert payouts() == ["o3", "o2", "o1"]
    assert payouts(payout_type="bank_account") == ["o2", "o1"]  # Russian or international
    assert payouts(payout_type="wallet_info", payout_statuses=["paid", "confirmed"]) == ["o3"]
    assert payouts(payout_status="cancelled") == []


def test_enriched_payments_and_refunds(conn):
    (enriched,) = _search(conn, "enriched_payments", invoice_id="A")["data"]
    assert enriched["payment"]["payment_rrn"] == "000111222333"
    assert enriched["invoice"]["external_id"] == "order-A" and enriched["invoice"]["status"] == "paid"
    assert [(r["refund_id"], r["status"], r["external_id"]) for r in enriched["refunds"]] == [
        ("r1", "succeeded", "refund-A")
    ]
    assert [(c["chargeback_id"], c["status"], c["chargeback_category"]) for c in enriched["chargebacks"]] == [
        ("cb1", "accepted", "fraud")
    ]
    (plain,) = _search(conn, "enriched_payments", invoice_id="B")["data"]
    assert plain["refunds"] == [] and plain["chargebacks"] == [] and plain["invoice"]["status"] == "unpaid"
    refunds = run_query(conn, {"query": {"enriched_refunds": {}}, "size": 1})
    (newest,) = refunds["data"]
    assert newest["refund"]["invoice_id"] == "C" and newest["payment"]["payment_system"] == "mastercard"
    assert newest["invoice"]["external_id"] == "order-C" and refunds["continuation_token"]
    following = run_query(
        conn, {"query": {"enriched_refunds": {}}, "size": 1}, continuation_token=refunds["continuation_token"]
    )
    assert [r["refund"]["invoice_id"] for r in following["data"]] == ["A"]


def test_pages_stay_exact_while_rows_land(conn):
    request = {"query": {"payments": {"merchant_id": MERCHANT}}, "size": 2}
    first = run_query(conn, request)
    assert _invoices(first) == ["E", "C"] and first["continuation_token"]
    # a payment created after the first page, and one created between rows already paged, land meanwhile
    conn.command(
        "INSERT INTO marts.fct_payments (merchant_id, shop_id, invoice_id, payment_id, created_at, status, amount, fee)"
        f" VALUES ('{MERCHANT}', 's1', 'NEW', '1', '2017-06-30 00:00:00', 'captured', 1, 0),"
        f" ('{MERCHANT}', 's1', 'MID', '1', '2017-05-02 10:00:00', 'captured', 1, 0)"
    )
    try:
        second = run_query(conn, request, continuation_token=first["continuation_token"])
        assert _invoices(second) == ["D", "B"]
        third = run_query(conn, request, continuation_token=second["continuation_token"])
        assert _invoices(third) == ["A"] and third["continuation_token"] is None
        assert _invoices(run_query(conn, request)) == ["NEW", "E"]  # a new first page shows them
    finally:
        conn.command("DELETE FROM marts.fct_payments WHERE invoice_id IN ('NEW', 'MID')")
    inside = {
        "query": {"payments": {"merchant_id": MERCHANT}, "size": 2, "continuation_token": first["continuation_token"]}
    }
    assert _invoices(run_query(conn, inside)) == ["D", "B"]  # the token may also travel inside the request


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("garbage", "continuation_token is not valid"),
        (base64.urlsafe_b64encode(b'{"q": "x", "after": [1]}').decode(), "continuation_token is not valid"),
    ],
)
def test_bad_tokens(conn, token, message):
    with pytest.raises(DslError, match=message):
        run_query(conn, {"query": {"payments": {}}}, continuation_token=token)


def test_a_token_belongs_to_its_request(conn):
    token = run_query(conn, {"query": {"payments": {"merchant_id": MERCHANT}}, "size": 2})["continuation_token"]
    for other in (
        {"query": {"payments": {"merchant_id": MERCHANT, "payment_status": "failed"}}, "size": 2},
        {"query": {"payments": {"merchant_id": MERCHANT}}, "size": 3},
    ):
        with pytest.raises(DslError, match="belongs to a different query"):
            run_query(conn, other, continuation_token=token)


def test_size_is_found_in_the_function_then_the_query_then_the_top_level(conn):
    def size_of(text):
        return len(run_query(conn, text)["data"])

    assert (
        size_of(f"{{'query': {{'payments': {{'merchant_id': '{MERCHANT}', 'size': 1}}, 'size': 3}}, 'size': 4}}") == 1
    )
    assert size_of(f"{{'query': {{'payments': {{'merchant_id': '{MERCHANT}'}}, 'size': '3'}}, 'size': 4}}") == 3
    assert size_of(f"{{'query': {{'payments': {{'merchant_id': '{MERCHANT}'}}}}, 'size': 4, 'from': 1}}") == 4
    assert size_of(f"{{'query': {{'payments': {{'merchant_id': '{MERCHANT}', 'from': '3'}}}}}}") == 5  # from ignored


# Request shapes as Magista's clients and tests write them: None means accepted, else a part of the message.
M = "'merchant_id': '6e5e5ea2-1e3c-4c5e-9d7f-6a2f2d9b1c11'"
WINDOW = "'from_time': '2016-10-25T15:45:20Z', 'to_time': '3018-10-25T18:10:10Z'"
STAT = f"{M}, 'shop_id': 's1', {WINDOW}, 'split_interval': '60'"
SHAPES = [
    (f"{{'query': {{'payments': {{{M}, 'shop_id': 's1', {WINDOW}}}, 'size': '2', 'from': '1'}}}}", None),
    (f"{{'query': {{'payments': {{{M}, {WINDOW}, 'payment_status': 'captured'}}}}, 'size': 2}}", None),
    (f"{{'query': {{'payments': {{{WINDOW}}}}}}}", None),  # no scope: a back-office search
    (f"{{'query': {{'payments': {{{M}}}}}}}", None),
    ("{'query': {'payments': {'shop_id': 's1'}}}", "merchant_id must be set"),
    ("{'query': {'payments': {'shop_ids': ['s1']}}}", "merchant_id must be set"),
    (
        f"{{'query': {{'payments': {{{M}, 'shop_id': 's1', 'shop_ids': ['s2']}}}}}}",
        "only one parameter: shop_id or shop_ids",
    ),
    (f"{{'query': {{'payments': {{{M}, 'shop_ids': ['s1', 's2'], 'exclude': {{'shop_id': ['s2']}}}}}}}}", None),
    (f"{{'query': {{'payments': {{{M}, 'payment_first6': '411111', 'payment_last4': '1111'}}}}}}", None),
    (f"{{'query': {{'payments': {{{M}, 'payment_first6': '4111'}}}}}}", "payment_first6: must be 6 to 8 digits"),
    (f"{{'query': {{'payments': {{{M}, 'payment_last4': '12345'}}}}}}", "payment_last4: must be 2 to 4 digits"),
    (
        f"{{'query': {{'payments': {{{M}, 'payment_method': 'bank_card', 'payment_terminal_provider': 'euroset'}}}}}}",
        "Incorrect PaymentMethod",
    ),
    (f"{{'query': {{'payments': {{{M}, 'payment_token_provider': 'applepay'}}}}}}", None),
    (f"{{'query': {{'payments': {{{M}, 'payment_amount': 'abc'}}}}}}", "payment_amount: has incorrect value"),
    (f"{{'query': {{'payments': {{{M}, 'payment_status': 'succeeded'}}}}}}", "unknown value 'succeeded'"),
    (f"{{'query': {{'payments': {{{M}, 'pan_mask': '4111**1111'}}}}}}", None),
    (f"{{'query': {{'payments': {{{M}, 'payment_pan_mask': '12**12!'}}}}}}", None),  # matches nothing
    (f"{{'query': {{'payments': {{{M}, 'colour': 'red'}}}}}}", "unknown parameter 'colour'; valid: "),
    (
        f"{{'query': {{'payments': {{{M}, 'from_time': '2016-10-25T15:45:20Z', 'to_time': '2016-10-25T15:45:19Z'}}}}}}",
        "TimeRange is not valid [from: 2016-10-25T15:45:20Z, to: 2016-10-25T15:45:19Z]",
    ),
    (f"{{'query': {{'payments': {{{M}, 'from_time': '2016-10-25T15:45Z'}}}}}}", "Failed to parse: 2016-10-25T15:45Z"),
    (f"{{'query': {{'payments': {{{M}, 'from_time': '2016-10-25T18:45:20+03:00'}}}}}}", None),
    (f"{{'query': {{'payments': {{{M}}}, 'size': 1001}}}}", "Size must be less or equals to 1000 but was 1001"),
    (f"{{'query': {{'payments': {{{M}, 'size': 'ten'}}}}}}", "Field:size has incorrect value"),
    (f"{{'query': {{'invoices': {{{M}, 'invoice_status': 'paid', 'payment_first6': '4111'}}}}}}", None),
    (
        f"{{'query': {{'invoices': {{{M}, 'payment_method': 'bank_card', 'payment_terminal_provider': 'euroset'}}}}}}",
        None,
    ),
    (f"{{'query': {{'refunds': {{{M}, 'shop_id': 's1', 'refund_status': 'succeeded', 'size': 10}}}}}}", None),
    (f"{{'query': {{'refunds': {{{M}, 'refund_status': 'done'}}}}}}", "unknown value 'done'"),
    ("{'query': {'enriched_refunds': {}}}", None),
    (f"{{'query': {{'enriched_payments': {{{M}, 'payment_id': '1', {WINDOW}}}}}}}", None),
    (
        f"{{'query': {{'payouts': {{{M}, 'payout_statuses': ['paid', 'confirmed'], 'payout_type': 'wallet_info'}}}}}}",
        None,
    ),
    (f"{{'query': {{'payouts': {{{M}, 'payout_type': 'cash'}}}}}}", "unknown value 'cash'"),
    (f"{{'query': {{'chargebacks': {{{M}, 'shop_id': 's1', 'chargeback_stages': ['arbitration']}}}}}}", None),
    (f"{{'query': {{'chargebacks': {{{M}, 'chargeback_categories': ['theft']}}}}}}", "unknown value 'theft'"),
    (f"{{'query': {{'payments_turnover': {{{STAT}}}}}}}", None),
    (f"{{'query': {{'payments_geo_stat': {{{STAT}}}, 'size': 5, 'from': 0}}}}", None),  # ignored by statistics
    (f"{{'query': {{'customers_rate_stat': {{{M}, {WINDOW}, 'split_interval': '60'}}}}}}", None),  # every shop
    (f"{{'query': {{'payments_turnover': {{{M}, {WINDOW}}}}}}}", "split_interval: invalid or not found"),
    (
        f"{{'query': {{'payments_turnover': {{{M}, {WINDOW}, 'split_interval': '-60'}}}}}}",
        "split_interval: invalid or not found",
    ),
    (
        f"{{'query': {{'payments_turnover': {{{M}, 'to_time': '3018-10-25T18:10:10Z', 'split_interval': 60}}}}}}",
        "from_time: invalid or not found",
    ),
    (
        f"{{'query': {{'payments_turnover': {{{M}, 'from_time': '2016-10-25T15:45:20Z', 'to_time': '2016-10-25T15:45:20Z', 'split_interval': 1}}}}}}",
        None,
    ),
    ("{'query': {'payments_geo_stat1': {}}}", "Can't build query, no match to process"),
    ("{'query1': {'payments': {}}}", "query: invalid or not found"),
    ("{}", "Can't build query, no match to process"),
    ("{'query': {}}", "Can't build query, no match to process"),
    ("{'query': {'payments': {}, 'invoices': {}}}", "Build result has more than one query"),
    ("{'query': {'payments': 'all'}}", "payments: its parameters must be a JSON object"),
    ("{'query': {'payments': {}}, 'limit': 5}", "unknown key 'limit'"),
    ("{'query': {'payments': {'payment_email': 'it\\'s@example.ru'}}}", None),  # an escaped quote
    ('{"query": {"payments": {"payment_email": "\'quoted\'"}}}', None),  # strict JSON still works
    ("{'query': {'payments': {}}} trailing", None),  # Jackson stops after the top-level value
    ("{'query': {'payments': {},}}", "Failed to parse received json request"),  # no trailing commas
    ("{query: {'payments': {}}}", "Failed to parse received json request"),  # no unquoted names
    ("['query']", "Failed to parse received json request"),
]


@pytest.mark.parametrize(("text", "refusal"), SHAPES)
def test_request_shapes(conn, text, refusal):
    if refusal is None:
        answer = run_query(conn, text)
        assert isinstance(answer, list) or set(answer) == {"data", "continuation_token"}
    else:
        with pytest.raises(DslError) as failure:
            run_query(conn, text)
        assert refusal in str(failure.value)


def test_command_line_takes_a_continuation_token(conn, tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    path = conn.path
    conn.close()
    monkeypatch.setenv("OTT_WAREHOUSE_PATH", path)
    request = tmp_path / "payments.json"
    request.write_text(f"{{'query': {{'payments': {{{M}}}}}, 'size': 3}}")
    assert main(["query", str(request)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert _invoices(first) == ["E", "C", "D"]
    assert main(["query", str(request), "--continuation-token", first["continuation_token"]]) == 0
    assert _invoices(json.loads(capsys.readouterr().out)) == ["B", "A"]
