-- depends_on: {{ ref('int_events__rebuilt_days') }} (in incremental runs: the days it rebuilds, found once per run)
-- depends_on: {{ ref('int_events__registration_days') }} (in incremental runs: the days that hold the events of the registrations a run touches)
-- depends_on: {{ ref('fct_analytics_events') }} (in incremental runs: the analytics events of the window)
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(event_date)',
        order_by='(organization_id, event_id, event_date)',
        ttl='event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}

-- Per organization, event and UTC day: views, unique viewers as an exact mergeable state, and the
-- registrations completed that day with how many stayed confirmed and checked in. Registration figures
-- are counted on the day the registration was completed, so they add up over any period; unique viewers
-- merge exactly with uniqExactMerge. The organization report and the daily dashboard read this table.
-- Every view and registration has one traffic source (or none: ''), so a day is the merge of its rows by
-- source in int_events__daily_breakdowns. Incremental: a run rebuilds the days it loads and the days on
-- which the registrations its events touch were completed (a cancellation or check-in days later changes
-- the figures of the day of completion).
select
    organization_id,
    event_id,
    event_date,
    {{ merged_event_figures() }}
from {{ ref('int_events__daily_breakdowns') }}
where breakdown = 'source'
{%- if is_incremental() %} and event_date in {{ events_rebuilt_days_list() }}{% endif %}
group by organization_id, event_id, event_date
