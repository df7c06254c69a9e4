"""How a landing source maps onto a raw table: typed columns as SQL over the text the reader gives."""

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # ClickHouse type; a non-Nullable type makes the column required
    expr: str  # SQL over the reader's text columns (`raw` for JSON lines, header names for CSV)
    comment: str = ""

    @property
    def required(self) -> bool:
        return not self.type.startswith("Nullable(")


@dataclass(frozen=True)
class RawSource:
    """One landing source and its raw table `raw.<name>`.

    `daily` sources have one file per UTC day (`path` holds `{day}`) and a table partitioned by the
    load's day; the others are snapshots replaced whole. `checks` are (condition of a bad record, reason),
    tried in order after the JSON and required-column checks. `key`, if set, keeps the first record per key
    and quarantines the rest as duplicates.
    """

    name: str
    domain: str
    format: Literal["jsonl", "csv"]
    path: str
    columns: tuple[Column, ...]
    order_by: str
    daily: bool = True
    key: str | None = None
    key_label: str = ""
    checks: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    description: str = ""
    ttl_column: str | None = None  # with ttl_days: rows whose column is older than that are deleted
    ttl_days: int | None = None

    @property
    def ttl(self) -> str | None:
        """The TTL expression as ClickHouse normalises it (so a table's current TTL can be compared)."""
        if not (self.ttl_column and self.ttl_days):
            return None
        return f"toDateTime({self.ttl_column}) + toIntervalDay({self.ttl_days})"

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    def file_for(self, day: str | None) -> str:
        return self.path.format(day=day) if self.daily else self.path
