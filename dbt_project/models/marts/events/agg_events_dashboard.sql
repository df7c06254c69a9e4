-- The Analytics Service dashboard per event: totals, by day, by ticket type and by traffic source.
-- Views come from page.view events; registrations are completed registrations (registration.created
-- counts as completed), confirmed = not cancelled, checkedIn = confirmed and checked in.
-- A zero denominator gives a null rate. Totals and days merge the daily states of agg_events_organization_daily,
-- sources and ticket types those of int_events__daily_breakdowns. Incremental: a run recomputes the events its
-- analytics events belong to; an event leaves the mart when its last analytics event is past the retention.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='event_id',
        order_by='(organization_id, event_id, breakdown, breakdown_value)',
        ttl='last_event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
{%- set recomputed = ('event_id in ' ~ events_touched_in_window()) if is_incremental() else '1 = 1' %}

with organization_daily as (
    select * from {{ ref('agg_events_organization_daily') }} where {{ recomputed }}
),

daily_breakdowns as (
    select * from {{ ref('int_events__daily_breakdowns') }} where {{ recomputed }}
),

by_dimension as (
    select organization_id, event_id, 'total' as breakdown, '' as breakdown_value,
        sum(total_views) as total_views, uniqExactMerge(unique_viewers_state) as unique_views,
        sum(total_registrations) as total_registrations, sum(confirmed_registrations) as confirmed_registrations,
        sum(checked_in) as checked_in
    from organization_daily
    group by organization_id, event_id

    union all

    -- one row per event and day already: its state is finalized row by row, not merged in memory
    select organization_id, event_id, 'day', toString(event_date),
        total_views, finalizeAggregation(unique_viewers_state),
        total_registrations, confirmed_registrations, checked_in
    from organization_daily

    union all

    select organization_id, event_id, breakdown, breakdown_value,
        sum(total_views), uniqExactMerge(unique_viewers_state),
        sum(total_registrations), sum(confirmed_registrations), sum(checked_in)
    from daily_breakdowns
    group by organization_id, event_id, breakdown, breakdown_value
)

select
    d.organization_id as organization_id,
    d.event_id as event_id,
    breakdown,
    breakdown_value,
    toUInt64(total_views) as totalViews,
    toUInt64(unique_views) as uniqueViews,
    toUInt64(total_registrations) as totalRegistrations,
    toUInt64(confirmed_registrations) as confirmedRegistrations,
    toUInt64(checked_in) as checkedIn,
    if(breakdown = 'ticket_type', null, total_registrations / nullIf(unique_views, 0)) as viewToRegistrationRate,
    checked_in / nullIf(confirmed_registrations, 0) as registrationToCheckinRate,
    l.last_event_date as last_event_date
from by_dimension as d
inner join {{ events_last_dates() }} as l on l.event_id = d.event_id
