-- Sessions online per minute and client (cache_max_online's series), every minute from the first to
-- the last change, zeros included.
with changes as (
    select client_id, toDateTime(minute, 'UTC') as minute, sum(delta) as delta
    from {{ ref('int_viewing__online_deltas') }}
    group by client_id, minute
),

grid as (
    select
        client_id,
        first_minute + toIntervalMinute(arrayJoin(range(toUInt32(dateDiff('minute', first_minute, last_minute)) + 1))) as minute
    from (select client_id, min(minute) as first_minute, max(minute) as last_minute from changes group by client_id)
)

select
    g.client_id as client_id,
    g.minute as minute,
    toInt64(sum(c.delta) over (partition by g.client_id order by g.minute rows between unbounded preceding and current row)) as online
from grid as g
left join changes as c on c.client_id = g.client_id and c.minute = g.minute
