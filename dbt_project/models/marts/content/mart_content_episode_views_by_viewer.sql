-- Premier's episode_views_by_viewer: views per day, user, subscription and episode with the content's and
-- the user's metadata. A view is a session's part inside the UTC day; cnt_views_3min counts those of at least
-- three minutes.
-- Incremental by UTC day, over the days the viewing models rebuild.
{{
    config(
        alias='episode_views_by_viewer',
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(dt)',
        order_by='(dt, passport_id, tv_id, season_num, episode_num)'
    )
}}

select
    v.view_date as dt,
    v.account_id as passport_id,
    v.subscription_kind as subscription_kind,
    v.subscription_id as subscription_id,
    v.tv_id as tv_id,
    v.season_num as season_num,
    v.episode_num as episode_num,
    count() as cnt_views,
    countIf(v.watch_seconds >= 180) as cnt_views_3min,
    round(sum(v.watch_seconds), 3) as view_duration_s,
    any(t.age_restriction) as age_restriction,
    any(t.genre_name) as genre_name,
    any(a.region) as geo_region_title_ru
from (
    select * from {{ ref('int_content__vod_views') }}
    {%- if is_incremental() %} where {{ partition_window('view_date', days_after=session_span_days()) }}{% endif %}
) as v
left join {{ ref('stg_content__titles') }} as t on t.title_id = v.tv_id
left join {{ ref('stg_billing__accounts') }} as a on a.account_id = v.account_id
group by dt, passport_id, subscription_kind, subscription_id, tv_id, season_num, episode_num
settings join_use_nulls = 1
