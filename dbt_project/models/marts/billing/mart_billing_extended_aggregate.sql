-- Premier's Extended_billing_aggregate: one row per subscription with its dates, money, and the user's
-- lifetime value and lifetime so far (see the model's docs for the exact definitions).
{{ config(alias='Extended_billing_aggregate', order_by='(passport_id, started_at, subscription_id)') }}

select
    account_id as passport_id,
    subscription_id,
    subscription_kind,
    tariff_id,
    toDate(started_at) as start_date,
    toDate(ended_at) as end_date,
    started_at,
    ended_at,
    money,
    currency,
    sum(money) over (
        partition by account_id, currency order by started_at, subscription_id rows unbounded preceding
    ) as LTV,
    round(sum(new_coverage_seconds) over (
        partition by account_id order by started_at, subscription_id rows unbounded preceding
    ) / 86400, 6) as LT_total
from (
    select
        *,
        -- the part of this subscription not already covered by the account's earlier ones
        greatest(0, toInt64(ended_at) - greatest(toInt64(started_at), toInt64(previous_end))) as new_coverage_seconds
    from (
        select
            *,
            max(ended_at) over (
                partition by account_id order by started_at, subscription_id
                rows between unbounded preceding and 1 preceding
            ) as previous_end
        from {{ ref('int_billing__subscriptions') }}
    )
)
