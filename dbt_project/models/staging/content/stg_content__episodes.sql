select
    episode_id,
    title_id,
    season_num,
    episode_num,
    duration_s
from {{ source('content', 'content_episodes') }}
