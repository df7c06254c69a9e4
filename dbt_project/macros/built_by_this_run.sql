{#- True when `relation` (a table of one run's findings, with an invocation_id column) exists and was built by
    this dbt invocation: a model may then read its rows instead of finding the same thing again. -#}
{% macro built_by_this_run(relation) -%}
    {%- do return(execute
        and adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none
        and run_query("select count() from " ~ relation ~ " where invocation_id = '" ~ invocation_id ~ "'").rows[0][0] > 0) -%}
{%- endmacro %}
