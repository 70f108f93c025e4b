-- R11 群众安全感排名上升位次 per unit and period: the provincial rank (S02) at the end of last year minus
-- the latest rank in the period (positive = moved up). It is itself a change on last year, so it has no
-- value_last_year.
with rank_change_indicators as (
    select * from {{ ref('stg_indicators') }}
    where value_type = 'rank_change' and numerator_code is not null
),

submitted_values as (
    select * from {{ ref('int_submitted_values') }}
    where {{ is_rebuilt_period() }}
),

final as (
    select
        ranks.unit_code,
        rank_change_indicators.indicator_code,
        ranks.period_type,
        ranks.period,
        ranks.prior_year_end_value - ranks.value as value,
        null::double as value_last_year
    from rank_change_indicators
    inner join submitted_values as ranks
        on rank_change_indicators.numerator_code = ranks.indicator_code
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
