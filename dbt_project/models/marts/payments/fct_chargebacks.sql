-- One row per chargeback in its current state: the attributes of its first event, the status of its latest.
-- Source columns are qualified (e.) so that no output alias shadows them inside the aggregates.
select
    e.merchant_id as merchant_id,
    e.shop_id as shop_id,
    ifNull(e.invoice_id, '') as invoice_id,
    ifNull(e.chargeback_id, '') as chargeback_id,
    any(e.payment_id) as payment_id,
    min(e.created_at) as created_at,
    argMax(e.status, e.sequence_id) as status,
    argMax(e.created_at, e.sequence_id) as status_changed_at,
    argMinIf(e.amount, e.sequence_id, e.amount is not null) as amount,
    argMinIf(e.currency_symbolic_code, e.sequence_id, e.currency_symbolic_code is not null) as currency_symbolic_code,
    argMaxIf(e.chargeback_category, e.sequence_id, e.chargeback_category is not null) as chargeback_category,
    argMaxIf(e.chargeback_stage, e.sequence_id, e.chargeback_stage is not null) as chargeback_stage
from {{ ref('stg_payments__events') }} as e
where startsWith(e.event_type, 'chargeback.')
group by merchant_id, shop_id, invoice_id, chargeback_id
