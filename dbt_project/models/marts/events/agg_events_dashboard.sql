-- The Analytics Service dashboard per event: totals, by day, by ticket type and by traffic source.
-- Views come from page.view events; registrations are completed registrations (registration.created
-- counts as completed), confirmed = not cancelled, checkedIn = confirmed and checked in.
-- A zero denominator gives a null rate.
with views_by_source as (
    select organization_id, assumeNotNull(event_id) as event_id, ifNull(traffic_source, '') as breakdown_value,
        count() as total_views, uniqExact(user_id) as unique_views
    from (select * from {{ ref('fct_analytics_events') }} where event_type = 'page.view' and event_id is not null)
    group by organization_id, event_id, breakdown_value
),

registrations as (
    select * from {{ ref('int_events__registrations') }} where completed
),

by_dimension as (
    select organization_id, event_id, 'total' as breakdown, '' as breakdown_value,
        sum(total_views) as total_views, uniqExactMerge(unique_viewers_state) as unique_views,
        sum(total_registrations) as total_registrations, sum(confirmed_registrations) as confirmed_registrations,
        sum(checked_in) as checked_in
    from {{ ref('agg_events_organization_daily') }}
    group by organization_id, event_id

    union all

    select organization_id, event_id, 'day', toString(event_date),
        sum(total_views), uniqExactMerge(unique_viewers_state),
        sum(total_registrations), sum(confirmed_registrations), sum(checked_in)
    from {{ ref('agg_events_organization_daily') }}
    group by organization_id, event_id, event_date

    union all

    select organization_id, event_id, 'ticket_type', ifNull(ticket_type_id, ''),
        0, 0, count(), countIf(not cancelled), countIf(checked_in and not cancelled)
    from registrations
    group by organization_id, event_id, ifNull(ticket_type_id, '')

    union all

    select organization_id, event_id, 'source', breakdown_value, sum(total_views), sum(unique_views),
        sum(total_registrations), sum(confirmed_registrations), sum(checked_in)
    from (
        select organization_id, event_id, breakdown_value, total_views, unique_views,
            0 as total_registrations, 0 as confirmed_registrations, 0 as checked_in
        from views_by_source
        union all
        select organization_id, event_id, ifNull(traffic_source, ''), 0, 0,
            1, toUInt64(not cancelled), toUInt64(checked_in and not cancelled)
        from registrations
    )
    group by organization_id, event_id, breakdown_value
)

select
    organization_id,
    event_id,
    breakdown,
    breakdown_value,
    toUInt64(total_views) as totalViews,
    toUInt64(unique_views) as uniqueViews,
    toUInt64(total_registrations) as totalRegistrations,
    toUInt64(confirmed_registrations) as confirmedRegistrations,
    toUInt64(checked_in) as checkedIn,
    if(breakdown = 'ticket_type', null, total_registrations / nullIf(unique_views, 0)) as viewToRegistrationRate,
    checked_in / nullIf(confirmed_registrations, 0) as registrationToCheckinRate
from by_dimension
