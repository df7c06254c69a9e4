{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(view_date)',
        order_by='(client_id, view_date)'
    )
}}

-- cache_max_online: each client's daily peak of sessions online and the first minute it was reached.
select
    client_id,
    view_date,
    max(online) as max_online,
    argMax(minute, (online, -toUnixTimestamp(minute))) as max_online_at
from {{ ref('agg_viewing_online_minute') }}
{%- if is_incremental() %}
where {{ partition_window('view_date', days_after=session_span_days()) }}
{%- endif %}
group by client_id, view_date
