{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(event_date)',
        order_by='(entity_type, invoice_id, entity_id, sequence_id)'
    )
}}

-- Every status an invoice, payment, refund, chargeback or payout has had, in sequence order, by the day the
-- event was loaded. Events delivered twice on one day collapse to one row (a copy on another day is a second
-- row with the same sequence_id, which changes no current state or first moment); the current state of an
-- entity is its row with the highest sequence. Incremental: a run rebuilds the days it loads.
select
    {{ payment_entity_type('e.event_type') }} as entity_type,
    merchant_id,
    shop_id,
    ifNull(invoice_id, '') as invoice_id,
    {{ payment_entity_id('e.event_type') }} as entity_id,
    sequence_id,
    any(e.status) as status,
    any(e.created_at) as changed_at,
    event_date
from (
    select * from {{ ref('stg_payments__events') }}
    where status is not null
    {%- if is_incremental() %} and {{ partition_window('event_date') }}{% endif %}
) as e
group by entity_type, merchant_id, shop_id, invoice_id, entity_id, sequence_id, event_date
