{#- on-run-start: an incremental model whose table is partitioned otherwise than its config says (a release
    that moved day-partitioned models to monthly partitions) cannot take partitions from its new query. Only
    the models this invocation builds. A plain MergeTree table is copied into a table partitioned the new way,
    which then takes its place (one EXCHANGE; the rows are unchanged, so nothing is recomputed); a table of
    another engine (replicated, on a cluster), or one without the column of the new key (a payments fact from
    before it kept event_date), is dropped and the run builds it from all history, as --full-refresh would. -#}
{% macro drop_repartitioned_models() %}
    {%- if execute -%}
        {%- set existing = {} -%}
        {%- for row in run_query("select database, name, partition_key, engine, engine_full from system.tables"
                                 ~ " where engine like '%MergeTree' and database not in ('system')").rows -%}
            {%- do existing.update({row[0] ~ '.' ~ row[1]: row}) -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values() -%}
            {%- set partition_by = node.config.get('partition_by') -%}
            {%- set name = node.schema ~ '.' ~ (node.alias or node.name) -%}
            {%- if node.unique_id in selected_resources and node.config.materialized == 'incremental'
                  and partition_by is string and name in existing
                  and partition_key_text(existing[name][2]) != partition_key_text(partition_by) -%}
                {%- set table = api.Relation.create(
                    database=node.database, schema=node.schema, identifier=node.alias or node.name, type='table') -%}
                {%- set missing = partition_columns_missing(node.schema, node.alias or node.name, partition_by) -%}
                {%- if existing[name][3] == 'MergeTree' and not missing -%}
                    {{ log(name ~ ': partitioned by ' ~ existing[name][2] ~ ', the model now by ' ~ partition_by
                           ~ '; copying its rows into the new partitions', info=True) }}
                    {%- do repartition_table(table, existing[name][2], existing[name][4], partition_by) -%}
                {%- else -%}
                    {{ log(name ~ ': partitioned by ' ~ (existing[name][2] or 'nothing') ~ ', the model now by '
                           ~ partition_by ~ (' (a column the table does not have yet: ' ~ missing | join(', ') ~ ')' if missing else '')
                           ~ '; rebuilding it from all history', info=True) }}
                    {%- do adapter.drop_relation(table) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- Copy `table` into a work table whose engine is the table's own with `partition_by` for its partition key,
    merge each new partition into one part, and exchange the two (a run killed before the exchange leaves the
    table as it was and a work table the next run drops). -#}
{% macro repartition_table(table, old_key, engine_full, partition_by) %}
    {%- set work = table.incorporate(path={"identifier": table.identifier ~ '__dbt_new_data_repartition'}) -%}
    {%- set engine = engine_full | replace('PARTITION BY ' ~ old_key ~ ' ', 'PARTITION BY ' ~ partition_by ~ ' ') -%}
    {%- if engine == engine_full -%}
        {%- do exceptions.raise_compiler_error('cannot repartition ' ~ table ~ ': no PARTITION BY ' ~ old_key ~ ' in ' ~ engine_full) -%}
    {%- endif -%}
    {%- do adapter.drop_relation(work) -%}
    {%- do run_query('create table ' ~ work ~ ' as ' ~ table ~ ' engine = ' ~ engine) -%}
    {%- do run_query('insert into ' ~ work ~ ' select * from ' ~ table) -%}
    {%- for partition, parts in active_parts_by_partition(work).items() if parts > 1 -%}
        {%- do run_query('optimize table ' ~ work ~ " partition id '" ~ partition ~ "' final") -%}
    {%- endfor -%}
    {%- do run_query('exchange tables ' ~ table ~ ' and ' ~ work) -%}
    {#- at once: a dropped table's files otherwise stay for minutes, and this one is as big as the model's -#}
    {%- do run_query('drop table ' ~ work ~ ' sync') -%}
{% endmacro %}

{#- The columns of a month partition key (`toYYYYMM(column)`) that table `schema.identifier` lacks. -#}
{% macro partition_columns_missing(schema, identifier, partition_by) -%}
    {%- set column = month_partitioned_day_column(partition_by) -%}
    {%- if column is none or run_query("select count() from system.columns where database = '" ~ schema
                                       ~ "' and table = '" ~ identifier ~ "' and name = '" ~ column ~ "'").rows[0][0] > 0 -%}
        {%- do return([]) -%}
    {%- endif -%}
    {%- do return([column]) -%}
{%- endmacro %}

{#- A partition key as text to compare: without spaces or one pair of outer parentheses (system.tables shows a
    model's `partition_by='view_date'` as `(view_date)`). -#}
{% macro partition_key_text(key) -%}
    {%- set text = key | replace(' ', '') -%}
    {%- if text.startswith('(') and text.endswith(')') -%}
        {%- set text = text[1:-1] -%}
    {%- endif -%}
    {%- do return(text) -%}
{%- endmacro %}
