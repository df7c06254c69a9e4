{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(period_date)',
        order_by='(client_id, period_start)'
    )
}}

{{ customer_dynamics('hour') }}
