-- The Analytics Service's tracked events, with the domain events it consumes mapped to tracked types
-- as the service does (registration.created -> registration.completed); the type received is kept.
-- Columns are qualified: in ClickHouse an alias would otherwise shadow the column it is named after.
select
    e.id as id,
    e.tenant_id as organization_id,
    multiIf(e.event_type = 'registration.created', 'registration.completed', e.event_type) as event_type,
    e.event_type as received_event_type,
    event_id,
    user_id,
    properties,
    ticket_type_id,
    registration_id,
    traffic_source,
    created_at,
    _partition_date as event_date
from {{ source('events', 'analytics_events') }} as e
