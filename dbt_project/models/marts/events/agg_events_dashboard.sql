-- depends_on: {{ ref('int_events__rebuilt_days') }} (in incremental runs: the days it rebuilds, found once per run)
-- depends_on: {{ ref('int_events__registration_days') }} (in incremental runs: the days that hold the events of the registrations a run touches)
-- The Analytics Service dashboard per event: totals, by day, by ticket type and by traffic source.
-- Views come from page.view events; registrations are completed registrations (registration.created
-- counts as completed), confirmed = not cancelled, checkedIn = confirmed and checked in.
-- A zero denominator gives a null rate. Day rows finalize the daily states of agg_events_organization_daily;
-- totals (the merge of the source rows), sources and ticket types sum the figures of
-- int_events__monthly_breakdowns for the months none of whose days is past the retention and of
-- int_events__daily_breakdowns for the older months, and merge the viewer states of the same days: the past
-- whole months as one state (int_events__past_months_viewers), this month's, and the older months' days (the
-- same figures as merging every day, from a few states instead of 365). Days past the retention are left out.
-- Incremental: a run recomputes the events its analytics events belong to; an event leaves the mart when its last
-- analytics event is past the retention. Of a recomputed event's day rows, only the days the run rebuilds are read
-- from agg_events_organization_daily (finalizing a day's state reads all of its viewers); its other days are the
-- rows kept from the run that last recomputed it, since agg_events_organization_daily changes only on the days a
-- run rebuilds. The model reads itself, so the table is rewritten and swapped in at once (legacy strategy): a
-- killed run leaves it as it was.
{{
    config(
        materialized='incremental',
        incremental_strategy='legacy',
        unique_key='event_id',
        order_by='(organization_id, event_id, breakdown, breakdown_value)',
        ttl='last_event_date + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE'
    )
}}
{%- set recomputed = ('event_id in ' ~ events_touched_in_window()) if is_incremental() else '1 = 1' %}
{%- set rebuilt_days = events_rebuilt_days_list() if is_incremental() else none %}
{#- Days after this one are within the retention (the TTL of the daily tables) -#}
{%- set retained = 'today() - ' ~ events_retention_days() %}
{%- set whole_months_from = events_whole_months_from() %}
{%- set past_months_current = ref('int_events__past_months_viewers') ~ ' where ' ~ events_past_months_current() %}

with organization_daily as (
    select * from {{ ref('agg_events_organization_daily') }}
    where {{ recomputed }} and event_date > {{ retained }}
    {%- if is_incremental() %} and event_date in {{ rebuilt_days }}{% endif %}
),

-- the sums: whole months from the monthly rows, the days of older months within the retention from the daily ones
figures as (
    select organization_id, event_id, breakdown, breakdown_value, total_views,
        total_registrations, confirmed_registrations, checked_in
    from {{ ref('int_events__monthly_breakdowns') }}
    where {{ recomputed }} and event_month >= {{ whole_months_from }}

    union all

    select organization_id, event_id, breakdown, breakdown_value, total_views,
        total_registrations, confirmed_registrations, checked_in
    from {{ ref('int_events__daily_breakdowns') }}
    where {{ recomputed }} and toStartOfMonth(event_date) < {{ whole_months_from }} and event_date > {{ retained }}
),

-- the viewer states of the same days: the past whole months merged into one state (read month by month when
-- int_events__past_months_viewers does not hold this month's bounds: a dashboard built without it), this
-- month and later ones, and the days of older months
viewer_states as (
    select organization_id, event_id, breakdown, breakdown_value, unique_viewers_state
    from {{ past_months_current }} and {{ recomputed }}

    union all

    select organization_id, event_id, breakdown, breakdown_value, unique_viewers_state
    from {{ ref('int_events__monthly_breakdowns') }}
    where {{ recomputed }} and event_month >= {{ whole_months_from }}
        and (event_month >= toStartOfMonth(today()) or (select count() from {{ past_months_current }}) = 0)

    union all

    select organization_id, event_id, breakdown, breakdown_value, unique_viewers_state
    from {{ ref('int_events__daily_breakdowns') }}
    where {{ recomputed }} and toStartOfMonth(event_date) < {{ whole_months_from }} and event_date > {{ retained }}
),

by_dimension as (
    select organization_id, event_id, 'total' as breakdown, '' as breakdown_value,
        f.total_views as total_views, v.unique_views as unique_views,
        f.total_registrations as total_registrations, f.confirmed_registrations as confirmed_registrations,
        f.checked_in as checked_in
    from (
        select organization_id, event_id, sum(total_views) as total_views,
            sum(total_registrations) as total_registrations, sum(confirmed_registrations) as confirmed_registrations,
            sum(checked_in) as checked_in
        from figures as f
        where f.breakdown = 'source'  -- qualified: the alias above would shadow the column
        group by organization_id, event_id
    ) as f
    left join (
        select organization_id, event_id, uniqExactMerge(unique_viewers_state) as unique_views
        from viewer_states as v
        where v.breakdown = 'source'
        group by organization_id, event_id
    ) as v using (organization_id, event_id)

    union all

    -- one row per event and day already: its state is finalized row by row, not merged in memory
    select organization_id, event_id, 'day', toString(event_date),
        total_views, finalizeAggregation(unique_viewers_state),
        total_registrations, confirmed_registrations, checked_in
    from organization_daily

    {%- if is_incremental() %}

    union all

    -- the event's other days, kept from the run that last recomputed it
    select organization_id, event_id, breakdown, breakdown_value,
        totalViews, uniqueViews, totalRegistrations, confirmedRegistrations, checkedIn
    from {{ this }}
    -- OrNull: ClickHouse may evaluate these conditions on rows of the other breakdowns as well
    where breakdown = 'day' and {{ recomputed }} and toDateOrNull(breakdown_value) > {{ retained }}
        and toDateOrNull(breakdown_value) not in {{ rebuilt_days }}
    {%- endif %}

    union all

    select organization_id, event_id, breakdown, breakdown_value,
        f.total_views, v.unique_views, f.total_registrations, f.confirmed_registrations, f.checked_in
    from (
        select organization_id, event_id, breakdown, breakdown_value, sum(total_views) as total_views,
            sum(total_registrations) as total_registrations, sum(confirmed_registrations) as confirmed_registrations,
            sum(checked_in) as checked_in
        from figures
        group by organization_id, event_id, breakdown, breakdown_value
    ) as f
    left join (
        select organization_id, event_id, breakdown, breakdown_value,
            uniqExactMerge(unique_viewers_state) as unique_views
        from viewer_states
        group by organization_id, event_id, breakdown, breakdown_value
    ) as v using (organization_id, event_id, breakdown, breakdown_value)
)

select
    d.organization_id as organization_id,
    d.event_id as event_id,
    breakdown,
    breakdown_value,
    toUInt64(total_views) as totalViews,
    toUInt64(unique_views) as uniqueViews,
    toUInt64(total_registrations) as totalRegistrations,
    toUInt64(confirmed_registrations) as confirmedRegistrations,
    toUInt64(checked_in) as checkedIn,
    if(breakdown = 'ticket_type', null, total_registrations / nullIf(unique_views, 0)) as viewToRegistrationRate,
    checked_in / nullIf(confirmed_registrations, 0) as registrationToCheckinRate,
    l.last_event_date as last_event_date
from by_dimension as d
inner join {{ events_last_dates() }} as l on l.event_id = d.event_id
