{#-
    One row per payment-processing entity (invoice, refund, chargeback, payout) in its current state: the
    attributes of its first event, the status of its latest (by sequence_id), and event_date, the first day its
    events were loaded on (the table is partitioned by its month: a run finds the rows it rewrites on the days
    that hold the touched entities' events, on_payment_event_days). `keys` are the columns that
    name the entity besides merchant and shop, `extra` are (column, aggregate expression) pairs.
    Source columns are qualified (e.) so that no output alias shadows them inside the aggregates.
-#}
{% macro entity_current_state(entity, keys=[], extra=[]) %}
{{ config(
    materialized='incremental',
    incremental_strategy='delete_insert',
    unique_key=(['merchant_id', 'shop_id', 'invoice_id'] + keys) | join(', '),
    partition_by='toYYYYMM(event_date)',
    order_by='(merchant_id, shop_id, created_at)',
    settings=payment_fact_table_settings(),
    query_settings=payment_fact_query_settings()
) }}
-- depends_on: {{ ref('int_payments__invoice_days') }} (in incremental runs: the days that hold events of the entities in the window)
-- depends_on: {{ ref('int_payments__window_event_days') }} (the same days, found once per run)
select
    e.merchant_id as merchant_id,
    e.shop_id as shop_id,
    ifNull(e.invoice_id, '') as invoice_id,
    {%- for key in keys %}
    ifNull(e.{{ key }}, '') as {{ key }},
    {%- endfor %}
    {%- for column, expression in extra %}
    {{ expression }} as {{ column }},
    {%- endfor %}
    min(e.created_at) as created_at,
    argMax(e.status, e.sequence_id) as status,
    argMax(e.created_at, e.sequence_id) as status_changed_at,
    argMinIf(e.amount, e.sequence_id, e.amount is not null) as amount,
    argMinIf(e.currency_symbolic_code, e.sequence_id, e.currency_symbolic_code is not null) as currency_symbolic_code,
    min(e.event_date) as event_date
from {{ ref('stg_payments__events') }} as e
where startsWith(e.event_type, '{{ entity }}.')
{%- if is_incremental() %}
    and e.event_date in {{ payment_event_days_in_window() }}
    and {{ payment_entity_in_window(entity, 'e.invoice_id', ('e.' ~ keys[0]) if keys else "''") }}
{%- endif %}
group by merchant_id, shop_id, invoice_id{% for key in keys %}, {{ key }}{% endfor %}
{% endmacro %}
