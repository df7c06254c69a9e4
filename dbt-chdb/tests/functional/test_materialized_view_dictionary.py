"""dbt-clickhouse's ClickHouse-only materializations on chDB: materialized view and dictionary."""

import pytest
from dbt.tests.util import run_dbt

SOURCE = "{{ config(materialized='table', engine='MergeTree()', order_by='id') }}\nselect number as id, number % 3 as k from numbers(10)\n"
VIEW = (
    "{{ config(materialized='materialized_view', engine='SummingMergeTree()', order_by='k') }}\n"
    "select k, count() as n from {{ ref('events_src') }} group by k\n"
)
DICTIONARY = (
    "{{ config(materialized='dictionary', fields=[('k', 'UInt64'), ('n', 'UInt64')], primary_key='k',"
    " layout='HASHED()', lifetime='0', source_type='clickhouse') }}\n"
    "select k, sum(n) as n from {{ ref('events_mv') }} group by k\n"
)


class TestMaterializedViewAndDictionary:
    @pytest.fixture(scope="class")
    def models(self):
        return {"events_src.sql": SOURCE, "events_mv.sql": VIEW, "k_dict.sql": DICTIONARY}

    def test_view_follows_inserts_and_dictionary_serves_it(self, project):
        results = run_dbt(["run"])
        assert [r.status for r in results] == ["success"] * 3
        schema = project.test_schema
        assert project.run_sql(f"select k, n from {schema}.k_dict order by k", fetch="all") == [(0, 4), (1, 3), (2, 3)]
        # rows inserted after the build reach the materialized view's target through the view's trigger
        project.run_sql(f"insert into {schema}.events_src select number + 10, 0 from numbers(5)")
        assert project.run_sql(f"select sum(n) from {schema}.events_mv where k = 0", fetch="one")[0] == 9
        project.run_sql(f"system reload dictionary {schema}.k_dict")
        assert project.run_sql(f"select dictGet('{schema}.k_dict', 'n', toUInt64(0))", fetch="one")[0] == 9
