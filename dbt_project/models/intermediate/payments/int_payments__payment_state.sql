-- The latest status of each payment by sequence_id: events may arrive twice or out of order.
select
    invoice_id,
    payment_id,
    argMax(status, sequence_id) as current_status,
    argMax(created_at, sequence_id) as status_changed_at,
    max(sequence_id) as last_sequence_id
from {{ ref('stg_payments__events') }}
where startsWith(event_type, 'payment.')
group by invoice_id, payment_id
