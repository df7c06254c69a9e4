{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(payment_date)',
        order_by='(payment_date, client_id, tariff_id, currency)'
    )
}}
-- collect_daily_stats by tariff: payments and refunds per UTC day, operator, tariff and currency.
-- Incremental: a run rebuilds the days of the transactions it loads.
select
    toDate(t.created_at) as payment_date,
    a.client_id as client_id,
    ifNull(t.tariff_id, 0) as tariff_id,
    ifNull(tr.tariff_name, '') as tariff_name,
    t.currency as currency,
    {{ daily_payment_figures() }}
from {{ ref('stg_billing__transactions') }} as t
inner join {{ ref('stg_billing__accounts') }} as a on a.account_id = t.account_id
left join {{ ref('stg_billing__tariffs') }} as tr on tr.tariff_id = t.tariff_id
{{- only_days_of_transactions_in_window() }}
group by payment_date, client_id, tariff_id, tariff_name, currency
