"""What a report is and what it sends, apart from how each one is built (reports/catalog.py, which needs pandas)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ADMIN = "admin"
ROLES = (ADMIN, "management", "content", "operations", "finance", "marketing")


@dataclass(frozen=True)
class ReportMessage:
    """An HTML message and the PNG charts that go with it (file name, bytes)."""

    text: str
    charts: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    roles: frozenset[str]
    build: Callable[[Path, date], ReportMessage]

    def allowed(self, roles: set[str] | frozenset[str]) -> bool:
        return bool(self.roles & set(roles))


def yesterday() -> date:
    """The UTC day that ended last: the day a report is about unless one is asked for."""
    return datetime.now(UTC).date() - timedelta(days=1)
