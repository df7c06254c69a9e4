-- depends_on: {{ ref('int_events__rebuilt_days') }} (in incremental runs: the days it rebuilds, found once per run)
-- depends_on: {{ ref('int_events__registration_days') }} (in incremental runs: the days that hold the events of the registrations a run touches)
-- Per organization, event, UTC day and breakdown (source: the view's or the registration's traffic source;
-- ticket_type: the registration's): views, unique viewers as an exact mergeable state, and the registrations
-- completed that day with how many stayed confirmed and checked in (counted on the day of completion, so they
-- add up over days). agg_events_organization_daily merges a day's source rows; the dashboard's source and
-- ticket-type rows merge these over an event's days.
-- Incremental: a run rebuilds the days it loads and the days on which the registrations its events touch
-- were completed.
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(event_date)',
        order_by='(organization_id, event_id, event_date, breakdown, breakdown_value)',
        ttl='event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
{%- set rebuilt_days = events_rebuilt_days_list() if is_incremental() else none %}
with views as (
    select
        organization_id,
        assumeNotNull(event_id) as event_id,
        event_date,
        'source' as breakdown,
        ifNull(traffic_source, '') as breakdown_value,
        count() as total_views,
        uniqExactState(user_id) as unique_viewers_state
    from (
        select * from {{ ref('fct_analytics_events') }}
        where event_type = 'page.view' and event_id is not null
        {%- if rebuilt_days %} and event_date in {{ rebuilt_days }}{% endif %}
    )
    group by organization_id, event_id, event_date, breakdown_value
),

registrations as (
    select
        organization_id,
        assumeNotNull(event_id) as event_id,
        completed_date as event_date,
        breakdown,
        breakdown_value,
        count() as total_registrations,
        countIf(not cancelled) as confirmed_registrations,
        countIf(checked_in and not cancelled) as checked_in
    from (
        {%- if is_incremental() %}
        -- the registrations completed on the rebuilt days, from their events on the days that hold them
        select * from {{ registrations_among(
            '(select registration_id from ' ~ ref('fct_analytics_events') ~ " where event_type = 'registration.completed'"
            ~ ' and event_date in ' ~ rebuilt_days ~ ')'
        ) }}
        where completed and completed_date in {{ rebuilt_days }}
        {%- else %}
        select * from {{ ref('int_events__registrations') }} where completed
        {%- endif %}
    )
    array join
        ['source', 'ticket_type'] as breakdown,
        [ifNull(traffic_source, ''), ifNull(ticket_type_id, '')] as breakdown_value
    group by organization_id, event_id, event_date, breakdown, breakdown_value
)

select
    organization_id,
    event_id,
    event_date,
    breakdown,
    breakdown_value,
    {{ merged_event_figures() }}
from (
    select organization_id, event_id, event_date, breakdown, breakdown_value, total_views, unique_viewers_state,
        0 as total_registrations, 0 as confirmed_registrations, 0 as checked_in
    from views
    union all
    select organization_id, event_id, event_date, breakdown, breakdown_value, 0,
        arrayReduce('uniqExactState', CAST([], 'Array(Nullable(UUID))')),
        total_registrations, confirmed_registrations, checked_in
    from registrations
)
group by organization_id, event_id, event_date, breakdown, breakdown_value
