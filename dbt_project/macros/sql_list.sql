{#- A ClickHouse array literal from a list var: strings quoted and escaped, numbers as they are. -#}
{% macro sql_list(values) -%}
    [{%- for v in values -%}
        {%- if v is number -%}{{ v }}{%- else -%}'{{ v | string | replace("\\", "\\\\") | replace("'", "\\'") }}'{%- endif -%}
        {%- if not loop.last %}, {% endif -%}
    {%- endfor -%}]
{%- endmacro %}
