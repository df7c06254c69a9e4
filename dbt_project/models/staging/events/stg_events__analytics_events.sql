select
    id,
    tenant_id,
    event_type,
    event_id,
    user_id,
    properties,
    ticket_type_id,
    registration_id,
    traffic_source,
    created_at,
    _partition_date as event_date
from {{ source('events', 'analytics_events') }}
