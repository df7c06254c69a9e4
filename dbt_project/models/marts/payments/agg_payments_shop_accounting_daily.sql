-- Shop accounting per UTC day, merchant, shop and currency: the day's movements and the running balance
-- (closing = opening + funds_acquired - fee_charged - funds_refunded - funds_charged_back - funds_paid_out).
-- Days without movements have no row; the balance carries over unchanged.
select
    day,
    merchant_id,
    shop_id,
    currency_code,
    funds_acquired,
    fee_charged,
    funds_refunded,
    funds_charged_back,
    funds_paid_out,
    balance_change,
    closing_balance - balance_change as opening_balance,
    closing_balance
from (
    select
        *,
        sum(balance_change) over (
            partition by merchant_id, shop_id, currency_code order by day rows between unbounded preceding and current row
        ) as closing_balance
    from (
        select
            toDate(m.moved_at) as day,
            m.merchant_id as merchant_id,
            m.shop_id as shop_id,
            m.currency_code as currency_code,
            sum(m.funds_acquired) as funds_acquired,
            sum(m.fee_charged) as fee_charged,
            sum(m.funds_refunded) as funds_refunded,
            sum(m.funds_charged_back) as funds_charged_back,
            sum(m.funds_paid_out) as funds_paid_out,
            sum(m.balance_change) as balance_change
        from {{ ref('fct_payments_balance_movements') }} as m
        group by day, merchant_id, shop_id, currency_code
    )
)
