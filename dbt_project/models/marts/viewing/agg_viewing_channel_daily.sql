-- Per-channel daily viewing by the day each session started (UTC).
select
    client_id,
    channel_id,
    session_date,
    count() as sessions,
    sum(watch_seconds) as total_watch_seconds,
    uniqExact(account_id) as unique_viewers,
    avg(watch_seconds) as average_watch_seconds,
    quantileExact(0.5)(watch_seconds) as median_watch_seconds
from {{ ref('fct_viewing_sessions') }}
where content_type in ('channel', 'catchup')
group by client_id, channel_id, session_date
