-- depends_on: {{ ref('stg_payments__events') }} (the entities with events in the window, in incremental runs)
-- depends_on: {{ ref('int_payments__invoice_days') }} (the days that hold their events)
-- depends_on: {{ ref('int_payments__window_event_days') }} (the same days, found once per run)
-- Every movement of money on a shop's account, at the moment it happened: a payment when it is captured
-- (funds acquired, fee charged), a refund when it succeeds, a chargeback when it is accepted, a payout when
-- it is paid. balance_change is what the movement does to the shop's balance. event_date is the first day an
-- event with that status was loaded on; the table is partitioned by its month. Incremental: delete+insert of
-- the movements of the entities that have events in the run's window.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='movement_type, merchant_id, shop_id, invoice_id, entity_id',
        partition_by='toYYYYMM(event_date)',
        order_by='(moved_at, merchant_id, shop_id)',
        settings=payment_fact_table_settings(),
        query_settings=payment_fact_query_settings()
    )
}}
{%- set touched = payment_entities_in_window() if is_incremental() else none %}

with reached as (
    select
        entity_type,
        merchant_id,
        shop_id,
        invoice_id,
        entity_id,
        min(changed_at) as moved_at,
        min(event_date) as first_event_date  -- not event_date: the alias would shadow the column in WHERE
    from {{ ref('int_payments__status_history') }}
    where (entity_type, status) in (
        ('payment', 'captured'), ('refund', 'succeeded'), ('chargeback', 'accepted'), ('payout', 'paid')
    )
    {%- if touched %}
        and event_date in {{ payment_event_days_in_window() }}
        and (entity_type, invoice_id, entity_id) in {{ touched }}
    {%- endif %}
    group by entity_type, merchant_id, shop_id, invoice_id, entity_id
),

amounts as (
    select
        'payment' as entity_type, merchant_id, shop_id, ifNull(invoice_id, '') as invoice_id,
        ifNull(payment_id, '') as entity_id,
        ifNull(currency_symbolic_code, '') as currency_code,
        ifNull(amount, 0) as funds_acquired, ifNull(fee, 0) as fee_charged,
        toInt64(0) as funds_refunded, toInt64(0) as funds_charged_back, toInt64(0) as funds_paid_out
    from {{ ref('fct_payments') }}{{ only_payment_entities_in_window('payment', 'payment_id') }}
    union all
    select
        'refund', merchant_id, shop_id, invoice_id, refund_id, ifNull(currency_symbolic_code, ''),
        0, 0, ifNull(amount, 0), 0, 0
    from {{ ref('fct_refunds') }}{{ only_payment_entities_in_window('refund', 'refund_id') }}
    union all
    select
        'chargeback', merchant_id, shop_id, invoice_id, chargeback_id, ifNull(currency_symbolic_code, ''),
        0, 0, 0, ifNull(amount, 0), 0
    from {{ ref('fct_chargebacks') }}{{ only_payment_entities_in_window('chargeback', 'chargeback_id') }}
    union all
    select
        'payout', merchant_id, shop_id, invoice_id, payout_id, ifNull(currency_symbolic_code, ''),
        0, 0, 0, 0, ifNull(amount, 0)
    from {{ ref('fct_payouts') }}{{ only_payment_entities_in_window('payout', 'payout_id') }}
)

select
    r.moved_at as moved_at,
    r.entity_type as movement_type,
    r.merchant_id as merchant_id,
    r.shop_id as shop_id,
    r.invoice_id as invoice_id,
    r.entity_id as entity_id,
    a.currency_code as currency_code,
    toInt64(a.funds_acquired) as funds_acquired,
    toInt64(a.fee_charged) as fee_charged,
    toInt64(a.funds_refunded) as funds_refunded,
    toInt64(a.funds_charged_back) as funds_charged_back,
    toInt64(a.funds_paid_out) as funds_paid_out,
    toInt64(a.funds_acquired - a.fee_charged - a.funds_refunded - a.funds_charged_back - a.funds_paid_out)
        as balance_change,
    r.first_event_date as event_date
from reached as r
inner join amounts as a
    on a.entity_type = r.entity_type
    and a.merchant_id = r.merchant_id
    and a.shop_id = r.shop_id
    and a.invoice_id = r.invoice_id
    and a.entity_id = r.entity_id
