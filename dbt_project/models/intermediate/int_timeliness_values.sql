-- Q01 月报按时报送率 per unit and period: months reported on time / months expected in the window
-- (int_submission_status). Last year's rate is the same ratio over the window one year earlier, when the
-- submission calendar covers it.
with timeliness_indicators as (
    select * from {{ ref('stg_indicators') }}
    where value_type = 'timeliness'
),

submission_status as (
    select * from {{ ref('int_submission_status') }}
),

periods as (
    select * from {{ ref('int_periods') }}
    where {{ is_rebuilt_period() }}
),

counted as (
    select
        submission_status.unit_code,
        periods.period_type,
        periods.period,
        count_if(submission_status.on_time and submission_status.month_start >= periods.period_start)
            as months_on_time,
        count_if(submission_status.month_start >= periods.period_start) as months_expected,
        count_if(submission_status.on_time and submission_status.month_start < periods.period_start)
            as months_on_time_last_year,
        count_if(submission_status.month_start < periods.period_start) as months_expected_last_year
    from periods
    inner join submission_status
        on
            submission_status.month_start between periods.period_start and periods.period_end
            or submission_status.month_start
            between periods.period_start - interval 1 year and periods.period_end - interval 1 year
    group by all
),

final as (
    select
        counted.unit_code,
        timeliness_indicators.indicator_code,
        counted.period_type,
        counted.period,
        {{ safe_ratio('counted.months_on_time', 'counted.months_expected') }} as value,
        {{ safe_ratio('counted.months_on_time_last_year', 'counted.months_expected_last_year') }}
            as value_last_year,
        counted.months_on_time::double as numerator_value,
        counted.months_expected::double as denominator_value,
        counted.months_on_time_last_year::double as numerator_last_year,
        counted.months_expected_last_year::double as denominator_last_year
    from counted
    cross join timeliness_indicators
    where counted.months_expected > 0
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
