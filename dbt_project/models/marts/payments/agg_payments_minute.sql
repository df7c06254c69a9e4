-- depends_on: {{ ref('stg_payments__events') }} (the entities with events in the window, in incremental runs)
-- depends_on: {{ ref('int_payments__invoice_days') }} (the days that hold their events, in incremental runs)
-- depends_on: {{ ref('int_payments__window_event_days') }} (the same days, found once per run)
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='merchant_id, shop_id, minute',
        order_by='(merchant_id, shop_id, minute)'
    )
}}

-- Payments per merchant, shop, minute (of the payment's creation, UTC) and the dimensions the statistics
-- group by. Counts and sums merge exactly by addition and payers by uniqExactMerge, so any split interval
-- that is a whole number of minutes is an exact merge of these rows. Incremental: a run recomputes the minutes
-- (per shop) in which the payments with events in its window were created.
select
    merchant_id,
    shop_id,
    toStartOfMinute(created_at) as minute,
    ifNull(currency_symbolic_code, '') as currency_symbolic_code,
    ifNull(city_id, 0) as city_id,
    ifNull(country_id, 0) as country_id,
    ifNull(payment_system, '') as payment_system,
    countIf(reached_captured) as captured_count,
    countIf(status = 'failed') as failed_count,
    sumIf(amount, reached_captured) as captured_amount,
    sumIf(fee, reached_captured) as captured_fee,
    uniqExactStateIf(payer, reached_captured and payer is not null) as payers_state
from {{ ref('fct_payments') }}
{{- only_buckets_of_payments_in_window('toStartOfMinute(created_at)') }}
group by merchant_id, shop_id, minute, currency_symbolic_code, city_id, country_id, payment_system
