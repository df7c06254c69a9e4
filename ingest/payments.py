"""Payment-processing events (invoices, payments, refunds, chargebacks, payouts) as JSON lines or Parquet,
and the merchants' shops with their categories."""

from ingest import json_fields as j
from ingest.spec import Column, RawSource

EVENT_TYPES = (
    "invoice.created",
    "invoice.status_changed",
    "payment.created",
    "payment.status_changed",
    "refund.created",
    "refund.status_changed",
    "chargeback.created",
    "chargeback.status_changed",
    "payout.created",
    "payout.status_changed",
)

EVENT_COLUMNS = (
    Column("event_type", "String", j.text("event_type")),
    Column("sequence_id", "UInt64", j.number("sequence_id")),
    Column("created_at", "DateTime64(3, 'UTC')", j.timestamp("created_at")),
    Column("merchant_id", "String", j.text("merchant_id")),
    Column("shop_id", "String", j.text("shop_id")),
    Column("invoice_id", "Nullable(String)", j.text("invoice_id")),
    Column("payment_id", "Nullable(String)", j.text("payment_id")),
    Column("refund_id", "Nullable(String)", j.text("refund_id")),
    Column("chargeback_id", "Nullable(String)", j.text("chargeback_id")),
    Column("payout_id", "Nullable(String)", j.text("payout_id")),
    Column("status", "Nullable(String)", j.text("status")),
    Column("amount", "Nullable(Int64)", j.number("amount"), "minor units"),
    Column("fee", "Nullable(Int64)", j.number("fee"), "minor units"),
    Column("currency", "Nullable(String)", j.text("currency")),
    Column("flow", "Nullable(String)", j.text("flow")),
    Column("method", "Nullable(String)", j.text("method")),
    Column("terminal_provider", "Nullable(String)", j.text("terminal_provider"), "payment terminal, e.g. euroset"),
    Column("token_provider", "Nullable(String)", j.text("token_provider"), "card token, e.g. applepay"),
    Column("payment_system", "Nullable(String)", j.text("payment_system")),
    Column("email", "Nullable(String)", j.text("email")),
    Column("ip", "Nullable(String)", j.text("ip")),
    Column("fingerprint", "Nullable(String)", j.text("fingerprint")),
    Column("first6", "Nullable(String)", j.text("first6"), "the card's first 6 (to 8) digits, its BIN"),
    Column("last4", "Nullable(String)", j.text("last4"), "the card's last digits"),
    Column("customer_id", "Nullable(String)", j.text("customer_id")),
    Column("city_id", "Nullable(UInt32)", j.number("city_id")),
    Column("country_id", "Nullable(UInt32)", j.number("country_id")),
    Column("external_id", "Nullable(String)", j.text("external_id"), "the merchant's id of the entity"),
    Column("rrn", "Nullable(String)", j.text("rrn"), "retrieval reference number"),
    Column("approval_code", "Nullable(String)", j.text("approval_code")),
    Column("provider_id", "Nullable(Int32)", j.number("provider_id"), "payment provider (routing)"),
    Column("terminal_id", "Nullable(Int32)", j.number("terminal_id"), "provider's terminal (routing)"),
    Column("domain_revision", "Nullable(Int64)", j.number("domain_revision"), "payment domain revision"),
    Column("category", "Nullable(String)", j.text("category"), "chargeback category"),
    Column("stage", "Nullable(String)", j.text("stage"), "chargeback stage"),
    Column("payout_type", "Nullable(String)", j.text("payout_type")),
)

EVENTS = RawSource(
    name="payment_events",
    domain="payments",
    format="jsonl",
    path="payments/events/{day}.json",
    description="payment-processing events; an entity's current state is its event with the highest sequence_id",
    columns=EVENT_COLUMNS,
    checks=(
        (f"event_type NOT IN {EVENT_TYPES}", "unknown event type"),
        ("startsWith(event_type, 'payout') AND payout_id IS NULL", "payout event without payout_id"),
        ("NOT startsWith(event_type, 'payout') AND invoice_id IS NULL", "event without invoice_id"),
        ("amount < 0 OR fee < 0", "negative amount"),
    ),
    # the same event delivered twice: every field equal (whatever the JSON's spacing or key order)
    key="cityHash64(tuple(" + ", ".join(f"`{c.name}`" for c in EVENT_COLUMNS) + "))",
    key_label="event (delivered twice)",
    order_by="merchant_id, shop_id, created_at",
)

SHOPS = RawSource(
    name="payment_shops",
    domain="payments",
    format="jsonl",
    path="payments/shops.json",
    daily=False,
    description="merchants' shops with their category (shop_accounting_report can leave categories out)",
    columns=(
        Column("merchant_id", "String", j.text("merchant_id")),
        Column("shop_id", "String", j.text("shop_id")),
        Column("category_id", "UInt32", j.number("category_id")),
        Column("name", "Nullable(String)", j.text("name")),
    ),
    key="merchant_id, shop_id",
    key_label="shop",
    order_by="merchant_id, shop_id",
)

SOURCES = (EVENTS, SHOPS)
