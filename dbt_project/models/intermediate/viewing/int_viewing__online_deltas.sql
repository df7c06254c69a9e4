-- +1 at the first minute a session covers, -1 after the last: a running sum of these per client (or per
-- channel) is the number of sessions online in each minute. A session [start, end) covers minute m when
-- start < m + 60 s and end > m. One account watching on two devices counts twice: it is two sessions.
select
    client_id,
    channel_id,
    toStartOfMinute(started_at) as minute,
    1 as delta
from {{ ref('fct_viewing_sessions') }}
where ended_at > started_at

union all

select
    client_id,
    channel_id,
    toStartOfMinute(ended_at - toIntervalMillisecond(1)) + toIntervalMinute(1) as minute,
    -1 as delta
from {{ ref('fct_viewing_sessions') }}
where ended_at > started_at
