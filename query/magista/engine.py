"""Compile statistics requests to SQL with bound parameters and shape the answers as Magista does.

Buckets lie on a fixed grid: multiples of split_interval from `origin` (the Unix epoch by default). Bucket k
is the k-th grid interval that [from_time, to_time) touches and its offset is k * split_interval; it holds
only payments inside [from_time, to_time). The same payments therefore always share a bucket, whatever window
is asked (Magista bucketed by trunc((created_at - from_time) / split), which moved payments between buckets
when from_time moved by seconds).
"""

import json
import math
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from query.magista.accounting import shop_accounting_report
from query.magista.models import ALLOWED, MODEL_QUERIES, ModelParams, compile_model_query, make_token, read_token
from query.magista.requests import Request, StatisticsParams
from query.magista.sql_params import timestamp_param
from warehouse.connection import WarehouseConnection


class DslError(ValueError):
    """A request the DSL cannot answer, with a message saying why."""


@dataclass(frozen=True)
class DslSettings:
    origin: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    max_buckets: int = 100_000
    default_size: int = 100
    max_size: int = 1000

    @classmethod
    def from_env(cls) -> "DslSettings":
        origin = os.environ.get("OTT_MAGISTA_GRID_ORIGIN")
        return cls(
            origin=datetime.fromisoformat(origin.replace("Z", "+00:00")) if origin else cls.origin,
            max_buckets=int(os.environ.get("OTT_MAGISTA_MAX_BUCKETS", cls.max_buckets)),
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


def parse(body: str | dict) -> Request:
    try:
        payload = json.loads(body) if isinstance(body, str) else body
    except json.JSONDecodeError as exc:
        raise DslError(f"the request is not JSON: {exc}") from None
    try:
        return Request.model_validate(payload)
    except ValidationError as exc:
        raise DslError(_message(exc)) from None


def statistics_params(request: Request) -> StatisticsParams:
    try:
        return request.statistics_params()
    except ValidationError as exc:
        raise DslError(f"{request.query_type}: {_message(exc)}") from None


def _message(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "request"
        text = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {'unknown parameter' if error['type'] == 'extra_forbidden' else text}")
    return "; ".join(parts)


def grid_index(moment: datetime, origin: datetime, split: int) -> int:
    return math.floor((moment - origin).total_seconds() / split)


def run_query(
    conn: WarehouseConnection, body: str | dict, settings: DslSettings | None = None, exact: bool = False
) -> list[dict[str, str]] | dict[str, Any]:
    """Answer a request: statistics as a list of buckets, the shop accounting report as a list of shops,
    model queries as {"data": [...], "continuation_token": ...}. `exact=True` computes statistics from the payments fact even when the minute
    aggregate could serve the request (both give the same answer; tests compare them)."""
    settings = settings or DslSettings()
    request = parse(body)
    if request.query_type in MODEL_QUERIES:
        return _run_model_query(conn, request, settings)
    if request.query_type == "shop_accounting_report":
        try:
            params = request.shop_accounting_params()
        except ValidationError as exc:
            raise DslError(f"{request.query_type}: {_message(exc)}") from None
        return shop_accounting_report(conn, params)
    return _run_statistics(conn, request, settings, exact)


def _run_model_query(conn: WarehouseConnection, request: Request, settings: DslSettings) -> dict[str, Any]:
    kind = request.query_type
    raw = request.query[kind]
    unknown = sorted(set(raw) - ALLOWED[kind]) if isinstance(raw, dict) else []
    if unknown:
        raise DslError(f"{kind}: {', '.join(unknown)}: unknown parameter")
    try:
        params = ModelParams.model_validate(raw)
        paging = request.paging()
    except ValidationError as exc:
        raise DslError(f"{kind}: {_message(exc)}") from None
    size = paging.size or settings.default_size
    if size > settings.max_size:
        raise DslError(f"{kind}: size {size} is over the maximum of {settings.max_size}")
    after = None
    if paging.continuation_token:
        if paging.offset:
            raise DslError(f"{kind}: from cannot be combined with continuation_token")
        try:
            after = read_token(kind, params, paging.continuation_token)
        except ValueError as exc:
            raise DslError(f"{kind}: {exc}") from None
    sql, bound = compile_model_query(kind, params, size, paging.offset, after)
    rows = conn.query_arrow(sql, bound).to_pylist()
    return {
        "data": [{name: _model_text(value) for name, value in row.items()} for row in rows],
        "continuation_token": make_token(kind, params, rows[-1]) if len(rows) == size else None,
    }


def _model_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return answer_text(value)


def _run_statistics(
    conn: WarehouseConnection, request: Request, settings: DslSettings, exact: bool
) -> list[dict[str, str]]:
    params = statistics_params(request)
    first = grid_index(params.from_time, settings.origin, params.split_interval)
    last = grid_index(params.to_time - timedelta(milliseconds=1), settings.origin, params.split_interval)
    if last - first + 1 > settings.max_buckets:
        raise DslError(
            f"{request.query_type}: {last - first + 1} buckets of {params.split_interval} s exceed the limit of {settings.max_buckets}"
        )
    keys, values, having = SHAPES[request.query_type]
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
    sql = (
        f"SELECT {texts} FROM ("
        f" SELECT offset, {', '.join([*keys, *(f'{expr} AS {name}' for name, expr in values)])} FROM ("
        f" SELECT {bucket} AS offset, {', '.join([*dimensions, *(f'{expr} AS {name}' for name, expr in measures.items())])}"
        f" FROM {source}"
        f" WHERE merchant_id = {{merchant:String}} AND shop_id = {{shop:String}}"
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
            "merchant": params.merchant_id,
            "shop": params.shop_id,
            "from_time": timestamp_param(params.from_time),
            "to_time": timestamp_param(params.to_time),
        },
    )
    columns = [
        [answer_text(v) for v in column.to_pylist()] if column.type == pa.float64() else column.to_pylist()
        for column in rows.columns
    ]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


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


def answer_text(value: Any) -> str:
    """A value as Magista writes it: text; whole floats keep one decimal (1.0)."""
    if isinstance(value, float):
        return repr(round(value, 10)) if value != int(value) else f"{value:.1f}"
    return str(value)
