-- Payments by UTC day (Smarty's collect_daily_stats: day boundaries in UTC+0), per operator and currency.
select
    toDate(t.created_at) as payment_date,
    a.client_id as client_id,
    t.currency as currency,
    countIf(t.kind = 'payment') as payments_count,
    sumIf(t.amount, t.kind = 'payment') as payments_amount,
    uniqExactIf(t.account_id, t.kind = 'payment') as paying_customers,
    countIf(t.kind = 'refund') as refunds_count,
    sumIf(t.amount, t.kind = 'refund') as refunds_amount
from {{ ref('stg_billing__transactions') }} as t
inner join {{ ref('stg_billing__accounts') }} as a on a.account_id = t.account_id
group by payment_date, client_id, currency
