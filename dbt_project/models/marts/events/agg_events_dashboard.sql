-- The Analytics Service dashboard per event: totals, by day, by ticket type and by traffic source.
-- Views come from page.view events; registrations are completed registrations (registration.created
-- counts as completed), confirmed = not cancelled, checkedIn = confirmed and checked in.
-- A zero denominator gives a null rate. Day rows finalize the daily states of agg_events_organization_daily;
-- totals (the merge of the source rows), sources and ticket types merge the monthly states of
-- int_events__monthly_breakdowns for the months none of whose days is past the retention, and the daily states of
-- int_events__daily_breakdowns for the older months (the same figures as merging every day, from about twelve
-- states a year instead of 365). Incremental: a run recomputes the events its analytics events belong to; an
-- event leaves the mart when its last analytics event is past the retention.
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
{#- The first day of the first month none of whose days the retention (a TTL on the daily tables) removes -#}
{%- set whole_months_from = 'toStartOfMonth(addMonths(today() - ' ~ (events_retention_days() - 1) ~ ', 1))' %}

with organization_daily as (
    select * from {{ ref('agg_events_organization_daily') }} where {{ recomputed }}
),

breakdown_states as (
    select organization_id, event_id, breakdown, breakdown_value, total_views, unique_viewers_state,
        total_registrations, confirmed_registrations, checked_in
    from {{ ref('int_events__monthly_breakdowns') }}
    where {{ recomputed }} and event_month >= {{ whole_months_from }}

    union all

    select organization_id, event_id, breakdown, breakdown_value, total_views, unique_viewers_state,
        total_registrations, confirmed_registrations, checked_in
    from {{ ref('int_events__daily_breakdowns') }}
    where {{ recomputed }} and toStartOfMonth(event_date) < {{ whole_months_from }}
),

by_dimension as (
    select organization_id, event_id, 'total' as breakdown, '' as breakdown_value,
        sum(total_views) as total_views, uniqExactMerge(unique_viewers_state) as unique_views,
        sum(total_registrations) as total_registrations, sum(confirmed_registrations) as confirmed_registrations,
        sum(checked_in) as checked_in
    from breakdown_states as states
    where states.breakdown = 'source'  -- qualified: the alias above would shadow the column
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
    from breakdown_states
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
