-- The registration funnel per event, counted per user in order within a conversion window
-- (var funnel_window_hours, default 720 = 30 days): page view -> registration started -> registration
-- completed -> checked in. A user is counted at a stage only after reaching the stages before it in that
-- order, so stage counts never increase; a zero denominator gives a null rate. Incremental: a run recomputes
-- the events its analytics events belong to; an event leaves the mart when its last analytics event is past
-- the retention.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='event_id',
        order_by='(organization_id, event_id)',
        ttl='last_event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
{%- set window_seconds = (var('funnel_window_hours', env_var('OTT_FUNNEL_WINDOW_HOURS', '720')) | int) * 3600 %}
with per_user as (
    select
        organization_id,
        assumeNotNull(event_id) as event_id,
        user_id,
        windowFunnel({{ window_seconds }})(
            toDateTime(created_at),
            event_type = 'page.view',
            event_type = 'registration.started',
            event_type = 'registration.completed',
            event_type = 'checkin.completed'
        ) as level,
        max(event_date) as last_event_date
    from (
        select * from {{ ref('fct_analytics_events') }}
        where event_id is not null and user_id is not null
        {%- if is_incremental() %} and event_id in {{ events_touched_in_window() }}{% endif %}
    )
    group by organization_id, event_id, user_id
)

select
    organization_id,
    event_id,
    countIf(level >= 1) as page_views,
    countIf(level >= 2) as registration_started,
    countIf(level >= 3) as registration_completed,
    countIf(level >= 4) as checked_in,
    registration_started / nullIf(page_views, 0) as startRate,
    registration_completed / nullIf(registration_started, 0) as completionRate,
    checked_in / nullIf(registration_completed, 0) as attendanceRate,
    toUInt32({{ window_seconds }} / 3600) as window_hours,
    max(last_event_date) as last_event_date
from per_user
group by organization_id, event_id
