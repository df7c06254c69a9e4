-- Premier's content_dash_table_till_user_driver_allocation_from_2020_history: each subscription's money
-- allocated to titles in proportion to the watch time of the sessions begun under it, per title, season, UTC
-- day and currency. Allocation is in whole kopecks by largest remainder, so a subscription's shares add up to
-- its money exactly; money of subscriptions with no viewing (or nothing left after refunds) goes to one
-- explicit row per currency and day with tv_id 0 and title_ru '(unallocated)'.
{{ config(
    alias='content_dash_table_till_user_driver_allocation_from_2020_history',
    order_by='(dt, tv_id, season_num, currency)'
) }}

with subscriptions as (
    select subscription_id, currency, money, toInt64(money * 100) as kopecks, toDate(started_at) as start_date
    from {{ ref('int_billing__subscriptions') }}
),

watched as (
    select
        subscription_id,
        tv_id,
        season_num,
        view_date as dt,
        sum(toInt64(round(watch_seconds * 1000))) as watch_ms
    from {{ ref('int_content__vod_views') }}
    where subscription_id is not null and watch_seconds > 0
    group by subscription_id, tv_id, season_num, dt
),

shares as (
    select
        w.subscription_id as subscription_id,
        w.tv_id as tv_id,
        w.season_num as season_num,
        w.dt as dt,
        w.watch_ms as watch_ms,
        s.currency as currency,
        s.kopecks as kopecks,
        toInt128(s.kopecks) * w.watch_ms as weighted,
        sum(w.watch_ms) over (partition by w.subscription_id) as subscription_ms
    from watched as w
    inner join subscriptions as s on s.subscription_id = w.subscription_id
    where s.kopecks > 0
),

rounded as (
    select
        *,
        intDiv(weighted, subscription_ms) as floor_kopecks,
        weighted % subscription_ms as remainder
    from shares
),

allocated as (
    select
        *,
        kopecks - sum(floor_kopecks) over (partition by subscription_id) as leftover,
        row_number() over (
            partition by subscription_id order by remainder desc, tv_id, season_num, dt
        ) as remainder_rank
    from rounded
)

select
    a.tv_id as tv_id,
    any(t.title_ru) as title_ru,
    a.season_num as season_num,
    a.dt as dt,
    a.currency as currency,
    round(sum(a.watch_ms) / 1000, 3) as watching_time,
    toDecimal128(sum(a.floor_kopecks + if(a.remainder_rank <= a.leftover, 1, 0)), 2) / 100 as alloc_revenue
from allocated as a
left join {{ ref('stg_content__titles') }} as t on t.title_id = a.tv_id
group by tv_id, season_num, dt, currency

union all

select
    toUInt32(0) as tv_id,
    '(unallocated)' as title_ru,
    toUInt16(0) as season_num,
    s.start_date as dt,
    s.currency as currency,
    0 as watching_time,
    sum(s.money) as alloc_revenue
from subscriptions as s
where s.kopecks <= 0 or s.subscription_id not in (select subscription_id from shares)
group by dt, currency
