-- The registration funnel of each user and event by start day: the furthest stage (1 page view, 2 registration
-- started, 3 completed, 4 checked in) reached by a chain of steps that starts with a page view on start_date
-- and ends within the funnel window (windowFunnel with its first step held to that day). A user's funnel level
-- is the maximum over start days, which is windowFunnel over all of the user's events.
-- Incremental: a chain only reads events within the window after its start, so a run rebuilds the start days
-- whose chains can reach the days it loads (window days before min_date up to max_date), from the events of
-- those days and the window after them.
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(start_date)',
        order_by='(organization_id, event_id, user_id, start_date)',
        ttl='start_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
{%- set window_days = funnel_window_days() %}
with steps as (
    select
        organization_id,
        assumeNotNull(event_id) as event_id,
        assumeNotNull(user_id) as user_id,
        toDateTime(created_at) as at,
        multiIf(
            event_type = 'page.view', 1,
            event_type = 'registration.started', 2,
            event_type = 'registration.completed', 3,
            4
        ) as step
    from {{ ref('fct_analytics_events') }}
    where event_id is not null and user_id is not null
        and event_type in ('page.view', 'registration.started', 'registration.completed', 'checkin.completed')
        {%- if is_incremental() %}
        and {{ partition_window('event_date', days_before=window_days, days_after=window_days) }}
        {%- endif %}
),

sequences as (
    select organization_id, event_id, user_id, groupArray(at) as ats, groupArray(step) as steps
    from steps
    group by organization_id, event_id, user_id
)

select
    organization_id,
    event_id,
    user_id,
    start_date,
    toUInt8(arrayReduce(
        'windowFunnel({{ funnel_window_seconds() }})',
        ats,
        arrayMap((step, at) -> step = 1 and toDate(at) = start_date, steps, ats),
        arrayMap(step -> step = 2, steps),
        arrayMap(step -> step = 3, steps),
        arrayMap(step -> step = 4, steps)
    )) as level
from sequences
array join arrayDistinct(arrayMap(at -> toDate(at), arrayFilter(
    (at, step) -> step = 1
    {%- if is_incremental() %} and {{ partition_window('toDate(at)', days_before=window_days) }}{% endif %},
    ats, steps
))) as start_date
