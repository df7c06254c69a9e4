select
    subscription_id,
    account_id,
    tariff_id,
    kind as subscription_kind,
    started_at,
    ended_at,
    price,
    toString(currency) as currency
from {{ source('billing', 'billing_subscriptions') }}
