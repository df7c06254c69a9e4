{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(view_date)',
        order_by='(client_id, minute)'
    )
}}

-- Sessions online per minute and client (cache_max_online's series): every minute of each UTC day on which
-- the client had a session, zeros included. Incremental by UTC day.
{{ online_per_minute(['client_id']) }}
