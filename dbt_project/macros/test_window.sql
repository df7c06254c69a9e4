{#- Data tests of a day-partitioned model check the days of the run (vars min_date/max_date; a build without
    them checks every day), so a scheduled run's tests read its days, not the whole history. The day column
    is the model's meta `test_window`, else the partition column of an incremental model partitioned by a
    plain column. A test's own `where` config still applies; a test with meta `test_window: whole` (a
    reconciliation of two models' totals) reads whole tables. -#}
{% macro clickhouse__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set day_column = test_window_column(relation) -%}
    {%- if day_column and (config.get('meta') or {}).get('test_window') != 'whole' -%}
        {%- do conditions.append(partition_window(day_column)) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{% macro test_window_column(relation) -%}
    {%- if not execute or relation is string or relation.identifier is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.schema == relation.schema
              and (node.alias or node.name) == relation.identifier -%}
            {%- set partition_by = node.config.get('partition_by') -%}
            {%- if node.config.meta.get('test_window') -%}
                {%- do return(node.config.meta['test_window']) -%}
            {%- elif node.config.materialized == 'incremental' and partition_by is string
                     and modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', partition_by) -%}
                {%- do return(partition_by) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(none) -%}
{%- endmacro %}
