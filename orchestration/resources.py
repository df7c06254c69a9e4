"""Resources shared by every domain, configured from the environment.

Embedded chDB by default; with CLICKHOUSE_HOST set, a ClickHouse server (password through EnvVar, so it is
read at run time and never stored in the definitions or printed).
"""

import os

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from warehouse import Warehouse
from warehouse.locations import data_dir, landing_dir, warehouse_path

WAREHOUSE_POOL = "warehouse"


class LandingZone(ConfigurableResource):
    """Directory the file sources are read from (`OTT_LANDING_DIR`)."""

    path: str = Field(default_factory=lambda: str(landing_dir()))


class ExportsDir(ConfigurableResource):
    """Directory published exports are written to (`OTT_EXPORTS_DIR`)."""

    path: str = Field(default_factory=lambda: os.environ.get("OTT_EXPORTS_DIR") or str(data_dir() / "exports"))


def warehouse_from_env() -> Warehouse:
    if os.environ.get("CLICKHOUSE_HOST"):
        return Warehouse(
            backend="clickhouse",
            host=EnvVar("CLICKHOUSE_HOST"),
            port=int(os.environ.get("CLICKHOUSE_PORT", "8123")),
            user=os.environ.get("CLICKHOUSE_USER", "default"),
            password=EnvVar("CLICKHOUSE_PASSWORD") if os.environ.get("CLICKHOUSE_PASSWORD") else "",
            secure=os.environ.get("CLICKHOUSE_SECURE", "false").lower() == "true",
        )
    return Warehouse(path=str(warehouse_path()), lock_timeout=float(os.environ.get("OTT_LOCK_TIMEOUT", "300")))
