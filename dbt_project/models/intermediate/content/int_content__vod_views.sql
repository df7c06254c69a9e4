{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(view_date)',
        order_by='(account_id, view_date)'
    )
}}

-- Video-on-demand viewing (films and series) per session and UTC day, with the subscription the session
-- began under: the account's latest subscription started at or before the session's start and not yet
-- ended (NULL when none covers it). Incremental by UTC day, over the days the viewing models rebuild.
select
    v.session_id as session_id,
    v.client_id as client_id,
    v.account_id as account_id,
    assumeNotNull(v.title_id) as tv_id,
    ifNull(v.season_num, 0) as season_num,
    ifNull(v.episode_num, 0) as episode_num,
    v.view_date as view_date,
    v.started_at as started_at,
    v.part_watch_seconds as watch_seconds,
    if(s.subscription_id != 0 and v.started_at < s.ended_at, s.subscription_id, null) as subscription_id,
    if(s.subscription_id != 0 and v.started_at < s.ended_at, s.subscription_kind, null) as subscription_kind
from (
    select * from {{ ref('int_viewing__session_days') }}
    where content_type = 'vod' and title_id is not null
    {%- if is_incremental() %} and {{ partition_window('view_date', days_after=session_span_days()) }}{% endif %}
) as v
left asof join (
    select
        account_id,
        subscription_id,
        subscription_kind,
        toDateTime64(started_at, 3, 'UTC') as started_at,
        toDateTime64(ended_at, 3, 'UTC') as ended_at
    from {{ ref('int_billing__subscriptions') }}
) as s on s.account_id = v.account_id and v.started_at >= s.started_at
