-- One row per invoice in its current state.
{{ entity_current_state('invoice') }}
