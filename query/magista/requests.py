"""The DSL's requests, validated with pydantic: unknown query types or parameters are errors, never ignored."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from query.magista.models import MODEL_QUERIES

STATISTICS = (
    "payments_turnover",
    "payments_geo_stat",
    "payments_pmt_cards_stat",
    "payments_conversion_stat",
    "customers_rate_stat",
)
REPORTS = ("shop_accounting_report",)
QUERY_TYPES = STATISTICS + MODEL_QUERIES + REPORTS
# query parameters that sit beside the query type (model queries only)
PAGING = ("from", "size", "continuation_token")


class TimeWindow(BaseModel):
    """from_time (inclusive) and to_time (exclusive), ISO 8601 in UTC."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    from_time: datetime
    to_time: datetime

    @field_validator("from_time", "to_time", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 UTC timestamp string, e.g. 2016-03-22T00:12:00Z")
        return value

    @field_validator("from_time", "to_time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset().total_seconds() != 0:
            raise ValueError("must be in UTC (end with Z or +00:00)")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _window(self) -> "TimeWindow":
        if self.to_time <= self.from_time:
            raise ValueError("to_time must be after from_time")
        return self


class StatisticsParams(TimeWindow):
    """merchant_id, shop_id, from_time (inclusive), to_time (exclusive), split_interval (seconds)."""

    merchant_id: str = Field(min_length=1, max_length=256)
    shop_id: str = Field(min_length=1, max_length=256)
    split_interval: int = Field(gt=0, description="seconds")

    @field_validator("split_interval", mode="before")
    @classmethod
    def _whole_seconds(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            raise ValueError("must be a whole number of seconds")
        return value


class ShopAccountingParams(TimeWindow):
    """from_time, to_time and the shop categories to leave out."""

    without_shop_category_ids: list[Annotated[int, Field(ge=0, strict=True)]] = Field(default=[], max_length=10_000)


class Paging(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    offset: int = Field(default=0, ge=0, alias="from")
    size: int | None = Field(default=None, gt=0)
    continuation_token: str | None = Field(default=None, min_length=1, max_length=2048)


class Request(BaseModel):
    """{"query": {"<query_type>": {params}, "from": 0, "size": 100}}: exactly one query type; paging
    parameters only with the model queries."""

    model_config = ConfigDict(extra="forbid")

    query: dict[str, Any]

    @model_validator(mode="after")
    def _one_known_type(self) -> "Request":
        types = [k for k in self.query if k not in PAGING]
        if len(types) != 1:
            raise ValueError(f"the query must name exactly one query type, got {types or 'none'}")
        if types[0] not in QUERY_TYPES:
            raise ValueError(f"unknown query type {types[0]!r}; valid: {', '.join(QUERY_TYPES)}")
        if types[0] not in MODEL_QUERIES and set(self.query) & set(PAGING):
            raise ValueError(f"{', '.join(sorted(set(self.query) & set(PAGING)))}: only model queries are paged")
        return self

    @property
    def query_type(self) -> str:
        return next(k for k in self.query if k not in PAGING)

    def paging(self) -> Paging:
        return Paging.model_validate({k: v for k, v in self.query.items() if k in PAGING})

    def statistics_params(self) -> StatisticsParams:
        return StatisticsParams.model_validate(self.query[self.query_type])

    def shop_accounting_params(self) -> ShopAccountingParams:
        return ShopAccountingParams.model_validate(self.query[self.query_type])
