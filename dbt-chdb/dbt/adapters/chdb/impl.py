from dbt.adapters.chdb.connections import ChdbConnectionManager
from dbt.adapters.clickhouse.impl import ClickHouseAdapter


class ChdbAdapter(ClickHouseAdapter):
    """dbt-clickhouse's adapter with an in-process chDB engine instead of a server connection."""

    ConnectionManager = ChdbConnectionManager

    @classmethod
    def type(cls) -> str:
        return "chdb"
