"""Each DSL function's parameters, validated with pydantic as Magista's last version validates them (see
`../shared/reference/magista_dsl.md`), except that unknown names and unknown values of enumerated parameters
are errors that list the valid ones (Magista ignores them, silently dropping the filter)."""

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from query.magista.values import Instant, Params, Text, Whole, instant_text

STATISTICS = (
    "payments_turnover",
    "payments_geo_stat",
    "payments_pmt_cards_stat",
    "payments_conversion_stat",
    "customers_rate_stat",
)

PaymentStatus = Literal["pending", "processed", "captured", "cancelled", "failed", "refunded", "charged_back"]
PaymentMethod = Literal["bank_card", "payment_terminal", "digital_wallet", "crypto_currency", "mobile_commerce"]
InvoiceStatus = Literal["unpaid", "paid", "cancelled", "fulfilled"]
RefundStatus = Literal["pending", "succeeded", "failed"]
PayoutStatus = Literal["unpaid", "paid", "cancelled", "confirmed"]
PayoutType = Literal[
    "bank_account",  # a Russian or an international bank account
    "wallet_info",
    "payment_institution_account",
    "russian_bank_account",
    "international_bank_account",
]
ChargebackStatus = Literal["pending", "accepted", "rejected", "cancelled"]
ChargebackCategory = Literal["fraud", "dispute", "authorisation", "processing_error"]
ChargebackStage = Literal["chargeback", "pre_arbitration", "arbitration"]


class Scope(Params):
    """Every function: no scope (across merchants), a merchant, or a merchant's shop or shops."""

    merchant_id: Text | None = None
    shop_id: Text | None = None
    shop_ids: list[Text] | None = None
    shop_category_ids: list[Whole] | None = None  # accepted and ignored, as by Magista

    @model_validator(mode="after")
    def _scope(self) -> "Scope":
        if self.shop_id is not None and self.shop_ids is not None:
            raise ValueError("Need to specify only one parameter: shop_id or shop_ids")
        if not self.merchant_id and (self.shop_id or self.shop_ids):
            raise ValueError(
                "Validation failed for field: shop_id: when searching by shop_id/shop_ids, merchant_id must be set"
            )
        return self


class TimeRange(Params):
    """from_time (inclusive) and to_time (exclusive); equal times are a valid, empty range."""

    from_time: Instant | None = None
    to_time: Instant | None = None

    @model_validator(mode="after")
    def _range(self) -> "TimeRange":
        if self.from_time and self.to_time and self.from_time > self.to_time:
            raise ValueError(
                f"TimeRange is not valid [from: {instant_text(self.from_time)}, to: {instant_text(self.to_time)}]"
            )
        return self


class Exclude(Params):
    shop_id: list[Text] = Field(default=[])


class PaymentFilters(Scope, TimeRange):
    """The payment-level parameters, shared by payments, enriched_payments and invoices."""

    invoice_id: Text | None = None
    invoice_ids: list[Text] | None = None
    payment_id: Text | None = None
    payment_status: PaymentStatus | None = None
    payment_flow: Literal["instant", "hold"] | None = None
    payment_method: PaymentMethod | None = None
    payment_terminal_provider: Text | None = None
    payment_token_provider: Text | None = None
    payment_system: Text | None = None
    payment_email: Text | None = None
    payment_ip: Text | None = None
    payment_fingerprint: Text | None = None
    payment_customer_id: Text | None = None
    payment_rrn: Text | None = None
    payment_approval_code: Text | None = None
    external_id: Text | None = None
    payment_first6: Text | None = None
    payment_last4: Text | None = None
    payment_provider_id: Whole | None = None
    payment_terminal_id: Whole | None = None
    payment_amount: Whole | None = None
    payment_amount_from: Whole | None = None
    payment_amount_to: Whole | None = None
    payment_domain_revision: Whole | None = None
    from_payment_domain_revision: Whole | None = None
    to_payment_domain_revision: Whole | None = None
    exclude: Exclude | None = None
    # older clients' card-number names, mapped to today's filters (docs/magista.md)
    pan_mask: Text | None = None
    payment_pan_mask: Text | None = None
    payment_bin: Text | None = None
    payment_last_digits: Text | None = None


class PaymentSearch(PaymentFilters):
    """payments and enriched_payments: the card-number patterns and the method/provider rule apply."""

    @field_validator("payment_first6")
    @classmethod
    def _first6(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{6,8}", value):
            raise ValueError("must be 6 to 8 digits")
        return value

    @field_validator("payment_last4")
    @classmethod
    def _last4(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{2,4}", value):
            raise ValueError("must be 2 to 4 digits")
        return value

    @model_validator(mode="after")
    def _method_matches_provider(self) -> "PaymentSearch":
        provider, implied = (
            ("payment_terminal_provider", "payment_terminal")
            if self.payment_terminal_provider
            else ("payment_token_provider", "bank_card")
            if self.payment_token_provider
            else (None, None)
        )
        if provider is None:
            return self
        if self.payment_method is None:
            self.payment_method = implied
        elif self.payment_method != implied:
            raise ValueError(
                f"Validation failed for field: {provider}: invalid or not found (Incorrect PaymentMethod:"
                f" {provider} {getattr(self, provider)!r} is a {implied} provider, payment_method is"
                f" {self.payment_method!r})"
            )
        return self


class InvoiceSearch(PaymentFilters):
    """invoices: payment-level parameters select invoices that have a matching payment."""

    invoice_status: InvoiceStatus | None = None
    invoice_amount: Whole | None = None


class RefundSearch(Scope, TimeRange):
    invoice_id: Text | None = None
    invoice_ids: list[Text] | None = None
    payment_id: Text | None = None
    refund_id: Text | None = None
    refund_status: RefundStatus | None = None
    external_id: Text | None = None


class PayoutSearch(Scope, TimeRange):
    payout_id: Text | None = None
    payout_status: PayoutStatus | None = None
    payout_statuses: list[PayoutStatus] | None = None
    payout_type: PayoutType | None = None


class ChargebackSearch(Scope, TimeRange):
    invoice_id: Text | None = None
    invoice_ids: list[Text] | None = None
    payment_id: Text | None = None
    chargeback_id: Text | None = None
    chargeback_statuses: list[ChargebackStatus] | None = None
    chargeback_categories: list[ChargebackCategory] | None = None
    chargeback_stages: list[ChargebackStage] | None = None


class StatisticsParams(Scope, TimeRange):
    """The five statistics: a merchant (and a shop or shops), from_time, to_time and split_interval (seconds)."""

    merchant_id: Text
    from_time: Instant
    to_time: Instant
    split_interval: Whole

    @field_validator("split_interval")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError(f"invalid or not found ({value}: a whole number of seconds above 0)")
        return value


class ShopAccountingParams(Scope, TimeRange):
    """from_time, to_time, the shop categories to leave out, and optionally a merchant and its shop or shops."""

    from_time: Instant
    to_time: Instant
    without_shop_category_ids: list[Whole] = Field(default=[], max_length=10_000)


SEARCHES: dict[str, type[Params]] = {
    "payments": PaymentSearch,
    "invoices": InvoiceSearch,
    "refunds": RefundSearch,
    "payouts": PayoutSearch,
    "chargebacks": ChargebackSearch,
    "enriched_payments": PaymentSearch,
    "enriched_refunds": RefundSearch,
}
FUNCTIONS = (*SEARCHES, *STATISTICS, "shop_accounting_report")
