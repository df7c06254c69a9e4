-- depends_on: {{ ref('int_events__registration_days') }} (in incremental runs: the days that hold the events of the registrations a run touches)
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='event_date',
        order_by='(organization_id, event_id, event_date)',
        ttl='event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}

-- Per organization, event and UTC day: views, unique viewers as an exact mergeable state, and the
-- registrations completed that day with how many stayed confirmed and checked in. Registration figures
-- are counted on the day the registration was completed, so they add up over any period; unique viewers
-- merge exactly with uniqExactMerge. The organization report and the daily dashboard read this table.
-- Incremental: a run rebuilds the days it loads and the days on which the registrations its events touch
-- were completed (a cancellation or check-in days later changes the figures of the day of completion).
with
{%- if is_incremental() %}
rebuilt_days as (select event_date from {{ events_rebuilt_days() }}),
{%- endif %}

views as (
    select
        organization_id,
        assumeNotNull(event_id) as event_id,
        event_date,
        count() as total_views,
        uniqExactState(user_id) as unique_viewers_state
    from (
        select * from {{ ref('fct_analytics_events') }}
        where event_type = 'page.view' and event_id is not null
        {%- if is_incremental() %} and event_date in (select event_date from rebuilt_days){% endif %}
    )
    group by organization_id, event_id, event_date
),

registrations as (
    select
        organization_id,
        assumeNotNull(event_id) as event_id,
        completed_date as event_date,
        count() as total_registrations,
        countIf(not cancelled) as confirmed_registrations,
        countIf(checked_in and not cancelled) as checked_in
    from {{ registrations_completed_on_rebuilt_days() }}
    group by organization_id, event_id, event_date
)

select
    organization_id,
    event_id,
    event_date,
    sum(total_views) as total_views,
    uniqExactMergeState(unique_viewers_state) as unique_viewers_state,
    sum(total_registrations) as total_registrations,
    sum(confirmed_registrations) as confirmed_registrations,
    sum(checked_in) as checked_in
from (
    select organization_id, event_id, event_date, total_views, unique_viewers_state,
        0 as total_registrations, 0 as confirmed_registrations, 0 as checked_in
    from views
    union all
    select organization_id, event_id, event_date, 0, arrayReduce('uniqExactState', CAST([], 'Array(Nullable(UUID))')),
        total_registrations, confirmed_registrations, checked_in
    from registrations
)
group by organization_id, event_id, event_date
