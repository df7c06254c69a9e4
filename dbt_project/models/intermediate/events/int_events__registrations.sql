-- One row per registration of an event: its ticket type and source, whether it was completed,
-- cancelled and checked in. The latest non-null ticket type and source win. completed_date is the day (of
-- the event's partition) of its first registration.completed. Grouped by registration: a filter on
-- registration_id or event_id reaches the events of those registrations only.
select
    organization_id,
    event_id,
    registration_id,
    argMaxIf(ticket_type_id, created_at, ticket_type_id is not null) as ticket_type_id,
    argMaxIf(traffic_source, created_at, traffic_source is not null) as traffic_source,
    min(created_at) as first_seen_at,
    argMinIf(event_date, created_at, event_type = 'registration.completed') as completed_date,
    countIf(event_type = 'registration.completed') > 0 as completed,
    countIf(event_type = 'registration.cancelled') > 0 as cancelled,
    countIf(event_type = 'checkin.completed') > 0 as checked_in
from {{ ref('fct_analytics_events') }}
where registration_id is not null and event_id is not null
group by organization_id, event_id, registration_id
