{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(view_date)',
        order_by='(client_id, view_date, channel_id)'
    )
}}

-- Per-channel daily metrics (live and catch-up) by UTC day; sessions crossing midnight count in both days.
-- Incremental by UTC day: reach is computed with the accounts' active flags as they are when the day is built.
with channel_days as (
    select
        client_id,
        assumeNotNull(channel_id) as channel_id,
        view_date,
        count() as sessions,
        sum(part_watch_seconds) as watch_seconds,
        uniqExact(account_id) as unique_viewers,
        avg(part_watch_seconds) as average_watch_seconds,
        quantileExactInclusive(0.5)(part_watch_seconds) as median_watch_seconds
    -- filter before renaming: in ClickHouse an alias shadows the column it is named after
    from (
        select * from {{ ref('int_viewing__session_days') }}
        where channel_id is not null
        {%- if is_incremental() %} and {{ partition_window('view_date', days_after=session_span_days()) }}{% endif %}
    )
    group by client_id, channel_id, view_date
),

active_accounts as (
    select d.client_id as client_id, d.view_date as view_date, countIf(toDate(a.created_at) <= d.view_date) as active_accounts
    from (select distinct client_id, view_date from channel_days) as d
    inner join {{ ref('stg_billing__accounts') }} as a on a.client_id = d.client_id
    where a.is_active
    group by d.client_id, d.view_date
)

select
    c.client_id as client_id,
    c.channel_id as channel_id,
    c.view_date as view_date,
    c.sessions as sessions,
    c.watch_seconds as watch_seconds,
    c.unique_viewers as unique_viewers,
    c.average_watch_seconds as average_watch_seconds,
    c.median_watch_seconds as median_watch_seconds,
    c.unique_viewers / nullIf(a.active_accounts, 0) as reach,
    c.watch_seconds / sum(c.watch_seconds) over (partition by c.client_id, c.view_date) as watch_time_share
from channel_days as c
left join active_accounts as a on a.client_id = c.client_id and a.view_date = c.view_date
