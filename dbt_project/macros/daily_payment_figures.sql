{#- collect_daily_stats' figures over transactions `t`: payments (count, amount, distinct paying accounts)
    and refunds (count, amount), for a GROUP BY that includes the UTC day. -#}
{% macro daily_payment_figures() %}
    countIf(t.kind = 'payment') as payments_count,
    sumIf(t.amount, t.kind = 'payment') as payments_amount,
    uniqExactIf(t.account_id, t.kind = 'payment') as paying_customers,
    countIf(t.kind = 'refund') as refunds_count,
    sumIf(t.amount, t.kind = 'refund') as refunds_amount
{%- endmacro %}
