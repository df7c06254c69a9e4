{#- dbt-clickhouse's delete+insert, which deletes the rows whose unique key the new data has from the whole
    table, here also told on which days a payments fact's rewritten rows can be (payment_fact_delete_days): the
    delete then opens the months that hold them instead of every part of the fact. -#}
{% macro clickhouse__incremental_delete_insert(existing_relation, unique_key, incremental_predicates, is_distributed=False) %}
    {%- set predicates = (incremental_predicates or []) | list -%}
    {%- set fact_days = payment_fact_delete_days(model) -%}
    {%- if fact_days -%}
        {%- do predicates.append(fact_days) -%}
    {%- endif -%}
    {%- do dbt.clickhouse__incremental_delete_insert(existing_relation, unique_key, predicates, is_distributed) -%}
{% endmacro %}

{#- payment_fact_days_condition with the days that hold the touched entities' events written out: a DELETE is
    a mutation that evaluates its subqueries once per part of the table (0.4 s each at 365 days of history),
    and partitions are pruned by a list of dates. None for a model that is not a payments fact. -#}
{% macro payment_fact_delete_days(node) -%}
    {%- if payment_fact_days_condition(node) is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set days = run_query('select toString(event_date) from ' ~ payment_event_days_in_window(
        relation_of_model('int_payments__invoice_days'), relation_of_model('stg_payments__events')) ~ ' order by 1'
    ).columns[0].values() -%}
    {%- do return('(event_date in ' ~ sql_list(days) ~ ' or ' ~ partition_window('event_date') ~ ')') -%}
{%- endmacro %}
