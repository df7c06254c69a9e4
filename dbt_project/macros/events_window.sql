{#- How long the Analytics Service keeps events (days): var events_retention_days or
    OTT_EVENTS_RETENTION_DAYS, 365 by default. Marts drop rows past it with a ClickHouse TTL. -#}
{% macro events_retention_days() -%}
    {{ return(var('events_retention_days', env_var('OTT_EVENTS_RETENTION_DAYS', '365')) | int) }}
{%- endmacro %}

{#- The analytics events of the days this run loads (the Dagster partition window). -#}
{% macro events_in_window() -%}
    (select * from {{ ref('fct_analytics_events') }} where {{ partition_window('event_date') }})
{%- endmacro %}

{#- The events (event_id) the window's analytics events belong to: the per-event marts recompute these. -#}
{% macro events_touched_in_window() -%}
    (select distinct assumeNotNull(event_id) from {{ events_in_window() }} where event_id is not null)
{%- endmacro %}
