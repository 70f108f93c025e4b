with indicator_values as (
    select * from {{ ref('int_indicator_values') }}
    where {{ is_rebuilt_period() }}
),

indicators as (
    select * from {{ ref('stg_indicators') }}
),

units as (
    select * from {{ ref('stg_units') }}
),

final as (
    select
        indicator_values.unit_code,
        indicator_values.indicator_code,
        indicator_values.period_type,
        indicator_values.period,
        indicator_values.year,
        indicator_values.period_start,
        indicator_values.period_end,
        indicator_values.value,
        indicator_values.value_last_year,
        {{ yoy_change('indicator_values.value', 'indicator_values.value_last_year') }} as yoy_change,
        indicator_values.value - indicator_values.value_last_year as change_vs_last_year,
        case
            when indicators.value_type = 'count'
                then indicator_values.value * 10000 / units.population
        end as value_per_10k,
        indicator_values.last_year_source
    from indicator_values
    inner join indicators on indicator_values.indicator_code = indicators.indicator_code
    inner join units on indicator_values.unit_code = units.unit_code
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
