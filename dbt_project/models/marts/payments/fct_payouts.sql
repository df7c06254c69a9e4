{{ config(order_by="(merchant_id, shop_id, created_at)") }}

-- One row per payout in its current state, with its type.
{{ entity_current_state('payout', keys=['payout_id'], extra=[
    ('payout_type', 'argMaxIf(e.payout_type, e.sequence_id, e.payout_type is not null)'),
]) }}
