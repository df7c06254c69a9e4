{#- The registration funnel's conversion window in seconds: var funnel_window_hours or OTT_FUNNEL_WINDOW_HOURS,
    720 (30 days) by default. A chain of funnel steps counts only when it ends within this long of its page view. -#}
{% macro funnel_window_seconds() -%}
    {{ return((var('funnel_window_hours', env_var('OTT_FUNNEL_WINDOW_HOURS', '720')) | int) * 3600) }}
{%- endmacro %}

{#- How many UTC days after its start day a funnel chain can reach. -#}
{% macro funnel_window_days() -%}
    {{ return(((funnel_window_seconds() | int) / 86400) | round(0, 'ceil') | int) }}
{%- endmacro %}
