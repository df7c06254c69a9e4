{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(event_date)',
        order_by='(lookup_key)'
    )
}}

-- The days on which each invoice (or, for a payout, which has no invoice, each payout) has events: an index
-- the incremental payments marts use to read only the days that hold events of the entities a run touches,
-- instead of the whole history. Incremental: a run rebuilds the days it loads.
select distinct
    {{ payment_lookup_key() }} as lookup_key,
    event_date
from {{ ref('stg_payments__events') }}
{%- if is_incremental() %}
where {{ partition_window('event_date') }}
{%- endif %}
