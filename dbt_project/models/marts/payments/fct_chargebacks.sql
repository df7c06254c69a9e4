-- One row per chargeback in its current state, with its payment, latest category and stage.
{{ entity_current_state('chargeback', keys=['chargeback_id'], extra=[
    ('payment_id', 'any(e.payment_id)'),
    ('chargeback_category', 'argMaxIf(e.chargeback_category, e.sequence_id, e.chargeback_category is not null)'),
    ('chargeback_stage', 'argMaxIf(e.chargeback_stage, e.sequence_id, e.chargeback_stage is not null)'),
]) }}
