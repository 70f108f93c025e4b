{#- The last day a month's report is on time (inclusive): the deadline_day of the following month. The
    same rule as base/calendar.py `deadline()`, which refuses a deadline_day outside 1-27 (so the day
    always exists); tests/warehouse/test_deadline.py holds the two equal. -#}
{% macro submission_deadline(month_start, deadline_day) -%}
    ((({{ month_start }}) + interval 1 month)::date + (({{ deadline_day }}) - 1))::date
{%- endmacro %}
