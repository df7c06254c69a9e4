"""Numbers and text as a Russian reader expects them in a Telegram HTML message."""

import html
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€"}


def number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """1234567.891 -> '1 234 567,89' (non-breaking spaces between thousands, decimal comma); None -> '—'."""
    if value is None:
        return "—"
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "−" if exact < 0 else ""
    whole, _, fraction = f"{abs(exact):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NBSP.join(groups) or "0"
    return sign + text + ("," + fraction if fraction else "")


def money(value: Decimal | float | int | None, currency: str) -> str:
    """An amount with two decimals and its currency sign (or code)."""
    return f"{number(value, 2)}{NBSP}{CURRENCY_SIGNS.get(currency, currency)}"


def percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{number(ratio * 100, 1)}{NBSP}%"


def escape(text: object) -> str:
    return html.escape(str(text), quote=False)


def bold(text: object) -> str:
    return f"<b>{escape(text)}</b>"
