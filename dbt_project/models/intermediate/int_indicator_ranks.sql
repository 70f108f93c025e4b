-- League tables per indicator and period. Direction honoured (lower is better -> smallest value ranks 1);
-- counts flagged compare_per_10k are ranked per 10,000 residents. Competition ranking (1, 2, 2, 4).
-- Indicators with direction 'none' and units without a value are not ranked.
with indicator_values as (
    select * from {{ ref('int_indicator_values') }}
    where {{ is_rebuilt_period() }}
),

indicators as (
    select * from {{ ref('stg_indicators') }}
    where direction in ('higher', 'lower')
),

units as (
    select * from {{ ref('stg_units') }}
),

candidates as (
    select
        indicator_values.indicator_code,
        indicator_values.period_type,
        indicator_values.period,
        indicator_values.year,
        indicator_values.period_index,
        indicator_values.unit_code,
        indicator_values.value,
        indicators.direction,
        case when indicators.compare_per_10k then 'per_10k' else 'value' end as rank_basis,
        case
            when indicators.compare_per_10k then indicator_values.value * 10000 / units.population
            else indicator_values.value
        end as ranked_value
    from indicator_values
    inner join indicators on indicator_values.indicator_code = indicators.indicator_code
    inner join units on indicator_values.unit_code = units.unit_code
    where indicator_values.value is not null
),

final as (
    select
        * exclude (direction),
        rank() over (
            partition by indicator_code, period_type, period
            order by
                case when direction = 'lower' then ranked_value end asc,
                case when direction = 'higher' then ranked_value end desc
        )::integer as rank,
        count(*) over (partition by indicator_code, period_type, period)::integer as units_ranked,
        avg(ranked_value) over (partition by indicator_code, period_type, period) as prefecture_mean
    from candidates
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
