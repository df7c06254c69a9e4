-- The registration funnel per event, counted per user in order within a conversion window
-- (var funnel_window_hours, default 720 = 30 days): page view -> registration started -> registration
-- completed -> checked in. A user is counted at a stage only after reaching the stages before it in that
-- order, so stage counts never increase; a zero denominator gives a null rate. A user's stage is the furthest
-- of their chains by start day; the users at each stage are counted from their last start days in
-- int_events__funnel_users. Incremental: a run recomputes the events its analytics events belong to; an
-- event leaves the mart when its last analytics event is past the retention.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='event_id',
        order_by='(organization_id, event_id)',
        ttl='last_event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
-- a user is at stage k while their last chain reaching it is kept (its start day within the retention); a user
-- with no chain left (last_start_page_view 1970-01-01, removed by that model's post-hook) is at none
{%- set kept = '> today() - ' ~ events_retention_days() %}
with per_event as (
    select
        organization_id,
        event_id,
        countIf(last_start_page_view {{ kept }}) as page_views,
        {%- for stage in funnel_later_stages() %}
        countIf(last_start_{{ stage }} {{ kept }}) as {{ stage }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_events__funnel_users') }}
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
