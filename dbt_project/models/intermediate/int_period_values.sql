-- Submitted figures over each period window: flows add up (sum of the months), stocks take the latest
-- non-null month. The county's own 去年同期数 is aggregated the same way. months_received counts the
-- months of the window with a version used, so callers can tell a complete window from a partial one.
with monthly_values as (
    select * from {{ ref('int_monthly_values') }}
),

periods as (
    select * from {{ ref('int_periods') }}
    where {{ is_rebuilt_period() }}
),

windowed as (
    select
        monthly_values.unit_code,
        monthly_values.indicator_code,
        monthly_values.kind,
        periods.period_type,
        periods.period,
        periods.year,
        periods.period_index,
        periods.months_in_window,
        sum(monthly_values.value) as value_sum,
        arg_max(monthly_values.value, monthly_values.month_start)
        filter (where monthly_values.value is not null) as value_latest,
        sum(monthly_values.value_last_year_reported) as reported_last_year_sum,
        arg_max(monthly_values.value_last_year_reported, monthly_values.month_start)
        filter (where monthly_values.value_last_year_reported is not null) as reported_last_year_latest,
        -- one row per unit, indicator and month (its unique_combination test): rows are months
        count(monthly_values.month_start)::integer as months_received
    from monthly_values
    inner join periods
        on monthly_values.month_start between periods.period_start and periods.period_end
    group by all
),

final as (
    select
        unit_code,
        indicator_code,
        kind,
        period_type,
        period,
        year,
        period_index,
        months_in_window,
        months_received,
        case when kind = 'flow' then value_sum else value_latest end as value,
        case
            when kind = 'flow' then reported_last_year_sum else reported_last_year_latest
        end as value_last_year_reported
    from windowed
)

select * from final
order by period_type, period  -- a period's rows together (macros/rebuilt_periods.sql)
