{#- collect_daily_stats' figures over transactions `t`: payments (count, amount, distinct paying accounts)
    and refunds (count, amount), for a GROUP BY that includes the UTC day. -#}
{% macro daily_payment_figures() %}
    countIf(t.kind = 'payment') as payments_count,
    sumIf(t.amount, t.kind = 'payment') as payments_amount,
    uniqExactIf(t.account_id, t.kind = 'payment') as paying_customers,
    countIf(t.kind = 'refund') as refunds_count,
    sumIf(t.amount, t.kind = 'refund') as refunds_amount
{%- endmacro %}

{#- In an incremental run, a condition keeping the transactions `t` of the UTC days (of created_at) that the
    window's loads hold transactions of: the daily payment marts rebuild those whole days. -#}
{% macro only_days_of_transactions_in_window() -%}
    {%- if is_incremental() %}
    where toDate(t.created_at) in (
        select toDate(created_at) from {{ ref('stg_billing__transactions') }} where {{ partition_window('load_date') }}
    )
    {%- endif %}
{%- endmacro %}
