-- One row per shop with its category; shops that only appear in events have no category (NULL).
select
    coalesce(s.merchant_id, e.merchant_id) as merchant_id,
    coalesce(s.shop_id, e.shop_id) as shop_id,
    s.category_id as category_id,
    s.shop_name as shop_name
from {{ ref('stg_payments__shops') }} as s
full outer join (
    select distinct merchant_id, shop_id from {{ ref('stg_payments__events') }}
) as e on e.merchant_id = s.merchant_id and e.shop_id = s.shop_id
settings join_use_nulls = 1
