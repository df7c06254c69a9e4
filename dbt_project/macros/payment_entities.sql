{#- The entity type of a payment-processing event, and the id of the entity it is about. -#}
{% macro payment_entity_type(event_type) -%}
    multiIf(
        startsWith({{ event_type }}, 'invoice.'), 'invoice',
        startsWith({{ event_type }}, 'payment.'), 'payment',
        startsWith({{ event_type }}, 'refund.'), 'refund',
        startsWith({{ event_type }}, 'chargeback.'), 'chargeback',
        'payout'
    )
{%- endmacro %}

{% macro payment_entity_id(event_type) -%}
    ifNull(multiIf(
        startsWith({{ event_type }}, 'payment.'), payment_id,
        startsWith({{ event_type }}, 'refund.'), refund_id,
        startsWith({{ event_type }}, 'chargeback.'), chargeback_id,
        startsWith({{ event_type }}, 'payout.'), payout_id,
        ''
    ), '')
{%- endmacro %}

{#- What names a payment event's entities for the day index (int_payments__invoice_days): its invoice, or its
    payout for a payout (which has no invoice). -#}
{% macro payment_lookup_key() -%}
    if(ifNull(invoice_id, '') != '', assumeNotNull(invoice_id), ifNull(payout_id, ''))
{%- endmacro %}

{#- The days that hold events of the invoices and payouts with events in the run's window: the only days
    (partitions) whose events the current-state marts need to read. Found once per run by
    int_payments__window_event_days, whose rows this reads when that run built them (it is upstream of every
    payments fact); else, as in a run that does not build it, looked up here. `invoice_days` and `events` are
    int_payments__invoice_days' and stg_payments__events' relations where ref() cannot be used (a data test's
    filter, a payments fact's delete). -#}
{% macro payment_event_days_in_window(invoice_days=none, events=none) -%}
    {%- set found = relation_of_model('int_payments__window_event_days') -%}
    {%- if built_by_this_run(found) -%}
        (select event_date from {{ found }})
    {%- else -%}
        {{ payment_event_days_looked_up(invoice_days, events) }}
    {%- endif -%}
{%- endmacro %}

{#- payment_event_days_in_window, looked up in the day index. -#}
{% macro payment_event_days_looked_up(invoice_days=none, events=none) -%}
    (
        select distinct event_date from {{ invoice_days or ref('int_payments__invoice_days') }}
        where lookup_key in (
            select {{ payment_lookup_key() }} from {{ events or ref('stg_payments__events') }}
            where {{ partition_window('event_date') }}
        )
    )
{%- endmacro %}

{#- True for a row of a payments fact (partitioned by the month of event_date, the landing day of its entity's
    first event) that may belong to an entity with events in the window: its event_date holds events of a
    touched invoice or payout, or is a day of the window. A row a run rewrites always is: its day held the
    entity's events when the row was built, and the index of a day outside the window has not changed since
    (a reloaded day inside it may have lost them). The deletes, the rewritten-row tests and the readers of the
    facts then open the two or three months that hold the touched entities, not the whole history. -#}
{% macro on_payment_event_days(invoice_days=none, events=none) -%}
    (event_date in {{ payment_event_days_in_window(invoice_days, events) }} or {{ partition_window('event_date') }})
{%- endmacro %}

{#- (entity_type, invoice_id, entity_id) of every entity that has events in the run's window: status changes
    arrive days after an entity was created, so the current-state marts recompute these, wherever they began.
    `events` is stg_payments__events' relation where ref() cannot be used (a data test's filter). -#}
{% macro payment_entities_in_window(events=none) -%}
    (
        select distinct
            {{ payment_entity_type('event_type') }} as entity_type,
            ifNull(invoice_id, '') as invoice_id,
            {{ payment_entity_id('event_type') }} as entity_id
        from {{ events or ref('stg_payments__events') }}
        where {{ partition_window('event_date') }}
    )
{%- endmacro %}

{#- The same for one entity type: (invoice_id, entity_id). -#}
{% macro payment_entities_of_type_in_window(entity_type, events=none) -%}
    (select invoice_id, entity_id from {{ payment_entities_in_window(events) }} where entity_type = '{{ entity_type }}')
{%- endmacro %}

{#- True for a row of an `entity_type` entity with events in the window: (invoice, entity id) in that set.
    `id_column` is '' for invoices (an invoice is named by its invoice id alone). -#}
{% macro payment_entity_in_window(entity_type, invoice_column='invoice_id', id_column="''", events=none) -%}
    (ifNull({{ invoice_column }}, ''), ifNull({{ id_column }}, '')) in {{ payment_entities_of_type_in_window(entity_type, events) }}
{%- endmacro %}

{#- In an incremental run, a WHERE clause keeping the rows of `entity_type` entities with events in the window. -#}
{% macro only_payment_entities_in_window(entity_type, id_column) -%}
    {%- if is_incremental() %}
    where {{ payment_entity_in_window(entity_type, 'invoice_id', id_column) }} and {{ on_payment_event_days() }}
    {%- endif %}
{%- endmacro %}

{#- In an incremental run, a condition keeping the payments created in the same `bucket` (a minute or a day)
    as a payment with events in the window, per `partition` (merchant and shop, or merchant): the aggregates by
    creation time recompute those whole buckets. -#}
{% macro only_buckets_of_payments_in_window(bucket, partition=['merchant_id', 'shop_id']) -%}
    {%- if is_incremental() %}
    where ({{ (partition + [bucket]) | join(', ') }}) in (
        select {{ (partition + [bucket]) | join(', ') }} from {{ ref('fct_payments') }}
        where {{ payment_entity_in_window('payment', 'invoice_id', 'payment_id') }} and {{ on_payment_event_days() }}
    )
    {%- endif %}
{%- endmacro %}

{#- The table settings of a payments fact on the embedded warehouse: block numbers and offsets kept, which lets
    its delete+insert delete with a patch part (lightweight_update) instead of a mutation. A mutation waits for
    the background pool, 2 to 3 s a delete even when no row matches; a patch part is written at once and
    merged into the month like any part. A ClickHouse server keeps its defaults (lightweight updates need
    25.7 or later). -#}
{% macro payment_fact_table_settings() -%}
    {%- do return({'enable_block_number_column': 1, 'enable_block_offset_column': 1} if target.type == 'chdb' else {}) -%}
{%- endmacro %}

{% macro payment_fact_query_settings() -%}
    {%- do return({'lightweight_delete_mode': 'lightweight_update'} if target.type == 'chdb' else {}) -%}
{%- endmacro %}
