select
    channel_id,
    client_id,
    name as channel_name
from {{ source('content', 'content_channels') }}
