"""Incremental unique-key and strategy conformance, as dbt-clickhouse runs them for itself."""

import pytest
from dbt.tests.adapter.incremental import test_incremental_unique_id as unique_id
from dbt.tests.adapter.incremental.test_incremental_unique_id import (
    BaseIncrementalUniqueKey,
)
from dbt.tests.util import run_dbt

_EXPECTED_ROWS = [
    ("CT", "Hartford", "Hartford", "2022-02-14"),
    ("MA", "Suffolk", "Boston", "2020-02-12"),
    ("NJ", "Mercer", "Trenton", "2022-01-01"),
    ("NY", "Kings", "Brooklyn", "2021-04-02"),
    ("NY", "New York", "Manhattan", "2021-04-01"),
    ("PA", "Philadelphia", "Philadelphia", "2021-05-21"),
    # the seed's empty city: a non-Nullable String seed column reads it as ''
    ("CO", "Denver", "", "2021-06-18"),
]


def _expected_model() -> str:
    # The base fixtures write `cast('...' as date)` inside a union, which ClickHouse types as a
    # Variant; typed literals give the Date column the incremental model has.
    rows = "\nunion all\n".join(
        f"select '{state}' as state, '{county}' as county, '{city}' as city, toDate('{day}') as last_visit_date"
        for state, county, city, day in _EXPECTED_ROWS
    )
    return "{{ config(materialized='table') }}\n" + rows


class TestIncrementalUniqueKey(BaseIncrementalUniqueKey):
    @pytest.fixture(scope="class")
    def models(self):
        names = [
            "trinary_unique_key_list",
            "nontyped_trinary_unique_key_list",
            "unary_unique_key_list",
            "not_found_unique_key",
            "empty_unique_key_list",
            "no_unique_key",
            "empty_str_unique_key",
            "str_unique_key",
            "duplicated_unary_unique_key_list",
            "not_found_unique_key_list",
        ]
        models = {f"{name}.sql": getattr(unique_id, f"models__{name}_sql") for name in names}
        models["expected"] = {
            "one_str__overwrite.sql": _expected_model(),
            "unique_key_list__inplace_overwrite.sql": _expected_model(),
        }
        return models


_EVENTS = "{{ config(materialized='incremental', unique_key='id', incremental_strategy='%s') }}\n" + (
    "select number as id, concat('v', toString(number + {{ var('shift', 0) }})) as value"
    " from numbers({{ var('rows', 3) }})"
)


@pytest.mark.parametrize("strategy", ["legacy", "delete_insert", "append"])
class TestIncrementalStrategies:
    @pytest.fixture(scope="class")
    def models(self):
        return {f"{s}_model.sql": _EVENTS % s for s in ("legacy", "delete_insert", "append")}

    def test_second_run_applies_strategy(self, project, strategy):
        run_dbt(["run", "-s", f"{strategy}_model", "--full-refresh"])
        run_dbt(["run", "-s", f"{strategy}_model", "--vars", "{rows: 5, shift: 10}"])
        rows = project.run_sql(
            f"select id, value from {project.test_schema}.{strategy}_model order by id, value",
            fetch="all",
        )
        if strategy == "append":
            # append never rewrites: old ids 0..2 stay, all 5 new rows are added
            assert [r[0] for r in rows] == [0, 0, 1, 1, 2, 2, 3, 4]
        else:
            # unique_key strategies replace ids 0..2 and add 3..4
            assert rows == [(i, f"v{i + 10}") for i in range(5)]
