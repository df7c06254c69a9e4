{% test shares_sum_to_one(model, share, group_by) %}
select {{ group_by | join(', ') }}, sum({{ share }}) as total
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(total - 1) > 1e-9
{% endtest %}
