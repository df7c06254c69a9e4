-- The Analytics Service dashboard by event and UTC day.
with daily as (
    select
        tenant_id,
        event_id,
        event_date,
        countIf(event_type = 'page.view') as total_views,
        uniqExactIf(user_id, event_type = 'page.view') as unique_views,
        uniqExactIf(registration_id, event_type = 'registration.completed') as total_registrations,
        uniqExactIf(registration_id, event_type = 'registration.cancelled') as cancelled_registrations,
        uniqExactIf(registration_id, event_type = 'checkin.completed') as checked_in
    from {{ ref('stg_events__analytics_events') }}
    where event_id is not null
    group by tenant_id, event_id, event_date
)

select
    tenant_id,
    event_id,
    event_date,
    total_views as totalViews,
    unique_views as uniqueViews,
    total_registrations as totalRegistrations,
    greatest(total_registrations - cancelled_registrations, 0) as confirmedRegistrations,
    checked_in as checkedIn,
    total_registrations / nullIf(unique_views, 0) as viewToRegistrationRate,
    checked_in / nullIf(total_registrations, 0) as registrationToCheckinRate
from daily
