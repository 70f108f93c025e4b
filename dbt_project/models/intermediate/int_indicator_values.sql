-- Every indicator per unit and period in one shape: submitted (flows and stocks), rates (R01-R10),
-- the rank change (R11) and timeliness (Q01), with the period's dates. Numerators and denominators are
-- kept so the prefecture can take the ratio of sums.
with submitted_values as (
    select * from {{ ref('int_submitted_values') }}
    where {{ is_rebuilt_period() }}
),

ratio_values as (
    select * from {{ ref('int_ratio_values') }}
    where {{ is_rebuilt_period() }}
),

rank_change_values as (
    select * from {{ ref('int_rank_change_values') }}
    where {{ is_rebuilt_period() }}
),

timeliness_values as (
    select * from {{ ref('int_timeliness_values') }}
    where {{ is_rebuilt_period() }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

unioned as (
    select
        unit_code,
        indicator_code,
        period_type,
        period,
        value,
        value_last_year,
        last_year_source,
        prior_year_end_value,
        null::double as numerator_value,
        null::double as denominator_value,
        null::double as numerator_last_year,
        null::double as denominator_last_year
    from submitted_values
    union all by name
    select * from ratio_values
    union all by name
    select * from rank_change_values
    union all by name
    select * from timeliness_values
),

final as (
    select
        unioned.unit_code,
        unioned.indicator_code,
        unioned.period_type,
        unioned.period,
        periods.year,
        periods.period_start,
        periods.period_end,
        periods.period_index,
        unioned.value::double as value,
        unioned.value_last_year::double as value_last_year,
        unioned.last_year_source,
        unioned.prior_year_end_value::double as prior_year_end_value,
        unioned.numerator_value::double as numerator_value,
        unioned.denominator_value::double as denominator_value,
        unioned.numerator_last_year::double as numerator_last_year,
        unioned.denominator_last_year::double as denominator_last_year
    from unioned
    inner join periods
        on unioned.period_type = periods.period_type and unioned.period = periods.period
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
