{{ config(order_by="(merchant_id, shop_id, created_at)") }}

-- One row per payment: its attributes from payment.created, its status from the latest event.
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
    c.payment_system as payment_system,
    c.payment_email as payment_email,
    c.payment_ip as payment_ip,
    c.payment_fingerprint as payment_fingerprint,
    c.payment_pan_mask as payment_pan_mask,
    c.payment_customer_id as payment_customer_id,
    c.city_id as city_id,
    c.country_id as country_id,
    coalesce(c.payment_customer_id, c.payment_fingerprint) as payer
from (select * from {{ ref('stg_payments__events') }} where event_type = 'payment.created') as c
inner join {{ ref('int_payments__payment_state') }} as s
    on s.invoice_id = ifNull(c.invoice_id, '') and s.payment_id = ifNull(c.payment_id, '')
-- a payment delivered twice has one payment.created row after ingest's de-duplication
