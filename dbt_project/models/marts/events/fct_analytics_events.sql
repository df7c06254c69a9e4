{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(event_date)',
        order_by='(organization_id, created_at, id)',
        ttl='toDateTime(created_at) + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}

select
    id,
    organization_id,
    event_type,
    received_event_type,
    event_id,
    user_id,
    ticket_type_id,
    registration_id,
    traffic_source,
    properties,
    created_at,
    event_date
from {{ ref('stg_events__analytics_events') }}
{% if is_incremental() %}
where {{ partition_window('event_date') }}
{% endif %}
