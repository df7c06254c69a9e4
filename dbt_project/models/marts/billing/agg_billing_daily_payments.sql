-- Payments by UTC day (Smarty's collect_daily_stats: day boundaries in UTC+0), per operator and currency.
select
    toDate(t.created_at) as payment_date,
    a.client_id as client_id,
    t.currency as currency,
    {{ daily_payment_figures() }}
from {{ ref('stg_billing__transactions') }} as t
inner join {{ ref('stg_billing__accounts') }} as a on a.account_id = t.account_id
group by payment_date, client_id, currency
