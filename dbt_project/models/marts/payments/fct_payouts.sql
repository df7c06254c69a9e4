-- One row per payout in its current state, with its type.
{{ entity_current_state('payout', keys=['payout_id'], extra=[
    ('payout_type', 'argMaxIf(e.payout_type, e.sequence_id, e.payout_type is not null)'),
]) }}
