select
    account_id,
    client_id,
    tariff_id,
    region,
    is_active,
    created_at
from {{ source('billing', 'billing_accounts') }}
