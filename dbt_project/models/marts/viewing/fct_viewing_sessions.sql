{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(session_date)',
        order_by='(client_id, session_date, started_at, session_id)'
    )
}}

select
    session_id,
    client_id,
    account_id,
    device,
    tariff_ids,
    content_type,
    channel_id,
    title_id,
    season_num,
    episode_num,
    started_at,
    ended_at,
    watch_seconds,
    session_date
from {{ ref('stg_viewing__sessions') }}
{% if is_incremental() %}
where {{ partition_window('session_date') }}
{% endif %}
