-- Q01 月报按时报送率 per unit and period: months reported on time / months expected in the window
-- (int_submission_status). Last year's rate is the same ratio over last year's window, when expected.
with timeliness_indicators as (
    select * from {{ ref('stg_indicators') }}
    where value_type = 'timeliness'
),

submission_status as (
    select * from {{ ref('int_submission_status') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

counted as (
    select
        submission_status.unit_code,
        periods.period_type,
        periods.period,
        periods.period_index,
        count_if(submission_status.on_time)::double as months_on_time,
        count(*)::double as months_expected
    from periods
    inner join submission_status
        on submission_status.month_start between periods.period_start and periods.period_end
    group by all
),

final as (
    select
        counted.unit_code,
        timeliness_indicators.indicator_code,
        counted.period_type,
        counted.period,
        {{ safe_ratio('counted.months_on_time', 'counted.months_expected') }} as value,
        {{ safe_ratio('last_year.months_on_time', 'last_year.months_expected') }} as value_last_year,
        counted.months_on_time as numerator_value,
        counted.months_expected as denominator_value,
        last_year.months_on_time as numerator_last_year,
        last_year.months_expected as denominator_last_year
    from counted
    cross join timeliness_indicators
    left join counted as last_year
        on counted.unit_code = last_year.unit_code
        and counted.period_type = last_year.period_type
        and last_year.period_index
        = {{ period_index_last_year('counted.period_type', 'counted.period_index') }}
)

select * from final
