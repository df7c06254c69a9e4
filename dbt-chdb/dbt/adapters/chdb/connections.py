from dbt.adapters.chdb.client import ChdbClient
from dbt.adapters.clickhouse.connections import ClickHouseConnectionManager
from dbt.adapters.clickhouse.logger import logger
from dbt.adapters.contracts.connection import Connection


class ChdbConnectionManager(ClickHouseConnectionManager):
    TYPE = "chdb"

    @classmethod
    def open(cls, connection: Connection) -> Connection:
        if connection.state == "open":
            logger.debug("Connection is already open, skipping open.")
            return connection
        credentials = cls.get_credentials(connection.credentials)
        return cls.retry_connection(
            connection,
            connect=lambda: ChdbClient(credentials),
            logger=logger,
            retry_limit=credentials.retries,
            retryable_exceptions=[],
        )
