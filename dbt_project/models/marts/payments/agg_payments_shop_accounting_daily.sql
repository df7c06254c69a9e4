-- depends_on: {{ ref('stg_payments__events') }} (the entities with events in the window, in incremental runs)
-- depends_on: {{ ref('int_payments__invoice_days') }} (the days that hold their events, in incremental runs)
-- depends_on: {{ ref('int_payments__window_event_days') }} (the same days, found once per run)
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='merchant_id, shop_id, currency_code, day',
        order_by='(merchant_id, shop_id, currency_code, day)'
    )
}}

-- Shop accounting per UTC day, merchant, shop and currency: the day's movements and the running balance
-- (closing = opening + funds_acquired - fee_charged - funds_refunded - funds_charged_back - funds_paid_out).
-- Days without movements have no row; the balance carries over unchanged. Incremental: for each shop with a
-- movement of an entity that had events in the run's window, the days from that movement's day (or the
-- window's first day, if earlier) onwards are recomputed, starting from the closing balance of the day before.
with
{%- if is_incremental() %}
recomputed_from as (
    select
        merchant_id,
        shop_id,
        currency_code,
        least(min(toDate(moved_at)), toDate('{{ var("min_date") }}')) as first_day
    from {{ ref('fct_payments_balance_movements') }}
    where (movement_type, invoice_id, entity_id) in {{ payment_entities_in_window() }} and {{ on_payment_event_days() }}
    group by merchant_id, shop_id, currency_code
),

openings as (
    select
        r.merchant_id as merchant_id,
        r.shop_id as shop_id,
        r.currency_code as currency_code,
        r.first_day as first_day,
        ifNull(argMaxIf(t.closing_balance, t.day, t.day < r.first_day), toInt64(0)) as opening
    from recomputed_from as r
    left join {{ this }} as t
        on t.merchant_id = r.merchant_id and t.shop_id = r.shop_id and t.currency_code = r.currency_code
    group by merchant_id, shop_id, currency_code, first_day
    settings join_use_nulls = 1
),

movements as (
    select m.*, o.opening as opening
    from {{ ref('fct_payments_balance_movements') }} as m
    inner join openings as o
        on o.merchant_id = m.merchant_id and o.shop_id = m.shop_id and o.currency_code = m.currency_code
    where toDate(m.moved_at) >= o.first_day
        -- the same bound for all shops, which the sorting key (moved_at first) uses to skip the older movements
        and m.moved_at >= (select toDateTime64(min(first_day), 3, 'UTC') from recomputed_from)
),
{%- else %}
movements as (
    select *, toInt64(0) as opening from {{ ref('fct_payments_balance_movements') }}
),
{%- endif %}

daily as (
    select
        toDate(m.moved_at) as day,
        m.merchant_id as merchant_id,
        m.shop_id as shop_id,
        m.currency_code as currency_code,
        sum(m.funds_acquired) as funds_acquired,
        sum(m.fee_charged) as fee_charged,
        sum(m.funds_refunded) as funds_refunded,
        sum(m.funds_charged_back) as funds_charged_back,
        sum(m.funds_paid_out) as funds_paid_out,
        sum(m.balance_change) as balance_change,
        any(m.opening) as opening
    from movements as m
    group by day, merchant_id, shop_id, currency_code
)

select
    day,
    merchant_id,
    shop_id,
    currency_code,
    funds_acquired,
    fee_charged,
    funds_refunded,
    funds_charged_back,
    funds_paid_out,
    balance_change,
    closing_balance - balance_change as opening_balance,
    closing_balance
from (
    select
        *,
        opening + sum(balance_change) over (
            partition by merchant_id, shop_id, currency_code order by day rows between unbounded preceding and current row
        ) as closing_balance
    from daily
)
