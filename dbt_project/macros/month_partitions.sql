{#- Day-grained incremental models are partitioned by month (`partition_by='toYYYYMM(day_column)'`): every
    partition is at least one part, which the embedded warehouse loads each time it opens, and a year of daily
    partitions was thousands of parts per table. A run still replaces days: this strategy (dbt-clickhouse's
    insert_overwrite, kept as is for other partition keys) takes the days its new data holds, and for each month
    they fall in adds the new part (ATTACH PARTITION FROM) when none of those days is there yet; else it builds
    the month in a work table from hard links of the table's parts (ATTACH PARTITION FROM), drops the parts
    holding those days after copying the other days' rows of those that also hold other days (an earlier
    run's window, a month merged before), adds the new part, and swaps the month in with one REPLACE PARTITION
    (atomic: a run killed before it leaves the table as it was; the work tables are dropped by the next run).
    A day the new data no longer has stays, as it did with a partition per day. -#}
{% macro clickhouse__incremental_insert_overwrite(existing_relation, partition_by, is_distributed=False) %}
    {%- if is_distributed -%}
        {%- do exceptions.raise_compiler_error('insert_overwrite of ' ~ this ~ ': distributed tables are not supported') -%}
    {%- endif -%}
    {%- set work_prefix = existing_relation.identifier ~ '__dbt_new_data_' ~ invocation_id.replace('-', '_') -%}
    {%- set new_data = existing_relation.incorporate(path={"identifier": work_prefix}) -%}
    {{ drop_relation_if_exists(new_data) }}
    {% call statement('main') %}
        {{ get_create_table_as_sql(False, new_data, sql) }}
    {% endcall %}
    {%- if execute -%}
        {%- set day_column = month_partitioned_day_column(partition_by) -%}
        {%- for month, parts in active_parts_by_partition(new_data).items() -%}
            {%- if parts > 1 -%}
                {%- do run_query('optimize table ' ~ new_data ~ " partition id '" ~ month ~ "' final") -%}
            {%- endif -%}
            {%- set new_days = '(select distinct ' ~ day_column ~ ' from ' ~ new_data ~ ')' if day_column else none -%}
            {%- if day_column and run_query('select count() from ' ~ existing_relation ~ " where _partition_id = '" ~ month
                                            ~ "' and " ~ day_column ~ ' in ' ~ new_days).rows[0][0] == 0 -%}
                {#- none of the days is there yet (a new day): the new part is added, atomic on its own -#}
                {% call statement('attach_partition_' ~ month) %}
                    alter table {{ existing_relation }} attach partition id '{{ month }}' from {{ new_data }}
                {% endcall %}
            {%- else -%}
                {%- if day_column -%}
                    {%- set source = existing_relation.incorporate(path={"identifier": work_prefix ~ '_' ~ month}) -%}
                    {%- do replace_days_of_month(existing_relation, new_data, source, month, new_days, day_column) -%}
                {%- else -%}
                    {%- set source = new_data -%}
                {%- endif -%}
                {% call statement('replace_partition_' ~ month) %}
                    alter table {{ existing_relation }} replace partition id '{{ month }}' from {{ source }}
                {% endcall %}
                {%- if day_column -%}
                    {%- do adapter.drop_relation(source) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do adapter.drop_relation(new_data) -%}
{% endmacro %}

{#- Fill `month_table` (created here, like `existing`) with month `month` as it will be after the run: the
    existing rows of the days other than `new_days` (the days `new_data` holds), and the new rows. Merges are
    off in the work table: its parts move to the model's table as they are. The parts that hold new days
    are dropped; the other days' rows of those among them that also hold other days are first copied into a
    new part (a lightweight delete would leave a mask that only a mutation removes, and a mutation waits on
    the warehouse's background pool for seconds). -#}
{% macro replace_days_of_month(existing, new_data, month_table, month, new_days, day_column) %}
    {%- do adapter.drop_relation(month_table) -%}
    {%- do run_query('create table ' ~ month_table ~ ' as ' ~ existing) -%}
    {%- do run_query('alter table ' ~ month_table ~ ' modify setting max_bytes_to_merge_at_max_space_in_pool = 1') -%}
    {%- do run_query('alter table ' ~ month_table ~ " attach partition id '" ~ month ~ "' from " ~ existing) -%}
    {%- set matching = run_query('select _part, countIf(' ~ day_column ~ ' in ' ~ new_days ~ ') as matching, count()'
        ~ ' from ' ~ month_table ~ ' group by _part having matching > 0').rows -%}
    {%- set shared = [] -%}
    {%- for part in matching if part[1] < part[2] -%}
        {%- do shared.append("'" ~ part[0] ~ "'") -%}
    {%- endfor -%}
    {%- if shared -%}
        {%- do run_query('insert into ' ~ month_table ~ ' select * from ' ~ month_table ~ ' where _part in ('
            ~ shared | join(', ') ~ ') and not ifNull(' ~ day_column ~ ' in ' ~ new_days ~ ', 0)') -%}
    {%- endif -%}
    {%- for part in matching -%}
        {%- do run_query('alter table ' ~ month_table ~ " drop part '" ~ part[0] ~ "'") -%}
    {%- endfor -%}
    {%- do run_query('alter table ' ~ month_table ~ " attach partition id '" ~ month ~ "' from " ~ new_data) -%}
{% endmacro %}

{#- The day column of a partition key `toYYYYMM(column)`, else none. -#}
{% macro month_partitioned_day_column(partition_by) -%}
    {%- set month = modules.re.fullmatch('\\s*toYYYYMM\\(\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)\\s*', partition_by or '') -%}
    {%- do return(month.group(1) if month else none) -%}
{%- endmacro %}

{#- {partition_id: number of active parts} of a table. -#}
{% macro active_parts_by_partition(relation) -%}
    {%- set result = {} -%}
    {%- for row in run_query("select partition_id, count() from system.parts where active and database = '"
            ~ relation.schema ~ "' and table = '" ~ relation.identifier ~ "' group by partition_id").rows -%}
        {%- do result.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- do return(result) -%}
{%- endmacro %}

{#- post-hook: the partitions of an insert_overwrite model, or of a delete+insert one partitioned by month (the
    payments facts), with more than one active part (or with rows deleted by a lightweight delete) are merged
    into one, except the newest month of a month-partitioned model:
    it takes a part a day, and merging it every run would rewrite the month so far each day (and mix the days a
    later run drops part by part); it is merged by the first run after it. The embedded warehouse reads every
    part's files each time it opens, and REPLACE PARTITION leaves an empty part covering the parts it replaced
    that a short chDB session does not live to remove (a ClickHouse server would merge all this later; here it
    is done at once). The patch parts of a payments fact's deletes are not partitions of their own: a merge of
    their month applies them. -#}
{% macro merge_partition_parts() -%}
    {%- set monthly = month_partitioned_day_column(model.config.partition_by) is not none -%}
    {%- if execute and model.config.materialized == 'incremental'
          and (model.config.incremental_strategy == 'insert_overwrite'
               or (model.config.incremental_strategy == 'delete_insert' and monthly)) -%}
        {%- set partitions = run_query("select partition_id, count(), max(has_lightweight_delete) from system.parts"
            ~ " where active and database = '" ~ this.schema ~ "' and table = '" ~ this.identifier ~ "'"
            ~ " and not startsWith(partition_id, 'patch-')"
            ~ ' group by partition_id order by partition_id').rows -%}
        {%- set newest = partitions[-1][0] if partitions else none -%}
        {%- for row in partitions -%}
            {%- if (row[1] > 1 or row[2]) and not (monthly and row[0] == newest) -%}
                {%- do run_query('optimize table ' ~ this ~ " partition id '" ~ row[0] ~ "' final") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
