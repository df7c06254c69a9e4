-- depends_on: {{ ref('int_payments__invoice_days') }} (in incremental runs: the days that hold events of the entities in the window)
-- depends_on: {{ ref('int_payments__window_event_days') }} (the same days, found once per run)
{{
    config(
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='merchant_id, shop_id, invoice_id, payment_id',
        partition_by='toYYYYMM(event_date)',
        order_by='(merchant_id, shop_id, created_at)',
        settings=payment_fact_table_settings(),
        query_settings=payment_fact_query_settings()
    )
}}

-- One row per payment: its attributes from payment.created, its status from the latest event by sequence_id,
-- and whether it ever reached captured (a later refund or chargeback has its own entity and does not undo
-- that). event_date is the day payment.created was loaded on; the table is partitioned by its month.
-- Incremental: delete+insert of the payments that have events in the run's window.
with state as (
    select
        invoice_id,
        entity_id,
        argMax(status, sequence_id) as current_status,
        argMax(changed_at, sequence_id) as status_changed_at,
        countIf(status = 'captured') > 0 as reached_captured
    from {{ ref('int_payments__status_history') }}
    where entity_type = 'payment'
    {%- if is_incremental() %}
        and event_date in {{ payment_event_days_in_window() }}
        and {{ payment_entity_in_window('payment', 'invoice_id', 'entity_id') }}
    {%- endif %}
    group by invoice_id, entity_id
)

select
    c.merchant_id as merchant_id,
    c.shop_id as shop_id,
    c.invoice_id as invoice_id,
    c.payment_id as payment_id,
    c.created_at as created_at,
    s.current_status as status,
    s.status_changed_at as status_changed_at,
    s.reached_captured as reached_captured,
    c.amount as amount,
    c.fee as fee,
    c.currency_symbolic_code as currency_symbolic_code,
    c.payment_flow as payment_flow,
    c.payment_method as payment_method,
    c.payment_terminal_provider as payment_terminal_provider,
    c.payment_token_provider as payment_token_provider,
    c.payment_system as payment_system,
    c.payment_email as payment_email,
    c.payment_ip as payment_ip,
    c.payment_fingerprint as payment_fingerprint,
    c.payment_first6 as payment_first6,
    c.payment_last4 as payment_last4,
    c.payment_customer_id as payment_customer_id,
    c.city_id as city_id,
    c.country_id as country_id,
    c.external_id as external_id,
    c.payment_rrn as payment_rrn,
    c.payment_approval_code as payment_approval_code,
    c.payment_provider_id as payment_provider_id,
    c.payment_terminal_id as payment_terminal_id,
    c.payment_domain_revision as payment_domain_revision,
    coalesce(c.payment_customer_id, c.payment_fingerprint) as payer,
    c.event_date as event_date
from (
    select * from {{ ref('stg_payments__events') }}
    where event_type = 'payment.created'
    {%- if is_incremental() %}
        and event_date in {{ payment_event_days_in_window() }}
        and {{ payment_entity_in_window('payment', 'invoice_id', 'payment_id') }}
    {%- endif %}
) as c
inner join state as s on s.invoice_id = ifNull(c.invoice_id, '') and s.entity_id = ifNull(c.payment_id, '')
-- a payment delivered twice has one payment.created row after ingest's de-duplication
