import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

# Every test process (each worker of `pytest -n 2`) gets its own data directory, so no test touches a developer's
# `data/` or the other worker's warehouse; it is removed at the end unless OTT_TEST_DATA_DIR named it (to look
# at it afterwards: then a directory per worker inside it).
_KEEP_SESSION_DATA = bool(os.environ.get("OTT_TEST_DATA_DIR"))
_SESSION_DATA = (
    Path(os.environ["OTT_TEST_DATA_DIR"], os.environ.get("PYTEST_XDIST_WORKER", ""))
    if _KEEP_SESSION_DATA
    else Path(f"/tmp/ott-analytics-tests-{os.getpid()}")
)
os.environ["OTT_DATA_DIR"] = str(_SESSION_DATA)
os.environ["OTT_WAREHOUSE_PATH"] = str(_SESSION_DATA / "warehouse")
os.environ["OTT_LANDING_DIR"] = str(_SESSION_DATA / "landing")
os.environ["DAGSTER_HOME"] = str(_SESSION_DATA / "dagster")
os.environ.setdefault("OTT_LOCK_TIMEOUT", "60")

# The definitions read the environment when first imported: import them now, under the session's settings,
# so a module that points one test at its own warehouse cannot leave its paths in the shared definitions.
import orchestration.definitions  # noqa: E402, F401


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _KEEP_SESSION_DATA:
        shutil.rmtree(_SESSION_DATA, ignore_errors=True)


@pytest.fixture(scope="session")
def ott_analytics_command() -> str:
    """The installed `ott-analytics` console script: the virtualenv's, else the one on PATH."""
    beside_python = Path(sys.executable).with_name("ott-analytics")
    return str(beside_python) if beside_python.exists() else shutil.which("ott-analytics")


TINY_START = date(2026, 11, 1)
TINY_DAYS = 2
TINY_SCALE = 0.05


@pytest.fixture(scope="session")
def landing() -> Path:
    """A tiny generated world in the landing directory the definitions read."""
    from ingest.generator import generate

    path = Path(os.environ["OTT_LANDING_DIR"])
    generate(path, TINY_START, TINY_DAYS, TINY_SCALE, seed=7)
    return path


@pytest.fixture
def warehouse(tmp_path):
    """An empty embedded warehouse of the test's own."""
    from warehouse import Warehouse

    return Warehouse(path=str(tmp_path / "warehouse"), lock_timeout=30)


@pytest.fixture(scope="session")
def pipeline_run(landing):
    """Every asset materialized once on the tiny world, in the session's warehouse (marts, published snapshots)."""
    from datetime import timedelta

    from dagster import materialize

    from orchestration.definitions import defs
    from orchestration.demo import partition_range_tags

    last = TINY_START + timedelta(days=TINY_DAYS - 1)
    result = materialize(list(defs.assets), resources=defs.resources, tags=partition_range_tags(TINY_START, last))
    assert result.success
    return result


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules holding slow tests first, each module's tests in their own order (some build on the one
    before): on two workers (`pytest -n 2 --dist loadfile`, as `make test` runs) the long modules start at once
    and the short ones fill in, instead of one long module running alone at the end."""
    slow_modules = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.module.__name__ not in slow_modules)
