-- Every status an invoice, payment, refund, chargeback or payout has had, in sequence order. Events
-- delivered twice collapse to one row; the current state of an entity is its row with the highest sequence.
select
    multiIf(
        startsWith(event_type, 'invoice.'), 'invoice',
        startsWith(event_type, 'payment.'), 'payment',
        startsWith(event_type, 'refund.'), 'refund',
        startsWith(event_type, 'chargeback.'), 'chargeback',
        'payout'
    ) as entity_type,
    merchant_id,
    shop_id,
    ifNull(invoice_id, '') as invoice_id,
    ifNull(multiIf(
        startsWith(event_type, 'payment.'), payment_id,
        startsWith(event_type, 'refund.'), refund_id,
        startsWith(event_type, 'chargeback.'), chargeback_id,
        startsWith(event_type, 'payout.'), payout_id,
        ''
    ), '') as entity_id,
    sequence_id,
    any(e.status) as status,
    any(e.created_at) as changed_at
from (select * from {{ ref('stg_payments__events') }} where status is not null) as e
group by entity_type, merchant_id, shop_id, invoice_id, entity_id, sequence_id
