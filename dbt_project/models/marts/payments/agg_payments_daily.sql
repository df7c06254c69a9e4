-- depends_on: {{ ref('stg_payments__events') }} (the entities with events in the window, in incremental runs)
-- depends_on: {{ ref('int_payments__invoice_days') }} (the days that hold their events, in incremental runs)
-- depends_on: {{ ref('int_payments__window_event_days') }} (the same days, found once per run)
-- Payments per UTC day (of creation), merchant, currency and payment system for reports: captured count and
-- amounts (Magista's turnover), failed count (conversion = captured / (captured + failed)). Incremental: a run
-- rebuilds the days on which the payments with events in its window were created.
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(payment_date)',
        order_by='(payment_date, merchant_id)'
    )
}}
select
    toDate(created_at) as payment_date,
    merchant_id,
    ifNull(currency_symbolic_code, '') as currency_symbolic_code,
    ifNull(payment_system, '') as payment_system,
    countIf(reached_captured) as captured_count,
    countIf(status = 'failed') as failed_count,
    sumIf(amount, reached_captured) as captured_amount,
    sumIf(fee, reached_captured) as captured_fee
from {{ ref('fct_payments') }}
{{- only_buckets_of_payments_in_window('toDate(created_at)', partition=[]) }}
group by payment_date, merchant_id, currency_symbolic_code, payment_system
