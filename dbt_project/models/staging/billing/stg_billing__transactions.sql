select
    transaction_id,
    account_id,
    subscription_id,
    tariff_id,
    kind,
    amount,
    toString(currency) as currency,
    created_at,
    _partition_date as load_date
from {{ source('billing', 'billing_transactions') }}
