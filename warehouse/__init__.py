"""Access to the ClickHouse warehouse for Python code: embedded chDB or a ClickHouse server."""

from warehouse.connection import WarehouseConnection
from warehouse.resource import Warehouse

__all__ = ["Warehouse", "WarehouseConnection"]
