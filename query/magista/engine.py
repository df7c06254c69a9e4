"""Compile statistics requests to SQL with bound parameters and shape the answers as Magista does.

Buckets lie on a fixed grid: multiples of split_interval from `origin` (the Unix epoch by default). Bucket k
is the k-th grid interval that [from_time, to_time) touches and its offset is k * split_interval; it holds
only payments inside [from_time, to_time). The same payments therefore always share a bucket, whatever window
is asked (Magista bucketed by trunc((created_at - from_time) / split), which moved payments between buckets
when from_time moved by seconds).
"""

import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from query.magista.accounting import shop_accounting_report
from query.magista.envelope import Envelope, open_envelope, read_json
from query.magista.errors import DslError
from query.magista.requests import FUNCTIONS, SEARCHES, ShopAccountingParams, StatisticsParams
from query.magista.searches import run_search, value_text
from query.magista.sql_params import timestamp_param
from query.magista.values import validate
from warehouse.connection import WarehouseConnection


@dataclass(frozen=True)
class DslSettings:
    origin: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    max_size: int = 1000  # Magista's limit, and the page size when none is given

    @classmethod
    def from_env(cls) -> "DslSettings":
        origin = os.environ.get("OTT_MAGISTA_GRID_ORIGIN")
        return cls(
            origin=datetime.fromisoformat(origin.replace("Z", "+00:00")) if origin else cls.origin,
            max_size=int(os.environ.get("OTT_MAGISTA_MAX_SIZE", cls.max_size)),
        )


# per statistic: (key columns, value columns, filter on the merged row)
AMOUNTS = [("amount_with_fee", "captured_amount - captured_fee"), ("amount_without_fee", "captured_amount")]
SHAPES: dict[str, tuple[list[str], list[tuple[str, str]], str]] = {
    "payments_turnover": (["currency_symbolic_code"], AMOUNTS, "captured_count > 0"),
    "payments_geo_stat": (["city_id", "country_id", "currency_symbolic_code"], AMOUNTS, "captured_count > 0"),
    "payments_pmt_cards_stat": (
        ["payment_system"],
        [("total_count", "captured_count"), *AMOUNTS],
        "captured_count > 0",
    ),
    "payments_conversion_stat": (
        [],
        [
            ("successful_count", "captured_count"),
            ("total_count", "captured_count + failed_count"),
            (
                "conversion",
                "if(captured_count + failed_count = 0, 0, captured_count / (captured_count + failed_count))",
            ),
        ],
        "captured_count + failed_count > 0",
    ),
    "customers_rate_stat": ([], [("unic_count", "payers")], "payers > 0"),
}
# the merged measures, from the minute aggregate or straight from the payments fact
MINUTE_MEASURES = {
    "captured_count": "sum(captured_count)",
    "failed_count": "sum(failed_count)",
    "captured_amount": "sum(captured_amount)",
    "captured_fee": "sum(captured_fee)",
    "payers": "uniqExactMerge(payers_state)",
}
FACT_MEASURES = {
    "captured_count": "countIf(reached_captured)",
    "failed_count": "countIf(status = 'failed')",
    "captured_amount": "sumIf(amount, reached_captured)",
    "captured_fee": "sumIf(fee, reached_captured)",
    "payers": "uniqExactIf(payer, reached_captured AND payer IS NOT NULL)",
}
FACT_DIMENSIONS = {
    "currency_symbolic_code": "ifNull(currency_symbolic_code, '')",
    "city_id": "ifNull(city_id, 0)",
    "country_id": "ifNull(country_id, 0)",
    "payment_system": "ifNull(payment_system, '')",
}


def grid_index(moment: datetime, origin: datetime, split: int) -> int:
    return math.floor((moment - origin).total_seconds() / split)


def run_query(
    conn: WarehouseConnection,
    body: str | dict,
    settings: DslSettings | None = None,
    exact: bool = False,
    continuation_token: str | None = None,
) -> list[dict[str, str]] | dict[str, Any]:
    """Answer a request: statistics as a list of buckets, the shop accounting report as a list of shops,
    searches as {"data": [...], "continuation_token": ...}. The token of a full page may come here (as Magista's
    clients send it, beside the DSL) or inside the request. `exact=True` computes statistics from the payments
    fact even when the minute aggregate could serve the request (both give the same answer; tests compare them)."""
    settings = settings or DslSettings()
    envelope = open_envelope(read_json(body) if isinstance(body, str) else body, FUNCTIONS, continuation_token)
    if envelope.function in SEARCHES:
        params = validate(SEARCHES[envelope.function], envelope.function, envelope.params)
        return run_search(conn, envelope, params, _page_size(envelope, settings))
    if envelope.continuation_token is not None:
        raise DslError(f"{envelope.function}: a continuation token is only for searches; this answer has no pages")
    if envelope.function == "shop_accounting_report":
        return shop_accounting_report(conn, validate(ShopAccountingParams, envelope.function, envelope.params))
    return _run_statistics(conn, envelope, settings, exact)


def _page_size(envelope: Envelope, settings: DslSettings) -> int:
    if envelope.size is None:
        return settings.max_size
    if envelope.size > settings.max_size:
        raise DslError(f"Size must be less or equals to {settings.max_size} but was {envelope.size}")
    if envelope.size < 0:
        raise DslError(f"Field:size has incorrect value: {envelope.size} (0 to {settings.max_size})")
    return envelope.size


def _run_statistics(
    conn: WarehouseConnection, envelope: Envelope, settings: DslSettings, exact: bool
) -> list[dict[str, str]]:
    params: StatisticsParams = validate(StatisticsParams, envelope.function, envelope.params)
    # only buckets with payments are answered, so a long window with a short split costs what its data costs
    first = grid_index(params.from_time, settings.origin, params.split_interval)
    keys, values, having = SHAPES[envelope.function]
    use_minutes = not exact and _minute_aligned(params, settings)
    source, time_column, measures = (
        ("marts.agg_payments_minute", "minute", MINUTE_MEASURES)
        if use_minutes
        else ("marts.fct_payments", "created_at", FACT_MEASURES)
    )
    dimensions = [k if use_minutes else f"{FACT_DIMENSIONS[k]} AS {k}" for k in keys]
    bucket = f"(toInt64(floor((toUnixTimestamp({time_column}) - {{origin:Int64}}) / {{split:Int64}})) - {{first:Int64}}) * {{split:Int64}}"
    names = ["offset", *keys, *(name for name, _ in values)]
    # text made in SQL (only the conversion ratio is shaped in Python); positional aliases keep ORDER BY on
    # the numeric columns (an alias named like its column would shadow it)
    texts = ", ".join(f"{_as_text(name)} AS _{i}" for i, name in enumerate(names))
    scope, bound = _scope(params)
    sql = (
        f"SELECT {texts} FROM ("
        f" SELECT offset, {', '.join([*keys, *(f'{expr} AS {name}' for name, expr in values)])} FROM ("
        f" SELECT {bucket} AS offset, {', '.join([*dimensions, *(f'{expr} AS {name}' for name, expr in measures.items())])}"
        f" FROM {source}"
        f" WHERE {scope}"
        f" AND {time_column} >= {{from_time:DateTime64(3, 'UTC')}} AND {time_column} < {{to_time:DateTime64(3, 'UTC')}}"
        f" GROUP BY {', '.join(['offset', *keys])}"
        f") WHERE {having}) ORDER BY {', '.join(['offset', *keys])}"
    )
    rows = conn.query_arrow(
        sql,
        {
            "origin": int(settings.origin.timestamp()),
            "split": params.split_interval,
            "first": first,
            **bound,
            "from_time": timestamp_param(params.from_time),
            "to_time": timestamp_param(params.to_time),
        },
    )
    columns = [
        [value_text(v) for v in column.to_pylist()] if column.type == pa.float64() else column.to_pylist()
        for column in rows.columns
    ]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _scope(params: StatisticsParams) -> tuple[str, dict[str, Any]]:
    """The merchant, and its shop or shops when given (a merchant's whole turnover otherwise)."""
    if params.shop_id is not None:
        return "merchant_id = {merchant:String} AND shop_id = {shop:String}", {
            "merchant": params.merchant_id,
            "shop": params.shop_id,
        }
    if params.shop_ids is not None:
        return "merchant_id = {merchant:String} AND shop_id IN {shops:Array(String)}", {
            "merchant": params.merchant_id,
            "shops": params.shop_ids,
        }
    return "merchant_id = {merchant:String}", {"merchant": params.merchant_id}


def _as_text(name: str) -> str:
    return name if name == "conversion" else f"toString({name})"


def _minute_aligned(params: StatisticsParams, settings: DslSettings) -> bool:
    def aligned(moment: datetime) -> bool:
        return moment.second == 0 and moment.microsecond == 0

    return (
        params.split_interval % 60 == 0
        and aligned(settings.origin)
        and aligned(params.from_time)
        and aligned(params.to_time)
    )
