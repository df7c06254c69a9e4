from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.adapters.clickhouse.credentials import ClickHouseCredentials


@dataclass
class ChdbCredentials(ClickHouseCredentials):
    """Profile of an embedded chDB warehouse: a data directory instead of a server address.

    `settings` are ClickHouse session settings applied to every connection.
    `lock_timeout` is how long (seconds) to wait when another process holds the directory.
    """

    path: str = ""
    settings: dict[str, Any] | None = field(default=None)
    lock_timeout: float = 300.0

    @property
    def type(self) -> str:
        return "chdb"

    @property
    def unique_field(self) -> str:
        return self.path

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.path:
            raise ValueError("dbt-chdb: the profile needs `path:`, the chDB data directory")
        self.path = str(Path(self.path).expanduser().resolve())
        merged = dict(self.custom_settings or {})
        merged.update(self.settings or {})
        self.custom_settings = merged

    def _connection_keys(self) -> tuple[str, ...]:
        return ("path", "schema", "settings", "lock_timeout", "check_exchange")
