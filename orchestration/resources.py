"""Resources shared by every domain, configured from the environment.

Embedded chDB by default; with CLICKHOUSE_HOST set, a ClickHouse server (password through EnvVar, so it is
read at run time and never stored in the definitions or printed).
"""

import os

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from warehouse import Warehouse
from warehouse.locations import data_dir, landing_dir, warehouse_path


class LandingZone(ConfigurableResource):
    """Directory the file sources are read from (`OTT_LANDING_DIR`)."""

    path: str = Field(default_factory=lambda: str(landing_dir()))


class ExportsDir(ConfigurableResource):
    """Directory published exports are written to (`OTT_EXPORTS_DIR`)."""

    path: str = Field(default_factory=lambda: os.environ.get("OTT_EXPORTS_DIR") or str(data_dir() / "exports"))


def postgres_settings_from_env(prefix: str, database: str, schema: str) -> dict:
    """A PostgreSQL source's connection settings from `<prefix>_HOST`, `_PORT`, `_DATABASE`, `_USER` (default:
    the database's name), `_PASSWORD` (through EnvVar) and `_SCHEMA`; empty when `<prefix>_HOST` is unset."""
    if not os.environ.get(f"{prefix}_HOST"):
        return {}
    return {
        "kind": "postgres",
        "host": os.environ[f"{prefix}_HOST"],
        "port": int(os.environ.get(f"{prefix}_PORT", "5432")),
        "database": os.environ.get(f"{prefix}_DATABASE", database),
        "user": os.environ.get(f"{prefix}_USER", database),
        "password": EnvVar(f"{prefix}_PASSWORD") if os.environ.get(f"{prefix}_PASSWORD") else "",
        "schema_name": os.environ.get(f"{prefix}_SCHEMA", schema),
    }


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
