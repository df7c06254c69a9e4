-- Sessions online per minute and channel (live and catch-up), every minute from the channel's first to
-- its last change.
with changes as (
    -- filter before renaming: in ClickHouse an alias shadows the column it is named after
    select client_id, assumeNotNull(channel_id) as channel_id, toDateTime(minute, 'UTC') as minute, sum(delta) as delta
    from (select * from {{ ref('int_viewing__online_deltas') }} where channel_id is not null)
    group by client_id, channel_id, minute
),

grid as (
    select
        client_id,
        channel_id,
        first_minute + toIntervalMinute(arrayJoin(range(toUInt32(dateDiff('minute', first_minute, last_minute)) + 1))) as minute
    from (
        select client_id, channel_id, min(minute) as first_minute, max(minute) as last_minute
        from changes
        group by client_id, channel_id
    )
)

select
    g.client_id as client_id,
    g.channel_id as channel_id,
    g.minute as minute,
    toInt64(sum(c.delta) over (
        partition by g.client_id, g.channel_id order by g.minute rows between unbounded preceding and current row
    )) as online
from grid as g
left join changes as c on c.client_id = g.client_id and c.channel_id = g.channel_id and c.minute = g.minute
