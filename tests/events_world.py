"""A hand-made Analytics Service dataset; tests/test_events.py computes its dashboard and funnel by hand.

Organization O1 runs event E1 (and E2, which has no views); organization O2 runs E3. Times are UTC on
DAY1 unless marked DAY2; the days are recent, so the one-year retention keeps them. The funnel window is one
hour in the tests.
"""

import json
from datetime import date, timedelta
from pathlib import Path

DAY1 = date.today() - timedelta(days=30)
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY1 + timedelta(days=2)
O1, O2 = "00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2"
E1, E2, E3 = (f"00000000-0000-4000-8000-0000000000e{i}" for i in (1, 2, 3))


def user(n: int) -> str:
    return f"00000000-0000-4000-8000-00000000000{n}"


# (id, org, type, event, user, properties, created_at); listed in file order, which is not time order for U5
EVENTS = [
    (1, O1, "event.published", E1, None, {}, f"{DAY1}T00:00:00Z"),
    # U1: the whole funnel within the hour
    (2, O1, "page.view", E1, user(1), {"source": "telegram"}, f"{DAY1}T10:00:00Z"),
    (3, O1, "registration.started", E1, user(1), {"source": "telegram"}, f"{DAY1}T10:05:00Z"),
    (
        4,
        O1,
        "registration.completed",
        E1,
        user(1),
        {"source": "telegram", "ticketTypeId": "vip", "registrationId": "R1"},
        f"{DAY1}T10:10:00Z",
    ),
    (5, O1, "checkin.completed", E1, user(1), {"registrationId": "R1"}, f"{DAY1}T10:40:00Z"),
    # U2: views twice, registers, then cancels
    (6, O1, "page.view", E1, user(2), {"source": "vk"}, f"{DAY1}T10:00:00Z"),
    (7, O1, "page.view", E1, user(2), {"source": "vk"}, f"{DAY1}T10:30:00Z"),
    (8, O1, "registration.started", E1, user(2), {"source": "vk"}, f"{DAY1}T10:40:00Z"),
    (
        9,
        O1,
        "registration.completed",
        E1,
        user(2),
        {"source": "vk", "ticketTypeId": "standard", "registrationId": "R2"},
        f"{DAY1}T10:50:00Z",
    ),
    (10, O1, "registration.cancelled", E1, user(2), {"registrationId": "R2"}, f"{DAY1}T11:00:00Z"),
    # U3: registers without viewing the page (skips the first stage)
    (11, O1, "registration.started", E1, user(3), {"source": "direct"}, f"{DAY1}T11:00:00Z"),
    (
        12,
        O1,
        "registration.completed",
        E1,
        user(3),
        {"source": "direct", "ticketTypeId": "standard", "registrationId": "R3"},
        f"{DAY1}T11:05:00Z",
    ),
    # U4: views, then completes without a started event; the completion arrives as the consumed domain event
    (13, O1, "page.view", E1, user(4), {"source": "telegram"}, f"{DAY1}T12:00:00Z"),
    (
        14,
        O1,
        "registration.created",
        E1,
        user(4),
        {"source": "telegram", "ticketTypeId": "standard", "registrationId": "R4"},
        f"{DAY1}T12:10:00Z",
    ),
    # U5: out of order in the file
    (
        15,
        O1,
        "registration.completed",
        E1,
        user(5),
        {"source": "vk", "ticketTypeId": "vip", "registrationId": "R5"},
        f"{DAY1}T13:10:00Z",
    ),
    (16, O1, "page.view", E1, user(5), {"source": "vk"}, f"{DAY1}T13:00:00Z"),
    (17, O1, "registration.started", E1, user(5), {"source": "vk"}, f"{DAY1}T13:05:00Z"),
    # U6: completes 90 minutes after viewing: outside the one-hour window
    (18, O1, "page.view", E1, user(6), {"source": "direct"}, f"{DAY1}T14:00:00Z"),
    (19, O1, "registration.started", E1, user(6), {"source": "direct"}, f"{DAY1}T14:05:00Z"),
    (
        20,
        O1,
        "registration.completed",
        E1,
        user(6),
        {"source": "direct", "ticketTypeId": "student", "registrationId": "R6"},
        f"{DAY1}T15:30:00Z",
    ),
    (21, O1, "page.scroll", E1, user(6), {"depth": 80}, f"{DAY1}T14:01:00Z"),  # unknown type: kept
    # E2: a start with no views at all
    (22, O1, "registration.started", E2, user(8), {"source": "email"}, f"{DAY1}T16:00:00Z"),
    # O2's event
    (23, O2, "page.view", E3, user(9), {"source": "vk"}, f"{DAY1}T17:00:00Z"),
    # DAY2: U7 views E1
    (24, O1, "page.view", E1, user(7), {"source": "email"}, f"{DAY2}T09:00:00Z"),
]


def event_uuid(n: int) -> str:
    return f"10000000-0000-4000-8000-{n:012d}"


def as_json(event) -> dict:
    n, org, kind, ev, usr, props, at = event
    return {
        "id": event_uuid(n),
        "tenant_id": org,
        "event_type": kind,
        "event_id": ev,
        "user_id": usr,
        "properties": props,
        "created_at": at,
    }


def write_landing(landing: Path) -> None:
    for day in (DAY1, DAY2):
        path = landing / "events" / "analytics_events" / f"{day}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [json.dumps(as_json(e), ensure_ascii=False) for e in EVENTS if e[6].startswith(day.isoformat())]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def postgres_sql() -> str:
    """The seed's table in its schema, with every event of the world in it (and one on another day)."""
    rows = []
    for event in [*EVENTS, (25, O1, "page.view", E1, user(7), {"source": "email"}, f"{DAY3}T09:00:00Z")]:
        j = as_json(event)
        user_id = f"'{j['user_id']}'" if j["user_id"] else "NULL"
        props = json.dumps(j["properties"]).replace("'", "''")
        rows.append(
            f"('{j['id']}', '{j['tenant_id']}', '{j['event_type']}', '{j['event_id']}', {user_id}, '{props}', '{j['created_at']}')"
        )
    return (
        "CREATE SCHEMA analytics_service;\n"
        "CREATE TABLE analytics_service.analytics_events (id UUID PRIMARY KEY, tenant_id UUID NOT NULL,"
        " event_type VARCHAR(100) NOT NULL, event_id UUID, user_id UUID, properties JSONB,"
        " created_at TIMESTAMPTZ NOT NULL DEFAULT NOW());\n"
        "INSERT INTO analytics_service.analytics_events VALUES\n" + ",\n".join(rows) + ";\n"
    )
