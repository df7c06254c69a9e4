"""dbt's cross-database `utils` macro conformance classes.

Where a base fixture is written in another database's SQL (Postgres casts, string literals where
ClickHouse needs typed values, NULL rows in non-Nullable seed columns, arguments that dbt-clickhouse's
macros take as literals), the fixture is rewritten in ClickHouse SQL; the macro under test is the same.
"""

import pytest
from dbt.tests.adapter.utils.base_array_utils import BaseArrayUtils
from dbt.tests.adapter.utils.fixture_array_append import models__array_append_actual_sql
from dbt.tests.adapter.utils.fixture_array_concat import models__array_concat_actual_sql
from dbt.tests.adapter.utils.fixture_datediff import models__test_datediff_yml
from dbt.tests.adapter.utils.fixture_get_intervals_between import (
    models__test_get_intervals_between_yml,
)
from dbt.tests.adapter.utils.fixture_replace import models__test_replace_yml
from dbt.tests.adapter.utils.fixture_split_part import models__test_split_part_yml
from dbt.tests.adapter.utils.test_any_value import BaseAnyValue
from dbt.tests.adapter.utils.test_array_construct import BaseArrayConstruct
from dbt.tests.adapter.utils.test_bool_or import BaseBoolOr
from dbt.tests.adapter.utils.test_cast import BaseCast
from dbt.tests.adapter.utils.test_cast_bool_to_text import BaseCastBoolToText
from dbt.tests.adapter.utils.test_concat import BaseConcat
from dbt.tests.adapter.utils.test_current_timestamp import BaseCurrentTimestampNaive
from dbt.tests.adapter.utils.test_date import BaseDate
from dbt.tests.adapter.utils.test_date_spine import BaseDateSpine
from dbt.tests.adapter.utils.test_date_trunc import BaseDateTrunc
from dbt.tests.adapter.utils.test_dateadd import BaseDateAdd
from dbt.tests.adapter.utils.test_datediff import BaseDateDiff
from dbt.tests.adapter.utils.test_equals import BaseEquals
from dbt.tests.adapter.utils.test_escape_single_quotes import (
    BaseEscapeSingleQuotesBackslash,
    BaseEscapeSingleQuotesQuote,
)
from dbt.tests.adapter.utils.test_except import BaseExcept
from dbt.tests.adapter.utils.test_generate_series import BaseGenerateSeries
from dbt.tests.adapter.utils.test_get_intervals_between import BaseGetIntervalsBetween
from dbt.tests.adapter.utils.test_get_powers_of_two import BaseGetPowersOfTwo
from dbt.tests.adapter.utils.test_hash import BaseHash
from dbt.tests.adapter.utils.test_intersect import BaseIntersect
from dbt.tests.adapter.utils.test_last_day import BaseLastDay
from dbt.tests.adapter.utils.test_length import BaseLength
from dbt.tests.adapter.utils.test_listagg import BaseListagg
from dbt.tests.adapter.utils.test_null_compare import (
    BaseMixedNullCompare,
    BaseNullCompare,
)
from dbt.tests.adapter.utils.test_position import BasePosition
from dbt.tests.adapter.utils.test_replace import BaseReplace
from dbt.tests.adapter.utils.test_right import BaseRight
from dbt.tests.adapter.utils.test_safe_cast import BaseSafeCast
from dbt.tests.adapter.utils.test_split_part import BaseSplitPart
from dbt.tests.adapter.utils.test_string_literal import BaseStringLiteral


class TestAnyValue(BaseAnyValue):
    pass


class TestArrayConstruct(BaseArrayConstruct):
    pass


class TestBoolOr(BaseBoolOr):
    pass


class TestCast(BaseCast):
    pass


class TestCastBoolToText(BaseCastBoolToText):
    pass


class TestConcat(BaseConcat):
    pass


class TestCurrentTimestampNaive(BaseCurrentTimestampNaive):
    pass


class TestDateTrunc(BaseDateTrunc):
    pass


class TestEquals(BaseEquals):
    pass


class TestEscapeSingleQuotesQuote(BaseEscapeSingleQuotesQuote):
    pass


class TestEscapeSingleQuotesBackslash(BaseEscapeSingleQuotesBackslash):
    pass


class TestExcept(BaseExcept):
    pass


class TestGenerateSeries(BaseGenerateSeries):
    pass


class TestGetPowersOfTwo(BaseGetPowersOfTwo):
    pass


class TestHash(BaseHash):
    pass


class TestIntersect(BaseIntersect):
    pass


class TestLength(BaseLength):
    pass


class TestListagg(BaseListagg):
    pass


class TestMixedNullCompare(BaseMixedNullCompare):
    pass


class TestNullCompare(BaseNullCompare):
    pass


class TestPosition(BasePosition):
    pass


class TestRight(BaseRight):
    pass


class TestSafeCast(BaseSafeCast):
    pass


class TestStringLiteral(BaseStringLiteral):
    pass


# ClickHouse gives array literals the narrowest integer type, while dbt builds an empty array as
# Array(Int32), so the actual union is Array(Int32): the expected arrays are cast to it.
class TestArrayAppend(BaseArrayUtils):
    @pytest.fixture(scope="class")
    def models(self):
        expected = (
            "select 1 as id, CAST({{ array_construct([1,2,3,4]) }} AS Array(Int32)) as array_col union all\n"
            "select 2 as id, CAST({{ array_construct([4]) }} AS Array(Int32)) as array_col"
        )
        return {"actual.sql": models__array_append_actual_sql, "expected.sql": expected}


class TestArrayConcat(BaseArrayUtils):
    @pytest.fixture(scope="class")
    def models(self):
        expected = (
            "select 1 as id, CAST({{ array_construct([1,2,3,4,5,6]) }} AS Array(Int32)) as array_col union all\n"
            "select 2 as id, CAST({{ array_construct([2]) }} AS Array(Int32)) as array_col union all\n"
            "select 3 as id, CAST({{ array_construct([3]) }} AS Array(Int32)) as array_col"
        )
        return {"actual.sql": models__array_concat_actual_sql, "expected.sql": expected}


class TestDateAdd(BaseDateAdd):
    @pytest.fixture(scope="class")
    def seeds(self):
        # The base seed's NULL row needs Nullable columns, which CSV type inference does not give.
        return {
            "data_dateadd.csv": "from_time,interval_length,datepart,result\n"
            "2018-01-01 01:00:00,1,day,2018-01-02 01:00:00\n"
            "2018-01-01 01:00:00,1,month,2018-02-01 01:00:00\n"
            "2018-01-01 01:00:00,1,year,2019-01-01 01:00:00\n"
            "2018-01-01 01:00:00,1,hour,2018-01-01 02:00:00\n"
        }


class TestDateDiff(BaseDateDiff):
    @pytest.fixture(scope="class")
    def seeds(self):
        return {
            "data_datediff.csv": "first_date,second_date,datepart,result\n"
            "2018-01-01 01:00:00,2018-01-02 01:00:00,day,1\n"
            "2018-01-01 01:00:00,2018-02-01 01:00:00,month,1\n"
            "2018-01-01 01:00:00,2019-01-01 01:00:00,year,1\n"
            "2018-01-01 01:00:00,2018-01-01 02:00:00,hour,1\n"
            "2018-01-01 01:00:00,2018-01-01 02:01:00,minute,61\n"
            "2018-01-01 01:00:00,2018-01-01 02:00:01,second,3601\n"
        }

    @pytest.fixture(scope="class")
    def models(self):
        first = "toDateTime64('1999-12-31 23:59:59.999999', 6)"
        second = "toDateTime64('2000-01-01 00:00:00.000000', 6)"
        parts = [
            "microsecond",
            "millisecond",
            "second",
            "minute",
            "hour",
            "day",
            "month",
            "quarter",
            "year",
        ]
        literals = "\n".join(
            f'union all select {{{{ datediff("{first}", "{second}", "{part}") }}}} as actual, 1 as expected'
            for part in parts
        )
        model = (
            "with data as (select * from {{ ref('data_datediff') }})\n"
            "select case\n"
            + "\n".join(
                f"  when datepart = '{p}' then {{{{ datediff('first_date', 'second_date', '{p}') }}}}"
                for p in ["second", "minute", "hour", "day", "month", "year"]
            )
            + "\n  else null end as actual, result as expected from data\n"
            + literals
        )
        return {
            "test_datediff.yml": models__test_datediff_yml,
            "test_datediff.sql": model,
        }


class TestLastDay(BaseLastDay):
    @pytest.fixture(scope="class")
    def seeds(self):
        return {
            "data_last_day.csv": "date_day,date_part,result\n"
            "2018-01-02,month,2018-01-31\n"
            "2018-01-02,quarter,2018-03-31\n"
            "2018-01-02,year,2018-12-31\n"
        }


class TestReplace(BaseReplace):
    @pytest.fixture(scope="class")
    def models(self):
        model = (
            "select {{ replace('string_text', 'a', 'b') }} as actual, result as expected\n"
            "from {{ ref('data_replace') }} where string_text = 'a'\n"
            "union all\n"
            "select {{ replace('string_text', 'http://', '') }} as actual, result as expected\n"
            "from {{ ref('data_replace') }} where string_text like '%google%'\n"
        )
        return {"test_replace.yml": models__test_replace_yml, "test_replace.sql": model}


class TestSplitPart(BaseSplitPart):
    @pytest.fixture(scope="class")
    def models(self):
        model = "with data as (select * from {{ ref('data_split_part') }})\n" + "\nunion all\n".join(
            f"select {{{{ split_part('parts', \"'|'\", {n}) }}}} as actual, result_{n} as expected from data"
            for n in (1, 2, 3)
        )
        return {
            "test_split_part.yml": models__test_split_part_yml,
            "test_split_part.sql": model,
        }


class TestDateSpine(BaseDateSpine):
    @pytest.fixture(scope="class")
    def models(self):
        expected = "\n        union all\n".join(
            f"select toDate('2023-09-{day:02d}') as expected" for day in range(1, 10)
        )
        model = (
            "with generated_dates as (\n"
            "    {{ date_spine('day', \"toDate('2023-09-01')\", \"toDate('2023-09-10')\") }}\n"
            f"), expected_dates as (\n    {expected}\n), joined as (\n"
            "    select generated_dates.date_day, expected_dates.expected from generated_dates\n"
            "    full outer join expected_dates on generated_dates.date_day = expected_dates.expected\n"
            ") select * from joined"
        )
        yml = (
            "version: 2\nmodels:\n  - name: test_date_spine\n    data_tests:\n"
            "      - assert_equal:\n          actual: date_day\n          expected: expected\n"
        )
        return {"test_date_spine.yml": yml, "test_date_spine.sql": model}


class TestGetIntervalsBetween(BaseGetIntervalsBetween):
    @pytest.fixture(scope="class")
    def models(self):
        model = (
            "select {{ get_intervals_between(\"toDate('2023-09-01')\", \"toDate('2023-09-12')\", 'day') }}"
            " as intervals, 11 as expected"
        )
        return {
            "test_get_intervals_between.yml": models__test_get_intervals_between_yml,
            "test_get_intervals_between.sql": model,
        }


@pytest.mark.skip(reason="dbt.date() renders to_date(...); dbt-clickhouse ships no clickhouse__date macro")
class TestDate(BaseDate):
    pass
