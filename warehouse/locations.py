"""Where the project keeps its files when no environment variable says otherwise."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Root of local state: warehouse, landing files, Dagster storage, exports (`OTT_DATA_DIR`)."""
    return Path(os.environ.get("OTT_DATA_DIR") or PROJECT_ROOT / "data").resolve()


def warehouse_path() -> Path:
    """The embedded chDB data directory (`OTT_WAREHOUSE_PATH`)."""
    return Path(os.environ.get("OTT_WAREHOUSE_PATH") or data_dir() / "warehouse").resolve()


def landing_dir() -> Path:
    """The landing zone the file sources are read from (`OTT_LANDING_DIR`)."""
    return Path(os.environ.get("OTT_LANDING_DIR") or data_dir() / "landing").resolve()


def partitions_start_file() -> Path:
    """Written by `ott-analytics demo`: the first day of its world, the first daily partition the UI shows."""
    return data_dir() / "partitions_start"
