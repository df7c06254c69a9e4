{% test funnel_never_increases(model, stages) %}
select * from {{ model }}
where {% for i in range(stages | length - 1) %}{{ stages[i + 1] }} > {{ stages[i] }}{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
