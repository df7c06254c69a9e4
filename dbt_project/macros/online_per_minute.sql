{#-
    Sessions online per minute for each UTC day this run rebuilds, per `keys` (the client, or the client and
    the channel): every minute of each day on which a key had a session, zeros included. A session
    [start, end) is online in minute m when start < m + 60 s and end > m. Each day is computed from the
    session parts inside it (int_viewing__session_days), so a day never needs the days before it.
-#}
{% macro online_per_minute(keys, parts_filter='1 = 1') %}
{#- keys are not Nullable: a channel's parts are filtered on channel_id is not null -#}
{%- set key_list = keys | join(', ') -%}
with parts as (
    select {{ key_list }}, view_date, part_started_at, part_ended_at
    -- filter before the keys are renamed: in ClickHouse an alias shadows the column it is named after
    from (select * from {{ ref('int_viewing__session_days') }} where {{ parts_filter }})
    where part_ended_at > part_started_at
    {%- if is_incremental() %}
        and {{ partition_window('view_date', days_after=session_span_days()) }}
    {%- endif %}
),

changes as (
    select {{ key_list }}, view_date, change.1 as minute, sum(change.2) as delta
    from parts
    array join [
        (toDateTime(toStartOfMinute(part_started_at), 'UTC'), toInt64(1)),
        (toDateTime(toStartOfMinute(part_ended_at - toIntervalMillisecond(1)), 'UTC') + 60, toInt64(-1))
    ] as change
    group by {{ key_list }}, view_date, minute
),

grid as (
    select {{ key_list }}, view_date, toDateTime(view_date, 'UTC') + toIntervalMinute(arrayJoin(range(1440))) as minute
    from (select distinct {{ key_list }}, view_date from changes)
)

select
    {%- for key in keys %}
    assumeNotNull(g.{{ key }}) as {{ key }},
    {%- endfor %}
    g.view_date as view_date,
    g.minute as minute,
    toInt64(sum(c.delta) over (
        partition by {% for key in keys %}g.{{ key }}, {% endfor %}g.view_date
        order by g.minute rows between unbounded preceding and current row
    )) as online
from grid as g
left join changes as c
    on {% for key in keys %}c.{{ key }} = g.{{ key }} and {% endfor %}c.view_date = g.view_date and c.minute = g.minute
{% endmacro %}
