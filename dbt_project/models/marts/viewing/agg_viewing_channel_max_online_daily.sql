-- Each channel's daily peak of sessions online and the first minute it was reached.
select
    client_id,
    channel_id,
    toDate(minute) as view_date,
    max(online) as max_online,
    argMax(minute, (online, -toUnixTimestamp(minute))) as max_online_at
from {{ ref('agg_viewing_channel_online_minute') }}
group by client_id, channel_id, view_date
