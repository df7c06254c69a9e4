{{ config(order_by="(merchant_id, shop_id, created_at)") }}

-- One row per invoice in its current state.
{{ entity_current_state('invoice') }}
