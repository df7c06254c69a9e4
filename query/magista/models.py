"""Model queries (payments, invoices, payouts, chargebacks): filters, ordering by creation time, paging.

Paging is keyset paging: a continuation token holds the last row's sort key (created_at, invoice, entity id)
and a fingerprint of the query, so the next page starts exactly after it however many rows land meanwhile;
`from` (an offset) is for the first page only.
"""

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from query.magista.sql_params import timestamp_param

MODEL_QUERIES = ("payments", "invoices", "payouts", "chargebacks")
PAYMENT_FILTERS = (
    "payment_email",
    "payment_flow",
    "payment_method",
    "payment_terminal_provider",
    "payment_ip",
    "payment_fingerprint",
    "payment_pan_mask",
    "payment_customer_id",
    "payment_amount",
    "payment_status",
)
ALLOWED = {
    "payments": {"merchant_id", "shop_id", "payment_id", "invoice_id", "from_time", "to_time", *PAYMENT_FILTERS},
    "invoices": {
        "merchant_id",
        "shop_id",
        "payment_id",
        "invoice_id",
        "from_time",
        "to_time",
        *PAYMENT_FILTERS,
        "invoice_amount",
        "invoice_status",
    },
    "payouts": {
        "merchant_id",
        "shop_id",
        "payout_id",
        "from_time",
        "to_time",
        "payout_status",
        "payout_statuses",
        "payout_type",
    },
    "chargebacks": {
        "merchant_id",
        "shop_ids",
        "invoice_id",
        "payment_id",
        "chargeback_id",
        "from_time",
        "to_time",
        "chargeback_statuses",
        "chargeback_categories",
        "chargeback_stages",
    },
}


class ModelParams(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    merchant_id: str = Field(min_length=1, max_length=256)
    shop_id: str | None = None
    shop_ids: list[str] | None = None
    payment_id: str | None = None
    invoice_id: str | None = None
    chargeback_id: str | None = None
    payout_id: str | None = None
    from_time: datetime | None = None
    to_time: datetime | None = None
    payment_email: str | None = Field(default=None, min_length=1)
    payment_flow: str | None = None
    payment_method: str | None = None
    payment_terminal_provider: str | None = None
    payment_ip: str | None = None
    payment_fingerprint: str | None = None
    payment_pan_mask: str | None = Field(default=None, pattern=r"^[\d*]+$")
    payment_customer_id: str | None = None
    payment_amount: int | None = Field(default=None, ge=0)
    invoice_amount: int | None = Field(default=None, ge=0)
    payment_status: str | None = None
    invoice_status: str | None = None
    payout_status: str | None = None
    payout_statuses: list[str] | None = None
    payout_type: str | None = None
    chargeback_statuses: list[str] | None = None
    chargeback_categories: list[str] | None = None
    chargeback_stages: list[str] | None = None

    @field_validator("from_time", "to_time", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise ValueError("must be an ISO 8601 UTC timestamp string")
        return value

    @field_validator("from_time", "to_time")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset().total_seconds() != 0:
            raise ValueError("must be in UTC (end with Z or +00:00)")
        return value.astimezone(UTC)


# query type -> (table alias and FROM, entity id column, {parameter: SQL condition})
def _payment_conditions(alias: str) -> dict[str, str]:
    return {
        "payment_email": f"positionCaseInsensitiveUTF8(ifNull({alias}.payment_email, ''), {{payment_email:String}}) > 0",
        "payment_flow": f"{alias}.payment_flow = {{payment_flow:String}}",
        "payment_method": f"{alias}.payment_method = {{payment_method:String}}",
        "payment_terminal_provider": f"{alias}.payment_terminal_provider = {{payment_terminal_provider:String}}",
        "payment_ip": f"{alias}.payment_ip = {{payment_ip:String}}",
        "payment_fingerprint": f"{alias}.payment_fingerprint = {{payment_fingerprint:String}}",
        "payment_pan_mask": f"{alias}.payment_pan_mask LIKE {{payment_pan_mask:String}}",
        "payment_customer_id": f"{alias}.payment_customer_id = {{payment_customer_id:String}}",
        "payment_amount": f"{alias}.amount = {{payment_amount:Int64}}",
        "payment_status": f"{alias}.status = {{payment_status:String}}",
    }


def _common(alias: str, entity: str | None) -> dict[str, str]:
    conditions = {
        "merchant_id": f"{alias}.merchant_id = {{merchant_id:String}}",
        "shop_id": f"{alias}.shop_id = {{shop_id:String}}",
        "from_time": f"{alias}.created_at >= {{from_time:DateTime64(3, 'UTC')}}",
        "to_time": f"{alias}.created_at < {{to_time:DateTime64(3, 'UTC')}}",
    }
    if entity:
        conditions[entity] = f"{alias}.{entity} = {{{entity}:String}}"
    return conditions


SOURCES: dict[str, tuple[str, str, list[str], dict[str, str]]] = {
    "payments": (
        "marts.fct_payments AS p",
        "p",
        ["invoice_id", "payment_id"],
        {**_common("p", "payment_id"), "invoice_id": "p.invoice_id = {invoice_id:String}", **_payment_conditions("p")},
    ),
    "invoices": (
        "marts.fct_invoices AS i",
        "i",
        ["invoice_id"],
        {
            **_common("i", "invoice_id"),
            "invoice_amount": "i.amount = {invoice_amount:Int64}",
            "invoice_status": "i.status = {invoice_status:String}",
        },
    ),
    "payouts": (
        "marts.fct_payouts AS o",
        "o",
        ["payout_id"],
        {
            **_common("o", "payout_id"),
            "payout_status": "o.status = {payout_status:String}",
            "payout_statuses": "o.status IN {payout_statuses:Array(String)}",
            "payout_type": "o.payout_type = {payout_type:String}",
        },
    ),
    "chargebacks": (
        "marts.fct_chargebacks AS c",
        "c",
        ["invoice_id", "chargeback_id"],
        {
            **_common("c", "chargeback_id"),
            "shop_ids": "c.shop_id IN {shop_ids:Array(String)}",
            "invoice_id": "c.invoice_id = {invoice_id:String}",
            "payment_id": "c.payment_id = {payment_id:String}",
            "chargeback_statuses": "c.status IN {chargeback_statuses:Array(String)}",
            "chargeback_categories": "c.chargeback_category IN {chargeback_categories:Array(String)}",
            "chargeback_stages": "c.chargeback_stage IN {chargeback_stages:Array(String)}",
        },
    ),
}
# invoices are filtered by their payments' fields through a subquery on the payments fact
INVOICE_PAYMENT_FILTERS = {**_payment_conditions("p"), "payment_id": "p.payment_id = {payment_id:String}"}


def compile_model_query(kind: str, params: ModelParams, size: int, offset: int, after: list | None) -> tuple[str, dict]:
    table, alias, keys, conditions = SOURCES[kind]
    given = {name: value for name, value in params.model_dump().items() if value is not None}
    bound: dict[str, Any] = {}
    where: list[str] = []
    payment_where: list[str] = []
    for name, value in given.items():
        bound[name] = _bind(name, value)
        if kind == "invoices" and name in INVOICE_PAYMENT_FILTERS:
            payment_where.append(INVOICE_PAYMENT_FILTERS[name])
        else:
            where.append(conditions[name])
    if payment_where:
        where.append(
            f"({alias}.invoice_id) IN (SELECT p.invoice_id FROM marts.fct_payments AS p WHERE {' AND '.join(payment_where)})"
        )
    order = [f"{alias}.created_at", *(f"{alias}.{k}" for k in keys)]
    if after is not None:
        bound["after_created_at"] = after[0]
        placeholders = ["{after_created_at:DateTime64(3, 'UTC')}"]
        for i, value in enumerate(after[1:]):
            bound[f"after_{i}"] = value
            placeholders.append(f"{{after_{i}:String}}")
        where.append(f"({', '.join(order)}) > ({', '.join(placeholders)})")
    sql = (
        f"SELECT * FROM {table}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY {', '.join(order)} LIMIT {{size:UInt64}} OFFSET {{offset:UInt64}}"
    )
    bound.update(size=size, offset=offset)
    return sql, bound


def _bind(name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp_param(value)
    if name == "payment_pan_mask":
        return value.replace("*", "_")  # digits and '_' only: nothing else can reach the LIKE pattern
    return value


def fingerprint(kind: str, params: ModelParams) -> str:
    return hashlib.sha256(json.dumps([kind, params.model_dump(mode="json")], sort_keys=True).encode()).hexdigest()[:16]


def make_token(kind: str, params: ModelParams, row: dict[str, Any]) -> str:
    _, _, keys, _ = SOURCES[kind]
    key = [timestamp_param(row["created_at"]), *(str(row[k]) for k in keys)]
    payload = json.dumps({"q": fingerprint(kind, params), "after": key}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def read_token(kind: str, params: ModelParams, token: str) -> list:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, query = payload["after"], payload["q"]
        datetime.strptime(after[0], "%Y-%m-%d %H:%M:%S.%f")
    except (ValueError, KeyError, TypeError, IndexError):
        raise ValueError("continuation_token is not valid") from None
    if query != fingerprint(kind, params):
        raise ValueError("continuation_token belongs to a different query")
    if not re.fullmatch(r".{0,256}", "".join(after[1:])) or len(after) != len(SOURCES[kind][2]) + 1:
        raise ValueError("continuation_token is not valid")
    return after
