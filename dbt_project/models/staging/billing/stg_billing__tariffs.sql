select
    tariff_id,
    client_id,
    name as tariff_name,
    price,
    toString(currency) as currency
from {{ source('billing', 'billing_tariffs') }}
