-- Premier's Extended_billing_aggregate: one row per subscription with its dates, money, and the user's
-- lifetime value and lifetime so far (see the model's docs for the exact definitions). Incremental: a run
-- recomputes the users whose subscriptions (as the snapshot and the refunds give them now) differ from the
-- rows kept: new, renewed, refunded or corrected ones; every other user's running LTV and LT_total stand.
{{
    config(
        alias='Extended_billing_aggregate',
        materialized='incremental',
        incremental_strategy='delete_insert',
        unique_key='passport_id',
        order_by='(passport_id, started_at, subscription_id)'
    )
}}
{#- what the mart keeps of a user's subscriptions, hashed (cast alike on both sides) and combined per user -#}
{%- set subscription_fingerprint -%}
    groupBitXor(cityHash64(
        toUInt64(subscription_id), toString(subscription_kind), toUInt32(tariff_id), toDateTime(started_at),
        toDateTime(ended_at), toDecimal128(money, 2), toString(currency)
    ))
{%- endset %}

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
        {%- if is_incremental() %}
        where account_id in (
            select account_id
            from (
                select account_id, {{ subscription_fingerprint }} as fingerprint
                from {{ ref('int_billing__subscriptions') }}
                group by account_id
            ) as now
            left join (
                select passport_id as account_id, {{ subscription_fingerprint }} as fingerprint
                from {{ this }}
                group by account_id
            ) as kept using (account_id)
            where now.fingerprint != kept.fingerprint
        )
        {%- endif %}
    )
)
