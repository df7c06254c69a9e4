import pytest

pytest_plugins = ["dbt.tests.fixtures.project"]


@pytest.fixture(scope="session")
def chdb_data_path(tmp_path_factory) -> str:
    # One directory for the whole run: a process can host one chDB engine at a time.
    return str(tmp_path_factory.mktemp("chdb_conformance"))


@pytest.fixture(scope="class")
def dbt_profile_target(chdb_data_path):
    return {"type": "chdb", "path": chdb_data_path, "schema": "default", "threads": 4}
