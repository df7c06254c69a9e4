-- One row per payout in its current state: the attributes of its first event, the status of its latest.
-- Source columns are qualified (e.) so that no output alias shadows them inside the aggregates.
select
    e.merchant_id as merchant_id,
    e.shop_id as shop_id,
    ifNull(e.invoice_id, '') as invoice_id,
    ifNull(e.payout_id, '') as payout_id,
    min(e.created_at) as created_at,
    argMax(e.status, e.sequence_id) as status,
    argMax(e.created_at, e.sequence_id) as status_changed_at,
    argMinIf(e.amount, e.sequence_id, e.amount is not null) as amount,
    argMinIf(e.currency_symbolic_code, e.sequence_id, e.currency_symbolic_code is not null) as currency_symbolic_code,
    argMaxIf(e.payout_type, e.sequence_id, e.payout_type is not null) as payout_type
from {{ ref('stg_payments__events') }} as e
where startsWith(e.event_type, 'payout.')
group by merchant_id, shop_id, invoice_id, payout_id
