{#- on-run-start: an incremental model whose table is partitioned otherwise than its config says (a release
    that moved a small daily mart to monthly partitions) cannot take partitions from its new query. Its table
    is dropped before the run, which then builds it from all history, as --full-refresh would; only the
    models this invocation builds. -#}
{% macro drop_repartitioned_models() %}
    {%- if execute -%}
        {%- set existing = {} -%}
        {%- for row in run_query("select database, name, partition_key from system.tables"
                                 ~ " where engine like '%MergeTree' and database not in ('system')").rows -%}
            {%- do existing.update({row[0] ~ '.' ~ row[1]: row[2]}) -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values() -%}
            {%- set partition_by = node.config.get('partition_by') -%}
            {%- set name = node.schema ~ '.' ~ (node.alias or node.name) -%}
            {%- if node.unique_id in selected_resources and node.config.materialized == 'incremental'
                  and partition_by is string and name in existing
                  and partition_key_text(existing[name]) != partition_key_text(partition_by) -%}
                {{ log(name ~ ': partitioned by ' ~ existing[name] ~ ', the model now by ' ~ partition_by
                       ~ '; rebuilding it from all history', info=True) }}
                {%- do adapter.drop_relation(api.Relation.create(
                    database=node.database, schema=node.schema, identifier=node.alias or node.name, type='table')) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- A partition key as text to compare: without spaces or one pair of outer parentheses (system.tables shows a
    model's `partition_by='view_date'` as `(view_date)`). -#}
{% macro partition_key_text(key) -%}
    {%- set text = key | replace(' ', '') -%}
    {%- if text.startswith('(') and text.endswith(')') -%}
        {%- set text = text[1:-1] -%}
    {%- endif -%}
    {%- do return(text) -%}
{%- endmacro %}
