"""A hand-made billing, catalog and viewing world whose marts are computed by hand in test_billing.py.

Client 1 (RUB): account 101 (created 2025-02-01) has two touching monthly subscriptions s1 and s2 (one
coverage interval); 102 is created at 23:59:59 on 2025-03-01 and pays then, is refunded 40.00 and churns at
12:00 on 03-02; 103 is created at 00:00:00 on 03-02, pays then and never watches anything.
Client 2 (USD): account 201 has s5 and an overlapping s6; its only view falls under s6 (the latest started).
"""

import json
from datetime import date, timedelta
from pathlib import Path

FIRST_DAY, LAST_DAY = date(2025, 2, 15), date(2025, 3, 16)

ACCOUNTS = [
    # account_id, client_id, tariff_id, region, is_active, created_at
    (101, 1, 1, "Москва", "true", "2025-02-01 10:00:00"),
    (102, 1, 1, "Санкт-Петербург", "false", "2025-03-01 23:59:59"),
    (103, 1, 1, "Казань", "true", "2025-03-02 00:00:00"),
    (201, 2, 2, "Алматы", "true", "2025-02-10 00:00:00"),
]
TARIFFS = [(1, 1, "Базовый", "299.00", "RUB"), (2, 2, "Premium", "9.99", "USD")]
SUBSCRIPTIONS = [
    # subscription_id, account_id, tariff_id, kind, started_at, ended_at, price, currency
    (1, 101, 1, "monthly", "2025-02-15 00:00:00", "2025-03-15 00:00:00", "299.00", "RUB"),
    (2, 101, 1, "monthly", "2025-03-15 00:00:00", "2025-04-14 00:00:00", "299.00", "RUB"),
    (3, 102, 1, "monthly", "2025-03-01 23:59:59", "2025-03-02 12:00:00", "100.00", "RUB"),
    (4, 103, 1, "trial", "2025-03-02 00:00:00", "2025-03-09 00:00:00", "50.00", "RUB"),
    (5, 201, 2, "monthly", "2025-02-20 12:00:00", "2025-03-20 12:00:00", "9.99", "USD"),
    (6, 201, 2, "monthly", "2025-03-01 00:00:00", "2025-03-10 00:00:00", "5.00", "USD"),
]
TRANSACTIONS = [
    # transaction_id, account_id, subscription_id, tariff_id, kind, amount, currency, created_at
    (1, 101, 1, 1, "payment", "299.00", "RUB", "2025-02-15 00:00:05"),
    (2, 101, 1, 1, "charge", "299.00", "RUB", "2025-02-15 00:00:06"),
    (3, 201, 5, 2, "payment", "9.99", "USD", "2025-02-20 12:00:00"),
    (4, 201, 6, 2, "payment", "5.00", "USD", "2025-03-01 00:00:00"),
    (5, 102, 3, 1, "payment", "100.00", "RUB", "2025-03-01 23:59:59"),
    (6, 103, 4, 1, "payment", "50.00", "RUB", "2025-03-02 00:00:00"),
    (7, 102, 3, 1, "refund", "40.00", "RUB", "2025-03-02 10:00:00"),
    (8, 101, 2, 1, "payment", "299.00", "RUB", "2025-03-15 00:00:00"),
]
TITLES = [(7, "Жизнь", "драма", 16), (8, "Сериал", "комедия", 12)]
EPISODES = [(70, 7, 1, 1, 3000), (71, 7, 1, 2, 3000), (80, 8, 1, 1, 2400), (83, 8, 2, 3, 2400)]
SESSIONS = [
    # _id, account, client, title (None: a channel), season, episode, start, end
    ("v1", 101, 1, 7, 1, 1, "2025-03-10T20:00:00Z", "2025-03-10T20:33:20Z"),  # 2000 s under s1
    ("v2", 101, 1, 8, 2, 3, "2025-03-10T23:50:00Z", "2025-03-11T00:10:00Z"),  # 600 s + 600 s under s1
    ("v3", 101, 1, 7, 1, 2, "2025-03-16T10:00:00Z", "2025-03-16T10:02:00Z"),  # 120 s under s2
    ("v4", 102, 1, 7, 1, 1, "2025-03-02T08:00:00Z", "2025-03-02T08:20:00Z"),  # 1200 s under s3
    ("v5", 201, 2, 8, 1, 1, "2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z"),  # 3600 s under s6
    ("v6", 101, 1, None, None, None, "2025-03-10T18:00:00Z", "2025-03-10T19:00:00Z"),  # live TV: not VOD
]

ACCOUNT_COLUMNS = ["account_id", "client_id", "tariff_id", "region", "is_active", "created_at"]
TARIFF_COLUMNS = ["tariff_id", "client_id", "name", "price", "currency"]
SUBSCRIPTION_COLUMNS = [
    "subscription_id",
    "account_id",
    "tariff_id",
    "kind",
    "started_at",
    "ended_at",
    "price",
    "currency",
]
TRANSACTION_COLUMNS = [
    "transaction_id",
    "account_id",
    "subscription_id",
    "tariff_id",
    "kind",
    "amount",
    "currency",
    "created_at",
]


def days() -> list[date]:
    return [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]


def _csv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(header) + "\n" + "".join(",".join(str(v) for v in row) + "\n" for row in rows))


def _session(oid, account, client, title, season, episode, start, end) -> dict:
    doc = {
        "_id": {"$oid": oid.ljust(24, "0")},
        "client_id": client,
        "account_id": account,
        "device": "smart_tv",
        "tariffs": [1],
        "content_type": "vod" if title else "channel",
        "start": {"$date": start},
        "end": {"$date": end},
    }
    if title:
        doc.update(title_id=title, season=season, episode=episode)
    else:
        doc["channel_id"] = 1
    return doc


def write_landing(landing: Path, transactions: bool = True) -> None:
    """Every day of FIRST_DAY..LAST_DAY gets its files (empty where nothing happened)."""
    _csv(landing / "billing" / "accounts.csv", ACCOUNT_COLUMNS, ACCOUNTS)
    _csv(landing / "billing" / "tariffs.csv", TARIFF_COLUMNS, TARIFFS)
    _csv(landing / "billing" / "subscriptions.csv", SUBSCRIPTION_COLUMNS, SUBSCRIPTIONS)
    _csv(landing / "content" / "channels.csv", ["channel_id", "client_id", "name"], [(1, 1, "Первый")])
    _csv(landing / "content" / "titles.csv", ["title_id", "title_ru", "genre_name", "age_restriction"], TITLES)
    _csv(
        landing / "content" / "episodes.csv",
        ["episode_id", "title_id", "season_num", "episode_num", "duration_s"],
        EPISODES,
    )
    for day in days():
        if transactions:
            rows = [t for t in TRANSACTIONS if t[-1].startswith(day.isoformat())]
            _csv(landing / "billing" / "transactions" / f"{day}.csv", TRANSACTION_COLUMNS, rows)
        sessions = [json.dumps(_session(*s)) + "\n" for s in SESSIONS if s[6].startswith(day.isoformat())]
        path = landing / "viewing" / "sessions" / f"{day}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(sessions))


def postgres_sql() -> str:
    """The same billing tables in a PostgreSQL database, with the middleware's own names for two of them."""

    def values(rows) -> str:
        return ",\n".join("(" + ", ".join(f"'{v}'" for v in row) + ")" for row in rows)

    return f"""
CREATE TABLE accounts (account_id bigint PRIMARY KEY, client_id integer, tariff_id integer, region text,
    is_active boolean, created_at timestamp);
CREATE TABLE tariffs (tariff_id integer PRIMARY KEY, client_id integer, name text, price numeric(18, 2),
    currency char(3));
CREATE TABLE subscription (id bigint PRIMARY KEY, account_id bigint, tariff_id integer, kind text,
    started_at timestamp, ended_at timestamp, price numeric(18, 2), currency char(3));
CREATE TABLE transactions (transaction_id bigint PRIMARY KEY, account_id bigint, subscription_id bigint,
    tariff_id integer, kind text, amount numeric(18, 2), currency char(3), created timestamp);
INSERT INTO accounts VALUES {values(ACCOUNTS)};
INSERT INTO tariffs VALUES {values(TARIFFS)};
INSERT INTO subscription VALUES {values(SUBSCRIPTIONS)};
INSERT INTO transactions VALUES {values(TRANSACTIONS)};
"""
