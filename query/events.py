"""The Analytics Service's read functions over the marts: dashboard, funnel, organization report, export rows.

Shapes follow the service's API (camelCase metric names). Every value reaches SQL as a bound parameter.
"""

from datetime import date
from typing import Any

from warehouse.connection import WarehouseConnection

METRICS = [
    "totalViews",
    "uniqueViews",
    "totalRegistrations",
    "confirmedRegistrations",
    "checkedIn",
    "viewToRegistrationRate",
    "registrationToCheckinRate",
]
BREAKDOWNS = {"day": "byDay", "ticket_type": "byTicketType", "source": "bySource"}
FUNNEL_STAGES = [
    ("page_views", "Page views"),
    ("registration_started", "Registration started"),
    ("registration_completed", "Registration completed"),
    ("checked_in", "Checked in"),
]
# The organization report from the daily mart: registrations add up over days, unique viewers merge exactly.
PERIOD_SQL = """
SELECT toString(event_id) AS eventId, sum(total_views) AS totalViews, uniqExactMerge(unique_viewers_state) AS uniqueViews,
       sum(total_registrations) AS totalRegistrations, sum(confirmed_registrations) AS confirmedRegistrations,
       sum(checked_in) AS checkedIn
FROM marts.agg_events_organization_daily
WHERE organization_id = {org:UUID} AND event_date BETWEEN {date_from:Date} AND {date_to:Date} __EVENT_FILTER__
GROUP BY __GROUP_BY__
ORDER BY __GROUP_BY__
"""


class NotFound(LookupError):
    """The event or organization has no data in the marts."""


class BadPeriod(ValueError):
    """date_to is before date_from."""


def _period_sql(group_by: str, event_filter: str = "") -> str:
    return PERIOD_SQL.replace("__EVENT_FILTER__", event_filter).replace("__GROUP_BY__", group_by)


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    views, registrations, confirmed = row["uniqueViews"], row["totalRegistrations"], row["confirmedRegistrations"]
    row["viewToRegistrationRate"] = registrations / views if views else None
    row["registrationToCheckinRate"] = row["checkedIn"] / confirmed if confirmed else None
    return row


def dashboard(conn: WarehouseConnection, event_id: str) -> dict[str, Any]:
    rows = conn.query_arrow(
        f"SELECT breakdown, breakdown_value, {', '.join(METRICS)} FROM marts.agg_events_dashboard"
        " WHERE event_id = {event_id:UUID} ORDER BY breakdown, breakdown_value",
        {"event_id": event_id},
    ).to_pylist()
    total = [r for r in rows if r["breakdown"] == "total"]
    if not total:
        raise NotFound(f"no dashboard data for event {event_id}")
    result: dict[str, Any] = {"eventId": event_id, **{m: total[0][m] for m in METRICS}}
    for breakdown, key in BREAKDOWNS.items():
        label = {"day": "date", "ticket_type": "ticketTypeId", "source": "source"}[breakdown]
        result[key] = [
            {
                label: r["breakdown_value"] or None,
                **{
                    m: r[m]
                    for m in METRICS
                    if not (breakdown == "ticket_type" and m in ("totalViews", "uniqueViews", "viewToRegistrationRate"))
                },
            }
            for r in rows
            if r["breakdown"] == breakdown
        ]
    return result


def funnel(conn: WarehouseConnection, event_id: str) -> dict[str, Any]:
    rows = conn.query_arrow(
        "SELECT * FROM marts.agg_events_funnel WHERE event_id = {event_id:UUID}", {"event_id": event_id}
    ).to_pylist()
    if not rows:
        raise NotFound(f"no funnel data for event {event_id}")
    row = rows[0]
    return {
        "eventId": event_id,
        "windowHours": row["window_hours"],
        "stages": [{"stage": label, "count": row[column]} for column, label in FUNNEL_STAGES],
        "startRate": row["startRate"],
        "completionRate": row["completionRate"],
        "attendanceRate": row["attendanceRate"],
    }


def _period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise BadPeriod(f"date_to {date_to} is before date_from {date_from}")


def organization_report(conn: WarehouseConnection, org_id: str, date_from: date, date_to: date) -> dict[str, Any]:
    _period(date_from, date_to)
    params = {"org": org_id, "date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    events = conn.query_arrow(_period_sql("event_id"), params).to_pylist()
    totals = conn.query_arrow(
        _period_sql("organization_id").replace("toString(event_id) AS eventId, ", ""),
        params,
    ).to_pylist()
    return {
        "organizationId": org_id,
        "dateFrom": date_from.isoformat(),
        "dateTo": date_to.isoformat(),
        "events": [_rates(e) for e in events],
        "totals": _rates(totals[0]) if totals else _rates({m: 0 for m in METRICS[:5]}),
    }


def export_rows(
    conn: WarehouseConnection, organization_id: str, date_from: date, date_to: date, event_id: str | None = None
) -> list[dict[str, Any]]:
    """Daily figures per event of an organization over [date_from, date_to], for CSV/XLSX export."""
    _period(date_from, date_to)
    params: dict[str, Any] = {
        "org": organization_id,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
    }
    event_filter = ""
    if event_id:
        params["event_id"] = event_id
        event_filter = "AND event_id = {event_id:UUID}"
    sql = _period_sql("event_date, event_id", event_filter).replace(
        "SELECT toString(event_id) AS eventId", "SELECT event_date AS date, toString(event_id) AS eventId"
    )
    return [_rates(r) for r in conn.query_arrow(sql, params).to_pylist()]
