-- +1 at the first minute a session covers, -1 after the last: a running sum of these per client (or per
-- channel) is the number of sessions online in each minute. A session [start, end) covers minute m when
-- start < m + 60 s and end > m. One account watching on two devices counts twice: it is two sessions.
-- Both change points come from one read of each session.
select
    client_id,
    channel_id,
    change.1 as minute,
    change.2 as delta
from {{ ref('fct_viewing_sessions') }}
array join [
    (toDateTime(toStartOfMinute(started_at), 'UTC'), toInt8(1)),
    (toDateTime(toStartOfMinute(ended_at - toIntervalMillisecond(1)), 'UTC') + 60, toInt8(-1))
] as change
where ended_at > started_at
