-- Each user's funnel per event: the start day of their last chain reaching each stage (int_events__funnel_chains),
-- null for a stage none reaches. A user is at stage k while such a chain is kept, that is while that day is
-- within the retention; the funnel counts users per stage from here, a row per user instead of a row per chain.
-- Incremental: the chains of the start days a run rebuilds (the window's days before min_date up to max_date)
-- change only the users with chains on those days or with a last start on one of them. Their last starts are
-- the later of the rebuilt chains' and the kept ones' from other days. A kept last start on a rebuilt day that no
-- rebuilt chain reaches any more (a corrected day) is looked up again among the user's earlier chains. The table
-- is rewritten and swapped in at once (it reads itself, so it must never be left half-updated); a user left
-- with no chain at all gets last_start_page_view 1970-01-01, and the post-hook removes that row (not the TTL: a
-- TTL merge of the new rows could remove it before it replaces the user's kept row).
{{
    config(
        materialized='incremental',
        incremental_strategy='legacy',
        unique_key='organization_id, event_id, user_id',
        order_by='(organization_id, event_id, user_id)',
        ttl='last_start_page_view + INTERVAL ' ~ events_retention_days() ~ ' DAY DELETE WHERE last_start_page_view != toDate(0)',
        post_hook=["{{ delete_funnel_users_without_chains() }}"],
        query_settings=materialized_cte_settings()
    )
}}
{%- set window_days = funnel_window_days() %}
{%- set stages = ['page_view'] + funnel_later_stages().keys() | list %}

with rebuilt as (
    select organization_id, event_id, user_id, {{ funnel_last_starts() }}
    from {{ ref('int_events__funnel_chains') }}
    {%- if is_incremental() %}
    where {{ partition_window('start_date', days_before=window_days) }}
    {%- endif %}
    group by organization_id, event_id, user_id
)
{%- if not is_incremental() %}

select * from rebuilt
{%- else %},

-- each changed user's last starts from the rebuilt chains and as kept, side by side (read twice below)
sides as {{ materialized_cte() }} (
    select
        organization_id,
        event_id,
        user_id,
        {%- for stage in stages %}
        maxIfOrNull(last_start_{{ stage }}, rebuilt) as rebuilt_{{ stage }},
        maxIfOrNull(last_start_{{ stage }}, not rebuilt) as kept_{{ stage }},
        {%- endfor %}
        countIf(rebuilt) > 0 as has_rebuilt_chains
    from (
        select *, true as rebuilt from rebuilt
        union all
        select *, false as rebuilt from {{ this }}
    )
    group by organization_id, event_id, user_id
    having has_rebuilt_chains
        {%- for stage in stages %}
        or {{ partition_window('kept_' ~ stage, days_before=window_days) }}
        {%- endfor %}
),

-- the users with a kept last start on a rebuilt day that no rebuilt chain reaches now: their earlier chains
earlier as (
    select organization_id, event_id, user_id, {{ funnel_last_starts() }}
    from {{ ref('int_events__funnel_chains') }}
    where start_date < toDate('{{ var("min_date") }}') - {{ window_days }}
        and (organization_id, event_id, user_id) in (
            select organization_id, event_id, user_id
            from sides
            where
                {%- for stage in stages %}
                ({{ partition_window('kept_' ~ stage, days_before=window_days) }} and rebuilt_{{ stage }} is null)
                {{- ' or' if not loop.last }}
                {%- endfor %}
        )
    group by organization_id, event_id, user_id
)

select
    s.organization_id as organization_id,
    s.event_id as event_id,
    s.user_id as user_id,
    {%- for stage in stages %}
    {{ latest_day([
        's.rebuilt_' ~ stage,
        'if(' ~ partition_window('s.kept_' ~ stage, days_before=window_days) ~ ', null, s.kept_' ~ stage ~ ')',
        'e.last_start_' ~ stage
    ], none_as_null=stage != 'page_view') }} as last_start_{{ stage }}{{ ',' if not loop.last }}
    {%- endfor %}
from sides as s
left join earlier as e
    on e.organization_id = s.organization_id and e.event_id = s.event_id and e.user_id = s.user_id
{%- endif %}
