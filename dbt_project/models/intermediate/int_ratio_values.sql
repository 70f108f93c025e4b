-- Derived rates R01-R10 per unit and period: the ratio of the period's numerator and denominator
-- (sums for flows, latest for stocks), never an average of monthly rates. R09's denominator is the
-- unit's population (per 10,000). A zero or missing denominator gives null. Last year's rate is the
-- ratio of last year's figures.
with rate_indicators as (
    select * from {{ ref('stg_indicators') }}
    where kind = 'derived' and value_type in ('ratio', 'per_10k') and numerator_code is not null
),

submitted_values as (
    select * from {{ ref('int_submitted_values') }}
    where {{ is_rebuilt_period() }}
),

units as (
    select * from {{ ref('stg_units') }}
),

paired as (
    select
        numerators.unit_code,
        rate_indicators.indicator_code,
        numerators.period_type,
        numerators.period,
        case when rate_indicators.value_type = 'per_10k' then 10000 else 1 end as scale,
        numerators.value as numerator_value,
        numerators.value_last_year as numerator_last_year,
        case
            when rate_indicators.denominator_code = 'population' then units.population
            else denominators.value
        end as denominator_value,
        case
            when rate_indicators.denominator_code = 'population' then units.population
            else denominators.value_last_year
        end as denominator_last_year
    from rate_indicators
    inner join submitted_values as numerators
        on rate_indicators.numerator_code = numerators.indicator_code
    inner join units on numerators.unit_code = units.unit_code
    left join submitted_values as denominators
        on
            rate_indicators.denominator_code = denominators.indicator_code
            and numerators.unit_code = denominators.unit_code
            and numerators.period_type = denominators.period_type
            and numerators.period = denominators.period
),

final as (
    select
        unit_code,
        indicator_code,
        period_type,
        period,
        scale * {{ safe_ratio('numerator_value', 'denominator_value') }} as value,
        scale * {{ safe_ratio('numerator_last_year', 'denominator_last_year') }} as value_last_year,
        numerator_value,
        denominator_value,
        numerator_last_year,
        denominator_last_year
    from paired
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
