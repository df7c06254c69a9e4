{#- Data tests of a day-partitioned model check the days of the run (vars min_date/max_date; a build without
    them checks every day), so a scheduled run's tests read its days, not the whole history. The day column
    is the model's meta `test_window`, else the partition column of an incremental model partitioned by a
    plain column or by its month (`toYYYYMM(column)`). Those of a `delete+insert` model with meta
    `rewritten_rows` check the rows a run rewrites (rewritten_rows_condition). A test's own `where` config still
    applies; a test with meta `test_window: whole` (a reconciliation of two models' totals) reads whole tables,
    and so do the tests of a model with that meta (a small table whose rows are not days). -#}
{% macro clickhouse__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set node = model_node_of(relation) -%}
    {%- if node is not none and (config.get('meta') or {}).get('test_window') != 'whole' -%}
        {%- set rewritten = rewritten_rows_condition(node) -%}
        {%- set day_column = test_window_column(node) -%}
        {%- if rewritten -%}
            {%- do conditions.append(rewritten) -%}
        {%- elif day_column -%}
            {%- do conditions.append(partition_window(day_column)) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The day column whose run window a model's tests check, or none. -#}
{% macro test_window_column(node) -%}
    {%- set partition_by = node.config.get('partition_by') -%}
    {%- if node.config.meta.get('test_window') == 'whole' -%}
        {%- do return(none) -%}
    {%- elif node.config.meta.get('test_window') -%}
        {%- do return(node.config.meta['test_window']) -%}
    {%- elif node.config.materialized == 'incremental' and partition_by is string -%}
        {%- set plain = modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', partition_by) -%}
        {%- do return(month_partitioned_day_column(partition_by) or (partition_by if plain else none)) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}

{#- The model node of a relation in the graph, or none. -#}
{% macro model_node_of(relation) -%}
    {%- if not execute or relation is string or relation.identifier is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.schema == relation.schema
              and (node.alias or node.name) == relation.identifier -%}
            {%- do return(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(none) -%}
{%- endmacro %}

{#- For a `delete+insert` model, the condition selecting the rows a run for min_date..max_date rewrites, from its
    meta `rewritten_rows`: `events` (the analytics events with events in the window, by event_id),
    `payment_entity` with `id_column` (the entities of that type with events in the window), `payment_entities`
    (columns naming entity type, invoice and entity), or `payment_buckets` (the columns of a creation bucket
    and its expression over fct_payments: the buckets of the payments with events in the window). The rows of
    payment entities are looked for only on the days that can hold them (payment_fact_days_condition). Rows a
    run leaves alone were checked by the run that wrote them. None without the vars (a whole build checks
    all). -#}
{% macro rewritten_rows_condition(node) -%}
    {%- set spec = node.config.meta.get('rewritten_rows') -%}
    {%- if not spec or not run_has_window() -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- if spec.get('events') -%}
        {%- do return('event_id in ' ~ events_touched_in_window(events=relation_of_model('fct_analytics_events'))) -%}
    {%- endif -%}
    {%- set payment_events = relation_of_model('stg_payments__events') -%}
    {%- if spec.get('payment_entity') -%}
        {%- do return(payment_entity_in_window(spec['payment_entity'], 'invoice_id', spec['id_column'], payment_events)
            ~ ' and ' ~ payment_fact_days_condition(node)) -%}
    {%- elif spec.get('payment_entities') -%}
        {%- do return('(' ~ spec['payment_entities'] | join(', ') ~ ') in ' ~ payment_entities_in_window(payment_events)
            ~ ' and ' ~ payment_fact_days_condition(node)) -%}
    {%- elif spec.get('payment_buckets') -%}
        {%- set bucket_of_payment = spec['payment_buckets'][:-1] + [spec['bucket']] -%}
        {%- do return('(' ~ spec['payment_buckets'] | join(', ') ~ ') in (select ' ~ bucket_of_payment | join(', ')
            ~ ' from ' ~ relation_of_model('fct_payments') ~ ' where '
            ~ payment_entity_in_window('payment', 'invoice_id', 'payment_id', payment_events) ~ ' and '
            ~ on_payment_event_days(relation_of_model('int_payments__invoice_days'), payment_events) ~ ')') -%}
    {%- endif -%}
    {%- do exceptions.raise_compiler_error('rewritten_rows of ' ~ node.name ~ ': unknown ' ~ spec) -%}
{%- endmacro %}

{#- For a payments fact (meta `rewritten_rows` naming payment entities), the days its rewritten rows can be on
    (on_payment_event_days), else none. The rewritten-row tests and the fact's delete use it. -#}
{% macro payment_fact_days_condition(node) -%}
    {%- set spec = node.config.meta.get('rewritten_rows') or {} -%}
    {%- if not run_has_window() or not (spec.get('payment_entity') or spec.get('payment_entities')) -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(on_payment_event_days(
        relation_of_model('int_payments__invoice_days'), relation_of_model('stg_payments__events'))) -%}
{%- endmacro %}

{#- A model's relation by name, from the graph: a data test's filter cannot ref() models the test does not
    depend on. -#}
{% macro relation_of_model(name) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == name -%}
        {%- do return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias or node.name)) -%}
    {%- endfor -%}
    {%- do exceptions.raise_compiler_error('no model ' ~ name) -%}
{%- endmacro %}
