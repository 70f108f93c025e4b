{#- Custom schemas are used as they are (reference, staging, intermediate, marts), not prefixed with the
    target schema: other code reads marts.fct_unit_scores, not main_marts.fct_unit_scores. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
