{#- The column's total equals another model's total (to the millisecond for time). -#}
{% test total_matches(model, column, other, other_column) %}
{#- Totals of two models agree over all of history: not limited to the run's days (macros/test_window.sql). -#}
{{ config(meta={'test_window': 'whole'}) }}
select a.total as total, b.total as other_total
from (select sum({{ column }}) as total from {{ model }}) as a
cross join (select sum({{ other_column }}) as total from {{ other }}) as b
where abs(a.total - b.total) > 0.001
{% endtest %}
