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
    dateDiff('second', started_at, ended_at) as watch_seconds,
    _partition_date as session_date
from {{ source('viewing', 'viewing_sessions') }}
