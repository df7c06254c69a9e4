-- The latest status of each payment by sequence_id, and whether it ever reached captured (a later refund or
-- chargeback has its own entity and does not undo that).
select
    invoice_id,
    entity_id as payment_id,
    argMax(status, sequence_id) as current_status,
    argMax(changed_at, sequence_id) as status_changed_at,
    max(sequence_id) as last_sequence_id,
    countIf(status = 'captured') > 0 as reached_captured,
    minIf(changed_at, status = 'captured') as captured_at
from {{ ref('int_payments__status_history') }}
where entity_type = 'payment'
group by invoice_id, payment_id
