{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(view_date)',
        order_by='(client_id, channel_id, minute)'
    )
}}

-- Sessions online per minute and channel (live and catch-up): every minute of each UTC day on which the
-- channel had a session, zeros included. Incremental by UTC day.
{{ online_per_minute(['client_id', 'channel_id'], parts_filter='channel_id is not null') }}
