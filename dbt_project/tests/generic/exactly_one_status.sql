{#- Every expected unit and month is exactly one of on time, late, missing or rejected. -#}
{% test exactly_one_status(model) %}

select *
from {{ model }}
where on_time::integer + late::integer + missing::integer + rejected::integer != 1

{% endtest %}
