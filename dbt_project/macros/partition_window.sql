{#- The incremental window set by Dagster from the partition range: `column` between min_date and max_date. -#}
{% macro partition_window(column) -%}
    {{ column }} between toDate('{{ var("min_date") }}') and toDate('{{ var("max_date") }}')
{%- endmacro %}
