{#-
    Customer dynamics per operator and period (grain 'hour' or 'day'), Smarty's cache_customers_dynamic:
      total_customers   accounts created before the period's end;
      new_customers     accounts created in the period;
      active_customers  accounts with a subscription in force at the period's last instant;
      churned_customers accounts whose subscription coverage ended in the period;
      paying_customers  accounts with a payment in the period.
    Incremental runs rebuild the days min_date..max_date, up to the current period; the first run starts at
    the first day of the month before min_date. The var dynamics_client_ids limits a run to those operators;
    the other operators' rows of the rebuilt days are carried over unchanged.
-#}
{% macro customer_dynamics(grain) %}
{%- set client_ids = var('dynamics_client_ids', []) -%}
{%- set period = 'toStartOfHour' if grain == 'hour' else 'toStartOfDay' -%}
{%- set step = 3600 if grain == 'hour' else 86400 -%}
{%- set first_day = "toDate('" ~ var('min_date') ~ "')" if is_incremental()
    else "toStartOfMonth(toDate('" ~ var('min_date') ~ "')) - toIntervalMonth(1)" -%}
{%- set window_start = "toDateTime(" ~ first_day ~ ", 'UTC')" -%}
{%- set window_end = "least(toDateTime(toDate('" ~ var('max_date') ~ "') + 1, 'UTC'), "
    ~ period ~ "(now('UTC')) + " ~ step ~ ")" -%}
{%- set in_clients = ("has(" ~ sql_list(client_ids) ~ ", client_id)") if client_ids else "1 = 1" -%}
{%- set running = "over (partition by p.client_id order by p.period_start rows unbounded preceding)" -%}

with accounts as (
    select * from {{ ref('stg_billing__accounts') }} where {{ in_clients }}
),

coverage as (
    select * from {{ ref('int_billing__coverage_intervals') }} where {{ in_clients }}
),

periods as (
    select c.client_id as client_id, toDateTime(grid.p, 'UTC') as period_start
    from (select distinct client_id from accounts) as c
    cross join (
        select arrayJoin(range(toUInt32({{ window_start }}), toUInt32({{ window_end }}), {{ step }})) as p
    ) as grid
),

-- levels at the window's start, so the running sums inside it start from the right place
opening as (
    select
        a.client_id as client_id,
        a.accounts_before as accounts_before,
        ifNull(c.covered_before, 0) as covered_before
    from (
        select client_id, countIf(created_at < {{ window_start }}) as accounts_before
        from accounts group by client_id
    ) as a
    left join (
        select
            client_id,
            toInt64(countIf(started_at < {{ window_start }})) - toInt64(countIf(ended_at < {{ window_start }}))
                as covered_before
        from coverage group by client_id
    ) as c on c.client_id = a.client_id
),

changes as (
    select client_id, {{ period }}(created_at) as period_start, 1 as created, 0 as started, 0 as ended, 0 as account
    from accounts
    where created_at >= {{ window_start }} and created_at < {{ window_end }}
    union all
    select client_id, {{ period }}(started_at), 0, 1, 0, 0
    from coverage
    where started_at >= {{ window_start }} and started_at < {{ window_end }}
    union all
    select client_id, {{ period }}(ended_at), 0, 0, 1, 0
    from coverage
    where ended_at >= {{ window_start }} and ended_at < {{ window_end }}
    union all
    select a.client_id, {{ period }}(t.created_at), 0, 0, 0, t.account_id
    from {{ ref('stg_billing__transactions') }} as t
    inner join accounts as a on a.account_id = t.account_id
    where t.kind = 'payment' and t.created_at >= {{ window_start }} and t.created_at < {{ window_end }}
),

per_period as (
    select
        p.client_id as client_id,
        p.period_start as period_start,
        sum(c.created) as new_customers,
        sum(c.started) as coverage_started,
        sum(c.ended) as churned_customers,
        uniqExactIf(c.account, c.account != 0) as paying_customers
    from periods as p
    left join changes as c on c.client_id = p.client_id and c.period_start = p.period_start
    group by client_id, period_start
)

select
    p.client_id as client_id,
    p.period_start as period_start,
    toDate(p.period_start) as period_date,
    toUInt64(o.accounts_before + sum(p.new_customers) {{ running }}) as total_customers,
    toUInt64(p.new_customers) as new_customers,
    toUInt64(o.covered_before + sum(toInt64(p.coverage_started) - toInt64(p.churned_customers)) {{ running }})
        as active_customers,
    toUInt64(p.churned_customers) as churned_customers,
    toUInt64(p.paying_customers) as paying_customers
from per_period as p
inner join opening as o on o.client_id = p.client_id
{%- if is_incremental() and client_ids %}
union all
select client_id, period_start, period_date, total_customers, new_customers, active_customers,
    churned_customers, paying_customers
from {{ this }}
where period_date between {{ first_day }} and toDate('{{ var("max_date") }}') and not {{ in_clients }}
{%- endif %}
{% endmacro %}
