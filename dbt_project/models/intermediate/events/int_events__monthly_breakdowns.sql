-- depends_on: {{ ref('int_events__rebuilt_days') }} (in incremental runs: the days it rebuilds, found once per run)
-- depends_on: {{ ref('int_events__registration_days') }} (in incremental runs: the days that hold the events of the registrations a run touches)
-- depends_on: {{ ref('fct_analytics_events') }} (in incremental runs: the analytics events of the window)
-- int_events__daily_breakdowns merged by calendar month: the dashboard merges an event's months (about twelve
-- states a year) instead of its days (365). Incremental: a run rebuilds whole the months of the days the daily
-- table rebuilds. A month is kept past the retention for a month longer than its last day, but the dashboard
-- reads a month here only while none of its days is past the retention (the daily rows of an older month,
-- some of which the retention removes, are read instead).
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(event_month)',
        order_by='(organization_id, event_id, event_month, breakdown, breakdown_value)',
        ttl='event_month + INTERVAL ' ~ (events_retention_days() + 62) ~ ' DAY DELETE'
    )
}}
select
    organization_id,
    event_id,
    toStartOfMonth(event_date) as event_month,
    breakdown,
    breakdown_value,
    {{ merged_event_figures() }}
from {{ ref('int_events__daily_breakdowns') }}
{%- if is_incremental() %}
where toStartOfMonth(event_date) in {{ events_rebuilt_days_list(months=true) }}
{%- endif %}
group by organization_id, event_id, event_month, breakdown, breakdown_value
