-- A table, not a view: both customer-dynamics models read it and it is costly to compute.
{{ config(materialized='table', order_by='(client_id, account_id, interval_number)') }}

-- Each account's subscription coverage as disjoint intervals: overlapping or touching subscriptions merge
-- into one interval, so at any instant an account is inside at most one interval. Customer dynamics count
-- intervals starting and ending to know how many accounts are covered at any moment.
select
    account_id,
    client_id,
    interval_number,
    min(started_at) as started_at,
    max(ended_at) as ended_at
from (
    select
        *,
        sum(toUInt32(started_at > previous_end)) over (
            partition by account_id order by started_at, subscription_id rows unbounded preceding
        ) as interval_number
    from (
        select
            account_id,
            client_id,
            subscription_id,
            started_at,
            ended_at,
            -- the latest end among the account's earlier subscriptions (1970-01-01 for its first)
            max(ended_at) over (
                partition by account_id order by started_at, subscription_id
                rows between unbounded preceding and 1 preceding
            ) as previous_end
        from {{ ref('int_billing__subscriptions') }}
        where ended_at > started_at
    )
)
group by account_id, client_id, interval_number
