"""Billing tables of the middleware's SQL database: read from its PostgreSQL or from CSV/Parquet landing files
(money as exact decimals, currency on every amount)."""

from ingest.spec import Column, RawSource

MONEY = "Decimal(18, 2)"

ACCOUNTS = RawSource(
    name="billing_accounts",
    domain="billing",
    format="csv",
    path="billing/accounts.csv",
    daily=False,
    description="subscriber accounts",
    columns=(
        Column("account_id", "UInt64", "account_id"),
        Column("client_id", "UInt32", "client_id"),
        Column("tariff_id", "UInt32", "tariff_id"),
        Column("region", "String", "nullIf(region, '')", "geo region title (ru)"),
        Column("is_active", "Bool", "is_active"),
        Column("created_at", "DateTime('UTC')", "created_at"),
    ),
    key="account_id",
    order_by="account_id",
)
TARIFFS = RawSource(
    name="billing_tariffs",
    domain="billing",
    format="csv",
    path="billing/tariffs.csv",
    daily=False,
    description="tariff plans with their monthly price",
    columns=(
        Column("tariff_id", "UInt32", "tariff_id"),
        Column("client_id", "UInt32", "client_id"),
        Column("name", "String", "nullIf(name, '')"),
        Column("price", MONEY, "price"),
        Column("currency", "FixedString(3)", "currency"),
    ),
    key="tariff_id",
    order_by="tariff_id",
)
SUBSCRIPTIONS = RawSource(
    name="billing_subscriptions",
    domain="billing",
    format="csv",
    path="billing/subscriptions.csv",
    daily=False,
    description="subscription periods: kind, start, end and price",
    columns=(
        Column("subscription_id", "UInt64", "subscription_id"),
        Column("account_id", "UInt64", "account_id"),
        Column("tariff_id", "UInt32", "tariff_id"),
        Column("kind", "String", "nullIf(kind, '')"),
        Column("started_at", "DateTime('UTC')", "started_at"),
        Column("ended_at", "DateTime('UTC')", "ended_at"),
        Column("price", MONEY, "price"),
        Column("currency", "FixedString(3)", "currency"),
    ),
    checks=(("ended_at < started_at", "end before start"), ("price < 0", "negative price")),
    key="subscription_id",
    order_by="subscription_id",
)
TRANSACTIONS = RawSource(
    name="billing_transactions",
    domain="billing",
    format="csv",
    path="billing/transactions/{day}.csv",
    description="money movements: payments, charges and refunds",
    columns=(
        Column("transaction_id", "UInt64", "transaction_id"),
        Column("account_id", "UInt64", "account_id"),
        Column("subscription_id", "Nullable(UInt64)", "nullIf(subscription_id, '')"),
        Column("tariff_id", "Nullable(UInt32)", "nullIf(tariff_id, '')"),
        Column("kind", "String", "nullIf(kind, '')", "payment, charge or refund"),
        Column("amount", MONEY, "amount"),
        Column("currency", "FixedString(3)", "currency"),
        Column("created_at", "DateTime('UTC')", "created_at"),
    ),
    checks=(
        ("kind NOT IN ('payment', 'charge', 'refund')", "unknown transaction kind"),
        ("amount < 0", "negative amount"),
    ),
    key="transaction_id",
    order_by="created_at, transaction_id",
)

SOURCES = (ACCOUNTS, TARIFFS, SUBSCRIPTIONS, TRANSACTIONS)
# The middleware's PostgreSQL tables by default (configurable per deployment), and the column that places a
# row of a daily source in its UTC day (pushed down to PostgreSQL).
POSTGRES_TABLES = {
    ACCOUNTS.name: "accounts",
    TARIFFS.name: "tariffs",
    SUBSCRIPTIONS.name: "subscriptions",
    TRANSACTIONS.name: "transactions",
}
TIME_COLUMNS = {TRANSACTIONS.name: "created_at"}
