{#- The incremental window set by Dagster from the partition range: `column` between min_date and max_date,
    widened by `days_before` and `days_after` for models whose rows reach into neighbouring days. -#}
{% macro partition_window(column, days_before=0, days_after=0) -%}
    {{ column }} between toDate('{{ var("min_date") }}') - {{ days_before }} and toDate('{{ var("max_date") }}') + {{ days_after }}
{%- endmacro %}

{#- True when the run has a window (Dagster passed min_date and max_date); false in a build of all history, whose
    vars are dbt_project.yml's defaults. -#}
{% macro run_has_window() -%}
    {{ return(var('min_date') != '1970-01-01') }}
{%- endmacro %}

{#- How many UTC days after the day it starts a viewing session can reach: ingest quarantines sessions longer
    than OTT_MAX_SESSION_HOURS (24 by default), so a session touches at most this many following days. -#}
{% macro session_span_days() -%}
    {{ return(((env_var('OTT_MAX_SESSION_HOURS', '24') | float) / 24) | round(0, 'ceil') | int) }}
{%- endmacro %}
