{#- Layers live in their own ClickHouse databases (staging, intermediate, marts) on every target,
    so analysts query `marts.<model>` whatever the profile's default schema is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
