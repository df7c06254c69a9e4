"""shop_accounting_report: funds acquired, fee charged and balances per merchant, shop and currency.

Whole UTC days come from the daily accounting mart; the partial days at either end of [from_time, to_time)
and the part of from_time's day before it come from the movements fact, so any window is exact and a report
over years reads a few rows per shop and day.
"""

from datetime import UTC, datetime, timedelta

from query.magista.requests import ShopAccountingParams
from query.magista.sql_params import timestamp_param
from warehouse.connection import WarehouseConnection

LATEST_DAY = datetime(2149, 1, 1, tzinfo=UTC)
FIGURES = ("funds_acquired", "fee_charged", "funds_refunded", "funds_charged_back", "funds_paid_out")
FIELDS = ("merchant_id", "shop_id", "currency_code", *FIGURES, "opening_balance", "closing_balance")

_SQL = """
SELECT merchant_id, shop_id, currency_code, {sums}, sum(opening) AS opening_balance,
    opening_balance + sum(in_window_change) AS closing_balance
FROM (
    SELECT d.merchant_id AS merchant_id, d.shop_id AS shop_id, d.currency_code AS currency_code,
        d.day >= {{first_whole_day:Date}} AS in_window, {daily_figures},
        if(in_window, 0, d.balance_change) AS opening, if(in_window, d.balance_change, 0) AS in_window_change
    FROM marts.agg_payments_shop_accounting_daily AS d
    WHERE d.day < {{from_day:Date}} OR (d.day >= {{first_whole_day:Date}} AND d.day < {{to_day:Date}})
    UNION ALL
    SELECT m.merchant_id, m.shop_id, m.currency_code,
        m.moved_at >= {{from_time:DateTime64(3, 'UTC')}} AS in_window, {movement_figures},
        if(in_window, 0, m.balance_change), if(in_window, m.balance_change, 0)
    FROM marts.fct_payments_balance_movements AS m
    WHERE m.moved_at >= {{from_day_start:DateTime64(3, 'UTC')}} AND m.moved_at < {{to_time:DateTime64(3, 'UTC')}}
        AND (m.moved_at < {{first_whole_day_start:DateTime64(3, 'UTC')}}
            OR m.moved_at >= greatest({{to_day_start:DateTime64(3, 'UTC')}}, {{first_whole_day_start:DateTime64(3, 'UTC')}}))
)
WHERE (empty({{merchants:Array(String)}}) OR merchant_id IN {{merchants:Array(String)}})
    AND (empty({{shops:Array(String)}}) OR shop_id IN {{shops:Array(String)}})
    AND (merchant_id, shop_id) NOT IN (
    SELECT merchant_id, shop_id FROM marts.dim_payments_shops
    WHERE category_id IS NOT NULL AND has({{excluded:Array(UInt32)}}, assumeNotNull(category_id))
)
GROUP BY merchant_id, shop_id, currency_code
HAVING opening_balance != 0 OR countIf(in_window) > 0
ORDER BY merchant_id, shop_id, currency_code
"""


def shop_accounting_sql() -> str:
    return _SQL.format(
        sums=", ".join(f"sumIf({f}, in_window) AS {f}" for f in FIGURES),
        daily_figures=", ".join(f"d.{f} AS {f}" for f in FIGURES),
        movement_figures=", ".join(f"m.{f}" for f in FIGURES),
    )


def shop_accounting_report(conn: WarehouseConnection, params: ShopAccountingParams) -> list[dict[str, str]]:
    end = min(params.to_time, LATEST_DAY)  # far-future ends (Magista's tests send 3018) within Date's range
    start = min(params.from_time, end)
    from_day_start = datetime(start.year, start.month, start.day, tzinfo=UTC)
    first_whole_day_start = from_day_start if start == from_day_start else from_day_start + timedelta(days=1)
    to_day_start = datetime(end.year, end.month, end.day, tzinfo=UTC)
    rows = conn.query_arrow(
        shop_accounting_sql(),
        {
            "from_day": from_day_start.date().isoformat(),
            "first_whole_day": first_whole_day_start.date().isoformat(),
            "to_day": to_day_start.date().isoformat(),
            "from_time": timestamp_param(start),
            "to_time": timestamp_param(end),
            "from_day_start": timestamp_param(from_day_start),
            "first_whole_day_start": timestamp_param(first_whole_day_start),
            "to_day_start": timestamp_param(to_day_start),
            "excluded": params.without_shop_category_ids,
            "merchants": [params.merchant_id] if params.merchant_id else [],
            "shops": [params.shop_id] if params.shop_id is not None else params.shop_ids or [],
        },
    ).to_pylist()
    return [{name: str(row[name]) for name in FIELDS} for row in rows]
