{#- How long the Analytics Service keeps events (days): var events_retention_days or
    OTT_EVENTS_RETENTION_DAYS, 365 by default. Marts drop rows past it with a ClickHouse TTL. -#}
{% macro events_retention_days() -%}
    {{ return(var('events_retention_days', env_var('OTT_EVENTS_RETENTION_DAYS', '365')) | int) }}
{%- endmacro %}

{#- The analytics events of the days this run loads (the Dagster partition window). `events` is
    fct_analytics_events' relation where ref() cannot be used (a data test's filter). -#}
{% macro events_in_window(events=none) -%}
    (select * from {{ events or ref('fct_analytics_events') }} where {{ partition_window('event_date') }})
{%- endmacro %}

{#- The events (event_id) that have analytics events matching `condition` in the window: the per-event marts
    recompute these. -#}
{% macro events_touched_in_window(condition='1 = 1', events=none) -%}
    (select distinct assumeNotNull(event_id) from {{ events_in_window(events) }} where event_id is not null and {{ condition }})
{%- endmacro %}

{#- The day of each event's last analytics event matching `condition` (organization_id, event_id,
    last_event_date), for the events a run recomputes: every event in a full build; in an incremental run the
    events touched in the window, whose last day is then at least min_date, so only days from min_date on are
    read. -#}
{% macro events_last_dates(condition='1 = 1') -%}
    (
        select organization_id, assumeNotNull(event_id) as event_id, max(event_date) as last_event_date
        from {{ ref('fct_analytics_events') }}
        where event_id is not null and {{ condition }}
        {%- if is_incremental() %}
            and event_date >= toDate('{{ var("min_date") }}')
            and event_id in {{ events_touched_in_window(condition) }}
        {%- endif %}
        group by organization_id, event_id
    )
{%- endmacro %}

{#- Each registration of an event from its analytics events that match `condition`: its ticket type and source
    (the latest non-null win), whether it was completed, cancelled and checked in, and completed_date, the day
    of its first registration.completed. int_events__registrations is this over every event; the incremental
    event marts read it for some registrations, restricted to the days that hold their events. -#}
{% macro registrations_from_events(condition='1 = 1') -%}
    select
        organization_id,
        event_id,
        registration_id,
        argMaxIf(ticket_type_id, created_at, ticket_type_id is not null) as ticket_type_id,
        argMaxIf(traffic_source, created_at, traffic_source is not null) as traffic_source,
        min(created_at) as first_seen_at,
        argMinIf(event_date, created_at, event_type = 'registration.completed') as completed_date,
        countIf(event_type = 'registration.completed') > 0 as completed,
        countIf(event_type = 'registration.cancelled') > 0 as cancelled,
        countIf(event_type = 'checkin.completed') > 0 as checked_in
    from {{ ref('fct_analytics_events') }}
    where registration_id is not null and event_id is not null and {{ condition }}
    group by organization_id, event_id, registration_id
{%- endmacro %}

{#- The registrations in `registration_ids` (a subquery), from their events on the days that hold them
    (int_events__registration_days), not from the whole history. -#}
{% macro registrations_among(registration_ids) -%}
    ({{ registrations_from_events(
        'event_date in (select distinct event_date from ' ~ ref('int_events__registration_days')
        ~ ' where registration_id in ' ~ registration_ids ~ ') and registration_id in ' ~ registration_ids
    ) }})
{%- endmacro %}

{#- The days whose daily event figures a run rebuilds: the days it loads and the days on which the registrations
    its events touch were completed (a cancellation or check-in days later changes the day of completion). -#}
{% macro events_rebuilt_days() -%}
    (
        select event_date from {{ events_in_window() }}
        union distinct
        select completed_date from {{ registrations_among(
            '(select registration_id from ' ~ events_in_window() ~ ' where registration_id is not null)'
        ) }}
        where completed
    )
{%- endmacro %}

{#- events_rebuilt_days() written out as a list of dates (or, with `months`, of the first days of their months),
    queried when the model is compiled, after the models it reads were built: from int_events__rebuilt_days when
    this run built it (it is upstream of the models that call this), else found here. -#}
{% macro events_rebuilt_days_list(months=false) -%}
    {%- if not execute -%}
        {%- do return(sql_list([])) -%}
    {%- endif -%}
    {%- set found = relation_of_model('int_events__rebuilt_days') -%}
    {%- set days = '(select event_date from ' ~ found ~ ')' if built_by_this_run(found) else events_rebuilt_days() -%}
    {%- set day = 'toStartOfMonth(event_date)' if months else 'event_date' -%}
    {%- do return(sql_list(run_query('select distinct toString(' ~ day ~ ') from ' ~ days ~ ' order by 1')
        .columns[0].values())) -%}
{%- endmacro %}

{#- The first day of the first month none of whose days is past the retention: the dashboard reads whole months
    from here on. -#}
{% macro events_whole_months_from() -%}
    toStartOfMonth(addMonths(today() - {{ events_retention_days() - 1 }}, 1))
{%- endmacro %}

{#- The rows of int_events__past_months_viewers that hold today's past months: built this month, from the first
    whole month within the retention. -#}
{% macro events_past_months_current() -%}
    first_month = {{ events_whole_months_from() }} and end_month = toStartOfMonth(today())
{%- endmacro %}

{#- True when int_events__past_months_viewers must be built again in this run: it holds no rows for today's
    months (a month has begun, or the retention moved past its first month, or it was emptied by a run that
    died), or the run loads days of those months (their viewers may have changed). Viewers change only on the
    days a run loads: the days a run rebuilds for registrations that changed keep the same page views. -#}
{% macro events_past_months_rebuilt() -%}
    {%- if not execute or not is_incremental() -%}
        {%- do return(true) -%}
    {%- endif -%}
    {%- do return(run_query(
        'select toUInt8((select count() from ' ~ this ~ ' where ' ~ events_past_months_current() ~ ') = 0'
        ~ " or toDate('" ~ var('min_date') ~ "') < toStartOfMonth(today())"
        ~ " and toDate('" ~ var('max_date') ~ "') >= " ~ events_whole_months_from() ~ ')'
    ).rows[0][0] == 1) -%}
{%- endmacro %}
