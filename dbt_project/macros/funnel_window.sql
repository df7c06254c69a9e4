{#- The registration funnel's conversion window in seconds: var funnel_window_hours or OTT_FUNNEL_WINDOW_HOURS,
    720 (30 days) by default. A chain of funnel steps counts only when it ends within this long of its page view. -#}
{% macro funnel_window_seconds() -%}
    {{ return((var('funnel_window_hours', env_var('OTT_FUNNEL_WINDOW_HOURS', '720')) | int) * 3600) }}
{%- endmacro %}

{#- How many UTC days after its start day a funnel chain can reach. -#}
{% macro funnel_window_days() -%}
    {{ return(((funnel_window_seconds() | int) / 86400) | round(0, 'ceil') | int) }}
{%- endmacro %}

{#- The funnel's stages after the first (a chain's level reaches 2 to 4); every chain reaches the page view. -#}
{% macro funnel_later_stages() -%}
    {{ return({'registration_started': 2, 'registration_completed': 3, 'checked_in': 4}) }}
{%- endmacro %}

{#- Over a user's funnel chains (int_events__funnel_chains' start_date and level): the start day of the last chain
    reaching each stage, null for a stage no chain reaches. -#}
{% macro funnel_last_starts() -%}
    max(start_date) as last_start_page_view,
    {%- for stage, level in funnel_later_stages().items() %}
    maxIfOrNull(start_date, level >= {{ level }}) as last_start_{{ stage }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The latest of some nullable days (1970-01-01, an unmatched join's day, counts as none); with none_as_null,
    null when none is set, else 1970-01-01. -#}
{% macro latest_day(days, none_as_null=true) -%}
    {%- set latest -%}
        greatest({% for day in days %}ifNull({{ day }}, toDate(0)){{ ', ' if not loop.last }}{% endfor %})
    {%- endset -%}
    {{ ('nullIf(' ~ latest ~ ', toDate(0))') if none_as_null else latest }}
{%- endmacro %}

{#- Post-hook of int_events__funnel_users: remove the users an incremental run left with no chain at all
    (last_start_page_view 1970-01-01; only after a correction), when there are any. -#}
{% macro delete_funnel_users_without_chains() -%}
    {%- set none_left = 'last_start_page_view = toDate(0)' -%}
    {%- if execute and run_query('select count() from ' ~ this ~ ' where ' ~ none_left).rows[0][0] > 0 -%}
        delete from {{ this }} where {{ none_left }}
    {%- endif -%}
{%- endmacro %}

{#- `MATERIALIZED` for a CTE read more than once, on the embedded warehouse: it is then computed once into a
    temporary table instead of once per reference (a ClickHouse server before the feature would reject the
    keyword, so there the CTE stays inlined). The setting that enables it goes in the model's query_settings. -#}
{% macro materialized_cte() -%}
    {{ 'materialized' if target.type == 'chdb' else '' }}
{%- endmacro %}

{% macro materialized_cte_settings() -%}
    {%- do return({'enable_materialized_cte': 1} if target.type == 'chdb' else {}) -%}
{%- endmacro %}
