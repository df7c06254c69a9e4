-- The days on which each registration has analytics events: the index the incremental event marts use to read
-- a registration's events from those days only (a cancellation or check-in can come days after the
-- registration was completed). Incremental: a run rebuilds the days it loads.
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(event_date)',
        order_by='(registration_id)',
        ttl='event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
select distinct
    assumeNotNull(registration_id) as registration_id,
    event_date
from {{ ref('fct_analytics_events') }}
where registration_id is not null and event_id is not null
{%- if is_incremental() %} and {{ partition_window('event_date') }}{% endif %}
