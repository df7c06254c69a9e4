{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(view_date)',
        order_by='(client_id, view_date, account_id)'
    )
}}

-- save_stats: each customer's viewing per UTC day (sessions crossing midnight count in both days). Incremental
-- by UTC day.
select
    client_id,
    account_id,
    view_date,
    count() as sessions,
    sum(part_watch_seconds) as watch_seconds,
    uniqExactIf(channel_id, channel_id is not null) as distinct_channels,
    arraySort(groupUniqArray(device)) as devices,
    min(part_started_at) as first_seen_at,
    max(part_ended_at) as last_seen_at
from {{ ref('int_viewing__session_days') }}
{%- if is_incremental() %}
where {{ partition_window('view_date', days_after=session_span_days()) }}
{%- endif %}
group by client_id, account_id, view_date
