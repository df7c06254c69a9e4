"""A short plain-text summary of what the marts hold: rows per mart and a few headline numbers."""

import textwrap

from warehouse.connection import WarehouseConnection

HEADLINES = [
    (
        "Viewing: daily peak of sessions online (client, day, peak, at)",
        "SELECT client_id, view_date, max_online, max_online_at FROM marts.agg_viewing_max_online_daily"
        " ORDER BY max_online DESC, view_date, client_id LIMIT 3",
    ),
    (
        "Viewing: sessions / watch hours / accounts",
        "SELECT count(), round(sum(watch_seconds) / 3600), uniqExact(account_id) FROM marts.fct_viewing_sessions",
    ),
    (
        "Viewing: most watched channel (client, channel, hours)",
        "SELECT client_id, channel_id, round(sum(watch_seconds) / 3600) AS h FROM marts.agg_viewing_channel_daily"
        " GROUP BY client_id, channel_id ORDER BY h DESC, client_id, channel_id LIMIT 1",
    ),
    (
        "Billing: payments by currency (count, amount)",
        "SELECT currency, sum(payments_count), sum(payments_amount) FROM marts.agg_billing_daily_payments"
        " GROUP BY currency ORDER BY currency",
    ),
    (
        "Billing: customers on the last day per operator (total, active, new, churned, paying)",
        "SELECT client_id, total_customers, active_customers, new_customers, churned_customers, paying_customers"
        " FROM marts.agg_billing_customer_dynamics_daily"
        " WHERE period_date = (SELECT max(period_date) FROM marts.agg_billing_customer_dynamics_daily)"
        " ORDER BY client_id",
    ),
    (
        "Premier: revenue allocated to titles / unallocated, by currency",
        "SELECT currency, sumIf(alloc_revenue, tv_id != 0), sumIf(alloc_revenue, tv_id = 0)"
        " FROM marts.content_dash_table_till_user_driver_allocation_from_2020_history GROUP BY currency ORDER BY currency",
    ),
    (
        "Payments: shop balances (merchant, shop, currency, closing balance)",
        "SELECT merchant_id, shop_id, currency_code, argMax(closing_balance, day)"
        " FROM marts.agg_payments_shop_accounting_daily GROUP BY merchant_id, shop_id, currency_code"
        " ORDER BY merchant_id, shop_id, currency_code LIMIT 6",
    ),
    (
        "Payments: captured / failed / conversion",
        "SELECT countIf(status = 'captured'), countIf(status = 'failed'),"
        " round(countIf(status = 'captured') / nullIf(countIf(status IN ('captured', 'failed')), 0), 3)"
        " FROM marts.fct_payments",
    ),
    (
        "Events: views / registrations / check-ins",
        "SELECT sum(totalViews), sum(totalRegistrations), sum(checkedIn) FROM marts.agg_events_dashboard WHERE breakdown = 'total'",
    ),
    (
        "Quarantine: records by reason",
        "SELECT source, reason, count() FROM raw.quarantine GROUP BY source, reason ORDER BY source, reason",
    ),
]


def mart_row_counts(conn: WarehouseConnection) -> dict[str, int]:
    tables = conn.query_arrow(
        "SELECT name, total_rows FROM system.tables WHERE database = 'marts' AND engine NOT LIKE '%View' ORDER BY name"
    )
    return dict(zip(tables.column("name").to_pylist(), tables.column("total_rows").to_pylist(), strict=True))


def summary_text(conn: WarehouseConnection) -> str:
    counts = " · ".join(f"{name} {rows or 0:,}" for name, rows in mart_row_counts(conn).items())
    lines = [
        "Rows per mart (database marts):",
        *textwrap.wrap(counts, 110, initial_indent="  ", subsequent_indent="  "),
    ]
    for title, sql in HEADLINES:
        rows = conn.query_arrow(sql).to_pylist()
        lines.append(f"{title}:")
        lines += ["  " + " | ".join(str(v) for v in row.values()) for row in rows] or ["  (none)"]
    return "\n".join(lines)
