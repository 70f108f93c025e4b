{#- The model has exactly `expected` rows (a one-row settings model must not fan out joins). -#}
{% test row_count_is(model, expected) %}

select count(*) as row_count
from {{ model }}
having count(*) != {{ expected }}

{% endtest %}
