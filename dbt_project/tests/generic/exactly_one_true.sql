{#- Exactly one row has the flag `column_name` set (the grade a failed veto gives; the grade that earns a
    yellow card): none would leave the rule undefined, two would make it ambiguous. -#}
{% test exactly_one_true(model, column_name) %}

select count(*) filter (where {{ column_name }}) as rows_flagged
from {{ model }}
having count(*) filter (where {{ column_name }}) != 1

{% endtest %}
