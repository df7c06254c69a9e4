{{ config(tags=['channel_sorting']) }}
{#-
    create_channel_sorting_by_popularity: every channel of each client ranked by a criterion over the
    `sorting_days_number` UTC days ending with `sorting_as_of` (default today), optionally only some devices,
    tariffs and active accounts. Options come as vars from the Dagster job or the command line.
-#}
{%- set criteria_names = ['watch_time', 'watch_sessions', 'average_watch_time', 'median_watch_time'] -%}
{%- set client_ids = var('sorting_client_ids', []) -%}
{%- set criteria = var('sorting_criteria', criteria_names) -%}
{%- set days_number = var('sorting_days_number', 30) | int -%}
{%- set devices = var('sorting_devices', []) -%}
{%- set tariffs = var('sorting_tariffs', []) -%}
{%- set accounts_active = var('sorting_accounts_active', false) -%}
{%- set as_of = var('sorting_as_of', none) -%}
{%- for criterion in criteria if criterion not in criteria_names -%}
    {{ exceptions.raise_compiler_error("unknown criterion " ~ criterion ~ "; valid: " ~ criteria_names | join(", ")) }}
{%- endfor -%}
{%- set as_of_sql = "toDate('" ~ as_of ~ "')" if as_of else "today()" -%}

with sessions as (
    select s.client_id as client_id, assumeNotNull(s.channel_id) as channel_id, s.session_id as session_id,
        sum(s.part_watch_seconds) as watch_seconds
    from {{ ref('int_viewing__session_days') }} as s
    {% if accounts_active %}
    inner join {{ ref('stg_billing__accounts') }} as a on a.account_id = s.account_id and a.is_active
    {% endif %}
    where s.channel_id is not null
        and s.view_date > {{ as_of_sql }} - {{ days_number }}
        and s.view_date <= {{ as_of_sql }}
        {% if client_ids %}and s.client_id in {{ sql_list(client_ids) }}{% endif %}
        {% if devices %}and s.device in {{ sql_list(devices) }}{% endif %}
        {% if tariffs %}and hasAny(s.tariff_ids, CAST({{ sql_list(tariffs) }}, 'Array(UInt32)')){% endif %}
    group by client_id, channel_id, session_id
),

metrics as (
    select
        client_id,
        channel_id,
        1 as watched,
        toFloat64(sum(watch_seconds)) as watch_time,
        toFloat64(count()) as watch_sessions,
        avg(watch_seconds) as average_watch_time,
        quantileExactInclusive(0.5)(watch_seconds) as median_watch_time
    from sessions
    group by client_id, channel_id
),

scored as (
    select
        c.client_id as client_id,
        k.criterion as criterion,
        c.channel_id as channel_id,
        if(m.watched = 1, multiIf(
            k.criterion = 'watch_time', m.watch_time,
            k.criterion = 'watch_sessions', m.watch_sessions,
            k.criterion = 'average_watch_time', m.average_watch_time,
            m.median_watch_time
        ), null) as value
    from {{ ref('stg_content__channels') }} as c
    cross join (select arrayJoin({{ sql_list(criteria) }}) as criterion) as k
    left join metrics as m on m.client_id = c.client_id and m.channel_id = c.channel_id
    {% if client_ids %}where c.client_id in {{ sql_list(client_ids) }}{% endif %}
)

select
    client_id,
    criterion,
    channel_id,
    value,
    -- unwatched channels last, then by value, ties by channel id: the same inputs always give one order
    toUInt32(row_number() over (partition by client_id, criterion order by isNull(value), value desc, channel_id)) as rank,
    {{ as_of_sql }} as as_of,
    toUInt32({{ days_number }}) as days_number,
    CAST({{ sql_list(devices) }}, 'Array(String)') as devices,
    CAST({{ sql_list(tariffs) }}, 'Array(UInt32)') as tariffs,
    {{ 'true' if accounts_active else 'false' }} as accounts_active
from scored
