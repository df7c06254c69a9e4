{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(view_date)',
        order_by='(client_id, view_date, account_id, session_id)'
    )
}}
{%- set span = session_span_days() %}

-- Sessions split at UTC midnight: a session crossing midnight gives one row per day it touches, with the
-- part of its time that falls in that day, so per-day metrics count it in both days. Incremental: a run
-- rebuilds the days of its window and the days its sessions reach into, from the sessions that can touch them.
with parts as (
    select
        *,
        arrayJoin(range(toUInt32(toDate(started_at)), toUInt32(toDate(ended_at)) + 1)) as day_number
    from {{ ref('fct_viewing_sessions') }}
    {%- if is_incremental() %}
    where {{ partition_window('session_date', days_before=span, days_after=span) }}
    {%- endif %}
)

select
    session_id,
    client_id,
    account_id,
    device,
    tariff_ids,
    content_type,
    channel_id,
    title_id,
    season_num,
    episode_num,
    started_at,
    ended_at,
    toDate(day_number) as view_date,
    greatest(started_at, toDateTime64(toDate(day_number), 3, 'UTC')) as part_started_at,
    least(ended_at, toDateTime64(toDate(day_number) + 1, 3, 'UTC')) as part_ended_at,
    dateDiff('millisecond', part_started_at, part_ended_at) / 1000 as part_watch_seconds
from parts
-- a session ending exactly at midnight does not touch the next day
where (part_ended_at > part_started_at or started_at = ended_at)
{%- if is_incremental() %}
    and {{ partition_window('view_date', days_after=span) }}
{%- endif %}
