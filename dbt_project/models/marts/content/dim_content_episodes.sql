select
    e.episode_id as episode_id,
    e.title_id as tv_id,
    t.title_ru as title_ru,
    e.season_num as season_num,
    e.episode_num as episode_num,
    e.duration_s as duration_s,
    t.genre_name as genre_name,
    t.age_restriction as age_restriction
from {{ ref('stg_content__episodes') }} as e
inner join {{ ref('stg_content__titles') }} as t on t.title_id = e.title_id
