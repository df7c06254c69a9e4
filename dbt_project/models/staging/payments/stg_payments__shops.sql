select
    merchant_id,
    shop_id,
    category_id,
    name as shop_name
from {{ source('payments', 'payment_shops') }}
