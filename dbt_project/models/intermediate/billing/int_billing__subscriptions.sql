-- A table, not a view: several marts read it and it is costly to compute.
{{ config(materialized='table', order_by='(account_id, started_at, subscription_id)') }}

-- Every subscription with its operator and its money: the price less what was refunded for it (refunds are
-- transactions of kind 'refund' naming the subscription), in the subscription's currency.
select
    s.subscription_id as subscription_id,
    s.account_id as account_id,
    a.client_id as client_id,
    s.tariff_id as tariff_id,
    s.subscription_kind as subscription_kind,
    s.started_at as started_at,
    s.ended_at as ended_at,
    s.price as price,
    ifNull(r.refunded, toDecimal128(0, 2)) as refunded,
    s.price - ifNull(r.refunded, toDecimal128(0, 2)) as money,
    s.currency as currency
from {{ ref('stg_billing__subscriptions') }} as s
inner join {{ ref('stg_billing__accounts') }} as a on a.account_id = s.account_id
left join (
    select subscription_id, sum(amount) as refunded
    from {{ ref('stg_billing__transactions') }}
    where kind = 'refund' and subscription_id is not null
    group by subscription_id
) as r on r.subscription_id = s.subscription_id
settings join_use_nulls = 1
