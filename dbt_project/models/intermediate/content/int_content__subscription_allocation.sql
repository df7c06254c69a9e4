{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='subscription_id',
        order_by='(subscription_id, dt, tv_id, season_num)'
    )
}}

-- Each subscription's money in kopecks shared among the titles, seasons and UTC days of the sessions begun under
-- it, in proportion to watch time, by largest remainder, so the shares add up to the money exactly; a
-- subscription with no such viewing (or no money left after refunds) has one row with tv_id 0 on its start day
-- holding all of its money. Incremental: a run recomputes, from all of their viewing, the subscriptions with
-- viewing in the days it rebuilds (as built now or as kept before) and those whose money, currency or start
-- differ from the rows kept (new, refunded or corrected ones).
with subscriptions as (
    select subscription_id, currency, toInt64(money * 100) as kopecks, toDate(started_at) as start_date
    from {{ ref('int_billing__subscriptions') }}
    {%- if is_incremental() %}
    where subscription_id in (
        select subscription_id from {{ ref('int_content__vod_views') }}
        where subscription_id is not null and {{ partition_window('view_date', days_after=session_span_days()) }}
        union distinct
        select subscription_id from {{ this }} where tv_id != 0 and {{ partition_window('dt', days_after=session_span_days()) }}
        union distinct
        select subscription_id from (
            select subscription_id, currency, toInt64(money * 100), toDate(started_at)
            from {{ ref('int_billing__subscriptions') }}
            except distinct
            -- every row of a subscription carries its money, currency and start: one per subscription is read
            select subscription_id, any(currency), any(subscription_kopecks), any(start_date) from {{ this }}
            group by subscription_id
        )
    )
    {%- endif %}
),

watched as (
    select
        subscription_id,
        tv_id,
        season_num,
        view_date as dt,
        sum(toInt64(round(watch_seconds * 1000))) as watch_ms,
        true as watched
    from {{ ref('int_content__vod_views') }}
    where subscription_id is not null and watch_seconds > 0
        and subscription_id in (select subscription_id from subscriptions)
    group by subscription_id, tv_id, season_num, dt
),

-- one pass (the CTEs above are evaluated once more for every reference): a subscription's viewing rows, or
-- one row with watched = false when it has none
shares as (
    select
        s.subscription_id as subscription_id,
        w.tv_id as tv_id,
        w.season_num as season_num,
        w.dt as dt,
        w.watch_ms as watch_ms,
        s.currency as currency,
        s.kopecks as kopecks,
        s.start_date as start_date,
        s.kopecks > 0 and w.watched as shared,
        toInt128(s.kopecks) * w.watch_ms as weighted,
        sum(w.watch_ms) over (partition by s.subscription_id) as subscription_ms,
        countIf(s.kopecks > 0 and w.watched) over (partition by s.subscription_id) > 0 as has_shares
    from subscriptions as s
    left join watched as w on w.subscription_id = s.subscription_id
),

allocated as (
    select
        *,
        intDiv(weighted, if(shared, subscription_ms, 1)) as floor_kopecks,
        weighted % if(shared, subscription_ms, 1) as remainder,
        kopecks - sum(floor_kopecks) over (partition by subscription_id) as leftover,
        row_number() over (
            partition by subscription_id order by remainder desc, tv_id, season_num, dt
        ) as remainder_rank
    from shares
    -- a subscription without shares keeps one row (all of its money on its start day)
    where shared or not has_shares
)

select
    subscription_id,
    if(has_shares, tv_id, toUInt32(0)) as tv_id,
    if(has_shares, season_num, toUInt16(0)) as season_num,
    if(has_shares, dt, start_date) as dt,
    currency,
    if(has_shares, watch_ms, toInt64(0)) as watch_ms,
    toInt64(if(has_shares, floor_kopecks + if(remainder_rank <= leftover, 1, 0), kopecks)) as alloc_kopecks,
    kopecks as subscription_kopecks,
    start_date
from allocated
where has_shares or remainder_rank = 1
