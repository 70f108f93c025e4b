{#- Small expressions used by several models, so each rule is written once. -#}

{#- A ratio that is null, not infinite, when the denominator is null or zero. -#}
{% macro safe_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else ({{ numerator }})::double / ({{ denominator }})
    end
{%- endmacro %}

{#- Year-on-year change as a fraction: (value - last year) / last year; null when last year is null or 0. -#}
{% macro yoy_change(value, value_last_year) -%}
    {{ safe_ratio('(' ~ value ~ ') - (' ~ value_last_year ~ ')', value_last_year) }}
{%- endmacro %}

{#- The same period one year earlier, as a period_index (see int_periods). -#}
{% macro period_index_last_year(period_type, period_index) -%}
    case {{ period_type }}
        when 'quarter' then {{ period_index }} - 4
        when 'year' then {{ period_index }} - 1
        else {{ period_index }} - 12
    end
{%- endmacro %}

{#- A value as a Chinese bulletin writes it, by the indicator's value_type: percent scores on the 0-100
    scale "96.2%", fractions (ratio, timeliness) "96.2%", counts whole "40,988", ranks "第48位". -#}
{% macro format_value(value, value_type) -%}
    case
        when {{ value }} is null then '无数据'
        when {{ value_type }} = 'percent' then format('{:.1f}%', {{ value }})
        when {{ value_type }} in ('ratio', 'timeliness') then format('{:.1f}%', 100 * {{ value }})
        when {{ value_type }} = 'rank' then '第' || round({{ value }})::bigint || '位'
        when {{ value_type }} = 'rank_change' then round({{ value }})::bigint || '位'
        when {{ value_type }} = 'count' and {{ value }} = round({{ value }})
            then format('{:,}', round({{ value }})::bigint)
        when {{ value_type }} = 'count' then format('{:,.1f}', {{ value }})
        else format('{:,.2f}', {{ value }})
    end
{%- endmacro %}
