{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(payment_date)',
        order_by='(payment_date, client_id, currency)'
    )
}}
-- Payments by UTC day (Smarty's collect_daily_stats: day boundaries in UTC+0), per operator and currency.
-- Incremental: a run rebuilds the days of the transactions it loads.
select
    toDate(t.created_at) as payment_date,
    a.client_id as client_id,
    t.currency as currency,
    {{ daily_payment_figures() }}
from {{ ref('stg_billing__transactions') }} as t
inner join {{ ref('stg_billing__accounts') }} as a on a.account_id = t.account_id
{{- only_days_of_transactions_in_window() }}
group by payment_date, client_id, currency
