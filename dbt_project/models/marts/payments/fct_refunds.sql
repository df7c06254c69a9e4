-- One row per refund in its current state, with the payment it refunds.
{{ entity_current_state('refund', keys=['refund_id'], extra=[
    ('payment_id', 'any(e.payment_id)'),
    ('external_id', 'argMinIf(e.external_id, e.sequence_id, e.external_id is not null)'),
]) }}
