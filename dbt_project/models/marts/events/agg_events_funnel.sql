-- The registration funnel per event, counted per user in order within a conversion window
-- (var funnel_window_hours, default 720 = 30 days): page view -> registration started -> registration
-- completed -> checked in. A user is counted at a stage only after reaching the stages before it in that
-- order, so stage counts never increase; a zero denominator gives a null rate. A user's stage is the furthest
-- of their chains by start day (int_events__funnel_chains). Incremental: a run recomputes the events its
-- analytics events belong to; an event leaves the mart when its last analytics event is past the retention.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='event_id',
        order_by='(organization_id, event_id)',
        ttl='last_event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
-- a user's stage is the furthest of their chains, so the users at stage k or further are the users with a
-- chain that reaches k: distinct users per event and stage, with no table of every user's stage in memory
with per_event as (
    select
        organization_id,
        event_id,
        uniqExact(user_id) as page_views,
        uniqExactIf(user_id, level >= 2) as registration_started,
        uniqExactIf(user_id, level >= 3) as registration_completed,
        uniqExactIf(user_id, level >= 4) as checked_in
    from {{ ref('int_events__funnel_chains') }}
    {%- if is_incremental() %}
    where event_id in {{ events_touched_in_window('user_id is not null') }}
    {%- endif %}
    group by organization_id, event_id
)

select
    l.organization_id as organization_id,
    l.event_id as event_id,
    ifNull(e.page_views, 0) as page_views,
    ifNull(e.registration_started, 0) as registration_started,
    ifNull(e.registration_completed, 0) as registration_completed,
    ifNull(e.checked_in, 0) as checked_in,
    registration_started / nullIf(page_views, 0) as startRate,
    registration_completed / nullIf(registration_started, 0) as completionRate,
    checked_in / nullIf(registration_completed, 0) as attendanceRate,
    toUInt32({{ funnel_window_seconds() }} / 3600) as window_hours,
    l.last_event_date as last_event_date
from {{ events_last_dates('user_id is not null') }} as l
left join per_event as e on e.organization_id = l.organization_id and e.event_id = l.event_id
