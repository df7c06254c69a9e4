"""Searches (payments, invoices, refunds, payouts, chargebacks, enriched_payments, enriched_refunds): filters with
Magista's meaning, newest first, keyset paging.

A continuation token holds the last row's sort key (created_at, merchant, shop, invoice, entity id) and a
fingerprint of the request, so the next page starts exactly after it: rows created after the first page sort
before it and never appear in later pages or push rows out of them.
"""

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from query.magista.envelope import Envelope
from query.magista.errors import DslError
from query.magista.requests import Params
from query.magista.sql_params import timestamp_param
from warehouse.connection import WarehouseConnection


@dataclass(frozen=True)
class Source:
    table: str
    alias: str
    entity_keys: tuple[str, ...]  # after created_at, merchant and shop: what makes the order total


PAYMENTS = Source("marts.fct_payments", "p", ("invoice_id", "payment_id"))
INVOICES = Source("marts.fct_invoices", "i", ("invoice_id",))
REFUNDS = Source("marts.fct_refunds", "r", ("invoice_id", "refund_id"))
SOURCES = {
    "payments": PAYMENTS,
    "enriched_payments": PAYMENTS,
    "invoices": INVOICES,
    "refunds": REFUNDS,
    "enriched_refunds": REFUNDS,
    "payouts": Source("marts.fct_payouts", "o", ("payout_id",)),
    "chargebacks": Source("marts.fct_chargebacks", "c", ("invoice_id", "chargeback_id")),
}

# parameter: (column, operator, ClickHouse type of the bound value)
ENTITY_FILTERS = {
    "merchant_id": ("merchant_id", "=", "String"),
    "shop_id": ("shop_id", "=", "String"),
    "shop_ids": ("shop_id", "IN", "Array(String)"),
    "from_time": ("created_at", ">=", "DateTime64(3, 'UTC')"),
    "to_time": ("created_at", "<", "DateTime64(3, 'UTC')"),
    "invoice_id": ("invoice_id", "=", "String"),
    "invoice_ids": ("invoice_id", "IN", "Array(String)"),
    "refund_id": ("refund_id", "=", "String"),
    "chargeback_id": ("chargeback_id", "=", "String"),
    "payout_id": ("payout_id", "=", "String"),
    "external_id": ("external_id", "=", "String"),
    "invoice_status": ("status", "=", "String"),
    "invoice_amount": ("amount", "=", "Int64"),
    "refund_status": ("status", "=", "String"),
    "payout_status": ("status", "=", "String"),
    "payout_statuses": ("status", "IN", "Array(String)"),
    "chargeback_statuses": ("status", "IN", "Array(String)"),
    "chargeback_categories": ("chargeback_category", "IN", "Array(String)"),
    "chargeback_stages": ("chargeback_stage", "IN", "Array(String)"),
}
PAYMENT_FILTERS = {
    "payment_id": ("payment_id", "=", "String"),
    "payment_status": ("status", "=", "String"),
    "payment_flow": ("payment_flow", "=", "String"),
    "payment_method": ("payment_method", "=", "String"),
    "payment_terminal_provider": ("payment_terminal_provider", "=", "String"),
    "payment_token_provider": ("payment_token_provider", "=", "String"),
    "payment_system": ("payment_system", "=", "String"),
    "payment_ip": ("payment_ip", "=", "String"),
    "payment_fingerprint": ("payment_fingerprint", "=", "String"),
    "payment_customer_id": ("payment_customer_id", "=", "String"),
    "payment_rrn": ("payment_rrn", "=", "String"),
    "payment_approval_code": ("payment_approval_code", "=", "String"),
    "payment_first6": ("payment_first6", "=", "String"),
    "payment_bin": ("payment_first6", "=", "String"),
    "payment_last4": ("payment_last4", "=", "String"),
    "payment_last_digits": ("payment_last4", "=", "String"),
    "payment_provider_id": ("payment_provider_id", "=", "Int64"),
    "payment_terminal_id": ("payment_terminal_id", "=", "Int64"),
    "payment_amount": ("amount", "=", "Int64"),
    "payment_amount_from": ("amount", ">=", "Int64"),
    "payment_amount_to": ("amount", "<=", "Int64"),
    "payment_domain_revision": ("payment_domain_revision", "=", "Int64"),
    "from_payment_domain_revision": ("payment_domain_revision", ">=", "Int64"),
    "to_payment_domain_revision": ("payment_domain_revision", "<=", "Int64"),
}
MASKED_PAN = "concat(ifNull(p.payment_first6, ''), '******', ifNull(p.payment_last4, ''))"
# payment-level parameters written as expressions (alias p)
PAYMENT_EXPRESSIONS = {
    # the seed: "почта, полностью или частично" (the whole address or part of it), case-insensitive
    "payment_email": "positionCaseInsensitiveUTF8(ifNull(p.payment_email, ''), {payment_email:String}) > 0",
    # older clients: the masked card number, * standing for any one character
    **{name: f"{MASKED_PAN} LIKE {{{name}:String}}" for name in ("pan_mask", "payment_pan_mask")},
}
BANK_ACCOUNTS = ["russian_bank_account", "international_bank_account"]


def run_search(conn: WarehouseConnection, envelope: Envelope, params: Params, size: int) -> dict[str, Any]:
    """One page of a search: {"data": [...], "continuation_token": ...}."""
    kind = envelope.function
    source = SOURCES[kind]
    request = _fingerprint(kind, params, size)
    after = read_token(kind, source, request, envelope.continuation_token) if envelope.continuation_token else None
    sql, bound = compile_search(kind, params, size, after)
    rows = conn.query_arrow(sql, bound).to_pylist()
    token = make_token(source, request, rows[-1]) if rows and len(rows) == size else None
    if kind == "enriched_payments":
        data = _enrich_payments(conn, rows)
    elif kind == "enriched_refunds":
        data = _enrich_refunds(conn, rows)
    else:
        data = [as_text(row) for row in rows]
    return {"data": data, "continuation_token": token}


def compile_search(kind: str, params: Params, size: int, after: list | None) -> tuple[str, dict[str, Any]]:
    source = SOURCES[kind]
    a = source.alias
    given = params.model_dump(exclude_none=True, exclude={"shop_category_ids"})
    bound: dict[str, Any] = {}
    where: list[str] = []
    payment_where: list[str] = []
    for name, value in given.items():
        if name == "exclude":
            if value["shop_id"]:
                bound["exclude_shop_id"] = value["shop_id"]
                where.append(f"{a}.shop_id NOT IN {{exclude_shop_id:Array(String)}}")
            continue
        if name == "payout_type":
            bound[name] = BANK_ACCOUNTS if value == "bank_account" else [value]
            where.append(f"{a}.payout_type IN {{payout_type:Array(String)}}")
            continue
        bound[name] = _bind(name, value)
        if kind == "invoices" and name in PAYMENT_FILTERS | PAYMENT_EXPRESSIONS:
            payment_where.append(PAYMENT_EXPRESSIONS.get(name) or _condition("p", name, PAYMENT_FILTERS[name]))
        elif name in PAYMENT_EXPRESSIONS:  # payments and enriched_payments, whose alias is p
            where.append(PAYMENT_EXPRESSIONS[name])
        else:
            where.append(_condition(a, name, ENTITY_FILTERS.get(name) or PAYMENT_FILTERS[name]))
    if payment_where:
        # invoices that have a matching payment created within the same time range
        for name in ("from_time", "to_time"):
            if name in given:
                payment_where.append(_condition("p", name, ENTITY_FILTERS[name]))
        where.append(
            f"({a}.merchant_id, {a}.shop_id, {a}.invoice_id) IN (SELECT p.merchant_id, p.shop_id, ifNull(p.invoice_id, '')"
            f" FROM marts.fct_payments AS p WHERE {' AND '.join(payment_where)})"
        )
    order = _sort_key(source)
    if after is not None:
        bound["after_created_at"] = after[0]
        placeholders = ["{after_created_at:DateTime64(3, 'UTC')}"]
        for i, value in enumerate(after[1:]):
            bound[f"after_{i}"] = value
            placeholders.append(f"{{after_{i}:String}}")
        where.append(f"({', '.join(order)}) < ({', '.join(placeholders)})")
    sql = (
        f"SELECT * FROM {source.table} AS {a}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY {', '.join(f'{column} DESC' for column in order)} LIMIT {{size:UInt64}}"
    )
    bound["size"] = size
    return sql, bound


def _condition(alias: str, name: str, spec: tuple[str, str, str]) -> str:
    column, operator, kind = spec
    return f"{alias}.{column} {operator} {{{name}:{kind}}}"


def _sort_key(source: Source) -> list[str]:
    a = source.alias
    return [
        f"{a}.created_at",
        f"{a}.merchant_id",
        f"{a}.shop_id",
        *(f"ifNull({a}.{key}, '')" for key in source.entity_keys),
    ]


def _bind(name: str, value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp_param(value)
    if name in ("pan_mask", "payment_pan_mask"):
        # every character literal but *, which stands for any one character
        literal = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return literal.replace("*", "_")
    return value


def _fingerprint(kind: str, params: Params, size: int) -> str:
    """The request a token belongs to: the function, its validated parameters and the page size (wherever the
    request put them)."""
    text = json.dumps([kind, params.model_dump(mode="json"), size], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_token(source: Source, request: str, row: dict[str, Any]) -> str:
    key = [
        timestamp_param(row["created_at"]),
        row["merchant_id"],
        row["shop_id"],
        *(row[k] or "" for k in source.entity_keys),
    ]
    payload = json.dumps({"q": request, "after": key}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def read_token(kind: str, source: Source, request: str, token: str) -> list:
    try:
        payload = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()))
        after, query = payload["after"], payload["q"]
        datetime.strptime(after[0], "%Y-%m-%d %H:%M:%S.%f")
        valid = len(after) == 3 + len(source.entity_keys) and all(isinstance(v, str) and len(v) < 512 for v in after)
    except (ValueError, KeyError, TypeError, IndexError):
        valid = False
    if not valid:
        raise DslError(f"{kind}: continuation_token is not valid (send the token of the previous page)")
    if query != request:
        raise DslError(
            f"{kind}: continuation_token belongs to a different query"
            " (send the same request, size included, with the token)"
        )
    return after


def _enrich_payments(conn: WarehouseConnection, payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each payment with its invoice, refunds and chargebacks."""
    ids = sorted({p["invoice_id"] for p in payments if p["invoice_id"] is not None})
    invoices = _by_invoice(conn, "marts.fct_invoices", ids)
    refunds = _by_invoice(conn, "marts.fct_refunds", ids)
    chargebacks = _by_invoice(conn, "marts.fct_chargebacks", ids)
    data = []
    for payment in payments:
        key = (payment["merchant_id"], payment["shop_id"], payment["invoice_id"] or "")
        invoice = invoices.get(key, [])
        data.append(
            {
                "payment": as_text(payment),
                "invoice": as_text(invoice[0]) if invoice else None,
                "refunds": [as_text(r) for r in refunds.get(key, []) if r["payment_id"] == payment["payment_id"]],
                "chargebacks": [
                    as_text(c) for c in chargebacks.get(key, []) if c["payment_id"] == payment["payment_id"]
                ],
            }
        )
    return data


def _enrich_refunds(conn: WarehouseConnection, refunds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each refund with its payment and invoice."""
    ids = sorted({r["invoice_id"] for r in refunds})
    invoices = _by_invoice(conn, "marts.fct_invoices", ids)
    payments = _by_invoice(conn, "marts.fct_payments", ids)
    data = []
    for refund in refunds:
        key = (refund["merchant_id"], refund["shop_id"], refund["invoice_id"])
        payment = [p for p in payments.get(key, []) if p["payment_id"] == refund["payment_id"]]
        invoice = invoices.get(key, [])
        data.append(
            {
                "refund": as_text(refund),
                "payment": as_text(payment[0]) if payment else None,
                "invoice": as_text(invoice[0]) if invoice else None,
            }
        )
    return data


def _by_invoice(conn: WarehouseConnection, table: str, invoice_ids: list[str]) -> dict[tuple, list[dict[str, Any]]]:
    rows = conn.query_arrow(
        f"SELECT * FROM {table} WHERE ifNull(invoice_id, '') IN {{ids:Array(String)}} ORDER BY created_at",
        {"ids": invoice_ids},
    ).to_pylist()
    found: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault((row["merchant_id"], row["shop_id"], row["invoice_id"] or ""), []).append(row)
    return found


def as_text(row: dict[str, Any]) -> dict[str, str | None]:
    """A row as Magista answers it: every value as text, times as ISO 8601 UTC with milliseconds."""
    return {name: value_text(value) for name, value in row.items()}


def value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timestamp_param(value).replace(" ", "T") + "Z"
    if isinstance(value, float):
        return repr(round(value, 10)) if value != int(value) else f"{value:.1f}"
    return str(value)
