select
    title_id,
    title_ru,
    genre_name,
    age_restriction
from {{ source('content', 'content_titles') }}
