"""dbt's seed, `dbt show` and concurrency conformance classes.

The other `simple_seed` base classes create their expected tables with PostgreSQL DDL
(`TIMESTAMP WITHOUT TIME ZONE`, `serial`) in their setup, so they cannot run on ClickHouse;
`TestTypedSeed` covers what they check (types, NULLs, full refresh) in ClickHouse SQL.
"""

from decimal import Decimal

import pytest
from dbt.tests.adapter.concurrency.test_concurrency import BaseConcurrency
from dbt.tests.adapter.dbt_show.test_dbt_show import BaseShowLimit, BaseShowSqlHeader
from dbt.tests.adapter.simple_seed.test_seed import (
    BaseSeedSpecificFormats,
    BaseTestEmptySeed,
)
from dbt.tests.util import run_dbt


class TestSeedSpecificFormats(BaseSeedSpecificFormats):
    pass


class TestEmptySeed(BaseTestEmptySeed):
    pass


class TestConcurrency(BaseConcurrency):
    pass


class TestShowLimit(BaseShowLimit):
    pass


class TestShowSqlHeader(BaseShowSqlHeader):
    pass


_SEED_CSV = "id,name,amount,paid,seen_at\n1,Иван,10.50,true,2024-01-01 00:00:00\n2,Анна,,false,2024-01-02 12:30:00\n"
_SEED_YML = """
version: 2
seeds:
  - name: customers
    config:
      column_types:
        amount: Nullable(Decimal(18, 2))
"""


class TestTypedSeed:
    @pytest.fixture(scope="class")
    def seeds(self):
        return {"customers.csv": _SEED_CSV, "schema.yml": _SEED_YML}

    def test_seed_types_values_and_refresh(self, project):
        assert len(run_dbt(["seed"])) == 1
        columns = dict(project.run_sql("DESCRIBE TABLE customers", fetch="all")[i][:2] for i in range(5))
        assert columns["amount"] == "Nullable(Decimal(18, 2))"
        assert columns["paid"] == "Bool"
        assert columns["seen_at"] == "DateTime"
        rows = project.run_sql("select id, name, amount, paid from customers order by id", fetch="all")
        assert [tuple(r) for r in rows] == [
            (1, "Иван", Decimal("10.50"), True),
            (2, "Анна", None, False),
        ]
        run_dbt(["seed", "--full-refresh"])
        assert project.run_sql("select count() from customers", fetch="one")[0] == 2
