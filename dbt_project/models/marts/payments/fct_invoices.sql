-- One row per invoice in its current state.
{{ entity_current_state('invoice', extra=[('external_id', 'argMinIf(e.external_id, e.sequence_id, e.external_id is not null)')]) }}
