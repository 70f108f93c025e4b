-- Prefecture totals: counts and amounts summed over units; rates as the ratio of summed numerators and
-- denominators (units with both); percent scores (S01, S03) population-weighted; ranks (S02, R11) null.
with indicator_values as (
    select * from {{ ref('int_indicator_values') }}
),

indicators as (
    select * from {{ ref('stg_indicators') }}
),

units as (
    select * from {{ ref('stg_units') }}
),

aggregated as (
    select
        v.indicator_code,
        v.period_type,
        v.period,
        v.year,
        i.value_type,
        sum(v.value) as value_sum,
        sum(v.value_last_year) as last_year_sum,
        sum(v.value * u.population) / sum(u.population) filter (where v.value is not null) as value_weighted,
        sum(v.value_last_year * u.population) / sum(u.population) filter (where v.value_last_year is not null)
            as last_year_weighted,
        sum(v.numerator_value) filter (where v.denominator_value is not null) as numerator_sum,
        sum(v.denominator_value) filter (where v.numerator_value is not null) as denominator_sum,
        sum(v.numerator_last_year) filter (where v.denominator_last_year is not null)
            as numerator_last_year_sum,
        sum(v.denominator_last_year) filter (where v.numerator_last_year is not null)
            as denominator_last_year_sum
    from indicator_values as v
    inner join indicators as i on v.indicator_code = i.indicator_code
    inner join units as u on v.unit_code = u.unit_code
    group by all
),

combined as (
    select
        indicator_code,
        period_type,
        period,
        year,
        case
            when value_type in ('count', 'amount') then value_sum
            when value_type = 'percent' then value_weighted
            when
                value_type in ('ratio', 'timeliness')
                then {{ safe_ratio('numerator_sum', 'denominator_sum') }}
            when value_type = 'per_10k' then 10000 * {{ safe_ratio('numerator_sum', 'denominator_sum') }}
        end as value,
        case
            when value_type in ('count', 'amount') then last_year_sum
            when value_type = 'percent' then last_year_weighted
            when value_type in ('ratio', 'timeliness')
                then {{ safe_ratio('numerator_last_year_sum', 'denominator_last_year_sum') }}
            when value_type = 'per_10k'
                then 10000 * {{ safe_ratio('numerator_last_year_sum', 'denominator_last_year_sum') }}
        end as value_last_year
    from aggregated
),

final as (
    select
        indicator_code,
        period_type,
        period,
        year,
        value::double as value,
        value_last_year::double as value_last_year,
        {{ yoy_change('value', 'value_last_year') }} as yoy_change,
        value - value_last_year as change_vs_last_year
    from combined
)

select * from final
